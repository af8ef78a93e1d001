"""Streamed answers (POST /api/v1/assistant/ask/stream) from a fake OpenAI-compatible server that streams its
reply in chunks: drafts in order then the checked final answer, equal to the non-streaming one; invented
figures flagged; a stalled or broken model gives the extractive answer; one audit row per answer."""

from __future__ import annotations

import asyncio
import html
import json
import uuid
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import msgspec
import pytest
from httpx import AsyncClient
from litestar import Litestar
from reactpy.core.layout import Layout
from reactpy.utils import vdom_to_html

from backend import db
from backend.features.identity.service import AccountService
from backend.features.library.demo import seed_demo_library
from backend.lib.clock import FrozenClock
from backend.settings import Settings
from pwa.features.assistant import pages
from pwa.pages import App
from pwa.reactpy_litestar import _strip_components, _with_connection, install_task_local_hook_stack, prerender
from pwa.session import PageSession
from support.identity import make_account
from support.servers import serving

pytestmark = pytest.mark.integration
QUESTION = "Tỷ lệ nữ trong Ủy ban MTTQ xã là bao nhiêu?"
CITED = "Theo hướng dẫn, tỷ lệ nữ trong Ủy ban phấn đấu đạt từ 30% trở lên [S1]. "
INVENTED = "Năm 2025 xã đã đạt 42% nữ. "
CLOSING = "Cán bộ nên đối chiếu với văn bản gốc."


class StreamingModel:
    """/chat/completions answering with the given chunks: a streamed reply (server-sent events) when asked
    for one, else the whole text at once. `stall` seconds pass before the first chunk and `pause` seconds
    between chunks; `broken` ends the stream with an unreadable event instead of `[DONE]`."""

    def __init__(self, chunks: Sequence[str], stall: float = 0.0, pause: float = 0.0, broken: bool = False) -> None:
        self.chunks, self.stall, self.pause, self.broken = chunks, stall, pause, broken
        self.requests: list[dict[str, Any]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        request = json.loads(body)
        self.requests.append(request)
        if not request["stream"]:
            answer = {"choices": [{"message": {"role": "assistant", "content": "".join(self.chunks)}}]}
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json")]})  # fmt: skip
            await send({"type": "http.response.body", "body": json.dumps(answer).encode()})
            return
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/event-stream")]})  # fmt: skip
        await asyncio.sleep(self.stall)
        first = {"choices": [{"index": 0, "delta": {"role": "assistant"}}]}
        events = [first] + [{"choices": [{"index": 0, "delta": {"content": chunk}}]} for chunk in self.chunks]
        for index, event in enumerate(events):
            if index > 1:
                await asyncio.sleep(self.pause)
            await send({"type": "http.response.body", "body": f"data: {json.dumps(event)}\n\n".encode(),
                        "more_body": True})  # fmt: skip
        await send(
            {"type": "http.response.body", "body": b"data: {not json\n\n" if self.broken else b"data: [DONE]\n\n"}
        )


def server_sent_events(body: str) -> list[tuple[str, str]]:
    """(event, data) of each event of a text/event-stream body."""
    events: list[tuple[str, str]] = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        lines = [line for line in block.split("\n") if line]
        if not lines:
            continue
        name = next((line[len("event: ") :] for line in lines if line.startswith("event: ")), "message")
        data = "\n".join(line[len("data: ") :] for line in lines if line.startswith("data: "))
        events.append((name, data))
    return events


def use_model(app: Litestar, origin: str, **overrides: object) -> None:
    app.state.settings = msgspec.structs.replace(
        app.state.settings, assistant_model_url=f"{origin}/v1", assistant_model_name="fake", **overrides
    )


async def ask_streamed(client: AsyncClient, world: Any, answer_id: uuid.UUID) -> list[tuple[str, str]]:
    response = await client.post(
        "/api/v1/assistant/ask/stream",
        json={"question": QUESTION, "unit_code": world.commune, "id": str(answer_id)},
        headers=world.officer,
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    return server_sent_events(response.text)


async def logged(answer_id: uuid.UUID) -> int:
    async with db.connection() as conn:
        return int(
            await conn.fetchval(
                "SELECT count(*) FROM audit_log WHERE action = 'assistant.ask' AND subject_id = $1", str(answer_id)
            )
        )


def final_of(events: list[tuple[str, str]]) -> dict[str, Any]:
    assert [name for name, _ in events].count("final") == 1 and events[-1][0] == "final", events
    final: dict[str, Any] = json.loads(events[-1][1])
    return final


async def test_drafts_stream_in_order_then_the_checked_answer(client: AsyncClient, app: Litestar, world: Any) -> None:
    chunks = ["Theo hướng dẫn, tỷ lệ nữ ", "trong Ủy ban phấn đấu đạt từ 30% ", "trở lên [S1]. ", INVENTED, CLOSING]
    model = StreamingModel(chunks)
    streamed_id, whole_id = uuid.uuid4(), uuid.uuid4()
    async with serving(model) as server:
        use_model(app, server.origin)
        events = await ask_streamed(client, world, streamed_id)
        whole = await client.post(
            "/api/v1/assistant/ask",
            json={"question": QUESTION, "unit_code": world.commune, "id": str(whole_id)},
            headers=world.officer,
        )
    assert [request["stream"] for request in model.requests] == [True, False]
    drafts = [json.loads(data)["text"] for name, data in events if name == "draft"]
    assert drafts == chunks and [name for name, _ in events] == ["draft"] * len(chunks) + ["final"]
    final = final_of(events)
    # The checked answer replaces the draft: the invented figure is gone from it, and listed as removed.
    assert final["mode"] == "model" and final["answer"] == CITED + CLOSING
    assert final["removed"] == [INVENTED.strip()] and "42%" not in final["answer"]
    assert final["citations"][0]["ref"] == "S1"
    assert final["id"] == str(streamed_id)
    assert whole.status_code == 200 and {**whole.json(), "id": str(streamed_id)} == final
    assert await logged(streamed_id) == 1


async def test_a_model_that_stalls_past_the_first_token_timeout_gives_the_extractive_answer(
    client: AsyncClient, app: Litestar, world: Any
) -> None:
    answer_id = uuid.uuid4()
    async with serving(StreamingModel([CITED], stall=2.0)) as server:
        use_model(app, server.origin, assistant_model_first_token_seconds=0.2)
        started = asyncio.get_running_loop().time()
        events = await ask_streamed(client, world, answer_id)
        waited = asyncio.get_running_loop().time() - started
    assert [name for name, _ in events] == ["final"] and waited < 2.0
    final = final_of(events)
    assert final["mode"] == "extractive" and final["removed"] == [] and "[S1]" in final["answer"]
    assert await logged(answer_id) == 1


async def test_a_model_past_the_total_timeout_gives_the_extractive_answer(
    client: AsyncClient, app: Litestar, world: Any
) -> None:
    answer_id = uuid.uuid4()
    async with serving(StreamingModel([CITED, INVENTED, CLOSING], pause=1.0)) as server:
        use_model(app, server.origin, assistant_model_stream_total_seconds=1.5)
        events = await ask_streamed(client, world, answer_id)
    # The first pieces came in time and were shown; the answer did not finish in time, so the draft is dropped.
    assert [name for name, _ in events] == ["draft", "draft", "final"]
    final = final_of(events)
    assert final["mode"] == "extractive" and CLOSING not in final["answer"]
    assert await logged(answer_id) == 1


async def test_a_stream_that_breaks_midway_gives_the_extractive_answer(
    client: AsyncClient, app: Litestar, world: Any
) -> None:
    answer_id = uuid.uuid4()
    async with serving(StreamingModel([INVENTED], broken=True)) as server:
        use_model(app, server.origin)
        events = await ask_streamed(client, world, answer_id)
    # The draft was shown; the final answer replaces it with the quoted sources, without the invented figure.
    assert [name for name, _ in events] == ["draft", "final"]
    final = final_of(events)
    assert final["mode"] == "extractive" and "42%" not in final["answer"] and "[S1]" in final["answer"]
    assert await logged(answer_id) == 1


async def test_without_a_model_one_final_extractive_answer(client: AsyncClient, world: Any) -> None:
    answer_id = uuid.uuid4()
    events = await ask_streamed(client, world, answer_id)
    final = final_of(events)
    assert len(events) == 1 and final["mode"] == "extractive" and final["answered"]
    # Asked again with the same id (a client falling back after a broken stream): still one audit row.
    await client.post(
        "/api/v1/assistant/ask",
        json={"question": QUESTION, "unit_code": world.commune, "id": str(answer_id)},
        headers=world.officer,
    )
    assert await logged(answer_id) == 1


async def test_a_unit_outside_the_scope_is_not_found_before_streaming(client: AsyncClient, world: Any) -> None:
    response = await client.post(
        "/api/v1/assistant/ask/stream",
        json={"question": QUESTION, "unit_code": world.outsider_commune},
        headers=world.officer,
    )
    assert response.status_code == 404 and response.headers["content-type"] == "application/problem+json"


async def test_the_chat_page_shows_the_draft_then_the_checked_answer(
    connected: str, settings: Settings, clock: FrozenClock
) -> None:
    install_task_local_hook_stack()
    await seed_demo_library(settings, clock)
    account = await make_account(settings, clock, "as_page_stream", "commune_officer", "00070")
    principal = await AccountService(settings, clock).principal(account, "web", frozenset())
    model = StreamingModel(
        ["Theo hướng dẫn, tỷ lệ nữ ", "trong Ủy ban phấn đấu đạt từ 30% ", "trở lên [S1]. ", INVENTED]
    )
    async with serving(model) as server:
        with_model = msgspec.structs.replace(settings, assistant_model_url=f"{server.origin}/v1")
        session = PageSession(
            "vi", principal, "Cán bộ", SimpleNamespace(state=SimpleNamespace(settings=with_model, clock=clock))
        )
        answer_id = str(uuid.uuid4())
        data = await pages.load(session, {"q": QUESTION, "id": answer_id})
        assert data["answer"] is None and data["streamed"] is not None
        # The pre-render waits for no model: a notice, and the link to the complete answer.
        prerendered = html.unescape(await prerender(App(session, "/assistant", data), {}, "/assistant", ""))
        assert "Đang soạn câu trả lời…" in prerendered and "whole=1" in prerendered and model.requests == []
        # The live page: the component is updated as the model writes, then shows the checked answer.
        seen: list[str] = []
        live = _with_connection(App(session, "/assistant", data), {}, "/assistant", "", object())
        async with Layout(live) as layout:
            while "Nguồn trích dẫn" not in (seen[-1] if seen else ""):
                update = await asyncio.wait_for(layout.render(), timeout=10)
                seen.append(html.unescape(vdom_to_html(_strip_components(update["model"]))))
        drafts = [page for page in seen if "Bản nháp" in page]
        assert drafts and "42%" in drafts[-1]  # the draft as written
        assert "tỷ lệ nữ trong Ủy ban phấn đấu đạt từ 30% trở lên [S1]" in seen[-1] and "Bản nháp" not in seen[-1]
        assert f"<li>{INVENTED.strip()}</li>" in seen[-1]  # flagged as removed
        # The fallback link's page: the same answer without streaming, logged once under the same id.
        whole = await pages.load(session, {"q": QUESTION, "id": answer_id, "whole": "1"})
    assert whole["answer"].mode == "model" and whole["answer"].removed == [INVENTED.strip()]
    assert [request["stream"] for request in model.requests] == [True, False]
    assert await logged(uuid.UUID(answer_id)) == 1


async def test_a_client_that_leaves_midway_is_audited_with_the_draft_it_saw(
    client: AsyncClient, app: Litestar, world: Any
) -> None:
    answer_id = uuid.uuid4()
    model = StreamingModel([CITED, INVENTED, CLOSING], pause=10.0)
    async with serving(model) as model_server, serving(app) as app_server:
        use_model(app, model_server.origin)
        # Over a real connection (the in-process transport cannot hang up): read the first draft, then leave.
        async with AsyncClient(base_url=app_server.origin, timeout=60) as remote:
            request = {"question": QUESTION, "unit_code": world.commune, "id": str(answer_id)}
            async with remote.stream(
                "POST", "/api/v1/assistant/ask/stream", json=request, headers=world.officer
            ) as sse:
                seen = ""
                async for text in sse.aiter_text():
                    seen += text.replace("\r\n", "\n")
                    if "event: draft" in seen and "\n\n" in seen:
                        break
        assert "event: final" not in seen
        for _ in range(100):  # the server notices the hang-up and writes the row
            if await logged(answer_id):
                break
            await asyncio.sleep(0.05)
        async with db.connection() as conn:
            details = json.loads(
                await conn.fetchval(
                    "SELECT details FROM audit_log WHERE action = 'assistant.ask' AND subject_id = $1", str(answer_id)
                )
            )
        assert details["interrupted"] is True and details["draft"] == CITED and details["question"] == QUESTION
        # The asker comes back for the answer under the same id: that answer is logged too.
        again = await client.post("/api/v1/assistant/ask", json=request, headers=world.officer)
    assert again.status_code == 200
    assert await logged(answer_id) == 2
