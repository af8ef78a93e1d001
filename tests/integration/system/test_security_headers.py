"""Every response carries the security headers (ASVS V14.4); a route's own stricter policy wins."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from backend.lib.security_headers import APP_POLICY

pytestmark = pytest.mark.integration

COMMON = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "strict-transport-security": "max-age=63072000; includeSubDomains",
}


@pytest.mark.parametrize(
    "path",
    ["/health", "/api/v1/units?level=province", "/", "/static/app.js", "/no-such-page", "/api/v1/households"],
)
async def test_pages_api_static_and_errors_carry_the_headers(client: AsyncClient, path: str) -> None:
    response = await client.get(path)
    for name, value in COMMON.items():
        assert response.headers[name] == value, (path, name)
    assert response.headers["content-security-policy"] == APP_POLICY
    assert "geolocation=(self)" in response.headers["permissions-policy"]


async def test_the_app_policy_allows_nothing_from_elsewhere_and_no_inline_script() -> None:
    directives = dict(part.split(" ", 1) for part in APP_POLICY.split("; "))
    assert directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert all("http" not in sources and "*" not in sources for sources in directives.values())


async def test_a_routes_own_policy_wins(client: AsyncClient) -> None:
    sign_in = await client.get("/oauth/authorize", params={"client_id": "unknown"})
    assert sign_in.headers["content-security-policy"].startswith("default-src 'none'")
    assert sign_in.headers.get_list("content-security-policy") == [sign_in.headers["content-security-policy"]]


async def test_the_api_docs_page_may_run_its_inline_bootstrap(client: AsyncClient) -> None:
    docs = await client.get("/schema/swagger")
    assert docs.status_code == 200
    assert "script-src 'self' 'unsafe-inline'" in docs.headers["content-security-policy"]
