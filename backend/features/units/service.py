"""Use cases on org units: browse and search the tree, read one unit, keep the catalogue in step."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from backend import db
from backend.features.audit.service import AuditEvent, record
from backend.features.registry.service import refresh_area_addresses
from backend.features.units import repo
from backend.features.units.catalog import (
    PATH_SEPARATOR,
    REFORM_DATE,
    catalog_unit,
    child_path,
    official_units,
    short_name_folded,
)
from backend.features.units.demo import demo_areas
from backend.lib.access import Permission, Principal
from backend.lib.clock import Clock, today_in_vietnam
from backend.lib.errors import ConflictError, NotFoundError
from backend.lib.pagination import decode_cursor, encode_cursor
from backend.lib.text import fold, prefix_tsquery
from schemas.units import (
    ResidentialAreaCreate,
    ResidentialAreaRename,
    UnitDetail,
    UnitLevel,
    UnitPage,
    UnitRead,
    UnitRef,
)

SearchKey = tuple[int, int, str, str]


def unit_read(row: Any) -> UnitRead:
    return UnitRead(
        code=row["code"],
        name=row["name"],
        level=UnitLevel(row["level"]),
        kind=row["kind"],
        parent_code=row["parent"],
        path=row["path"],
        source=row["source"],
        valid_from=row["valid_from"],
        valid_to=row["valid_to"],
    )


def unit_ref(row: Any) -> UnitRef:
    return UnitRef(code=row["code"], name=row["name"], level=UnitLevel(row["level"]))


async def unit_names(codes: Collection[str]) -> dict[str, str]:
    """Names of units by code, for pages: records carry a unit's code, people read its name (a code with no
    unit stands for itself)."""
    found = {row["code"]: row["name"] for row in await repo.get_units(sorted(codes))}
    return {code: found.get(code, code) for code in codes}


async def unit_choices(codes: Sequence[str]) -> list[tuple[str, str]]:
    """(code, name) of these units in their order: the options of a form's unit field."""
    names = await unit_names(codes)
    return [(code, names[code]) for code in codes]


class UnitService:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def list_units(
        self,
        *,
        level: UnitLevel | None,
        parent: str | None,
        query: str | None,
        include_retired: bool,
        cursor: str | None,
        limit: int,
    ) -> UnitPage:
        unit_filter = repo.UnitFilter(
            level=level.value if level else None,
            parent=parent,
            include_retired=include_retired,
            today=today_in_vietnam(self.clock),
        )
        tsquery = prefix_tsquery(query or "")
        if tsquery:
            return await self._search(unit_filter, query or "", tsquery, cursor, limit)
        after = decode_cursor(cursor, tuple[str]) if cursor else None
        rows = await repo.list_units(unit_filter, after[0] if after else None, limit + 1)
        next_cursor = encode_cursor((rows[limit - 1]["code"],)) if len(rows) > limit else None
        return UnitPage(items=[unit_read(row) for row in rows[:limit]], next_cursor=next_cursor)

    async def _search(
        self, unit_filter: repo.UnitFilter, query: str, tsquery: str, cursor: str | None, limit: int
    ) -> UnitPage:
        after: SearchKey | None = decode_cursor(cursor, SearchKey) if cursor else None
        rows = await repo.search_units(unit_filter, fold(query), tsquery, after, limit + 1)
        next_cursor = None
        if len(rows) > limit:
            last = rows[limit - 1]
            next_cursor = encode_cursor((last["match"], last["level_rank"], last["short_name_folded"], last["code"]))
        return UnitPage(items=[unit_read(row) for row in rows[:limit]], next_cursor=next_cursor)

    async def get_unit(self, code: str) -> UnitDetail:
        row = await repo.get_unit(code)
        if row is None:
            raise NotFoundError("problem.unit_not_found.detail", code=code)
        ancestor_codes = row["path"].split(PATH_SEPARATOR)[:-1]
        ancestors = {a["code"]: a for a in await repo.get_units(ancestor_codes)}
        predecessors, successors = await repo.lineage(code)
        return UnitDetail(
            **{field: getattr(unit_read(row), field) for field in UnitRead.__struct_fields__},
            ancestors=[unit_ref(ancestors[c]) for c in ancestor_codes if c in ancestors],
            predecessors=[unit_ref(p) for p in predecessors],
            successors=[unit_ref(s) for s in successors],
            children_count=await repo.count_children(code, today_in_vietnam(self.clock)),
        )

    async def create_residential_area(
        self, principal: Principal, commune_code: str, data: ResidentialAreaCreate
    ) -> UnitRead:
        """A residential area under a commune, by staff who may write there (others get 404)."""
        async with db.transaction():
            commune = await repo.lock_unit(commune_code)
            if commune is None or commune["level"] != UnitLevel.commune or commune["valid_to"] is not None:
                raise NotFoundError("problem.unit_not_found.detail", code=commune_code)
            principal.require(Permission.write, commune["path"])
            if await repo.child_named(commune_code, fold(data.name)):
                raise ConflictError("problem.area.duplicate", name=data.name)
            code = f"{commune_code}-{await repo.next_area_number(commune_code):03d}"
            area = catalog_unit(
                code, commune_code, child_path(commune["path"], code), UnitLevel.residential_area, data.kind, data.name
            )
            now = self.clock.now()
            await repo.insert_local_units([area], today_in_vietnam(self.clock))
            await record(
                AuditEvent(
                    action="unit.created",
                    actor=principal.actor,
                    subject_type="unit",
                    subject_id=code,
                    unit_path=area.path,
                    details={"name": data.name},
                ),
                now,
            )
        return await self._read(code)

    async def rename_residential_area(self, principal: Principal, code: str, data: ResidentialAreaRename) -> UnitRead:
        async with db.transaction():
            area = await repo.lock_unit(code)
            if area is None or area["level"] != UnitLevel.residential_area:
                raise NotFoundError("problem.unit_not_found.detail", code=code)
            principal.require(Permission.write, area["path"])
            duplicate = await repo.child_named(area["parent"], fold(data.name))
            if duplicate not in (None, code):
                raise ConflictError("problem.area.duplicate", name=data.name)
            await repo.rename_unit(code, data.name, fold(data.name), short_name_folded(data.name))
            # Households' search text carries the area's name (registry.rules.address_folded).
            await refresh_area_addresses(code, data.name)
            await record(
                AuditEvent(
                    action="unit.renamed",
                    actor=principal.actor,
                    subject_type="unit",
                    subject_id=code,
                    unit_path=area["path"],
                    details={"from": area["name"], "to": data.name},
                ),
                self.clock.now(),
            )
        return await self._read(code)

    async def _read(self, code: str) -> UnitRead:
        row = await repo.get_unit(code)
        if row is None:
            raise NotFoundError("problem.unit_not_found.detail", code=code)
        return unit_read(row)

    async def seed_demo_areas(self, seed: int) -> int:
        """Create demo residential areas under a few real communes per province; idempotent per seed."""
        async with db.transaction():
            communes: dict[str, list[Any]] = {}
            for commune in await repo.current_communes():
                communes.setdefault(commune["parent"], []).append(commune)
            areas = demo_areas(communes, seed)
            await repo.insert_local_units(areas, today_in_vietnam(self.clock))
        return len(areas)

    async def sync_official_catalogue(self) -> dict[str, int]:
        """Load or update provinces and communes from the catalogue; idempotent, one transaction."""
        async with db.transaction():
            changes = await repo.sync_official(official_units(), REFORM_DATE, today_in_vietnam(self.clock))
        return changes
