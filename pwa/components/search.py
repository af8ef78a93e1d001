"""Search as you type: a plain GET form (it works before the live connection and without it) whose results
refresh over the live connection while the person types."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from reactpy import html, use_effect, use_state

MAX_QUERY = 200
T = TypeVar("T")


def use_live_search(
    initial_query: str, initial_results: T, search: Callable[[str], Awaitable[T]]
) -> tuple[str, T, Callable[[str], None], Callable[[T], None]]:
    """(query, results, set_query, set_results): the server's first results until the query changes;
    set_results for a page that adds more results to the same query."""
    query, set_query = use_state(initial_query)
    results, set_results = use_state(initial_results)

    @use_effect(dependencies=[query])
    async def refresh() -> None:
        if query != initial_query:
            set_results(await search(query))

    return query, results, set_query, set_results


def search_form(action: str, input_id: str, label: str, query: str, set_query: Callable[[str], None]) -> Any:
    return html.form(
        {"method": "get", "action": action, "class_name": "stack"},
        html.label({"html_for": input_id}, label),
        html.input(
            {
                "id": input_id,
                "name": "q",
                "type": "search",
                "value": query,
                "autocomplete": "off",
                "on_change": lambda event: set_query(event["target"]["value"][:MAX_QUERY]),
            }
        ),
    )
