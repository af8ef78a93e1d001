"""The shell every page sits in: header with the app's name, language switch, sign-in state, and a bottom
navigation with large touch targets (thumb reach on a 360 px phone)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from reactpy import component, html

from pwa.session import PageSession

# Five destinations a thumb reaches; every other app is a card on the home page.
NAV = (
    ("/", "pwa.nav.home", "⌂"),
    ("/areas", "pwa.nav.areas", "▦"),
    ("/petitions", "pwa.petitions.nav", "✉"),
    ("/library", "pwa.nav.library", "▤"),
    ("/account", "pwa.nav.account", "☺"),
)


def is_within(path: str, section: str) -> bool:
    return path == section or (section != "/" and path.startswith(section + "/"))


@component
def Shell(session: PageSession, path: str, *content: Any) -> Any:
    other = "en" if session.language == "vi" else "vi"
    account = (
        html.span({"class_name": "who"}, session.display_name or "")
        if session.signed_in
        else html.a({"class_name": "button small", "href": f"/auth/login?next={quote(path)}"}, session.t("pwa.sign_in"))
    )
    return html.div(
        {"class_name": "shell"},
        html.header(
            {"class_name": "top"},
            html.a({"class_name": "brand", "href": "/"}, session.t("pwa.name")),
            html.div(
                {"class_name": "top-actions"},
                html.a(
                    {"class_name": "lang", "href": f"/lang/{other}?next={quote(path)}"},
                    session.t("pwa.language.switch"),
                ),
                html.button(
                    {
                        "class_name": "theme",
                        "type": "button",
                        "data_theme_toggle": "",
                        "aria_label": session.t("pwa.theme.toggle"),
                    },
                    "◐",
                ),
                account,
            ),
        ),
        html.main({"class_name": "content"}, *content),
        html.nav(
            {"class_name": "bottom-nav"},
            *[
                html.a(
                    {"href": href, "class_name": "active" if is_within(path, href) else "", "key": href},
                    html.span({"class_name": "icon", "aria_hidden": "true"}, icon),
                    html.span(session.t(label)),
                )
                for href, label, icon in NAV
            ],
        ),
    )
