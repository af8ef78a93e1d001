"""What a job needs besides its arguments, handed to tasks through procrastinate's job context.

Tasks are plain module-level functions (procrastinate finds them by name), so the settings, the clock and
the shared HTTP client of the worker reach them here instead of through globals.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from procrastinate import JobContext

from backend.lib.clock import Clock
from backend.settings import Settings

RUNTIME_KEY = "mattran"


@dataclass(frozen=True)
class JobRuntime:
    settings: Settings
    clock: Clock
    # One client per worker: keep-alive connections to push services are reused across jobs.
    http: httpx.AsyncClient


def runtime_of(context: JobContext) -> JobRuntime:
    runtime = context.additional_context.get(RUNTIME_KEY)
    if not isinstance(runtime, JobRuntime):
        raise RuntimeError("this task runs only in a mattran worker (backend.features.jobs.worker)")
    return runtime
