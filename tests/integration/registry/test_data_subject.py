"""The data subject's rights: everything held about a resident (JSON) and erasure by anonymisation that
keeps the counts; only the commune officer of the resident's unit, 404 for everyone else; both audited."""

from __future__ import annotations

import uuid

import pytest
from httpx import AsyncClient
from registry_helpers import Person, add_household, add_resident

from backend import db
from backend.features.audit.service import first_broken_entry
from backend.features.registry.rights import ERASED_NAME

pytestmark = pytest.mark.integration


async def _family(client: AsyncClient, people: dict[str, Person]) -> tuple[dict, dict, dict]:
    cadre = people["cadre_a"]
    household = await add_household(client, cadre, house_number="9", street="Ngõ Văn Chương")
    subject = await add_resident(
        client,
        cadre,
        household["id"],
        "Phạm Thị Hoa",
        gender="female",
        birth_date="1975-06-01",
        relation_to_head="head",
        phone="0912 000 111",
        id_number="001175000222",
        religion="Phật giáo",
        ethnicity="Kinh",
        health_note="Tiểu đường",
        memberships=[{"organisation": "hoi_lhpn", "role": "chi hội trưởng", "since": "2010-01-01"}],
    )
    other = await add_resident(client, cadre, household["id"], "Phạm Văn Nam", gender="male", birth_year=2001)
    visit = {
        "id": str(uuid.uuid4()),
        "household_id": household["id"],
        "visited_on": "2026-02-20",
        "purpose": "Nắm tình hình",
        "concerns": "Bà Phạm Thị Hoa cần hỗ trợ thuốc.",
    }
    assert (await client.post("/api/v1/visits", json=visit, headers=cadre.headers)).status_code == 201
    consent = {
        "id": str(uuid.uuid4()),
        "purpose": "sensitive_data",
        "given_by": "Phạm Thị Hoa",
        "given_at": "2026-02-01T08:00:00Z",
        "method": "written",
    }
    response = await client.post(f"/api/v1/residents/{subject['id']}/consents", json=consent, headers=cadre.headers)
    assert response.status_code == 201, response.text
    return household, subject, other


async def test_personal_data_export_is_complete_and_scoped(
    client: AsyncClient, people: dict[str, Person], connected: str
) -> None:
    household, subject, _ = await _family(client, people)
    url = f"/api/v1/residents/{subject['id']}/personal-data"
    for who in ("cadre_a", "cadre_b", "province", "neighbour", "citizen"):
        assert (await client.get(url, headers=people[who].headers)).status_code == 404, who
    response = await client.get(url, headers=people["officer"].headers)
    assert response.status_code == 200, response.text
    data = response.json()
    resident = data["resident"]
    assert resident["full_name"] == "Phạm Thị Hoa" and resident["id_number"] == "001175000222"
    assert resident["religion"] == "Phật giáo" and resident["health_note"] == "Tiểu đường" and not resident["masked"]
    assert data["household"]["id"] == household["id"]
    assert len(data["visits"]) == 1 and data["visits"][0]["mentions_resident"] is True
    assert [c["purpose"] for c in data["consents"]] == ["sensitive_data"]
    actions = [entry["action"] for entry in data["audit"]]
    assert {"resident.created", "resident.sensitive_written", "consent.recorded"} <= set(actions)
    async with db.connection() as conn:
        exported = await conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE action = 'resident.personal_data_exported' AND subject_id = $1",
            subject["id"],
        )
    assert exported == 1
    assert await first_broken_entry() is None


async def test_erasure_anonymises_and_keeps_counts(
    client: AsyncClient, people: dict[str, Person], connected: str
) -> None:
    household, subject, other = await _family(client, people)
    url = f"/api/v1/residents/{subject['id']}/erasure"
    for who in ("cadre_a", "province", "neighbour"):
        assert (await client.post(url, headers=people[who].headers)).status_code == 404, who
    response = await client.post(url, headers=people["officer"].headers)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["erased"] is True and result["version"] == subject["version"] + 1
    assert {"full_name", "id_number", "id_number_hash", "phone", "religion", "health_note"} <= set(result["fields"])
    again = await client.post(url, headers=people["officer"].headers)
    assert again.json()["erased"] is False and again.json()["fields"] == []
    async with db.connection() as conn:
        row = await conn.fetchrow("SELECT * FROM residents WHERE id = $1", uuid.UUID(subject["id"]))
        members = await conn.fetchval(
            "SELECT count(*) FROM residents WHERE household_id = $1 AND deleted_at IS NULL",
            uuid.UUID(household["id"]),
        )
        concerns = await conn.fetchval(
            "SELECT concerns FROM visits WHERE household_id = $1", uuid.UUID(household["id"])
        )
        given_by = await conn.fetchval("SELECT given_by FROM consents WHERE resident_id = $1", row["id"])
        erased = await conn.fetchval(
            "SELECT count(*) FROM audit_log WHERE action = 'resident.erased' AND subject_id = $1", subject["id"]
        )
    assert row["full_name"] == ERASED_NAME and row["name_folded"] != "pham thi hoa"
    for name in ("phone", "phone_digits", "id_number", "id_number_hash", "religion", "ethnicity", "health_note"):
        assert row[name] is None, name
    assert row["birth_date"] is None and row["birth_year"] == 1975 and row["gender"] == "female"
    assert row["memberships"] == '[{"organisation": "hoi_lhpn"}]'
    assert members == 2  # the household's size (and the unit's counts) are unchanged
    assert "Phạm Thị Hoa" not in concerns and given_by == ERASED_NAME
    assert erased == 1
    assert await first_broken_entry() is None
    # The other member is untouched, and the erased person no longer matches a search by name or phone.
    found = await client.get("/api/v1/residents", params={"q": "pham thi hoa"}, headers=people["officer"].headers)
    assert found.json()["items"] == []
    by_phone = await client.get("/api/v1/residents", params={"q": "0912000111"}, headers=people["officer"].headers)
    assert by_phone.json()["items"] == []
    kept = await client.get(f"/api/v1/residents/{other['id']}", headers=people["officer"].headers)
    assert kept.json()["full_name"] == "Phạm Văn Nam"
