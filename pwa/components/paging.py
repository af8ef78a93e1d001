"""Long lists on a phone: the next page is added below the list over the live connection; before it (or
without it) the same control is a plain link to the next page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from reactpy import event, html


def more_button(label: str, next_page_href: str, add_next_page: Callable[[], Awaitable[None]]) -> Any:
    @event(prevent_default=True)
    async def clicked(_: Any) -> None:
        await add_next_page()

    return html.a({"class_name": "button secondary more", "href": next_page_href, "on_click": clicked}, label)
