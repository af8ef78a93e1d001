"""The pages of the web app: path -> how to load its data and which component shows it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from reactpy import component, html

from pwa.components.layout import Shell
from pwa.features.account import pages as account
from pwa.features.assistant import pages as assistant
from pwa.features.conflicts import pages as conflicts
from pwa.features.congress import pages as congress
from pwa.features.home import pages as home
from pwa.features.library import pages as library
from pwa.features.notes import pages as notes
from pwa.features.notifications import pages as notifications
from pwa.features.petitions import pages as petitions
from pwa.features.registry import areas, forms
from pwa.features.registry import pages as registry
from pwa.features.reports import pages as reports
from pwa.features.system import pages as system
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
    "/areas": Page("pwa.areas.title", areas.load_areas, areas.MyAreasPage),
    "/household/new": Page("pwa.registry.new_household", forms.load_household_new, forms.HouseholdNewPage),
    "/household/edit": Page("pwa.registry.edit_household", forms.load_household_edit, forms.HouseholdEditPage),
    "/resident/new": Page("pwa.registry.new_resident", forms.load_resident_new, forms.ResidentNewPage),
    "/resident/edit": Page("pwa.registry.edit_resident", forms.load_resident_edit, forms.ResidentEditPage),
    "/conflicts": Page("pwa.conflicts.title", conflicts.load_inbox, conflicts.ConflictsPage),
    "/conflict": Page("pwa.conflicts.title", conflicts.load_conflict, conflicts.ConflictPage),
    "/notes": Page("pwa.notes.title", notes.load, notes.NotesPage),
    "/petitions": Page("pwa.petitions.inbox", petitions.load_inbox, petitions.InboxPage),
    "/petitions/new": Page("pwa.petitions.new", petitions.load_new, petitions.NewPetitionPage),
    "/petitions/track": Page("pwa.petitions.track", petitions.load_track, petitions.TrackPage),
    "/petitions/published": Page("pwa.petitions.published", petitions.load_published, petitions.PublishedPage),
    "/petitions/mine": Page("pwa.petitions.mine", petitions.load_mine, petitions.MinePage),
    "/petitions/dashboard": Page("pwa.petitions.dashboard", petitions.load_dashboard, petitions.DashboardPage),
    "/petition": Page("pwa.petitions.detail", petitions.load_detail, petitions.PetitionPage),
    "/notifications": Page("pwa.push.title", notifications.load, notifications.NotificationsPage),
    "/account": Page("pwa.account.title", account.load, account.AccountPage),
    "/report": Page("pwa.reports.title", reports.load_report, reports.ReportPage),
    "/reports": Page("pwa.reports.rollup_title", reports.load_rollup, reports.RollUpPage),
    "/library": Page("pwa.library.title", library.load_library, library.LibraryPage),
    "/assistant": Page("pwa.assistant.title", assistant.load, assistant.AssistantPage),
    "/library/document": Page("pwa.library.title", library.load_document, library.DocumentPage),
    "/library/offline": Page("pwa.library.offline_title", library.load_offline, library.OfflinePage),
    "/congress": Page("pwa.congress.title", congress.load_congress, congress.CongressPage),
    "/congress/dashboard": Page("pwa.congress.dashboard", congress.load_dashboard, congress.DashboardPage),
    "/congress/approvals": Page("pwa.congress.approvals", congress.load_approvals, congress.ApprovalsPage),
    "/system": Page("pwa.system.title", system.load, system.SystemPage),
}


@component
def App(session: PageSession, path: str, data: dict[str, Any]) -> Any:
    page = PAGES.get(path)
    content = page.view(session, data) if page else html.p(session.t("pwa.not_found"))
    return Shell(session, path, content)
