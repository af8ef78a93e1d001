"""Publishing workflow (draft -> review -> published -> archived), who may move it, versions kept on edit,
the audit trail, and offline packs (ETag, 304, since-version deltas with removals)."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from library_helpers import COMMUNE, add_document, move, published_document

from backend import db
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from support.identity import access_token_for, bearer, make_account

pytestmark = pytest.mark.integration


async def test_a_cadre_submits_and_only_an_approver_publishes(
    client: AsyncClient, officer: dict, settings: Settings, clock: FrozenClock
) -> None:
    areas = await client.post(
        f"/api/v1/units/{COMMUNE}/areas", json={"name": "Thôn Đông", "kind": "thon"}, headers=officer
    )
    await make_account(settings, clock, "lib_cadre", "area_cadre", areas.json()["code"])
    cadre = bearer(await access_token_for(client, "lib_cadre"))
    document = await add_document(client, cadre, title="Ghi chép thôn Đông", unit_code=areas.json()["code"])
    in_review = await move(client, cadre, document, "review")
    refused = await client.post(
        f"/api/v1/library/documents/{document['id']}/transitions",
        json={"to": "published", "version": in_review["version"]},
        headers=cadre,
    )
    assert refused.status_code == 404  # outside the cadre's rights: existence does not leak
    published = await move(client, officer, in_review, "published")
    assert published["state"] == "published" and published["published_at"] is not None
    archived = await move(client, officer, published, "archived")
    skip = await client.post(
        f"/api/v1/library/documents/{document['id']}/transitions",
        json={"to": "published", "version": archived["version"]},
        headers=officer,
    )
    assert skip.status_code == 409
    async with db.connection() as conn:
        actions = await conn.fetch(
            "SELECT action, details->>'target' AS target FROM audit_log WHERE subject_id = $1 ORDER BY id",
            document["id"],
        )
    assert [(a["action"], a["target"]) for a in actions] == [
        ("library.document.created", None),
        ("library.document.transition", "review"),
        ("library.document.transition", "published"),
        ("library.document.transition", "archived"),
    ]


async def test_edits_keep_versions_and_stale_edits_conflict(client: AsyncClient, officer: dict) -> None:
    document = await add_document(client, officer, title="Bản đầu")
    edited = await client.patch(
        f"/api/v1/library/documents/{document['id']}", json={"version": 1, "title": "Bản hai"}, headers=officer
    )
    assert edited.status_code == 200 and edited.json()["version"] == 2
    stale = await client.patch(
        f"/api/v1/library/documents/{document['id']}", json={"version": 1, "title": "Bản ba"}, headers=officer
    )
    assert stale.status_code == 409
    versions = await client.get(f"/api/v1/library/documents/{document['id']}/versions", headers=officer)
    assert [(v["version"], v["title"]) for v in versions.json()] == [(1, "Bản đầu")]


async def test_anyone_reads_a_published_public_document_without_signing_in(client: AsyncClient, officer: dict) -> None:
    draft = await add_document(client, officer, title="Nháp")
    assert (await client.get(f"/api/v1/library/documents/{draft['id']}")).status_code == 404
    public = await published_document(client, officer, "Nội dung.", title="Công khai")
    assert (await client.get(f"/api/v1/library/documents/{public['id']}")).status_code == 200
    staff_only = await published_document(client, officer, "Nội bộ.", title="Nội bộ", audience="staff")
    assert (await client.get(f"/api/v1/library/documents/{staff_only['id']}")).status_code == 404
    assert (await client.get(f"/api/v1/library/documents/{staff_only['id']}", headers=officer)).status_code == 200


async def test_a_pack_answers_304_when_unchanged_and_deltas_since_a_version(client: AsyncClient, officer: dict) -> None:
    first = await published_document(client, officer, "Bước một.", title="Mẫu A", categories=["forms"])
    second = await published_document(client, officer, "Bước hai.", title="Mẫu B", categories=["forms"])
    await published_document(client, officer, "Khác.", title="Khác", categories=["congress"])

    full = await client.get("/api/v1/library/packs/forms")
    assert full.status_code == 200
    pack = full.json()
    assert {d["document"]["title"] for d in pack["documents"]} == {"Mẫu A", "Mẫu B"}
    assert pack["complete"] is True and pack["documents"][0]["passages"][0]["text"]
    assert "mau" in pack["documents"][0]["keywords"]
    etag = full.headers["etag"]
    unchanged = await client.get("/api/v1/library/packs/forms", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""

    await client.patch(
        f"/api/v1/library/documents/{first['id']}",
        json={"version": first["version"], "summary": "Mới"},
        headers=officer,
    )
    await move(client, officer, second, "archived")
    changed = await client.get(
        "/api/v1/library/packs/forms", params={"since": pack["version"]}, headers={"If-None-Match": etag}
    )
    assert changed.status_code == 200
    delta = changed.json()
    assert [d["document"]["summary"] for d in delta["documents"]] == ["Mới"]
    assert delta["removed"] == [second["id"]] and delta["complete"] is False
    assert delta["version"] > pack["version"]
    assert (await client.get("/api/v1/library/packs/nothing")).status_code == 404


async def test_a_narrowed_audience_is_a_removal_for_readers_who_lose_the_document(
    client: AsyncClient, officer: dict
) -> None:
    document = await published_document(client, officer, "Bước một.", title="Mẫu A", categories=["forms"])
    public_pack = (await client.get("/api/v1/library/packs/forms")).json()
    staff_pack = (await client.get("/api/v1/library/packs/forms", headers=officer)).json()
    narrowed = await client.patch(
        f"/api/v1/library/documents/{document['id']}",
        json={"version": document["version"], "audience": "staff"},
        headers=officer,
    )
    assert narrowed.status_code == 200, narrowed.text

    public_delta = (await client.get("/api/v1/library/packs/forms", params={"since": public_pack["version"]})).json()
    assert public_delta["documents"] == [] and public_delta["removed"] == [document["id"]]
    assert public_delta["version"] > public_pack["version"]
    # Staff still see it: the changed document comes back, not a removal.
    staff_delta = (
        await client.get("/api/v1/library/packs/forms", params={"since": staff_pack["version"]}, headers=officer)
    ).json()
    assert [d["document"]["audience"] for d in staff_delta["documents"]] == ["staff"]
    assert staff_delta["removed"] == []


async def test_categories_count_what_the_reader_may_see(client: AsyncClient, officer: dict) -> None:
    await published_document(client, officer, "A.", title="A", categories=["petitions", "forms"])
    await published_document(client, officer, "B.", title="B", categories=["petitions"], audience="staff")
    public = {c["slug"]: c["document_count"] for c in (await client.get("/api/v1/library/categories")).json()}
    staff = {
        c["slug"]: c["document_count"] for c in (await client.get("/api/v1/library/categories", headers=officer)).json()
    }
    assert (public["petitions"], public["forms"], staff["petitions"]) == (1, 1, 2)


async def test_a_document_for_one_units_staff(
    client: AsyncClient, officer: dict, settings: Settings, clock: FrozenClock
) -> None:
    """Visible to the staff of that unit, of the levels above it and of the units below; not to a neighbour."""
    document = await published_document(
        client, officer, "Nội bộ xã.", title="Phân công nội bộ", audience="unit", audience_unit_code=COMMUNE
    )
    await make_account(settings, clock, "lib_province", "province_officer", "01")
    await make_account(settings, clock, "lib_neighbour", "commune_officer", "00073")
    province = bearer(await access_token_for(client, "lib_province"))
    neighbour = bearer(await access_token_for(client, "lib_neighbour"))
    path = f"/api/v1/library/documents/{document['id']}"
    assert (await client.get(path, headers=officer)).status_code == 200
    assert (await client.get(path, headers=province)).status_code == 200
    assert (await client.get(path, headers=neighbour)).status_code == 404
    assert (await client.get(path)).status_code == 404
    missing_unit = await client.post(
        "/api/v1/library/documents",
        json={"title": "X", "kind": "guide", "unit_code": COMMUNE, "audience": "unit"},
        headers=officer,
    )
    assert missing_unit.status_code == 400
