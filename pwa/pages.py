"""The pages of the web app: path -> how to load its data and which component shows it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from reactpy import component, html

from pwa.components.layout import Shell
from pwa.features.account import pages as account
from pwa.features.home import pages as home
from pwa.features.notes import pages as notes
from pwa.features.notifications import pages as notifications
from pwa.features.registry import pages as registry
from pwa.features.units import pages as units
from pwa.session import PageSession

Loader = Callable[[PageSession, dict[str, str]], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Page:
    title_key: str
    load: Loader
    view: Callable[..., Any]


PAGES: dict[str, Page] = {
    "/": Page("pwa.name", home.load, home.HomePage),
    "/units": Page("pwa.units.title", units.load, units.UnitsPage),
    "/households": Page("pwa.registry.title", registry.load_list, registry.HouseholdsPage),
    "/household": Page("pwa.registry.household", registry.load_detail, registry.HouseholdPage),
    "/notes": Page("pwa.notes.title", notes.load, notes.NotesPage),
    "/notifications": Page("pwa.push.title", notifications.load, notifications.NotificationsPage),
    "/account": Page("pwa.account.title", account.load, account.AccountPage),
}


@component
def App(session: PageSession, path: str, data: dict[str, Any]) -> Any:
    page = PAGES.get(path)
    content = page.view(session, data) if page else html.p(session.t("pwa.not_found"))
    return Shell(session, path, content)
