"""Blocks of text -> ordered passages, each with its heading path and a locator to cite.

Legal texts are split the way they are cited: Chương (chapter) and Mục (section) are headings, each Điều
(article) starts a passage and each numbered khoản (clause) inside it is a passage of its own, with its
điểm (points a), b), …) kept inside: locator "Điều 5, khoản 2". Other documents are split at their own
headings (Markdown #, HTML h1-h6, DOCX heading styles). A passage that grows past MAX_PASSAGE_CHARS is
continued in the next one under the same locator, so a hit never points at a page-long block.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from backend.features.library.extract import Block
from backend.lib.text import fold

MAX_PASSAGE_CHARS = 1500
_CHAPTER = re.compile(r"^(chương|chuong)\s+([ivxlcdm]+|\d+)\b[.:]?\s*(.*)$", re.IGNORECASE)
_SECTION = re.compile(r"^(mục|muc)\s+(\d+)\b[.:]?\s*(.*)$", re.IGNORECASE)
_ARTICLE = re.compile(r"^(điều|dieu)\s+(\d+[a-zđ]?)\b[.:]?\s*(.*)$", re.IGNORECASE)
_CLAUSE = re.compile(r"^(\d{1,3})\.\s+\S")


@dataclass
class PassageDraft:
    heading_path: list[str]
    locator: str
    anchor: str
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True)
class SplitPassage:
    ordinal: int
    heading_path: list[str]
    locator: str
    anchor: str
    text: str
    # What search matches: the innermost heading (an article's title) with the text, folded.
    folded: str


def anchor_of(locator: str) -> str:
    return fold(locator).replace(" ", "-")[:200]


class _Splitter:
    def __init__(self) -> None:
        self.markup_headings: list[tuple[int, str]] = []
        self.chapter = ""
        self.section = ""
        self.article = ""  # "Điều 5. Phạm vi điều chỉnh"
        self.article_number = ""
        self.passages: list[PassageDraft] = []
        self.current: PassageDraft | None = None
        self.pending_chapter_title = False

    def heading_path(self) -> list[str]:
        legal = [part for part in (self.chapter, self.section, self.article) if part]
        return [text for _, text in self.markup_headings] + legal

    def start(self, locator: str) -> PassageDraft:
        self.current = PassageDraft(self.heading_path(), locator, anchor_of(locator))
        self.passages.append(self.current)
        return self.current

    def add_line(self, line: str) -> None:
        current = self.current
        if current is None:
            current = self.start(self.markup_headings[-1][1] if self.markup_headings else "")
        elif len(current.text) + len(line) > MAX_PASSAGE_CHARS and current.lines:
            current = self.start(current.locator)
        current.lines.append(line)

    def block(self, block: Block) -> None:
        text = block.text
        if block.heading_level:
            self.markup_heading(block.heading_level, text)
            return
        if self.pending_chapter_title and text.isupper():
            self.chapter = f"{self.chapter}. {text}"
            self.pending_chapter_title = False
            return
        self.pending_chapter_title = False
        chapter, section, article = _CHAPTER.match(text), _SECTION.match(text), _ARTICLE.match(text)
        if chapter:
            self.chapter, self.section, self.article = text, "", ""
            self.pending_chapter_title = not chapter.group(3)
            self.current = None
        elif section:
            self.section, self.article = text, ""
            self.current = None
        elif article:
            self.article_number = article.group(2)
            self.article = text
            self.start(f"Điều {self.article_number}").lines.append(text)
        elif self.article and _CLAUSE.match(text):
            clause = text.split(".", 1)[0]
            self.start(f"Điều {self.article_number}, khoản {clause}").lines.append(text)
        else:
            self.add_line(text)

    def markup_heading(self, level: int, text: str) -> None:
        # A chapter or article written as a markup heading is still a legal unit.
        if _CHAPTER.match(text) or _SECTION.match(text) or _ARTICLE.match(text):
            self.block(Block(text))
            return
        self.markup_headings = [(lvl, t) for lvl, t in self.markup_headings if lvl < level] + [(level, text)]
        self.chapter = self.section = self.article = ""
        self.current = None


def split(blocks: list[Block]) -> list[SplitPassage]:
    splitter = _Splitter()
    for block in blocks:
        splitter.block(block)
    result: list[SplitPassage] = []
    for draft in splitter.passages:
        if not draft.lines:
            continue
        innermost = draft.heading_path[-1] if draft.heading_path else ""
        result.append(
            SplitPassage(
                ordinal=len(result) + 1,
                heading_path=draft.heading_path,
                locator=draft.locator,
                anchor=draft.anchor,
                text=draft.text,
                folded=fold(draft.text if draft.text.startswith(innermost) else f"{innermost} {draft.text}"),
            )
        )
    return result
