"""Demo petitions in the demo residential areas: filed through the service like a citizen would (the same
ids again replay, so seeding twice changes nothing), spread over the default categories."""

from __future__ import annotations

import uuid

from backend.db import connection
from backend.features.petitions.service import PetitionService
from backend.lib.clock import Clock
from backend.settings import Settings
from schemas.petitions import PetitionCreate

DEMO_PETITIONS = (
    ("Đèn đường hỏng ở ngõ 12", "Đèn đường trước số 12 hỏng hai tuần, buổi tối rất tối.", "ha_tang"),
    ("Rác thải đổ trộm cạnh trường học", "Bãi đất trống cạnh trường tiểu học bị đổ rác nhiều ngày.", "moi_truong"),
    ("Chưa nhận trợ cấp người cao tuổi", "Bà tôi 82 tuổi, đã nộp hồ sơ ba tháng chưa nhận trợ cấp.", "an_sinh_xa_hoi"),
    ("Tiếng ồn karaoke ban đêm", "Quán karaoke mở đến 1 giờ sáng, ảnh hưởng giấc ngủ cả xóm.", "an_ninh_trat_tu"),
    ("Thủ tục cấp sổ đỏ kéo dài", "Hồ sơ cấp giấy chứng nhận quyền sử dụng đất nộp đã sáu tháng.", "dat_dai"),
    ("Cống thoát nước bị tắc", "Mưa là ngập cả đoạn đường trước chợ.", None),
)


def demo_petition_id(seed: int, number: int) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"mattran-demo:{seed}:petition:{number}")


async def seed_demo_petitions(settings: Settings, clock: Clock, seed: int) -> dict[str, int]:
    async with connection() as conn:
        areas = [
            row["code"]
            for row in await conn.fetch(
                "SELECT code FROM units WHERE level = 'residential_area' AND valid_to IS NULL ORDER BY code LIMIT 3"
            )
        ]
    if not areas:
        return {"petitions": 0}
    service = PetitionService(settings, clock)
    created = 0
    for number, (title, description, category) in enumerate(DEMO_PETITIONS):
        data = PetitionCreate(
            id=demo_petition_id(seed, number),
            title=title,
            description=description,
            unit_code=areas[number % len(areas)],
            category_code=category,
            contact_phone=f"09{seed % 100:02d}{number:06d}",
            anonymous=number % 3 == 0,
        )
        created += (await service.file(None, data))[1]
    return {"petitions": created}
