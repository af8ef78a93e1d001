"""Controls of the offline forms: plain HTML that app.js reads into an outbox operation.

The markup is the contract with app.js: `data-type="int"` sends a number, `data-empty="null"` sends an empty
control as null (left out of a create), `data-list` gathers checkboxes into a list, `data-error` is the
message shown under a control that fails its constraints (checked on the phone, no signal needed), and
`data-from-query` fills a control from the address (an offline copy of the page may have been cached for
another record). Attributes that are off are left out: the pre-render writes any value, "False" too.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from reactpy import html

from pwa.session import PageSession


def _on(**flags: bool) -> dict[str, bool]:
    return {name: True for name, on in flags.items() if on}


def field(name: str, label: str, control: Any, hint: str | None = None) -> Any:
    """A labelled control, with the place its error message appears."""
    return html.div(
        {"class_name": "field", "key": name},
        html.label({"html_for": name}, label),
        html.p({"class_name": "muted hint"}, hint) if hint else "",
        control,
        html.p({"class_name": "field-error", "id": f"{name}-error", "role": "alert", "hidden": True}),
    )


def text_input(name: str, value: str = "", *, error: str | None = None, **attributes: Any) -> Any:
    """An input; constraints (required, maxlength, pattern, min, max) as attributes, `error` says why."""
    required = bool(attributes.pop("required", False))
    extra = {"data_error": error} if error else {}
    return html.input({"id": name, "name": name, "value": value, **_on(required=required), **extra, **attributes})


def text_area(name: str, value: str = "", *, maxlength: int, error: str | None = None) -> Any:
    extra = {"data_error": error} if error else {}
    return html.textarea({"id": name, "name": name, "rows": 3, "maxlength": maxlength, **extra}, value)


def select(
    name: str, value: str, options: Iterable[tuple[str, str]], *, empty_null: bool = False, **attributes: Any
) -> Any:
    """A choice among (value, label); with empty_null, the first option "" means "not known"."""
    extra = {"data_empty": "null"} if empty_null else {}
    return html.select(
        {"id": name, "name": name, **extra, **attributes},
        *[html.option({"value": code, "key": code, **_on(selected=code == value)}, label) for code, label in options],
    )


def checkboxes(name: str, label: str, chosen: Iterable[str], options: Iterable[tuple[str, str]]) -> Any:
    picked = set(chosen)
    return html.fieldset(
        {"class_name": "checks", "key": name},
        html.legend(label),
        *[
            html.label(
                {"class_name": "check", "key": code},
                html.input(
                    {"type": "checkbox", "name": name, "value": code, "data_list": "", **_on(checked=code in picked)}
                ),
                text,
            )
            for code, text in options
        ],
    )


def duplicates_box(session: PageSession, reasons: Iterable[str]) -> Any:
    """Where app.js lists records that may be the one being entered (asked of the server when online)."""
    labels = {reason: session.t(f"pwa.registry.duplicate.{reason}") for reason in reasons}
    return html.div(
        {
            "class_name": "duplicates",
            "data_duplicates_box": "",
            "data_reasons": json.dumps(labels, ensure_ascii=False),
            "hidden": True,
        },
        html.p(html.strong(session.t("pwa.registry.duplicate.title"))),
        html.ul({"class_name": "results"}),
    )


def queued_duplicates_box(session: PageSession) -> Any:
    """Where outbox.js lists members of the same household, with the same name and birth year, still waiting
    in the outbox (compared on the phone: the server cannot know them yet)."""
    return html.div(
        {"class_name": "duplicates", "data_queued_duplicates": "", "hidden": True},
        html.p(html.strong(session.t("pwa.registry.duplicate.queued"))),
        html.ul({"class_name": "results"}),
    )
