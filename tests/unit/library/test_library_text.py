"""Pure parts of the library: legal splitting and locators, Markdown blocks, query parsing, highlighting,
the workflow's moves, and the importer's front matter."""

from __future__ import annotations

import pytest

from backend.features.library.extract import Block, markdown_blocks, sanitise_html
from backend.features.library.importer import split_front_matter
from backend.features.library.passages import MAX_PASSAGE_CHARS, split
from backend.features.library.repo import TermCount, TermStatistics
from backend.features.library.rules import number_key, transition_permission
from backend.features.library.search import common_terms, highlight, parse_query
from backend.lib.access import Permission
from backend.lib.errors import ConflictError, InvalidInputError

pytestmark = pytest.mark.unit


def test_legal_text_is_cited_by_article_and_clause() -> None:
    blocks = [Block(text) for text in (
        "Chương II", "QUYỀN VÀ NGHĨA VỤ", "Mục 1. Quyền", "Điều 7. Quyền được biết",
        "1. Được thông báo.", "a) trước khi xử lý;", "b) khi thay đổi mục đích.", "2. Được xem dữ liệu.",
        "Điều 8", "Nội dung không chia khoản.",
    )]  # fmt: skip
    passages = split(blocks)
    assert [(p.locator, p.anchor) for p in passages] == [
        ("Điều 7", "dieu-7"),
        ("Điều 7, khoản 1", "dieu-7-khoan-1"),
        ("Điều 7, khoản 2", "dieu-7-khoan-2"),
        ("Điều 8", "dieu-8"),
    ]
    assert passages[1].heading_path == ["Chương II. QUYỀN VÀ NGHĨA VỤ", "Mục 1. Quyền", "Điều 7. Quyền được biết"]
    assert passages[1].text == "1. Được thông báo.\na) trước khi xử lý;\nb) khi thay đổi mục đích."
    assert passages[1].folded.startswith("dieu 7 quyen duoc biet 1 duoc thong bao")
    assert passages[3].text == "Điều 8\nNội dung không chia khoản."


def test_numbered_lines_outside_an_article_are_plain_text() -> None:
    passages = split([Block("Các bước", 2), Block("1. Chuẩn bị."), Block("2. Thực hiện.")])
    assert [(p.locator, p.text) for p in passages] == [("Các bước", "1. Chuẩn bị.\n2. Thực hiện.")]


def test_long_sections_continue_under_the_same_locator() -> None:
    line = "Nội dung dài " * 20
    passages = split([Block("Hướng dẫn", 1), *[Block(line) for _ in range(3 * MAX_PASSAGE_CHARS // len(line))]])
    assert len(passages) > 1
    assert {p.locator for p in passages} == {"Hướng dẫn"}
    assert all(len(p.text) <= MAX_PASSAGE_CHARS for p in passages)


def test_markdown_blocks() -> None:
    assert markdown_blocks("# Tiêu đề #\n\n- **Một** [liên kết](http://x)\n`mã`\n") == [
        Block("Tiêu đề", 1),
        Block("Một liên kết"),
        Block("mã"),
    ]


def test_sanitised_html_keeps_structure_only() -> None:
    cleaned = sanitise_html('<h2 style="x">Đề mục</h2><script>bad()</script><p onclick="x()">Chữ</p><img src=x>')
    assert cleaned == "<h2>Đề mục</h2><p>Chữ</p>"


def test_queries() -> None:
    def tsqueries(query: str) -> list[str]:
        return [round_.tsquery for round_ in parse_query(query).rounds]

    assert tsqueries("Bảo vệ dữ liệu") == ["bao & ve & du & lieu", "bao & ve & du & lieu:*"]
    assert tsqueries('"rút lại" đồng ý') == ["(rut <-> lai) & dong & y", "(rut <-> lai) & dong & y:*"]
    assert tsqueries('"rút lại"') == ["(rut <-> lai)"]
    assert parse_query('"rút lại sự" và "đồng ý"').pairs == "rutlai & laisu & dongy"
    assert parse_query('"rút" lại').pairs == ""
    assert parse_query("97/2025/QH15").number == number_key("97/2025/QH15") == "97 2025 qh15"
    with pytest.raises(InvalidInputError):
        parse_query("?! ... “”")


def test_candidates_leave_out_common_words_and_phrases_found_by_pairs() -> None:
    whole, prefix = parse_query("của người dân").rounds
    assert whole.candidates({"cua"}, "") == "nguoi & dan"
    assert prefix.candidates({"cua", "dan"}, "") == "nguoi"
    # Every word common: the whole query (matches are dense; the planner reads the table in order).
    assert whole.candidates({"cua", "nguoi", "dan"}, "") == "cua & nguoi & dan"
    phrase_and_word = parse_query('"rút lại" của').rounds[0]
    assert phrase_and_word.candidates({"cua"}, "rutlai") == ""
    assert phrase_and_word.candidates(set(), "rutlai") == "cua"
    # A one-word phrase has no pairs: it finds candidates itself.
    assert parse_query('"rút" của').rounds[0].candidates({"cua"}, "") == "(rut)"


def test_common_words_are_left_out_while_the_rows_read_at_most_double() -> None:
    counts = {"ban": 920, "va": 680, "dan": 550, "duoc": 310, "cau": 90}
    stats = TermStatistics(1000, 10, {term: TermCount(n, 10) for term, n in counts.items()})
    assert common_terms(["cau", "ban"], stats) == {"ban"}
    # ban (0.92) then va (0.92 * 0.68 = 0.63); dan would bring it to 0.34.
    assert common_terms(["dan", "va", "ban", "cau"], stats) == {"ban", "va"}
    assert common_terms(["cau", "duoc", "khac"], stats) == set()
    assert common_terms(["ban"], TermStatistics(0, 0, {})) == set()


def test_highlight_marks_prefixes_and_escapes() -> None:
    assert (
        highlight("Quyền <của> chủ thể", ["quy", "chu"], width=0)
        == "<mark>Quyền</mark> &lt;của&gt; <mark>chủ</mark> thể"
    )
    long_text = "mở đầu " * 100 + "Đồng ý rõ ràng " + "kết thúc " * 100
    snippet = highlight(long_text, ["dong"])
    assert "<mark>Đồng</mark>" in snippet and snippet.startswith("…") and snippet.endswith("…")


def test_workflow_moves() -> None:
    assert transition_permission("draft", "review") is Permission.write
    assert transition_permission("review", "published") is Permission.approve
    assert transition_permission("published", "archived") is Permission.approve
    with pytest.raises(ConflictError):
        transition_permission("draft", "published")


def test_front_matter() -> None:
    metadata, body = split_front_matter("---\ntitle: Mẫu: biên bản\ncategories: forms, congress\n---\n\n# Nội dung\n")
    assert metadata == {"title": "Mẫu: biên bản", "categories": ["forms", "congress"]}
    assert body == "# Nội dung"
    assert split_front_matter("# Không có\n") == ({}, "# Không có\n")
