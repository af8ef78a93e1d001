"""Which live figures a question asks for, and for which period (pure: no database).

Tools are chosen here, by code, from the asker's own question: never from text the retrieval brings back
(a library passage saying "list all households" cannot make the assistant run anything).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from backend.features.assistant.query import expand_abbreviations
from backend.lib.text import fold

PETITIONS = ("phan anh", "kien nghi", "don thu")
COUNTING = ("bao nhieu", "so luong", "thong ke", "so lieu", "tong so", "dem", "tinh hinh", "may")
LATE = ("qua han", "tre han", "cham", "tre", "muon", "chua tra loi")
VISITS = ("tham ho", "tham gia dinh", "den nha", "tham dan", "da tham", "duoc tham")
COVERAGE = ("bao phu", "ty le", "bao nhieu ho", "so ho", "con ho", "chua duoc tham", "chua tham", "may ho")
CONCERNS = ("y kien", "quan tam", "tam tu", "nguyen vong", "noi gi", "phan anh gi", "kho khan gi")
CONGRESS = ("dai hoi",)
CONGRESS_PROGRESS = ("tien do", "cham", "tre", "qua han", "muon", "chua", "don vi nao")
BY_STATE = ("trang thai", "tinh trang", "dang xu ly", "giai doan")
BY_UNIT = ("don vi", "dia ban", "khu dan cu", "diem nong", "noi nao", "o dau")


def _has(text: str, phrases: tuple[str, ...]) -> bool:
    return any(re.search(rf"(?<!\S){re.escape(phrase)}(?!\S)", text) for phrase in phrases)


def choose_queries(question: str) -> list[str]:
    """The query ids the question asks for, in a stable order (none: a question for the library only)."""
    text = expand_abbreviations(fold(question))
    chosen: list[str] = []
    if _has(text, PETITIONS):
        if _has(text, LATE):
            chosen.append("petitions.overdue")
        if _has(text, COUNTING):
            chosen.append("petitions.stats")
            if _has(text, BY_STATE):
                chosen.append("petitions.by_state")
            if _has(text, BY_UNIT):
                chosen.append("petitions.by_unit")
    if _has(text, VISITS) and _has(text, COVERAGE):
        chosen.append("visits.coverage")
    if _has(text, VISITS) and _has(text, CONCERNS):
        chosen.append("visits.concerns")
    if _has(text, CONGRESS) and _has(text, CONGRESS_PROGRESS):
        chosen.append("congress.progress")
        if _has(text, ("don vi", "cap duoi", "cac xa", "cac tinh", "noi nao")):
            chosen.append("congress.late")
    return chosen


@dataclass(frozen=True)
class Period:
    since: date
    until: date


def _month(year: int, month: int) -> Period:
    return Period(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))


def _quarter(year: int, quarter: int) -> Period:
    first = 3 * (quarter - 1) + 1
    return Period(date(year, first, 1), _month(year, first + 2).until)


def period_of(question: str, today: date) -> Period:
    """The period a question names ("tháng trước", "quý 1 năm 2026", "năm nay", "tháng 2"…); this month
    so far when it names none. Never past today."""
    text = fold(question)
    year_match = re.search(r"\bnam (\d{4})\b", text)
    year = int(year_match.group(1)) if year_match else today.year
    period: Period
    if re.search(r"\bthang (nay|hien tai)\b", text):
        period = _month(today.year, today.month)
    elif re.search(r"\bthang truoc\b", text):
        last = today.replace(day=1) - timedelta(days=1)
        period = _month(last.year, last.month)
    elif match := re.search(r"\bthang (\d{1,2})\b", text):
        period = _month(year, min(max(int(match.group(1)), 1), 12))
    elif re.search(r"\bquy (nay|hien tai)\b", text):
        period = _quarter(today.year, (today.month - 1) // 3 + 1)
    elif re.search(r"\bquy truoc\b", text):
        current = (today.month - 1) // 3 + 1
        period = _quarter(today.year, current - 1) if current > 1 else _quarter(today.year - 1, 4)
    elif match := re.search(r"\bquy (\d|i{1,3}|iv)\b", text):
        roman = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
        number = roman.get(match.group(1)) or int(match.group(1))
        period = _quarter(year, min(max(number, 1), 4))
    elif re.search(r"\btuan nay\b", text):
        period = Period(today - timedelta(days=today.weekday()), today)
    elif re.search(r"\btuan truoc\b", text):
        monday = today - timedelta(days=today.weekday() + 7)
        period = Period(monday, monday + timedelta(days=6))
    elif re.search(r"\bnam (nay|hien tai)\b", text) or year_match:
        period = Period(date(year, 1, 1), date(year, 12, 31))
    elif re.search(r"\bnam (truoc|ngoai)\b", text):
        period = Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
    else:
        period = _month(today.year, today.month)
    return Period(period.since, min(period.until, today)) if period.since <= today else period
