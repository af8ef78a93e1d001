"""Helpers of the observability tests: reading /metrics, staff signed in to the web app."""

from __future__ import annotations

from urllib.parse import urlsplit

from httpx import AsyncClient
from prometheus_client.parser import text_string_to_metric_families

from support.identity import PASSWORD, read_form


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of an exposition: (name, labels) -> value."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(text: str, name: str, **labels: str) -> float:
    """One sample's value; 0 when the series does not exist (yet)."""
    return samples(text).get((name, frozenset(labels.items())), 0.0)


async def scrape(http: AsyncClient, token: str | None = None) -> str:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


async def web_sign_in(http: AsyncClient, username: str) -> None:
    """What a browser does: /auth/login -> the provider's form -> callback -> the app's session cookie."""
    start = await http.get("/auth/login", params={"next": "/"})
    form = read_form((await http.get(start.headers["location"])).text)
    signed_in = await http.post(form.action or "", data=form.fields | {"username": username, "password": PASSWORD})
    callback = urlsplit(signed_in.headers["location"])
    assert (await http.get(f"{callback.path}?{callback.query}")).status_code in (302, 303)
