"""The `mattran` console script as an operator runs it: the venv's executable and a clean environment."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from support.config import TEST_KEY_ENCRYPTION_KEY

MATTRAN = str(Path(sys.executable).parent / "mattran")


def command_env(**overrides: str) -> dict[str, str]:
    """This process's environment without any MATTRAN_* or DATABASE_URL of its own, plus overrides."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MATTRAN_") and k != "DATABASE_URL"}
    env["MATTRAN_LOG_JSON"] = "false"
    env["MATTRAN_KEY_ENCRYPTION_KEYS"] = TEST_KEY_ENCRYPTION_KEY
    env.update(overrides)
    return env
