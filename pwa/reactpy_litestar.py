"""reactpy 1.1.0 inside Litestar: the live-page websocket, server pre-rendering, and the hook-stack fix.

reactpy 1.1.0 has no Litestar backend; the pieces it needs are small (a websocket running
`serve_layout`, and the client bundle), and being a Litestar route the websocket gets the app's own
authentication. reactpy 1.1.0 keeps the stack of rendering hooks per *thread*, but a render awaits in the
middle, so two sessions rendering at once in one event loop corrupt it ("Hook stack is in an invalid
state"): the stack is made per asyncio task here.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar
from weakref import WeakKeyDictionary

from litestar import WebSocket
from litestar.exceptions import WebSocketDisconnect
from reactpy.backend.types import Connection, Location
from reactpy.core import _life_cycle_hook
from reactpy.core.hooks import ConnectionContext
from reactpy.core.layout import Layout
from reactpy.core.serve import serve_layout
from reactpy.core.types import ComponentType, VdomDict
from reactpy.utils import vdom_to_html

logger = logging.getLogger("mattran.pwa")

T = TypeVar("T")


class TaskLocal(Generic[T]):
    """Like reactpy's ThreadLocal (same `get()`), but one value per asyncio task (per thread outside one)."""

    def __init__(self, default: Callable[[], T]) -> None:
        self._default = default
        self._values: WeakKeyDictionary[object, T] = WeakKeyDictionary()

    def get(self) -> T:
        try:
            owner: object = asyncio.current_task() or threading.current_thread()
        except RuntimeError:  # no running loop
            owner = threading.current_thread()
        if owner not in self._values:
            self._values[owner] = self._default()
        return self._values[owner]


def install_task_local_hook_stack() -> None:
    if not isinstance(_life_cycle_hook._HOOK_STATE, TaskLocal):
        _life_cycle_hook._HOOK_STATE = TaskLocal(list)  # type: ignore[assignment]


def _with_connection(root: ComponentType, scope: Any, pathname: str, search: str, carrier: Any) -> Any:
    return ConnectionContext(root, value=Connection(scope=scope, location=Location(pathname, search), carrier=carrier))


async def prerender(root: ComponentType, scope: Any, pathname: str, search: str) -> str:
    """The page's first render as HTML, so a slow phone shows content before the websocket connects."""
    async with Layout(_with_connection(root, scope, pathname, search, None)) as layout:
        update = await layout.render()
    return vdom_to_html(_strip_components(update["model"]))


def _strip_components(model: Any) -> VdomDict:
    """Layout models nest components as tagless fragments; HTML only needs the elements."""
    children = [child if isinstance(child, str) else _strip_components(child) for child in model.get("children", [])]
    if not model.get("tagName"):
        return {"tagName": "", "children": children}
    element: dict[str, Any] = {"tagName": model["tagName"], "children": children}
    if model.get("attributes"):
        element["attributes"] = {_HTML_NAMES.get(k, k): v for k, v in model["attributes"].items()}
    return element  # type: ignore[return-value]


# reactpy attribute names whose HTML spelling vdom_to_html does not derive itself.
_HTML_NAMES = {"class_name": "class", "className": "class", "html_for": "for", "htmlFor": "for"}


async def serve_socket(socket: WebSocket[Any, Any, Any], root: ComponentType, pathname: str, search: str) -> None:
    """Run one live page over an accepted websocket until the browser goes away."""

    async def send(update: Any) -> None:
        await socket.send_text(json.dumps(update))

    async def receive() -> Any:
        return json.loads(await socket.receive_text())

    try:
        await serve_layout(Layout(_with_connection(root, socket.scope, pathname, search, socket)), send, receive)
    except WebSocketDisconnect:
        pass
    except BaseExceptionGroup as group:  # anyio's task group wraps the disconnect
        if not group.subgroup(WebSocketDisconnect) or group.subgroup(lambda e: not isinstance(e, WebSocketDisconnect)):
            raise
