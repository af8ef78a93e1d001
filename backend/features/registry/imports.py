"""Importing households and residents from the spreadsheets communes keep (CSV or XLSX).

One row per resident, with the household's columns repeated on each row (layout: docs/registry.md).
An upload is a DRY RUN: every row is checked with the registry's own rules (the msgspec constraints of
`ResidentCreate`/`HouseholdCreate` and `rules.py`) and every problem is reported with its line, column and
a Vietnamese-first message; nothing is written but the job record. CONFIRM loads the same file in one
transaction (all or nothing) with asyncpg COPY, after checking it again against the registry as it is then.

Idempotency is by natural keys, so the same file (or a corrected, longer version of it) imported twice
does not duplicate anyone: a household is the commune's own code ("Mã hộ") in the area, remembered in
`registry_import_keys`, or without a code its folded address in the area; a resident is (household,
folded full name, birth year). Rows whose household and resident already exist are counted as existing
and left unchanged (an import adds, it never overwrites what cadres have edited since).
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import re
import uuid
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, NamedTuple

import msgspec

from backend import db
from backend.features.audit.service import AuditEvent, record
from backend.features.registry import repo, rules
from backend.features.units import repo as units_repo
from backend.lib.access import Permission, Principal, scope_sql
from backend.lib.clock import Clock, today_in_vietnam
from backend.lib.errors import AppError, ConflictError, InvalidInputError, NotFoundError
from backend.lib.i18n import Language, translate
from backend.lib.text import fold
from backend.settings import Settings
from schemas.registry import HouseholdCreate, ResidentCreate
from schemas.registry_transfer import FileFormat, ImportJob, ImportProblem

# Problems kept and shown per job (the count of all of them is kept too).
MAX_REPORTED_PROBLEMS = 1000
# Residents per COPY batch: progress is published after each one.
COPY_BATCH = 20_000
# How far down the sheet the header row may be (communes put a title and a date above it).
HEADER_SEARCH_ROWS = 10
MAX_HOUSEHOLD_CODE = 64  # registry_import_keys.household_code
# Orders concurrent loads: two imports of overlapping units could otherwise both add the same household.
IMPORT_LOCK = 7_307_202_611

_PLACEHOLDER_ID = uuid.UUID(int=0)
_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y/%m/%d")
_YEAR = re.compile(r"^\d{4}$")
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_SPACES = re.compile(r"\s+")
_ID_NUMBER_LENGTH = 12
_PHONE_WITHOUT_ZERO = 9  # a phone typed into a number cell loses its leading 0

# Canonical fields and the headers accepted for them (compared folded: case and diacritics ignored).
COLUMNS: dict[str, tuple[str, ...]] = {
    "area": ("khu dan cu", "ma khu dan cu", "ten khu dan cu", "thon to", "thon to dan pho", "thon", "to dan pho",
             "ap", "ban", "khu pho", "area", "area code", "unit code", "unit"),
    "household_code": ("ma ho", "so ho", "ma so ho", "ma ho gia dinh", "household code", "household"),
    "house_number": ("so nha", "house number"),
    "street": ("duong", "duong pho", "pho", "xom", "ngo", "dia chi", "duong thon xom", "street"),
    "head": ("chu ho", "la chu ho", "head", "is head"),
    "relation": ("quan he", "quan he voi chu ho", "quan he chu ho", "relation", "relation to head"),
    "full_name": ("ho va ten", "ho ten", "ten", "full name", "name"),
    "gender": ("gioi tinh", "gender", "sex"),
    "birth_date": ("ngay sinh", "ngay thang nam sinh", "birth date", "date of birth"),
    "birth_year": ("nam sinh", "birth year"),
    "phone": ("so dien thoai", "dien thoai", "sdt", "phone"),
    "ethnicity": ("dan toc", "ethnicity"),
    "religion": ("ton giao", "religion"),
    "id_number": ("cccd", "so cccd", "can cuoc", "so can cuoc", "can cuoc cong dan", "so cccd cmnd",
                  "so dinh danh", "so dinh danh ca nhan", "id number"),
    "row_number": ("stt", "so thu tu", "no"),
}  # fmt: skip
_ALIASES = {alias: name for name, aliases in COLUMNS.items() for alias in aliases}
_ALIASES.update({name.replace("_", " "): name for name in COLUMNS})
REQUIRED = ("area", "full_name")
# The layout of the template and of exports, in this order.
TEMPLATE_FIELDS = ("area", "household_code", "house_number", "street", "relation", "full_name", "gender",
                   "birth_date", "phone", "ethnicity", "religion", "id_number")  # fmt: skip

GENDERS = {"nam": "male", "male": "male", "m": "male", "nu": "female", "female": "female", "f": "female",
           "khac": "other", "other": "other"}  # fmt: skip
RELATIONS = {
    "chu ho": "head", "head": "head", "vo": "spouse", "chong": "spouse", "vo chong": "spouse", "spouse": "spouse",
    "con": "child", "con trai": "child", "con gai": "child", "con nuoi": "child", "child": "child",
    "con dau": "child_in_law", "con re": "child_in_law", "child in law": "child_in_law",
    "bo": "parent", "me": "parent", "cha": "parent", "bo me": "parent", "cha me": "parent", "parent": "parent",
    "ong": "grandparent", "ba": "grandparent", "ong noi": "grandparent", "ba noi": "grandparent",
    "ong ngoai": "grandparent", "ba ngoai": "grandparent", "grandparent": "grandparent",
    "chau": "grandchild", "chau noi": "grandchild", "chau ngoai": "grandchild", "grandchild": "grandchild",
    "anh": "sibling", "chi": "sibling", "em": "sibling", "anh trai": "sibling", "chi gai": "sibling",
    "em trai": "sibling", "em gai": "sibling", "sibling": "sibling",
    "con dau con re": "child_in_law", "ong ba": "grandparent", "anh chi em": "sibling",
    "ho hang": "other_relative", "other relative": "other_relative", "khac": "other", "other": "other",
}  # fmt: skip
_YES = frozenset({"x", "co", "1", "yes", "true", "chu ho"})
_NO = frozenset({"", "khong", "0", "no", "false"})

RESIDENT_COLUMNS = (
    "id", "household_id", "unit_path", "full_name", "name_folded", "gender", "birth_date", "birth_year",
    "relation_to_head", "phone", "phone_digits", "ethnicity", "religion", "id_number", "id_number_hash",
    "memberships", "version", "field_versions", "create_fingerprint", "created_by", "created_at", "updated_by",
    "updated_at", "address_sort",
)  # fmt: skip
_RESIDENT_TYPES = {f.name: f.type for f in msgspec.structs.fields(ResidentCreate)}
_HOUSEHOLD_TYPES = {f.name: f.type for f in msgspec.structs.fields(HouseholdCreate)}


def _checks(types: dict[str, Any], names: Sequence[str]) -> type[msgspec.Struct]:
    """A Struct of the schema's constraints on these fields: a row's values are checked with one convert
    (the per-field checks run only to name every problem of a row that fails)."""
    return msgspec.defstruct("Checks", [(name, types[name], None) for name in names], kw_only=True)


_RESIDENT_CHECKS = _checks(_RESIDENT_TYPES, ("full_name", "phone", "id_number", "ethnicity", "religion", "birth_year"))
_HOUSEHOLD_CHECKS = _checks(_HOUSEHOLD_TYPES, ("house_number", "street"))
_SCHEMA_KEYS = {"id_number": "problem.registry.import.bad_id_number", "phone": "problem.registry.import.bad_phone"}


class ImportNotFound(NotFoundError):
    pass


class UnreadableFile(InvalidInputError):
    """The file as a whole cannot be read (not CSV/XLSX, broken, not UTF-8, too large)."""


class FileTooLarge(AppError):
    status = 413
    slug = "request-too-large"
    title_key = "problem.too_large.title"


class Area(NamedTuple):
    code: str
    path: str
    name: str


class Problem(NamedTuple):
    line: int
    column: str
    field: str
    value: str
    key: str
    params: dict[str, Any]


@dataclass(slots=True)
class HouseholdDraft:
    area: Area
    code: str
    house_number: str
    street: str
    address_folded: str
    line: int
    head_line: int = 0
    id: uuid.UUID = _PLACEHOLDER_ID
    existing: bool = False
    existing_head: uuid.UUID | None = None
    head_id: uuid.UUID | None = None


@dataclass(slots=True)
class ResidentDraft:
    line: int
    household: HouseholdDraft
    full_name: str
    name_folded: str
    gender: str | None
    birth_date: date | None
    birth_year: int | None
    relation: str
    phone: str | None
    phone_digits: str | None
    ethnicity: str | None
    religion: str | None
    id_number: str | None
    id_hash: str | None
    id: uuid.UUID = _PLACEHOLDER_ID
    existing: bool = False


@dataclass(slots=True)
class Analysis:
    rows_total: int = 0
    problems: list[Problem] = field(default_factory=list)
    invalid_lines: set[int] = field(default_factory=set)
    households: dict[tuple[str, str], HouseholdDraft] = field(default_factory=dict)
    residents: list[ResidentDraft] = field(default_factory=list)
    # field -> the header as written in the file
    headers: dict[str, str] = field(default_factory=dict)

    def add(self, problem: Problem) -> None:
        self.problems.append(problem)
        if problem.line:
            self.invalid_lines.add(problem.line)


# Reading the file


def file_format(filename: str, content: bytes) -> FileFormat:
    """By the file's own signature first (an XLSX is a zip), then by its name."""
    if content[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        return "xlsx"
    if filename.lower().endswith((".csv", ".txt")) or not filename:
        return "csv"
    raise UnreadableFile("problem.registry.import.unknown_format", name=filename)


def _csv_rows(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile("problem.registry.import.not_utf8") from error
    first_line = text.split("\n", 1)[0]
    # Excel in locales with a decimal comma saves CSV with semicolons.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    for values in reader:
        yield start, list(values)
        start = reader.line_num + 1


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    import openpyxl  # heavy; only XLSX imports and exports need it

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise UnreadableFile("problem.registry.import.unreadable_xlsx") from error
    try:
        sheet = workbook.worksheets[0]
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield line, list(values)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise UnreadableFile("problem.registry.import.unreadable_xlsx") from error
    finally:
        workbook.close()


def _rows(fmt: FileFormat, content: bytes) -> Iterator[tuple[int, list[Any]]]:
    return _xlsx_rows(content) if fmt == "xlsx" else _csv_rows(content)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        text = value.strip()
        return text if "  " not in text and "\t" not in text and "\n" not in text else " ".join(text.split())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return _SPACES.sub(" ", str(value)).strip()


def _blank(value: Any) -> bool:
    """What _cell_text makes "" of (a cheaper test: most cells are not blank)."""
    return value is None or (isinstance(value, str) and not value.strip())


def _header_map(values: Sequence[Any]) -> dict[str, int] | None:
    """field -> column index, when this row is the header (it names at least the required columns)."""
    found: dict[str, int] = {}
    for index, value in enumerate(values):
        name = _ALIASES.get(fold(_cell_text(value)))
        if name is not None and name not in found:
            found[name] = index
    return found if all(name in found for name in REQUIRED) else None


# Checking rows


class RowContext:
    """What every row is checked against: the areas the importer may write in, their rights, today."""

    def __init__(self, unit: Area, areas: Iterable[Area], principal: Principal, today: date, pepper: str) -> None:
        self.unit = unit
        self.today = today
        self.pepper = pepper
        self.principal = principal
        self.by_code: dict[str, Area] = {}
        self.by_name: dict[str, list[Area]] = {}
        self.sensitive: dict[str, bool] = {}
        # Memos for one analysis: a file repeats its genders, relations, names, addresses and dates a lot.
        self._folded: dict[str, str] = {}
        self._addresses: dict[tuple[str, str, str], str] = {}
        self._births: dict[tuple[Any, Any], tuple[date | None, int | None] | str] = {}
        for area in areas:
            if not principal.may(Permission.write, area.path):
                continue
            self.by_code[area.code.lower()] = area
            self.by_name.setdefault(fold(area.name), []).append(area)
            self.sensitive[area.code] = principal.may(Permission.read_sensitive, area.path)

    def area(self, text: str) -> Area | str:
        """The area a cell names (its code or its name), or the i18n key of why not."""
        found = self.by_code.get(text.lower())
        if found is not None:
            return found
        named = self.by_name.get(fold(text), [])
        if len(named) == 1:
            return named[0]
        return "problem.registry.import.ambiguous_area" if named else "problem.registry.import.unknown_area"

    def fold(self, text: str) -> str:
        folded = self._folded.get(text)
        if folded is None:
            folded = self._folded[text] = fold(text)
        return folded

    def address(self, house_number: str, street: str, area: Area) -> str:
        key = (house_number, street, area.name)
        folded = self._addresses.get(key)
        if folded is None:
            folded = self._addresses[key] = rules.address_folded(house_number, street, area.name)
        return folded

    def birth(self, raw: Any, year_raw: Any) -> tuple[date | None, int | None] | str:
        key = (raw, year_raw)
        parsed = self._births.get(key)
        if parsed is None:
            parsed = self._births[key] = _parse_birth(raw, year_raw)
        return parsed

    def fingerprint(self) -> str:
        """Everything a file's analysis depends on besides the file: the unit, the areas the importer may
        write in (their names fold into addresses) and their sensitive rights, today (no future dates),
        the ID number pepper."""
        areas = sorted((area.code, area.path, area.name, self.sensitive[area.code]) for area in self.by_code.values())
        pepper = hashlib.sha256(self.pepper.encode()).hexdigest()
        return hashlib.sha256(msgspec.json.encode([self.unit, areas, self.today, pepper])).hexdigest()


def _schema_problem(line: int, column: str, name: str, value: Any, error: msgspec.ValidationError) -> Problem:
    key = _SCHEMA_KEYS.get(name, "problem.registry.import.bad_value")
    return Problem(line, column, name, _cell_text(value), key, {"column": column, "reason": str(error)})


def _check_types(
    line: int, values: dict[str, Any], checks: type[msgspec.Struct], types: dict[str, Any], headers: dict[str, str]
) -> list[Problem]:
    """Every field against the schema's own constraints (lengths, patterns): all problems, not the first."""
    try:
        msgspec.convert(values, checks)
        return []
    except msgspec.ValidationError:
        pass  # one at least: check field by field to name them all
    problems = []
    for name, value in values.items():
        try:
            msgspec.convert(value, types[name])
        except msgspec.ValidationError as error:
            problems.append(_schema_problem(line, headers.get(name, name), name, value, error))
    return problems


def _parse_birth(raw: Any, year_raw: Any) -> tuple[date | None, int | None] | str:
    """(date, year) from a date cell (a date, "25/12/1980", "1980-12-25" or only "1980") and a year cell."""
    birth_date: date | None = None
    year: int | None = None
    if isinstance(raw, datetime):
        birth_date = raw.date()
    elif isinstance(raw, date):
        birth_date = raw
    else:
        text = _cell_text(raw)
        if _YEAR.match(text):
            year = int(text)
        elif (parts := _DMY.match(text)) is not None:
            try:
                birth_date = date(int(parts[3]), int(parts[2]), int(parts[1]))
            except ValueError:
                return "birth_date"
        elif text:
            for pattern in _DATE_FORMATS:
                try:
                    birth_date = datetime.strptime(text, pattern).date()
                    break
                except ValueError:
                    continue
            else:
                return "birth_date"
    year_text = _cell_text(year_raw)
    if year_text:
        if not _YEAR.match(year_text):
            return "birth_year"
        if year is not None and int(year_text) != year:
            return "birth_year"
        year = int(year_text)
    return birth_date, year


def _numeric_text(value: Any, length: int) -> str:
    """A number typed into a number cell loses its leading zeros (CCCD 001…, phone 09…): put them back."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = str(int(value))
        return digits.zfill(length) if len(digits) < length else digits
    return _cell_text(value)


class _Row:
    """One data row's cells by field name."""

    __slots__ = ("columns", "line", "texts", "values")

    def __init__(self, line: int, values: Sequence[Any], columns: dict[str, int]) -> None:
        self.line = line
        self.values = values
        self.columns = columns
        width = len(values)
        self.texts = {name: _cell_text(values[index]) if index < width else "" for name, index in columns.items()}

    def cell(self, name: str) -> Any:
        index = self.columns.get(name)
        return self.values[index] if index is not None and index < len(self.values) else None

    def text(self, name: str) -> str:
        return self.texts.get(name, "")


def analyse(fmt: FileFormat, content: bytes, context: RowContext) -> Analysis:
    """Read and check the whole file (pure: no database). Problems name line, column and field."""
    result = Analysis()
    rows = _rows(fmt, content)
    columns: dict[str, int] | None = None
    headers: dict[str, str] = {}
    for line, values in rows:
        if line > HEADER_SEARCH_ROWS:
            break
        columns = _header_map(values)
        if columns is not None:
            headers = {name: _cell_text(values[index]) for name, index in columns.items()}
            result.headers = headers
            _check_header(result, line, values, columns)
            break
    if columns is None:
        missing = ", ".join(translate(f"registry.import.column.{name}") for name in REQUIRED)
        result.add(
            Problem(
                0, "", "", "", "problem.registry.import.no_header", {"columns": missing, "rows": HEADER_SEARCH_ROWS}
            )
        )
        return result
    for line, values in rows:
        if all(_blank(value) for value in values):
            continue
        result.rows_total += 1
        _analyse_row(result, _Row(line, values, columns), headers, context)
    if result.rows_total == 0 and not result.problems:
        result.add(Problem(0, "", "", "", "problem.registry.import.empty", {}))
    return result


def _check_header(result: Analysis, line: int, values: Sequence[Any], columns: dict[str, int]) -> None:
    used = set(columns.values())
    for index, value in enumerate(values):
        text = _cell_text(value)
        if not text or index in used:
            continue
        name = _ALIASES.get(fold(text))
        key = "problem.registry.import.duplicate_column" if name else "problem.registry.import.unknown_column"
        result.add(Problem(line, text, name or "", text, key, {"column": text}))


def _analyse_row(result: Analysis, row: _Row, headers: dict[str, str], context: RowContext) -> None:
    line = row.line
    problems: list[Problem] = []

    def problem(name: str, key: str, **params: Any) -> None:
        column = headers.get(name, name)
        problems.append(Problem(line, column, name, row.text(name), key, {"column": column, **params}))

    area: Area | None = None
    area_text = row.text("area")
    if not area_text:
        problem("area", "problem.registry.import.required")
    else:
        found = context.area(area_text)
        if isinstance(found, str):
            problem("area", found, value=area_text, unit=context.unit.code)
        else:
            area = found
    full_name = row.text("full_name")
    if not full_name:
        problem("full_name", "problem.registry.import.required")
    gender_text = context.fold(row.text("gender"))
    gender = GENDERS.get(gender_text) if gender_text else None
    if gender_text and gender is None:
        problem("gender", "problem.registry.import.bad_gender")
    relation = _relation(row, problem, context)
    birth = context.birth(row.cell("birth_date"), row.cell("birth_year"))
    birth_date: date | None = None
    birth_year: int | None = None
    if isinstance(birth, str):
        problem(birth, "problem.registry.import.bad_date")
    else:
        birth_date, birth_year = birth
        try:
            birth_year = rules.birth_year_of(birth_date, birth_year, context.today)
        except AppError as error:
            name = "birth_date" if "birth_date" in headers else "birth_year"
            problem(name, error.detail_key or error.title_key, **{**error.params, "field": headers.get(name, name)})
    phone = _numeric_text(row.cell("phone"), _PHONE_WITHOUT_ZERO + 1) or None
    if phone is not None and len(phone) == _PHONE_WITHOUT_ZERO and phone.isdigit():
        phone = "0" + phone
    id_number = _numeric_text(row.cell("id_number"), _ID_NUMBER_LENGTH).replace(" ", "") or None
    sensitive = {"ethnicity": row.text("ethnicity") or None, "religion": row.text("religion") or None}
    resident_values: dict[str, Any] = {"full_name": full_name, "phone": phone, "id_number": id_number, **sensitive}
    if birth_year is not None:
        resident_values["birth_year"] = birth_year
    checked = {k: v for k, v in resident_values.items() if v is not None and (k != "full_name" or v)}
    problems.extend(_check_types(line, checked, _RESIDENT_CHECKS, _RESIDENT_TYPES, headers))
    house_number, street = row.text("house_number"), row.text("street")
    address = {"house_number": house_number, "street": street}
    problems.extend(_check_types(line, address, _HOUSEHOLD_CHECKS, _HOUSEHOLD_TYPES, headers))
    written = [name for name in ("id_number", "ethnicity", "religion") if resident_values[name] is not None]
    if written and area is not None and not context.sensitive[area.code]:
        for name in written:
            problem(name, "problem.registry.sensitive_forbidden", fields=headers.get(name, name))
    code = row.text("household_code")
    if len(code) > MAX_HOUSEHOLD_CODE:
        problem("household_code", "problem.registry.import.bad_value", reason="> 64")
    for item in problems:
        result.add(item)
    if problems or area is None or relation is None:
        return
    _place(result, row, area, code, house_number, street, full_name, relation, headers, context, birth_year,
           birth_date, gender, phone, id_number, sensitive)  # fmt: skip


def _relation(row: _Row, problem: Any, context: RowContext) -> str | None:
    relation_text = context.fold(row.text("relation"))
    relation: str | None = RELATIONS.get(relation_text, "other") if relation_text else "other"
    if relation_text and relation_text not in RELATIONS:
        problem("relation", "problem.registry.import.bad_relation")
        relation = None
    head_text = context.fold(row.text("head"))
    if head_text in _YES:
        relation = "head" if relation in ("other", "head") else relation
        if relation != "head":
            problem("head", "problem.registry.import.head_conflict")
            return None
    elif head_text not in _NO:
        problem("head", "problem.registry.import.bad_flag")
        return None
    return relation


def _place(
    result: Analysis,
    row: _Row,
    area: Area,
    code: str,
    house_number: str,
    street: str,
    full_name: str,
    relation: str,
    headers: dict[str, str],
    context: RowContext,
    birth_year: int | None,
    birth_date: date | None,
    gender: str | None,
    phone: str | None,
    id_number: str | None,
    sensitive: dict[str, str | None],
) -> None:
    """Put a valid row into its household (grouped by code, else by address) and check it against the
    rows before it: one head per household, no person twice."""
    line = row.line
    address = context.address(house_number, street, area)
    key = (area.code, "code:" + code if code else "address:" + address)
    household = result.households.get(key)
    if household is None:
        household = HouseholdDraft(area, code, house_number, street, address, line)
        result.households[key] = household
    if relation == "head":
        if household.head_line:
            column = headers.get("relation", headers.get("head", "relation"))
            result.add(Problem(line, column, "relation", full_name, "problem.registry.import.two_heads",
                               {"line": household.head_line}))  # fmt: skip
            return
        household.head_line = line
    name_folded = context.fold(full_name)
    result.residents.append(
        ResidentDraft(
            line=line,
            household=household,
            full_name=full_name,
            name_folded=name_folded,
            gender=gender,
            birth_date=birth_date,
            birth_year=birth_year,
            relation=relation,
            phone=phone,
            phone_digits=rules.phone_digits(phone),
            ethnicity=sensitive["ethnicity"],
            religion=sensitive["religion"],
            id_number=id_number,
            id_hash=rules.id_number_hash(id_number, context.pepper),
        )
    )


def check_duplicates(result: Analysis) -> None:
    """The same person (household, folded name, birth year) twice in the file."""
    column = result.headers.get("full_name", "full_name")
    seen: dict[tuple[int, str, int | None], int] = {}
    for resident in result.residents:
        key = (id(resident.household), resident.name_folded, resident.birth_year)
        first = seen.setdefault(key, resident.line)
        if first != resident.line:
            result.add(Problem(resident.line, column, "full_name", resident.full_name,
                               "problem.registry.import.duplicate_row", {"line": first}))  # fmt: skip


# Matching with the registry (natural keys)


async def match_existing(result: Analysis) -> None:
    """Mark households and residents already in the registry (same keys); run inside a transaction."""
    households = list(result.households.values())
    by_uuid: dict[uuid.UUID, HouseholdDraft] = {}
    coded = [h for h in households if h.code]
    for household in coded:
        try:
            by_uuid[uuid.UUID(household.code)] = household
        except ValueError:
            continue
    async with db.connection() as conn:
        if by_uuid:
            rows = await conn.fetch(
                "SELECT id, unit_code, head_resident_id FROM households WHERE id = ANY($1::uuid[])"
                " AND deleted_at IS NULL",
                list(by_uuid),
            )
            for row in rows:
                draft = by_uuid[row["id"]]
                if draft.area.code == row["unit_code"]:
                    _found(draft, row["id"], row["head_resident_id"])
        if coded:
            rows = await conn.fetch(
                "SELECT k.unit_code, k.household_code, h.id, h.head_resident_id FROM registry_import_keys k"
                " JOIN households h ON h.id = k.household_id AND h.deleted_at IS NULL"
                " JOIN unnest($1::text[], $2::text[]) AS f(unit_code, household_code)"
                " ON f.unit_code = k.unit_code AND f.household_code = k.household_code",
                [h.area.code for h in coded],
                [h.code for h in coded],
            )
            by_code = {(h.area.code, h.code): h for h in coded}
            for row in rows:
                draft = by_code[(row["unit_code"], row["household_code"])]
                if not draft.existing:
                    _found(draft, row["id"], row["head_resident_id"])
        plain = [h for h in households if not h.code]
        if plain:
            rows = await conn.fetch(
                "SELECT DISTINCT ON (h.unit_code, h.address_folded) h.unit_code, h.address_folded, h.id,"
                " h.head_resident_id FROM households h"
                " JOIN unnest($1::text[], $2::text[]) AS f(unit_code, address_folded)"
                " ON f.unit_code = h.unit_code AND f.address_folded = h.address_folded"
                " WHERE h.deleted_at IS NULL ORDER BY h.unit_code, h.address_folded, h.created_at, h.id",
                [h.area.code for h in plain],
                [h.address_folded for h in plain],
            )
            by_address = {(h.area.code, h.address_folded): h for h in plain}
            for row in rows:
                _found(by_address[(row["unit_code"], row["address_folded"])], row["id"], row["head_resident_id"])
        found = [h.id for h in households if h.existing]
        if found:
            rows = await conn.fetch(
                "SELECT household_id, name_folded, birth_year FROM residents"
                " WHERE household_id = ANY($1::uuid[]) AND deleted_at IS NULL",
                found,
            )
            people = {(row["household_id"], row["name_folded"], row["birth_year"]) for row in rows}
            for resident in result.residents:
                if resident.household.existing:
                    key = (resident.household.id, resident.name_folded, resident.birth_year)
                    resident.existing = key in people


class CheckedFile(msgspec.Struct, array_like=True):
    """A validated file's analysis, kept with its job. `analyse` is pure: the same file checked in the same
    context (`RowContext.fingerprint`) gives this very result, so confirming restores it instead of reading
    and checking every row again (that second check was about a fifth of an import's time)."""

    context: str
    rows_total: int
    headers: dict[str, str]
    # (area code, household code, house number, street, folded address, first line, the head's line)
    households: list[tuple[str, str, str, str, str, int, int]]
    # (line, index in `households`, full name, folded name, gender, birth date, birth year, relation, phone,
    # phone digits, ethnicity, religion, ID number, its hash)
    residents: list[
        tuple[int, int, str, str, str | None, date | None, int | None, str, str | None, str | None, str | None,
              str | None, str | None, str | None]
    ]  # fmt: skip


_CHECKED_DECODER = msgspec.msgpack.Decoder(CheckedFile)


def checked_file(result: Analysis, context: RowContext) -> bytes:
    """The analysis of a file without problems, for `restore_checked`."""
    households = list(result.households.values())
    index = {id(household): number for number, household in enumerate(households)}
    checked = CheckedFile(
        context=context.fingerprint(),
        rows_total=result.rows_total,
        headers=result.headers,
        households=[(h.area.code, h.code, h.house_number, h.street, h.address_folded, h.line, h.head_line)
                    for h in households],
        residents=[(r.line, index[id(r.household)], r.full_name, r.name_folded, r.gender, r.birth_date,
                    r.birth_year, r.relation, r.phone, r.phone_digits, r.ethnicity, r.religion, r.id_number, r.id_hash)
                   for r in result.residents],
    )  # fmt: skip
    return msgspec.msgpack.encode(checked)


def restore_checked(stored: bytes, context: RowContext) -> Analysis | None:
    """The analysis kept at the dry run when it was made in this same context, else None (check again:
    an area renamed or retired, rights changed, another day, another pepper, an older format)."""
    try:
        checked = _CHECKED_DECODER.decode(stored)
    except msgspec.DecodeError:
        return None
    if checked.context != context.fingerprint():
        return None
    result = Analysis(rows_total=checked.rows_total, headers=checked.headers)
    households = []
    for row in checked.households:
        household = HouseholdDraft(context.by_code[row[0].lower()], *row[1:])
        code, address = household.code, household.address_folded
        result.households[(household.area.code, "code:" + code if code else "address:" + address)] = household
        households.append(household)
    result.residents = [ResidentDraft(row[0], households[row[1]], *row[2:]) for row in checked.residents]
    return result


def _found(draft: HouseholdDraft, household_id: uuid.UUID, head: uuid.UUID | None) -> None:
    draft.id, draft.existing, draft.existing_head = household_id, True, head


class Counts(NamedTuple):
    households_new: int
    households_existing: int
    residents_new: int
    residents_existing: int


def counts_of(result: Analysis) -> Counts:
    households = result.households.values()
    residents_new = sum(1 for r in result.residents if not r.existing)
    return Counts(
        households_new=sum(1 for h in households if not h.existing),
        households_existing=sum(1 for h in households if h.existing),
        residents_new=residents_new,
        residents_existing=len(result.residents) - residents_new,
    )


# The job record


JOB_COLUMNS = (
    "id, unit_code, unit_path, filename, file_format, file_sha256, status, rows_total, rows_invalid, rows_done,"
    " households_new, households_existing, residents_new, residents_existing, problems::text AS problems,"
    " problems_total, created_at, updated_at, loaded_at"
)


def job_view(row: Any, language: Language) -> ImportJob:
    problems = [
        ImportProblem(
            line=item["line"],
            column=item["column"],
            field=item["field"],
            value=item["value"],
            message=translate(item["key"], language, **item["params"]),
        )
        for item in json.loads(row["problems"])
    ]
    return ImportJob(
        id=row["id"],
        unit_code=row["unit_code"],
        filename=row["filename"],
        file_format=row["file_format"],
        file_sha256=row["file_sha256"],
        status=row["status"],
        rows_total=row["rows_total"],
        rows_invalid=row["rows_invalid"],
        rows_done=row["rows_done"],
        households_new=row["households_new"],
        households_existing=row["households_existing"],
        residents_new=row["residents_new"],
        residents_existing=row["residents_existing"],
        problems=problems,
        problems_total=row["problems_total"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        loaded_at=row["loaded_at"],
    )


def _problems_json(problems: Sequence[Problem]) -> str:
    ordered = sorted(problems, key=lambda p: (p.line, p.column))[:MAX_REPORTED_PROBLEMS]
    return json.dumps([p._asdict() for p in ordered], ensure_ascii=False, default=str)


# Upkeep of the job records (registry/jobs.py runs it periodically)


def _job_problem(key: str, **params: Any) -> str:
    """The problem list of a job that failed as a whole (line 0: the file, not one of its rows)."""
    return _problems_json([Problem(0, "", "", "", key, params)])


async def reset_interrupted_loads(now: datetime, lease: timedelta) -> int:
    """Jobs left `loading` by a process that died mid-load go back to `failed`, saying so; their file is
    kept, so confirming again retries. A load holds IMPORT_LOCK for its whole transaction: when the lock is
    free, no load runs, and a `loading` job without progress for a lease is an orphan (a busy lock: next time)."""
    async with db.transaction(), db.connection() as conn:
        if not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1)", IMPORT_LOCK):
            return 0
        status = await conn.execute(
            "UPDATE registry_imports SET status = 'failed', updated_at = $1, problems = $2::jsonb, problems_total = 1"
            " WHERE status = 'loading' AND updated_at < $3",
            now,
            _job_problem("problem.registry.import.interrupted"),
            now - lease,
        )
    return int(status.split()[-1])


async def remove_expired_uploads(now: datetime, retention: timedelta) -> int:
    """Files of jobs checked but never loaded are kept for `retention` at most (data minimisation); the job
    then becomes `invalid`, saying the file must be uploaded again."""
    hours = int(retention.total_seconds() // 3600)
    async with db.connection() as conn:
        status = await conn.execute(
            "UPDATE registry_imports SET status = 'invalid', content = NULL, checked = NULL, updated_at = $1,"
            " problems = $2::jsonb,"
            " problems_total = 1 WHERE content IS NOT NULL AND status IN ('validated', 'failed') AND updated_at < $3",
            now,
            _job_problem("problem.registry.import.expired", hours=hours),
            now - retention,
        )
    return int(status.split()[-1])


class ImportService:
    def __init__(self, settings: Settings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock

    async def _unit(self, principal: Principal, unit_code: str) -> Area:
        unit = await units_repo.get_unit(unit_code)
        if unit is None or unit["valid_to"] is not None:
            raise NotFoundError("problem.unit_not_found.detail", code=unit_code)
        principal.require(Permission.write, unit["path"])
        return Area(unit["code"], unit["path"], unit["name"])

    async def _context(self, principal: Principal, unit: Area) -> RowContext:
        args: list[Any] = []
        within, args = scope_sql("path", [unit.path], 1)
        async with db.connection() as conn:
            rows = await conn.fetch(
                "SELECT code, path, name FROM units"
                f" WHERE level = 'residential_area' AND valid_to IS NULL AND {within}",
                *args,
            )
        areas = [Area(row["code"], row["path"], row["name"]) for row in rows]
        return RowContext(unit, areas, principal, today_in_vietnam(self.clock), self.settings.registry_id_pepper)

    async def _analyse(
        self, principal: Principal, unit: Area, fmt: FileFormat, content: bytes, checked: bytes | None = None
    ) -> tuple[Analysis, RowContext]:
        """The file's rows checked (or restored from `checked`, the dry run's) and matched with the registry."""
        context = await self._context(principal, unit)
        # CPU work off the event loop, so other requests keep being answered meanwhile.
        result = await asyncio.to_thread(restore_checked, checked, context) if checked is not None else None
        if result is None:
            result = await asyncio.to_thread(analyse, fmt, content, context)
            check_duplicates(result)
        if not result.problems:
            await match_existing(result)
        return result, context

    async def dry_run(
        self, principal: Principal, unit_code: str, filename: str, content: bytes, language: Language = "vi"
    ) -> ImportJob:
        """Check the file and record the job; nothing of the registry is written."""
        if len(content) > self.settings.registry_import_max_bytes:
            raise FileTooLarge("problem.registry.import.too_large", limit=self.settings.registry_import_max_bytes)
        unit = await self._unit(principal, unit_code)
        fmt = file_format(filename, content)
        now = self.clock.now()
        async with db.transaction():
            result, context = await self._analyse(principal, unit, fmt, content)
            counts = counts_of(result)
            status = "invalid" if result.problems else "validated"
            checked = None if result.problems else await asyncio.to_thread(checked_file, result, context)
            async with db.connection() as conn:
                row = await conn.fetchrow(
                    f"""
                    INSERT INTO registry_imports (id, unit_code, unit_path, filename, file_format, file_sha256,
                        file_bytes, content, checked, status, rows_total, rows_invalid, households_new,
                        households_existing, residents_new, residents_existing, problems, problems_total, created_by,
                        created_at, updated_at)
                    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17::jsonb, $18,
                        $19, $20, $20)
                    RETURNING {JOB_COLUMNS}
                    """,
                    uuid.uuid4(),
                    unit.code,
                    unit.path,
                    filename[-255:],
                    fmt,
                    hashlib.sha256(content).hexdigest(),
                    len(content),
                    None if result.problems else content,
                    checked,
                    status,
                    result.rows_total,
                    len(result.invalid_lines),
                    *counts,
                    _problems_json(result.problems),
                    len(result.problems),
                    principal.actor,
                    now,
                )
        return job_view(row, language)

    async def _job_row(self, principal: Principal, job_id: uuid.UUID) -> Any:
        args: list[Any] = [job_id]
        scope, more = scope_sql("unit_path", principal.scope_paths(Permission.write), 2)
        async with db.connection() as conn:
            row = await conn.fetchrow(f"SELECT {JOB_COLUMNS} FROM registry_imports WHERE id = $1 AND {scope}",
                                      *args, *more)  # fmt: skip
        if row is None:
            raise ImportNotFound("problem.registry.import.not_found")
        return row

    async def status(self, principal: Principal, job_id: uuid.UUID, language: Language = "vi") -> ImportJob:
        return job_view(await self._job_row(principal, job_id), language)

    async def confirm(self, principal: Principal, job_id: uuid.UUID, language: Language = "vi") -> ImportJob:
        """Load a validated file (all or nothing); confirming a loaded job again answers it unchanged."""
        row = await self._job_row(principal, job_id)
        if row["status"] == "loaded":
            return job_view(row, language)
        async with db.connection() as conn:
            files = await conn.fetchrow(
                "UPDATE registry_imports SET status = 'loading', rows_done = 0, updated_at = $2,"
                " problems = '[]'::jsonb, problems_total = 0"
                " WHERE id = $1 AND status IN ('validated', 'failed') AND content IS NOT NULL"
                " RETURNING content, checked",
                job_id,
                self.clock.now(),
            )
        if files is None:
            raise ConflictError("problem.registry.import.not_confirmable", status=row["status"])
        try:
            await self._load(principal, row, files["content"], files["checked"])
        except _StillInvalid as invalid:
            await self._finish(job_id, "invalid", invalid.result)
            raise ConflictError("problem.registry.import.changed") from None
        except BaseException:
            await self._finish(job_id, "failed", None)
            raise
        await repo.merge_pending_search_words()
        return job_view(await self._job_row(principal, job_id), language)

    async def _finish(self, job_id: uuid.UUID, status: str, result: Analysis | None) -> None:
        async with db.pool().acquire() as conn:
            if result is None:
                await conn.execute(
                    "UPDATE registry_imports SET status = $2, updated_at = $3 WHERE id = $1",
                    job_id,
                    status,
                    self.clock.now(),
                )
                return
            await conn.execute(
                "UPDATE registry_imports SET status = $2, updated_at = $3, content = NULL, checked = NULL,"
                " problems = $4::jsonb,"
                " problems_total = $5, rows_invalid = $6 WHERE id = $1",
                job_id,
                status,
                self.clock.now(),
                _problems_json(result.problems),
                len(result.problems),
                len(result.invalid_lines),
            )

    async def _progress(self, job_id: uuid.UUID, done: int) -> None:
        """Published outside the load's transaction, so that GET status shows it while the load runs."""
        async with db.pool().acquire() as conn:
            await conn.execute(
                "UPDATE registry_imports SET rows_done = $2, updated_at = $3 WHERE id = $1",
                job_id,
                done,
                self.clock.now(),
            )

    async def _load(self, principal: Principal, job: Any, content: bytes, checked: bytes | None) -> None:
        unit = await self._unit(principal, job["unit_code"])
        now, actor, fingerprint = self.clock.now(), principal.actor, job["file_sha256"]
        async with db.transaction(), db.connection() as conn:
            await conn.execute("SELECT pg_advisory_xact_lock($1)", IMPORT_LOCK)
            result, _ = await self._analyse(principal, unit, job["file_format"], content, checked)
            if result.problems:
                raise _StillInvalid(result)
            households = [h for h in result.households.values() if not h.existing]
            for household in households:
                household.id = uuid.uuid4()
            residents = [r for r in result.residents if not r.existing]
            for resident in residents:
                resident.id = uuid.uuid4()
                owner = resident.household
                if resident.relation == "head" and owner.head_id is None and owner.existing_head is None:
                    owner.head_id = resident.id
            await conn.copy_records_to_table(
                "households", records=_household_records(households, fingerprint, actor, now),
                columns=list(repo.HOUSEHOLD_COPY_COLUMNS),
            )  # fmt: skip
            await _map_codes(conn, result)
            await _set_heads(conn, [h for h in result.households.values() if h.existing and h.head_id], actor, now)
            done = len(result.residents) - len(residents)
            sorts = await repo.address_sorts({r.household.id for r in residents})
            for start in range(0, len(residents), COPY_BATCH):
                batch = residents[start : start + COPY_BATCH]
                await conn.copy_records_to_table(
                    "residents", records=_resident_records(batch, sorts, fingerprint, actor, now),
                    columns=list(RESIDENT_COLUMNS),
                )  # fmt: skip
                done += len(batch)
                await self._progress(job["id"], done)
            counts = counts_of(result)
            await conn.execute(
                "UPDATE registry_imports SET status = 'loaded', rows_done = $2, households_new = $3,"
                " households_existing = $4, residents_new = $5, residents_existing = $6, content = NULL,"
                " checked = NULL, loaded_at = $7, updated_at = $7 WHERE id = $1",
                job["id"],
                result.rows_total,
                *counts,
                now,
            )
            sensitive = sorted({name for r in residents for name in ("id_number", "ethnicity", "religion")
                                if getattr(r, name) is not None})  # fmt: skip
            details = {
                "file_sha256": fingerprint,
                "rows": result.rows_total,
                **counts._asdict(),
                "sensitive_fields": sensitive,
                "residents_with_sensitive": sum(1 for r in residents if r.id_number or r.ethnicity or r.religion),
            }
            event = AuditEvent(action="registry.imported", actor=actor, subject_type="import",
                               subject_id=str(job["id"]), unit_path=unit.path, details=details)  # fmt: skip
            await record(event, now)


class _StillInvalid(Exception):
    def __init__(self, result: Analysis) -> None:
        super().__init__("the file no longer passes the checks")
        self.result = result


def _household_records(
    households: Sequence[HouseholdDraft], fingerprint: str, actor: str, now: datetime
) -> Iterator[tuple[Any, ...]]:
    for h in households:
        yield (h.id, h.area.code, h.area.path, h.house_number, h.street, h.address_folded, [], "", "active",
               h.head_id, 1, "{}", fingerprint, actor, now, actor, now)  # fmt: skip


def _resident_records(
    residents: Sequence[ResidentDraft], sorts: Mapping[uuid.UUID, str], fingerprint: str, actor: str, now: datetime
) -> Iterator[tuple[Any, ...]]:
    for r in residents:
        yield (r.id, r.household.id, r.household.area.path, r.full_name, r.name_folded, r.gender, r.birth_date,
               r.birth_year, r.relation, r.phone, r.phone_digits, r.ethnicity, r.religion, r.id_number, r.id_hash,
               "[]", 1, "{}", fingerprint, actor, now, actor, now, sorts[r.household.id])  # fmt: skip


async def _map_codes(conn: Any, result: Analysis) -> None:
    """Remember the commune's household codes, so the next import of them finds these households."""
    coded = [h for h in result.households.values() if h.code and not h.existing]
    if not coded:
        return
    await conn.execute(
        "INSERT INTO registry_import_keys (unit_code, household_code, household_id)"
        " SELECT * FROM unnest($1::text[], $2::text[], $3::uuid[])"
        " ON CONFLICT (unit_code, household_code) DO UPDATE SET household_id = EXCLUDED.household_id",
        [h.area.code for h in coded],
        [h.code for h in coded],
        [h.id for h in coded],
    )


async def _set_heads(conn: Any, households: Sequence[HouseholdDraft], actor: str, now: datetime) -> None:
    """An existing household without a head gets the imported head (a new version, like any change)."""
    if not households:
        return
    await conn.execute(
        "UPDATE households h SET head_resident_id = f.head, version = h.version + 1,"
        " field_versions = h.field_versions || jsonb_build_object('head_resident_id', h.version + 1),"
        " updated_by = $3, updated_at = $4"
        " FROM unnest($1::uuid[], $2::uuid[]) AS f(id, head) WHERE h.id = f.id AND h.head_resident_id IS NULL",
        [h.id for h in households],
        [h.head_id for h in households],
        actor,
        now,
    )


# The template


def template_rows(language: Language = "vi") -> list[list[Any]]:
    """The header (in the language asked, with diacritics) and one example row."""
    header = [translate(f"registry.import.column.{name}", language) for name in TEMPLATE_FIELDS]
    example = ["00070-001", "H001", "12", "Phố Hàng Bài", "Chủ hộ", "Nguyễn Văn An", "Nam", "25/12/1980",
               "0912345678", "Kinh", "Không", "001080012345"]  # fmt: skip
    return [header, example]
