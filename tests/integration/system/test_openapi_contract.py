from pathlib import Path

import pytest
from httpx import AsyncClient

from backend.openapi import openapi_document

pytestmark = pytest.mark.integration


def test_committed_schema_matches_the_code(project_root: Path) -> None:
    committed = (project_root / "schemas/openapi.json").read_text(encoding="utf-8")
    assert committed == openapi_document(), "run: mattran openapi --output schemas/openapi.json"


async def test_docs_work_offline(client: AsyncClient) -> None:
    page = await client.get("/schema/swagger")
    assert page.status_code == 200
    assert "https://" not in page.text and "http://" not in page.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "swagger-ui-standalone-preset.js"):
        assert f"/schema/assets/{asset}" in page.text
        assert (await client.get(f"/schema/assets/{asset}")).status_code == 200
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/v1/units" in schema["paths"]
