"""Long lists on a phone: the next page is added below the list over the live connection; before it (or
without it) the same control is a plain link to the next page."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from reactpy import event, html


class Page(Protocol):
    """A page of a list as the services answer it (`items`, `next_cursor`: None at the end)."""

    items: list[Any]
    next_cursor: str | None

    def __init__(self, *, items: list[Any], next_cursor: str | None) -> None: ...


P = TypeVar("P", bound=Page)


def more_button(
    label: str,
    shown: P,
    next_page_href: Callable[[str], str],
    fetch_page: Callable[[str], Awaitable[P]],
    show: Callable[[P], None],
) -> Any:
    """Under a list whose pages so far are `shown`: adds the next page to them (show); nothing at the end."""
    cursor = shown.next_cursor
    if cursor is None:
        return ""

    @event(prevent_default=True)
    async def clicked(_: Any) -> None:
        following = await fetch_page(cursor)
        show(type(shown)(items=shown.items + following.items, next_cursor=following.next_cursor))

    return html.a({"class_name": "button secondary more", "href": next_page_href(cursor), "on_click": clicked}, label)
