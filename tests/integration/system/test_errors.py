"""Every failure is RFC 9457 problem+json with the right status, in Vietnamese by default."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from backend.features.units import repo
from backend.lib.errors import PROBLEM_MEDIA_TYPE

pytestmark = pytest.mark.integration


def assert_problem(response, status: int, slug: str) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_MEDIA_TYPE
    problem = response.json()
    assert problem["type"] == f"urn:mattran:problem:{slug}"
    assert problem["status"] == status
    assert problem["title"]
    assert problem["request_id"] == response.headers["x-request-id"]
    return problem


@pytest.mark.parametrize(
    ("query", "field"),
    [("limit=abc", "limit"), ("limit=0", "limit"), ("limit=201", "limit"), ("level=galaxy", "level"),
     ("q=" + "x" * 201, "q"), ("include_retired=maybe", "include_retired")],
)  # fmt: skip
async def test_malformed_query_is_a_validation_problem(client: AsyncClient, query: str, field: str) -> None:
    problem = assert_problem(await client.get(f"/api/v1/units?{query}"), 400, "validation-error")
    assert problem["title"] == "Dữ liệu không hợp lệ"
    assert [error["field"] for error in problem["errors"]] == [field]
    assert field in problem["detail"]


async def test_tampered_cursor_is_a_validation_problem(client: AsyncClient) -> None:
    problem = assert_problem(await client.get("/api/v1/units?cursor=not-a-cursor"), 400, "validation-error")
    assert problem["errors"][0]["field"] == "cursor"


async def test_malformed_path_parameter(client: AsyncClient) -> None:
    assert_problem(await client.get("/api/v1/units/" + "9" * 40), 400, "validation-error")


async def test_unknown_route(client: AsyncClient) -> None:
    problem = assert_problem(await client.get("/api/v1/no-such-thing"), 404, "not-found")
    assert problem["instance"] == "/api/v1/no-such-thing"


async def test_wrong_method(client: AsyncClient) -> None:
    response = await client.delete("/api/v1/units")
    problem = assert_problem(response, 405, "method-not-allowed")
    assert "DELETE" in problem["detail"]
    assert "GET" in response.headers["allow"]


async def test_oversized_body_is_refused_before_routing(client: AsyncClient) -> None:
    body = b"x" * (10 * 1024 * 1024 + 1)
    problem = assert_problem(await client.post("/api/v1/units", content=body), 413, "request-too-large")
    assert "10485760" in problem["detail"]


async def test_body_within_limit_reaches_routing(client: AsyncClient) -> None:
    assert_problem(await client.post("/api/v1/units", content=b"x" * 1024), 405, "method-not-allowed")


async def test_english_when_asked(client: AsyncClient) -> None:
    response = await client.get("/nope", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert assert_problem(response, 404, "not-found")["title"] == "Not found"


async def test_server_error_reveals_nothing_internal(client: AsyncClient, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(code: str) -> None:
        raise RuntimeError("password=hunter2 in /srv/secret.py")

    monkeypatch.setattr(repo, "get_unit", broken)
    response = await client.get("/api/v1/units/00070")
    problem = assert_problem(response, 500, "server-error")
    assert "hunter2" not in response.text and "Traceback" not in response.text
    assert problem["title"] == "Lỗi máy chủ"


async def test_request_id_from_a_proxy_is_kept(client: AsyncClient) -> None:
    response = await client.get("/health", headers={"X-Request-ID": "lb-0123456789"})
    assert response.headers["x-request-id"] == "lb-0123456789"
