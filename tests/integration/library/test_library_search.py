"""Library search in Vietnamese: without diacritics, prefix and phrase, a number first, in force only by
default, filters, snippets, and visibility (public for anyone, staff documents for staff only)."""

from __future__ import annotations

import pytest
from httpx import AsyncClient
from library_helpers import add_document, published_document

from backend.features.library.search import SearchParams, search

pytestmark = pytest.mark.integration

LAW_TEXT = """Chương I
QUY ĐỊNH CHUNG
Điều 1. Phạm vi điều chỉnh
1. Luật này quy định về bảo vệ dữ liệu cá nhân.
Điều 5. Quyền của chủ thể dữ liệu
1. Được biết về hoạt động xử lý dữ liệu cá nhân của mình.
2. Được rút lại sự đồng ý và yêu cầu xoá dữ liệu.
"""


async def find(client: AsyncClient, q: str, **params: object) -> dict:
    response = await client.get("/api/v1/library/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_queries_without_diacritics_find_titles_and_passages(client: AsyncClient, officer: dict) -> None:
    law = await published_document(
        client, officer, LAW_TEXT, filename="luat.txt", title="Luật Bảo vệ dữ liệu cá nhân", kind="law",
        number="91/2025/QH15", issuer="Quốc hội",
    )  # fmt: skip
    await published_document(client, officer, "Nội dung khác về đường giao thông.", title="Cẩm nang giao thông")

    by_title = await find(client, "bao ve du lieu")
    assert [hit["document"]["id"] for hit in by_title["hits"]] == [law["id"]]
    assert by_title["hits"][0]["matched"] == "title"
    assert "<mark>Bảo</mark>" in by_title["hits"][0]["title_snippet"]

    by_passage = await find(client, "RUT LAI su dong y")
    hit = by_passage["hits"][0]
    assert hit["document"]["id"] == law["id"]
    assert hit["passages"][0]["locator"] == "Điều 5, khoản 2"
    assert hit["passages"][0]["anchor"] == "dieu-5-khoan-2"
    assert "<mark>rút</mark> <mark>lại</mark>" in hit["passages"][0]["snippet"]
    # The last word is also a prefix (typing "quy" finds "quyền").
    assert (await find(client, "chu the quy"))["hits"][0]["passages"][0]["locator"].startswith("Điều 5")


async def test_phrases_keep_word_order(client: AsyncClient, officer: dict) -> None:
    await published_document(client, officer, "Người dân được rút lại sự đồng ý.", title="Văn bản A")
    assert len((await find(client, '"rut lai"'))["hits"]) == 1
    assert (await find(client, '"lai rut"'))["hits"] == []
    # "ru tlai" has the same word pair as "rut lai" ('rutlai'): the positions check rules it out.
    assert (await find(client, '"ru tlai"'))["hits"] == []


async def test_common_words_are_still_required(client: AsyncClient, officer: dict) -> None:
    # "nguoi" is in two passages of three: it does not find candidates ("gui" does) but must still be there.
    both = await published_document(client, officer, "Người dân gửi đơn.", title="Văn bản A")
    await published_document(client, officer, "Người dân nhận thư.", title="Văn bản B")
    await published_document(client, officer, "Cán bộ gửi thư.", title="Văn bản C")
    assert [hit["document"]["id"] for hit in (await find(client, "nguoi gui"))["hits"]] == [both["id"]]
    assert [hit["document"]["id"] for hit in (await find(client, "nguoi dan gui"))["hits"]] == [both["id"]]


async def test_a_number_query_finds_that_document_first(client: AsyncClient, officer: dict) -> None:
    # Many documents mention the number in their text; the one that carries it ranks first.
    for i in range(3):
        await published_document(client, officer, f"Theo Luật số 97/2025/QH15, mục {i}.", title=f"Hướng dẫn {i}")
    law = await published_document(
        client, officer, "Nội dung luật.", title="Luật sửa đổi", kind="law", number="97/2025/QH15"
    )
    result = await find(client, "97/2025/QH15")
    assert result["hits"][0]["document"]["id"] == law["id"]
    assert result["hits"][0]["matched"] == "number"
    assert len(result["hits"]) == 4


async def test_in_force_only_hides_a_replaced_law_and_shows_its_replacement(client: AsyncClient, officer: dict) -> None:
    new = await published_document(
        client, officer, "Quy định về tiếp công dân.", title="Luật Tiếp công dân 2026", kind="law"
    )
    old = await published_document(
        client, officer, "Quy định về tiếp công dân.", title="Luật Tiếp công dân 2013", kind="law"
    )
    replaced = await client.patch(
        f"/api/v1/library/documents/{old['id']}",
        json={"version": old["version"], "status": "replaced", "replaced_by": new["id"]},
        headers=officer,
    )
    assert replaced.status_code == 200, replaced.text

    default = await find(client, "tiep cong dan")
    assert [hit["document"]["id"] for hit in default["hits"]] == [new["id"]]
    assert default["in_force_only"] is True
    everything = await find(client, "tiep cong dan", in_force_only="false")
    assert {hit["document"]["id"] for hit in everything["hits"]} == {new["id"], old["id"]}
    old_hit = next(hit for hit in everything["hits"] if hit["document"]["id"] == old["id"])
    assert old_hit["document"]["replaced_by"] == new["id"]


async def test_filters(client: AsyncClient, officer: dict) -> None:
    await published_document(
        client, officer, "Biểu mẫu họp.", title="Mẫu biên bản họp", kind="template", categories=["forms"],
        issuer="Ủy ban MTTQ xã", issued_on="2026-01-15",
    )  # fmt: skip
    await published_document(
        client, officer, "Hướng dẫn họp.", title="Hướng dẫn họp", kind="guide", issued_on="2025-05-01"
    )
    assert len((await find(client, "hop"))["hits"]) == 2
    assert [h["document"]["kind"] for h in (await find(client, "hop", kind="template"))["hits"]] == ["template"]
    assert len((await find(client, "hop", category="forms"))["hits"]) == 1
    assert len((await find(client, "hop", issued_from="2026-01-01"))["hits"]) == 1
    assert len((await find(client, "hop", issued_to="2025-12-31"))["hits"]) == 1
    assert len((await find(client, "hop", issuer="uy ban mttq"))["hits"]) == 1


async def test_punctuation_only_is_a_clear_400(client: AsyncClient) -> None:
    response = await client.get("/api/v1/library/search", params={"q": "?!… --"})
    assert response.status_code == 400
    problem = response.json()
    assert problem["type"] == "urn:mattran:problem:validation-error"
    assert "dấu câu" in problem["detail"]


async def test_drafts_and_staff_documents_are_not_public(client: AsyncClient, officer: dict, citizen: dict) -> None:
    await add_document(client, officer, title="Bản nháp kế hoạch tuyên truyền")
    await published_document(client, officer, "Nội bộ.", title="Kế hoạch nội bộ tuyên truyền", audience="staff")
    public = await published_document(client, officer, "Công khai.", title="Kế hoạch công khai tuyên truyền")
    assert [h["document"]["id"] for h in (await find(client, "tuyen truyen"))["hits"]] == [public["id"]]
    as_citizen = await client.get("/api/v1/library/search", params={"q": "tuyen truyen"}, headers=citizen)
    assert len(as_citizen.json()["hits"]) == 1
    as_staff = await client.get("/api/v1/library/search", params={"q": "tuyen truyen"}, headers=officer)
    assert len(as_staff.json()["hits"]) == 2


async def test_the_python_service_answers_the_assistant(client: AsyncClient, officer: dict) -> None:
    law = await published_document(client, officer, LAW_TEXT, filename="luat.txt", title="Luật dữ liệu", kind="law")
    result = await search(None, SearchParams(q="yeu cau xoa du lieu"))
    passage = result.hits[0].passages[0]
    assert (str(result.hits[0].document.id), passage.locator) == (law["id"], "Điều 5, khoản 2")
    assert passage.heading_path[-1] == "Điều 5. Quyền của chủ thể dữ liệu"
