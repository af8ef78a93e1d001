"""Schemathesis against the running app: a small world to find, one signed-in caller per role, and a runner
that fuzzes every operation of the app's own OpenAPI as each of them and collects every failed check."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import CheckContext, CheckFunction, not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from backend import db
from backend.features.library.demo import seed_demo_library
from backend.features.registry.demo import seed_demo_households
from backend.features.units.service import UnitService
from backend.lib.clock import Clock
from backend.lib.errors import PROBLEM_MEDIA_TYPE
from backend.settings import Settings
from support.identity import access_token_for, bearer, make_account

ROLES = ("anonymous", "citizen", "area_cadre", "commune_officer", "province_officer", "central_admin")
SEED = 2025
TERM = "fuzz-2025"


@dataclass
class World:
    """Who calls (a bearer token per role; none for anonymous) and what exists, by path parameter."""

    tokens: dict[str, str | None]
    known: dict[str, list[str]]
    tracking_codes: list[str]


async def _created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


async def seed_world(http: httpx.AsyncClient, settings: Settings, clock: Clock) -> World:
    """Units, households and residents (demo loaders), a visit, consents, petitions filed by a citizen and
    anonymously, library documents, a congress term of the centre and provinces; then the accounts."""
    await UnitService(clock).seed_demo_areas(SEED)
    await seed_demo_households(clock, SEED, 40)
    await seed_demo_library(settings, clock)
    async with db.connection() as conn:
        area = await conn.fetchrow(
            "SELECT a.code, a.parent AS commune, c.parent AS province FROM units a JOIN units c ON c.code = a.parent"
            " WHERE a.level = 'residential_area' AND EXISTS (SELECT 1 FROM households h WHERE h.unit_code = a.code)"
            " ORDER BY a.code LIMIT 1"
        )
        other_province = await conn.fetchval(
            "SELECT code FROM units WHERE level = 'province' AND code <> $1 ORDER BY code LIMIT 1", area["province"]
        )
    units = {"citizen": area["code"], "area_cadre": area["code"], "commune_officer": area["commune"]}
    units |= {"province_officer": area["province"], "central_admin": "TW"}
    for role, unit in units.items():
        await make_account(settings, clock, f"fuzz.{role}", role, unit)
    # Offered as an account id, so that disabling it (central admin) never locks a fuzzing role out.
    bystander = await make_account(settings, clock, "fuzz.bystander", "citizen", other_province)
    tokens: dict[str, str | None] = {"anonymous": None}
    for role in units:
        tokens[role] = await access_token_for(http, f"fuzz.{role}")

    async with db.connection() as conn:
        household = await conn.fetchval("SELECT id FROM households WHERE unit_code = $1 LIMIT 1", area["code"])
        resident = await conn.fetchval("SELECT id FROM residents WHERE household_id = $1 LIMIT 1", household)
    cadre = bearer(str(tokens["area_cadre"]))
    visit = await _created(
        await http.post(
            "/api/v1/visits",
            json={"id": str(uuid.uuid4()), "household_id": str(household), "visited_on": "2026-03-01",
                  "purpose": "routine"},
            headers=cadre,
        )
    )  # fmt: skip
    consent = await _created(
        await http.post(
            f"/api/v1/residents/{resident}/consents",
            json={"id": str(uuid.uuid4()), "purpose": "petitions", "given_by": "Chủ hộ",
                  "given_at": "2026-03-01T08:00:00+07:00", "method": "written"},
            headers=cadre,
        )
    )  # fmt: skip
    petitions = []
    for token, contact in ((tokens["citizen"], {}), (None, {"contact_phone": "0912345678", "anonymous": True})):
        petitions.append(
            await _created(
                await http.post(
                    "/api/v1/petitions",
                    json={"title": "Đèn đường hỏng ở ngõ 12", "description": "Đèn hỏng hai tuần, buổi tối rất tối.",
                          "unit_code": area["code"]} | contact,
                    headers=bearer(str(token)) if token else {},
                )
            )
        )  # fmt: skip
    term = await _created(
        await http.post(
            "/api/v1/congress-terms",
            json={"code": TERM, "name": "Nhiệm kỳ thử", "levels": [
                {"level": "central", "start_year": 2026, "end_year": 2031, "congress_by": "2026-05-31"},
                {"level": "province", "start_year": 2025, "end_year": 2030, "congress_by": "2025-12-31"}]},
            headers=bearer(str(tokens["central_admin"])),
        )
    )  # fmt: skip

    async with db.connection() as conn:

        async def ids(sql: str, *args: Any) -> list[str]:
            return [str(row[0]) for row in await conn.fetch(sql, *args)]

        known = {
            "household_id": await ids(
                "SELECT id FROM households ORDER BY unit_code = $1 DESC, id LIMIT 3", area["code"]
            ),
            "resident_id": await ids("SELECT id FROM residents WHERE household_id = $1", household),
            "visit_id": [visit["id"]],
            "consent_id": [consent["id"]],
            "petition_id": [p["id"] for p in petitions],
            "account_id": [str(bystander)],
            "unit_code": [area["code"], area["commune"], area["province"], "TW", other_province],
            "term": [term["code"]],
            "congress_id": await ids("SELECT id FROM congresses WHERE term = $1 ORDER BY unit_path LIMIT 3", TERM),
            "document_id": await ids("SELECT id FROM library_documents ORDER BY id LIMIT 3"),
            "category": await ids("SELECT DISTINCT unnest(categories) FROM library_documents ORDER BY 1 LIMIT 3"),
            "notification_id": await ids("SELECT id FROM notifications ORDER BY id LIMIT 3"),
            "week": ["2026-W09", "2026-W10"],
        }
    known["code"] = known["unit_code"]
    return World(tokens, {k: v for k, v in known.items() if v}, [p["tracking_code"] for p in petitions])


@schemathesis.check
def problem_details(ctx: CheckContext, response: schemathesis.Response, case: schemathesis.Case) -> bool | None:
    """Every error answer is RFC 9457 problem+json: its media type, and type/title/status with the status the
    response carries."""
    if response.status_code < 400:
        return None
    media_type = response.headers.get("content-type", [""])[0].split(";")[0].strip()
    assert media_type == PROBLEM_MEDIA_TYPE, f"{response.status_code} answered as {media_type!r}, not problem+json"
    body = response.json()
    assert isinstance(body, dict), "a problem is a JSON object"
    missing = {"type", "title", "status"} - body.keys()
    assert not missing, f"problem without {sorted(missing)}"
    assert body["status"] == response.status_code, f"problem status {body['status']} on a {response.status_code}"
    return None


# Every route documents its 500 (a problem), so the conformance checks alone would let a 5xx pass.
CHECKS: tuple[CheckFunction, ...] = (
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    problem_details,
)


@dataclass
class Finding:
    role: str
    operation: str
    mode: str
    check: str
    message: str
    reproduce: str

    def __str__(self) -> str:
        return f"[{self.role}] {self.operation} ({self.mode}) {self.check}: {self.message}\n    {self.reproduce}"


@dataclass
class FuzzReport:
    operations: list[str] = field(default_factory=list)
    examples: Counter[tuple[str, str]] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    findings: dict[tuple[str, str, str, str], Finding] = field(default_factory=dict)
    # Operations whose input cannot be made invalid (no parameters, or only free-text path segments).
    no_negative: list[str] = field(default_factory=list)
    generation_seconds: float = 0.0
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())


Excluded = Callable[[str, str], tuple[CheckFunction, ...]]


def run_fuzz(origin: str, world: World, examples: int, excluded: Excluded) -> FuzzReport:
    """Every operation of the served OpenAPI: `examples` valid and `examples` invalid cases (deterministic),
    each sent as every role, every failed check kept (one per role, operation, mode and check)."""
    report = FuzzReport()
    started = time.perf_counter()
    schema = schemathesis.openapi.from_url(f"{origin}/schema/openapi.json")
    operations = []
    for result in schema.get_all_operations():
        if isinstance(result, Ok):
            operations.append(result.ok())
        else:  # an operation schemathesis cannot read is a finding of its own
            error = result.err()
            report.findings[("-", str(error.label), "-", "InvalidSchema")] = Finding(
                "-", str(error.label), "-", "InvalidSchema", str(error), ""
            )
    report.operations = [op.label for op in operations]
    session = requests.Session()
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if mode == GenerationMode.NEGATIVE and _nothing_to_invalidate(operation):
                report.no_negative.append(operation.label)
                continue
            generating = time.perf_counter()
            cases = _generate(operation, mode, world, examples)
            report.generation_seconds += time.perf_counter() - generating
            for role in ROLES:
                token = world.tokens[role]
                headers = bearer(token) if token else {}
                checks = [c for c in CHECKS if c not in excluded(operation.label, role)]
                if mode == GenerationMode.NEGATIVE:
                    checks.append(negative_data_rejection)
                for case in cases:
                    _send(origin, session, case, role, mode, headers, checks, report)
    report.seconds = time.perf_counter() - started
    return report


def _nothing_to_invalidate(operation: Any) -> bool:
    raw = operation.definition.raw
    parameters = raw.get("parameters", [])
    free_text = all(p.get("in") == "path" and p.get("schema") == {"type": "string"} for p in parameters)
    return "requestBody" not in raw and free_text


def _generate(operation: Any, mode: GenerationMode, world: World, examples: int) -> list[Any]:
    tracking = operation.path.startswith("/api/v1/petitions/track/")
    candidates = {
        p.name: world.tracking_codes if tracking and p.name == "code" else world.known.get(p.name, [])
        for p in operation.path_parameters
    }
    cases: list[Any] = []

    @hypothesis.settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis.given(data=st.data())
    def generate(data: Any) -> None:
        # Valid cases often name a record that exists (so the handler gets past its lookup); invalid ones keep
        # what the generator made invalid.
        fixed: dict[str, str] = {}
        if mode == GenerationMode.POSITIVE:
            for name, values in candidates.items():
                if values and data.draw(st.booleans()):
                    fixed[name] = data.draw(st.sampled_from(values))
        cases.append(data.draw(operation.as_strategy(generation_mode=mode, path_parameters=fixed or None)))

    generate()
    return cases


def _send(
    origin: str,
    session: requests.Session,
    case: Any,
    role: str,
    mode: GenerationMode,
    headers: dict[str, str],
    checks: list[CheckFunction],
    report: FuzzReport,
) -> None:
    label = case.operation.label
    response = case.call(base_url=origin, session=session, headers=headers)
    report.examples[(label, role)] += 1
    report.statuses[response.status_code] += 1
    try:
        case.validate_response(response, checks=checks, headers=headers)
    except FailureGroup as group:
        failures: tuple[Failure, ...] = group.exceptions
    except Failure as failure:
        failures = (failure,)
    else:
        return
    for found in failures:
        key = (role, label, mode.value, type(found).__name__)
        if key not in report.findings:
            message = f"{found.title}: {found.message}"[:600]
            report.findings[key] = Finding(*key, message, case.as_curl_command(headers=headers)[:600])
