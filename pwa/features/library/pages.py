"""The library in the web app: browse by category, search with filters (diacritics optional), the reader
(mobile-friendly, a table of contents that jumps to each article) with the original file to download,
and the button that keeps a category on the phone for offline reading (handled by app.js)."""

from __future__ import annotations

import html as html_text
import re
import uuid
from typing import Any
from urllib.parse import urlencode

from reactpy import component, html, use_state

from backend.features.library import repo
from backend.features.library.rules import CATEGORIES
from backend.features.library.search import SearchParams, search
from backend.features.library.service import LibraryService
from backend.lib.errors import AppError
from pwa.components.paging import more_button
from pwa.components.search import MAX_QUERY
from pwa.session import PageSession
from schemas.library import DocumentPage as DocumentList  # DocumentPage below is the reader page
from schemas.library import DocumentRead, PassageHit

LISTED = 30
KINDS = ("law", "decree", "guidance", "guide", "template", "qa", "news")
_MARK = re.compile(r"<mark>(.*?)</mark>")


def _service(session: PageSession) -> LibraryService:
    return LibraryService(session.app.state.settings, session.app.state.clock)


async def load_library(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    q = query.get("q", "")[:MAX_QUERY]
    kind = query.get("kind") if query.get("kind") in KINDS else None
    category = query.get("category") if query.get("category") in CATEGORIES else None
    in_force_only = query.get("all") != "1"
    data: dict[str, Any] = {"q": q, "kind": kind, "category": category, "all": not in_force_only, "error": None}
    data["categories"] = await _service(session).categories(session.principal, session.language)
    data["hits"], data["documents"] = [], DocumentList(items=[], next_cursor=None)
    try:
        if q.strip():  # the best LISTED matches, ranked
            params = SearchParams(q=q, kind=kind, category=category, in_force_only=in_force_only, limit=LISTED)
            data["hits"] = (await search(session.principal, params)).hits
        else:  # browsing: page after page
            data["documents"] = await _documents(session, kind, category, query.get("cursor") or None)
    except AppError as error:
        data["error"] = session.t(error.detail_key or error.title_key, **error.params)
    return data


async def _documents(session: PageSession, kind: str | None, category: str | None, cursor: str | None) -> DocumentList:
    filters = repo.Filters(kind=kind, category=category)
    return await _service(session).list_documents(session.principal, filters, cursor, LISTED)


def _next_page(data: dict[str, Any], cursor: str) -> str:
    wanted = (("kind", data["kind"]), ("category", data["category"]), ("cursor", cursor))
    return "/library?" + urlencode({k: v for k, v in wanted if v})


def marked(snippet: str) -> list[Any]:
    """A search snippet (escaped text with <mark> around matches) as elements, without raw HTML."""
    parts = _MARK.split(snippet)
    return [html.mark(html_text.unescape(p)) if i % 2 else html_text.unescape(p) for i, p in enumerate(parts) if p]


def _meta_line(session: PageSession, document: DocumentRead) -> str:
    parts = [session.t(f"library.kind.{document.kind}"), document.number, document.issuer]
    if document.kind in ("law", "decree", "guidance"):
        parts.append(session.t(f"library.status.{document.status}"))
    return " · ".join(part for part in parts if part)


def _select(name: str, label: str, options: list[tuple[str, str]], chosen: str | None) -> Any:
    return html.label(
        label,
        html.select(
            {"name": name},
            *[
                # A false boolean attribute would still render: leave it out instead.
                html.option(
                    {"value": value, "key": value, **({"selected": True} if value == (chosen or "") else {})}, text
                )
                for value, text in options
            ],
        ),
    )


def _filters(session: PageSession, data: dict[str, Any]) -> Any:
    kinds = [("", session.t("pwa.library.all_kinds"))] + [(k, session.t(f"library.kind.{k}")) for k in KINDS]
    categories = [("", session.t("pwa.library.all_categories"))] + [(c.slug, c.name) for c in data["categories"]]
    return html.form(
        {"method": "get", "action": "/library", "class_name": "stack", "role": "search"},
        html.label({"html_for": "library-q"}, session.t("pwa.library.search_label")),
        html.input({"id": "library-q", "name": "q", "type": "search", "value": data["q"], "autocomplete": "off"}),
        _select("kind", session.t("pwa.library.kind"), kinds, data["kind"]),
        _select("category", session.t("pwa.library.categories"), categories, data["category"]),
        html.label(
            {"class_name": "check"},
            html.input({"type": "checkbox", "name": "all", "value": "1", **({"checked": True} if data["all"] else {})}),
            session.t("pwa.library.include_old"),
        ),
        html.button({"type": "submit", "class_name": "button"}, session.t("pwa.library.search")),
    )


def _hit(session: PageSession, document: DocumentRead, title: list[Any], passages: list[PassageHit]) -> Any:
    return html.li(
        {"key": str(document.id)},
        html.a({"href": f"/library/document?id={document.id}"}, html.strong(*title)),
        html.div({"class_name": "muted"}, _meta_line(session, document)),
        *[
            html.p(
                {"key": str(p.ordinal)},
                html.a({"href": f"/library/document?id={document.id}#{p.anchor}"}, p.locator),
                " — ",
                *marked(p.snippet),
            )
            for p in passages
        ],
    )


@component
def LibraryPage(session: PageSession, data: dict[str, Any]) -> Any:
    documents, set_documents = use_state(data["documents"])
    if data["hits"]:
        items = [_hit(session, h.document, marked(h.title_snippet), h.passages) for h in data["hits"]]
    else:
        items = [_hit(session, d, [d.title], []) for d in documents.items]
    category = data["category"]

    return html.section(
        html.h1(session.t("pwa.library.title")),
        _filters(session, data),
        html.p({"class_name": "error", "role": "alert"}, data["error"]) if data["error"] else "",
        html.nav(
            {"class_name": "chips", "aria_label": session.t("pwa.library.categories")},
            *[
                html.a(
                    {"key": c.slug, "href": f"/library?category={c.slug}", "class_name": "chip"},
                    f"{c.name} ({c.document_count})",
                )
                for c in data["categories"]
            ],
        ),
        html.button(
            {
                "type": "button",
                "class_name": "button",
                "data_library_pin": category,
                "data_pinned_text": session.t("pwa.library.unpin"),
            },
            session.t("pwa.library.pin"),
        )
        if category
        else "",
        html.a({"href": "/library/offline"}, session.t("pwa.library.offline_title")),
        html.ul({"class_name": "results"}, *items)
        if items
        else html.p({"class_name": "muted"}, session.t("pwa.library.none")),
        ""
        if data["hits"]  # a search shows its best LISTED matches
        else more_button(
            session.t("pwa.library.more"),
            documents,
            lambda cursor: _next_page(data, cursor),
            lambda cursor: _documents(session, data["kind"], category, cursor),
            set_documents,
        ),
    )


async def load_document(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    try:
        detail = await _service(session).get_document(session.principal, uuid.UUID(query.get("id", "")))
    except (ValueError, AppError):
        return {"detail": None}
    return {"detail": detail}


@component
def DocumentPage(session: PageSession, data: dict[str, Any]) -> Any:
    detail = data["detail"]
    if detail is None:
        return html.p(session.t("pwa.library.not_found"))
    document = detail.document
    facts = [
        ("pwa.library.number", document.number),
        ("pwa.library.issuer", document.issuer),
        ("pwa.library.issued_on", document.issued_on.isoformat() if document.issued_on else ""),
        ("pwa.library.effective_on", document.effective_on.isoformat() if document.effective_on else ""),
    ]
    seen: set[str] = set()
    contents = []
    for passage in detail.passages:
        if passage.anchor and passage.anchor not in seen and "," not in passage.locator:
            contents.append(html.li({"key": passage.anchor}, html.a({"href": f"#{passage.anchor}"}, passage.locator)))
        seen.add(passage.anchor)
    first_of_anchor: set[str] = set()

    def passage_id(anchor: str) -> str | None:
        if not anchor or anchor in first_of_anchor:
            return None
        first_of_anchor.add(anchor)
        return anchor

    return html.article(
        {"class_name": "reader"},
        html.h1(document.title),
        html.p({"class_name": "muted"}, _meta_line(session, document)),
        html.dl(*[item for key, value in facts if value for item in (html.dt(session.t(key)), html.dd(value))]),
        html.p({"class_name": "summary"}, document.summary) if document.summary else "",
        html.p(
            {"class_name": "warning"},
            html.a({"href": f"/library/document?id={document.replaced_by}"}, session.t("pwa.library.replaced_by")),
        )
        if document.replaced_by
        else "",
        html.p({"class_name": "warning"}, session.t("pwa.library.no_text_layer"))
        if document.file is not None and not document.file.has_text_layer
        else "",
        html.a(
            {"class_name": "button", "href": f"/api/v1/library/documents/{document.id}/file", "download": ""},
            session.t("pwa.library.download"),
        )
        if document.file is not None
        else "",
        html.nav(html.h2(session.t("pwa.library.contents")), html.ol(*contents)) if len(contents) > 1 else "",
        *[
            html.section(
                {"key": str(p.ordinal), "id": passage_id(p.anchor), "class_name": "passage"},
                *[html.p({"key": str(i)}, line) for i, line in enumerate(p.text.split("\n"))],
            )
            for p in detail.passages
        ],
    )


async def load_offline(session: PageSession, query: dict[str, str]) -> dict[str, Any]:
    return {}


@component
def OfflinePage(session: PageSession, data: dict[str, Any]) -> Any:
    """Filled in the browser from IndexedDB (app.js): works with no connection at all."""
    return html.section(
        html.h1(session.t("pwa.library.offline_title")),
        html.div(
            {
                "id": "library-offline",
                "data_search_label": session.t("pwa.library.offline_search"),
                "data_storage_label": session.t("pwa.library.storage"),
                "data_free_label": session.t("pwa.library.free_space"),
                "data_none_label": session.t("pwa.library.offline_none"),
            },
            session.t("pwa.library.offline_none"),
        ),
    )
