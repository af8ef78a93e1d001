"""Text out of an uploaded file: PDF (pypdf), DOCX (python-docx), HTML (sanitised with nh3), Markdown and
plain text, as a list of blocks (headings and paragraphs) for the passage splitter.

Every format is read from a file on disk (the upload was streamed there), and every refusal is an
`UnreadableFile` with a message key: a corrupt PDF, an encrypted one, a DOCX whose parts would expand
beyond the limit (zip bomb, checked from the zip directory before anything is decompressed), a file
of a kind the library does not take.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import nh3
from docx import Document as DocxDocument
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from backend.lib.errors import InvalidInputError
from schemas.common import FieldError

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
HTML = "text/html"
MARKDOWN = "text/markdown"
TEXT = "text/plain"
MEDIA_TYPES = {".pdf": PDF, ".docx": DOCX, ".html": HTML, ".htm": HTML, ".md": MARKDOWN, ".txt": TEXT}
# Parts one DOCX may hold: real documents have tens; thousands are a sign of a crafted archive.
MAX_DOCX_PARTS = 2000
# Tags kept when sanitising HTML: structure and emphasis only (scripts, styles, handlers, iframes go).
SAFE_HTML_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td",
    "strong", "b", "em", "i", "u", "blockquote", "div", "span", "section", "article", "a",
}  # fmt: skip
_HEADING_STYLE = re.compile(r"^(?:heading|tiêu đề)\s*(\d)$", re.IGNORECASE)
_MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MARKDOWN_BULLET = re.compile(r"^\s*[-*+]\s+")
_MARKDOWN_INLINE = re.compile(r"\*\*|__|`|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")
_MARKDOWN_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_SPACES = re.compile(r"[ \t\u00a0]+")


@dataclass(frozen=True)
class Block:
    text: str
    # 1-6 for a heading of the source's own markup (HTML h1, DOCX "Heading 2", Markdown ##); 0 for text.
    heading_level: int = 0


@dataclass(frozen=True)
class Extracted:
    blocks: list[Block]
    # False when a PDF has pages but no text layer (a scan): kept and found by its metadata only.
    has_text_layer: bool
    # What is kept for download: the original bytes, except for HTML, which is kept sanitised.
    stored: Path | bytes


class UnreadableFile(InvalidInputError):
    slug = "unreadable-file"


def _refuse(key: str, **params: object) -> UnreadableFile:
    return UnreadableFile(key, errors=[FieldError(field="file", message=key, source="body")], **params)


def media_type_of(filename: str) -> str:
    media_type = MEDIA_TYPES.get(Path(filename).suffix.lower())
    if media_type is None:
        raise _refuse("problem.library.unsupported_format", formats=", ".join(sorted(MEDIA_TYPES)))
    return media_type


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _lines(text: str) -> list[Block]:
    return [Block(line) for line in (_clean(raw) for raw in text.splitlines()) if line]


def extract_pdf(path: Path) -> Extracted:
    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            raise _refuse("problem.library.encrypted_pdf")
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
        raise _refuse("problem.library.corrupt_pdf", reason=type(error).__name__) from error
    if not pages:
        raise _refuse("problem.library.corrupt_pdf", reason="no pages")
    blocks = [block for text in pages for block in _lines(text)]
    return Extracted(blocks=blocks, has_text_layer=bool(blocks), stored=path)


def check_zip_expansion(path: Path, max_uncompressed: int) -> None:
    """Refuse an archive whose declared sizes add up past the limit, before decompressing anything.
    (The zip module also stops reading a member at its declared size, so the declaration cannot lie.)"""
    if not zipfile.is_zipfile(path):
        raise _refuse("problem.library.corrupt_docx")
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    if len(members) > MAX_DOCX_PARTS or sum(member.file_size for member in members) > max_uncompressed:
        raise _refuse("problem.library.docx_too_large", limit=max_uncompressed)


def extract_docx(path: Path, max_uncompressed: int) -> Extracted:
    check_zip_expansion(path, max_uncompressed)
    try:
        document = DocxDocument(str(path))
    except (KeyError, ValueError, zipfile.BadZipFile, OSError) as error:
        raise _refuse("problem.library.corrupt_docx") from error
    blocks: list[Block] = []
    for paragraph in document.paragraphs:
        text = _clean(paragraph.text)
        if not text:
            continue
        style = paragraph.style.name if paragraph.style is not None and paragraph.style.name else ""
        heading = _HEADING_STYLE.match(style)
        level = int(heading.group(1)) if heading else (1 if style == "Title" else 0)
        blocks.append(Block(text, level))
    for table in document.tables:
        for row in table.rows:
            cells = [_clean(cell.text) for cell in row.cells]
            if any(cells):
                blocks.append(Block(" | ".join(cells)))
    return Extracted(blocks=blocks, has_text_layer=True, stored=path)


class _HtmlBlocks(HTMLParser):
    """Blocks from sanitised HTML: a heading per h1-h6, a paragraph per block-level element."""

    BREAKS = frozenset({"p", "br", "li", "tr", "div", "section", "article", "blockquote", "table", "ul", "ol"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._parts: list[str] = []
        self._level = 0

    def _flush(self) -> None:
        text = _clean(" ".join(self._parts))
        if text:
            self.blocks.append(Block(text, self._level))
        self._parts = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BREAKS or re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self._level = int(tag[1]) if re.fullmatch(r"h[1-6]", tag) else 0

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BREAKS or re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self._level = 0

    def handle_data(self, data: str) -> None:
        self._parts.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def sanitise_html(raw: str) -> str:
    """Structure and text only: script and style elements go with their content, attributes but href go."""
    return nh3.clean(raw, tags=SAFE_HTML_TAGS, attributes={"a": {"href"}}, url_schemes={"http", "https", "mailto"})


def extract_html(path: Path) -> Extracted:
    safe = sanitise_html(_decode(path))
    parser = _HtmlBlocks()
    parser.feed(safe)
    parser.close()
    return Extracted(blocks=parser.blocks, has_text_layer=True, stored=safe.encode())


def extract_markdown(path: Path) -> Extracted:
    return Extracted(blocks=markdown_blocks(_decode(path)), has_text_layer=True, stored=path)


def markdown_blocks(source: str) -> list[Block]:
    """Headings (#…) and lines, inline markup and list bullets removed. Lines stay apart (a soft-wrapped
    paragraph is joined again in its passage), so an article or clause on its own line is recognised."""
    blocks: list[Block] = []
    for line in source.splitlines():
        heading = _MARKDOWN_HEADING.match(line)
        if heading:
            blocks.append(Block(_plain_markdown(heading.group(2)), len(heading.group(1))))
        elif line.strip():
            blocks.append(Block(_plain_markdown(_MARKDOWN_BULLET.sub("", line, count=1))))
    return [block for block in blocks if block.text]


def _plain_markdown(text: str) -> str:
    return _clean(_MARKDOWN_INLINE.sub("", _MARKDOWN_LINK.sub(r"\1", text)))


def extract_text(path: Path) -> Extracted:
    return Extracted(blocks=_lines(_decode(path)), has_text_layer=True, stored=path)


def _decode(path: Path) -> str:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _refuse("problem.library.bad_encoding")


def extract(path: Path, media_type: str, max_uncompressed: int) -> Extracted:
    if media_type == PDF:
        return extract_pdf(path)
    if media_type == DOCX:
        return extract_docx(path, max_uncompressed)
    if media_type == HTML:
        return extract_html(path)
    if media_type == MARKDOWN:
        return extract_markdown(path)
    return extract_text(path)
