"""Deadline alerts with the injected clock: the unit's officers hear of a milestone at T-7, at T-1 and when
it is overdue, each once; the level above gets a daily digest of its late units."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec
from congress_helpers import COMMUNE, PROVINCE, TERM, TERM_BODY

from backend import db
from backend.features.congress.alerts import AlertService
from backend.features.congress.service import CongressService
from backend.lib.access import Principal, Role, ScopedRole
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from schemas.congress import MilestoneUpdate, TermCreate
from support.identity import make_account

CENTRE = Principal(account_id=None, client_id="test", roles=(ScopedRole(Role.central_admin, "TW", "TW"),))


def morning(day: int) -> datetime:
    """08:00 in Viet Nam on that day of March 2026."""
    return datetime(2026, 3, day, 1, 0, tzinfo=UTC)


async def inbox(account: uuid.UUID) -> list[Any]:
    async with db.connection() as conn:
        return list(
            await conn.fetch(
                "SELECT title, body, dedup_key, url FROM notifications WHERE account = $1 ORDER BY created_at, title",
                account,
            )
        )


async def test_t7_t1_and_overdue_each_once_and_the_daily_digest(
    connected: str, settings: Settings, clock: FrozenClock
) -> None:
    officer = await make_account(settings, clock, "commune", "commune_officer", COMMUNE)
    province = await make_account(settings, clock, "province", "province_officer", PROVINCE)
    centre = await make_account(settings, clock, "centre", "central_admin", "TW")
    await CongressService(settings, clock).create_term(CENTRE, msgspec.convert(TERM_BODY, TermCreate))
    alerts = AlertService(settings, clock)

    # 2 March: plan (31 Dec), sub-committees (20 Jan) and drafts (14 Feb) are overdue; nothing within a week.
    clock.set(morning(2))
    first = await alerts.scan()
    titles = [row["title"] for row in await inbox(officer)]
    assert titles == [
        "Quá hạn: Dự thảo văn kiện",
        "Quá hạn: Kế hoạch, chỉ thị",
        "Quá hạn: Thành lập tiểu ban, tổ giúp việc",
    ]
    body = next(row["body"] for row in await inbox(officer) if "Kế hoạch" in row["title"])
    assert body == "Phường Ba Đình: «Kế hoạch, chỉ thị» đã quá hạn 61 ngày (hạn 31/12/2025)."
    assert first.claimed > 3 * 3321  # every unit's alert is claimed (and so never sent twice) ...
    assert first.notified == 3 + 1  # ... but only units with officers get notices: the ward's 3, the province's T-1

    # The province's own plan is due on 2 March (T-1), and it gets the digest of its 126 late wards.
    province_inbox = await inbox(province)
    assert [row["title"] for row in province_inbox] == [
        "Sắp đến hạn: Kế hoạch, chỉ thị",
        "Thành phố Hà Nội: 126 đơn vị trễ hạn đại hội",
    ]
    digest = province_inbox[1]["body"].split("\n")
    assert digest[0] == "Phường Ba Đình: Kế hoạch, chỉ thị, Thành lập tiểu ban, tổ giúp việc, Dự thảo văn kiện"
    assert len(digest) == 9 and digest[-1] == "… và 118 đơn vị khác"
    assert province_inbox[1]["url"] == f"/congress/dashboard?unit={PROVINCE}"
    assert await inbox(centre) == []  # no province is late yet

    # The same morning again (a second worker, a retry): nothing new.
    again = await alerts.scan()
    assert (again.claimed, again.notified, again.digests) == (0, 0, 0)

    # 4 March: the consultation (due 11 March) is a week away. A new day brings a new digest.
    clock.set(morning(4))
    await alerts.scan()
    assert [row["title"] for row in await inbox(officer)][3:] == ["Còn một tuần: Lấy ý kiến dự thảo"]
    # The province's own plan (due 2 March) is now overdue.
    assert [row["dedup_key"].split(":")[-1] for row in await inbox(province)][2:] == ["overdue", "2026-03-04"]
    clock.set(morning(5))
    await alerts.scan()
    assert len(await inbox(officer)) == 4  # T-7 was sent on the 4th: not again on the 5th

    # The personnel plan is done early: it gets no alert at all.
    service = CongressService(settings, clock)
    congress = await service.congress_of_unit(CENTRE, COMMUNE, TERM, "front")
    for stage in ("plan", "sub_committees", "personnel_plan"):
        current = next(m for m in congress.milestones if m.stage == stage)
        await service.report_progress(
            CENTRE,
            congress.id,
            stage,
            MilestoneUpdate(version=current.version, status="done", done_on=morning(5).date()),
        )

    # 10 March: the consultation is due tomorrow (T-1); 12 March: overdue. Each once.
    for day in (10, 10, 12, 12, 13):
        clock.set(morning(day))
        await alerts.scan()
    titles = [row["title"] for row in await inbox(officer)][4:]
    assert titles == ["Sắp đến hạn: Lấy ý kiến dự thảo", "Quá hạn: Lấy ý kiến dự thảo"]
    keys = [row["dedup_key"] for row in await inbox(officer)]
    assert len(keys) == len(set(keys))
    consultation = next(m for m in congress.milestones if m.stage == "consultation")
    assert keys[-1] == f"congress:{COMMUNE}:{consultation.id}:overdue"
