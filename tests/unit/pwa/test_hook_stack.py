"""reactpy 1.1.0 keeps its hook stack per thread; concurrent renders in one event loop corrupt it.
pwa.reactpy_litestar makes it per task: this shows both the failure and the fix."""

import asyncio

import pytest
from reactpy import component, html, use_state
from reactpy.core import _life_cycle_hook
from reactpy.core._thread_local import ThreadLocal
from reactpy.core.layout import Layout

from pwa.reactpy_litestar import install_task_local_hook_stack

pytestmark = pytest.mark.unit


@component
def Leaf(number: int):  # type: ignore[no-untyped-def]
    value, _ = use_state(number)
    return html.li(str(value))


@component
def Page():  # type: ignore[no-untyped-def]
    return html.ul([Leaf(i, key=i) for i in range(20)])


async def render_once() -> None:
    async with Layout(Page()) as layout:
        await layout.render()


async def failures(sessions: int) -> list[BaseException]:
    results = await asyncio.gather(*[render_once() for _ in range(sessions)], return_exceptions=True)
    return [r for r in results if isinstance(r, BaseException)]


async def test_thread_local_stack_breaks_and_task_local_stack_holds() -> None:
    original = _life_cycle_hook._HOOK_STATE
    try:
        _life_cycle_hook._HOOK_STATE = ThreadLocal(list)
        broken = await failures(200)
        assert broken and "Hook stack is in an invalid state" in str(broken[0])
        install_task_local_hook_stack()
        assert await failures(200) == []
    finally:
        _life_cycle_hook._HOOK_STATE = original
        install_task_local_hook_stack()
