"""A horizontal bar for the dashboards' charts: the share of a whole, labelled for screen readers."""

from __future__ import annotations

from typing import Any

from reactpy import html


def share_bar(part: int, whole: int, label: str) -> Any:
    width = f"{100 * part / whole:.0f}%" if whole else "0%"
    return html.div(
        {"class_name": "bar", "role": "img", "aria_label": label},
        html.div({"class_name": "bar-fill", "style": {"width": width}}),
    )
