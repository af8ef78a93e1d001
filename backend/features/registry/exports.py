"""Exporting residents (with their household's columns) to CSV or XLSX: what the caller may see.

Scope is in the SQL (`scope_sql` over the caller's read paths; `?unit=` narrows, never widens). The
sensitive columns are masked like lists are, unless the caller asks for them (`sensitive=true`) and
holds read_sensitive for the resident's unit. Every export writes one audit entry with its row count;
an unmasked one also names how many rows showed sensitive values. The layout is the import layout
(imports.TEMPLATE_FIELDS), and the household code column carries the household's id, so an exported
file can be corrected and imported again without duplicating anyone.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

from backend import db
from backend.features.audit.service import AuditEvent, record
from backend.features.registry.imports import TEMPLATE_FIELDS, template_rows
from backend.features.registry.rules import mask_id_number
from backend.features.units import repo as units_repo
from backend.lib.access import Permission, Principal, scope_sql
from backend.lib.clock import Clock
from backend.lib.errors import NotFoundError
from backend.lib.i18n import Language, translate

ExportFormat = Literal["csv", "xlsx"]
MEDIA_TYPES: dict[str, str] = {
    # Litestar adds "; charset=utf-8" to text/* itself (naming it here sent it twice).
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

_EXPORT_SQL = """
    SELECT h.unit_code, h.id AS household_id, h.house_number, h.street, r.relation_to_head, r.full_name,
           r.gender, r.birth_date, r.birth_year, r.phone, r.ethnicity, r.religion, r.id_number, r.unit_path
    FROM residents r JOIN households h ON h.id = r.household_id
    WHERE r.deleted_at IS NULL AND h.deleted_at IS NULL AND {scope} {narrow}
    ORDER BY h.unit_path, h.address_folded, h.id, r.relation_to_head <> 'head', r.birth_year NULLS LAST,
             r.name_folded, r.id
"""


def _birth(birth_date: date | None, birth_year: int | None) -> str:
    if birth_date is not None:
        return birth_date.strftime("%d/%m/%Y")
    return str(birth_year) if birth_year is not None else ""


def _row(row: Any, unmasked: bool, language: Language) -> list[str]:
    gender = translate(f"registry.gender.{row['gender']}", language) if row["gender"] else ""
    values = {
        "area": row["unit_code"],
        "household_code": str(row["household_id"]),
        "house_number": row["house_number"],
        "street": row["street"],
        "relation": translate(f"registry.relation.{row['relation_to_head']}", language),
        "full_name": row["full_name"],
        "gender": gender,
        "birth_date": _birth(row["birth_date"], row["birth_year"]),
        "phone": row["phone"] or "",
        "ethnicity": (row["ethnicity"] if unmasked else None) or "",
        "religion": (row["religion"] if unmasked else None) or "",
        "id_number": (row["id_number"] if unmasked else mask_id_number(row["id_number"])) or "",
    }
    return [values[name] for name in TEMPLATE_FIELDS]


def encode(rows: Sequence[Sequence[Any]], fmt: ExportFormat, title: str = "Dân cư") -> bytes:
    """CSV (UTF-8 with a BOM, so Excel shows the diacritics) or an XLSX workbook of one sheet."""
    if fmt == "csv":
        buffer = io.StringIO(newline="")
        csv.writer(buffer).writerows(rows)
        return buffer.getvalue().encode("utf-8-sig")
    import openpyxl  # heavy; only XLSX files need it

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for values in rows:
        sheet.append(list(values))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def template_file(fmt: ExportFormat, language: Language) -> bytes:
    return encode(template_rows(language), fmt)


class ExportService:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    async def residents(
        self, principal: Principal, unit: str | None, fmt: ExportFormat, sensitive: bool, language: Language
    ) -> bytes:
        """The residents the caller may see, one row each with their household's columns."""
        args: list[Any] = []
        scope, args = scope_sql("r.unit_path", principal.scope_paths(Permission.read), 1)
        narrow = ""
        unit_path = ""
        if unit is not None:
            row = await units_repo.get_unit(unit)
            if row is None:
                raise NotFoundError("problem.unit_not_found.detail", code=unit)
            unit_path = row["path"]
            condition, more = scope_sql("r.unit_path", [unit_path], len(args) + 1)
            narrow, args = f"AND {condition}", args + more
        header = template_rows(language)[0]
        lines: list[list[str]] = [header]
        unmasked_rows = 0
        async with db.transaction(), db.connection() as conn:
            for row in await conn.fetch(_EXPORT_SQL.format(scope=scope, narrow=narrow), *args):
                unmasked = sensitive and principal.may(Permission.read_sensitive, row["unit_path"])
                if unmasked and (row["id_number"] or row["ethnicity"] or row["religion"]):
                    unmasked_rows += 1
                lines.append(_row(row, unmasked, language))
            details = {"format": fmt, "rows": len(lines) - 1, "sensitive": sensitive, "unmasked_rows": unmasked_rows}
            action = "registry.exported_sensitive" if unmasked_rows else "registry.exported"
            event = AuditEvent(
                action=action, actor=principal.actor, subject_type="export", unit_path=unit_path, details=details
            )
            await record(event, self.clock.now())
        return encode(lines, fmt)
