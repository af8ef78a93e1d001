"""Query understanding for staff questions (pure: no database).

A question is folded like the library's stored text (no diacritics, lower case), the words staff use for
the Front's bodies and procedures are expanded (MTTQ -> mat tran to quoc, PAKN -> phan anh kien nghi, …),
question words and fillers are dropped, and what remains becomes concepts: each concept is one syllable of
the question with the alternatives that mean the same (synonyms), so a passage saying "kiến nghị" answers
a question about "phản ánh". Adjacent syllables of the question also form bigrams: Vietnamese words are
mostly two syllables, and a passage holding "thoi han" beats one holding "thoi" and "han" apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.lib.text import fold

# Abbreviations staff write, folded -> their folded expansion (spliced into the question in their place).
ABBREVIATIONS: dict[str, str] = {
    "mttq": "mat tran to quoc",
    "ubmttq": "uy ban mat tran to quoc",
    "ubmt": "uy ban mat tran",
    "bctmt": "ban cong tac mat tran",
    "btt": "ban thuong truc",
    "dh": "dai hoi",
    "pakn": "phan anh kien nghi",
    "kdc": "khu dan cu",
    "tdp": "to dan pho",
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "cccd": "so dinh danh can cuoc",
    "cmnd": "so dinh danh",
    "ddcn": "dinh danh ca nhan",
    "dlcn": "du lieu ca nhan",
    "ttnd": "thanh tra nhan dan",
    "gsdtcd": "giam sat dau tu cong dong",
    "nk": "nhiem ky",
    "qc": "quy che",
    "hd": "huong dan",
    "bm": "bieu mau",
    "ct": "chu tich",
    "pct": "pho chu tich",
    "uv": "uy vien",
    "ctxh": "chinh tri xa hoi",
    "dtts": "dan toc thieu so",
    "sdt": "so dien thoai",
}

# Phrases (folded) -> other phrases that say the same in the library's words. Looked up on the expanded
# question; each alternative adds its syllables to the concept of the phrase's first syllable position.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "phan anh": ("kien nghi",),
    "kien nghi": ("phan anh",),
    "don thu": ("phan anh", "kien nghi"),
    "qua han": ("cham", "muon", "tre han"),
    "tre han": ("qua han", "muon"),
    "tre": ("qua han", "muon"),
    "cham": ("qua han", "muon"),
    "bao lau": ("thoi han", "ngay"),
    "may ngay": ("thoi han", "ngay"),
    "han chot": ("thoi han",),
    "deadline": ("thoi han",),
    "phu nu": ("nu",),
    "nu": ("phu nu",),
    "co dao": ("ton giao",),
    "ton giao": ("co dao",),
    "can cuoc": ("dinh danh",),
    "giay to tuy than": ("dinh danh",),
    "an danh": ("danh tinh", "neu ten"),
    "giau ten": ("danh tinh", "neu ten"),
    "giu kin": ("bi mat",),
    "xoa": ("an danh",),
    "hop": ("sinh hoat",),
    "sinh hoat": ("hop",),
    "thanh vien": ("uy vien",),
    "uy vien": ("thanh vien",),
    "tham nha": ("tham ho",),
    "den nha": ("tham ho",),
    "tham ho": ("tham",),
    "mat mang": ("khong co song", "ngoai tuyen"),
    "offline": ("mat mang", "khong co mang"),
    "khong co mang": ("mat mang",),
    "biet": ("cong khai",),
    "tai khoan": ("dang nhap",),
    "tin nhan": ("thong bao",),
    "iphone": ("thong bao",),
    "lai": ("mo lai", "xem xet lai"),
    "khong hai long": ("chua thoa dang", "xem xet lai"),
    "phat": ("xu phat", "phat tien"),
    "tien phat": ("phat tien",),
    "zalo": ("mang xa hoi", "nhom tro chuyen"),
    "facebook": ("mang xa hoi",),
    "mau": ("bieu mau",),
    "bien ban": ("ghi bien ban",),
    "gop": ("trung",),
    "trung": ("gop",),
    "cap tren": ("chuyen len",),
    "lay y kien": ("gop y",),
    "gop y": ("lay y kien",),
}

# Question words, fillers and very common function words: they say how something is asked, not what.
STOP_WORDS: frozenset[str] = frozenset(
    [
        "a",
        "ai",
        "bao",
        "cai",
        "cac",
        "cho",
        "chua",
        "co",
        "cua",
        "da",
        "dang",
        "day",
        "de",
        "den",
        "deu",
        "do",
        "duoc",
        "gi",
        "ha",
        "hay",
        "hoi",
        "khi",
        "khong",
        "la",
        "lam",
        "lai",
        "lau",
        "luc",
        "ma",
        "may",
        "minh",
        "moi",
        "mot",
        "nao",
        "nay",
        "neu",
        "nguoi",
        "nhieu",
        "nhu",
        "nhung",
        "o",
        "oi",
        "phai",
        "ra",
        "roi",
        "sao",
        "se",
        "tai",
        "the",
        "thi",
        "thuoc",
        "tren",
        "trong",
        "toi",
        "tu",
        "va",
        "vao",
        "ve",
        "vi",
        "voi",
        "xin",
        "biet",
        "giup",
        "can",
        "muon",
        "nen",
        "nhe",
        "nhi",
        "vay",
        "ah",
    ]
)
# Kept even though short or common: they carry the topic in this domain.
KEEP_WORDS: frozenset[str] = frozenset({"nu", "ho", "xa", "han", "dan", "hop"})
# Longer digit strings are phone or ID numbers, not years, counts or document numbers.
MAX_NUMBER_DIGITS = 6


@dataclass(frozen=True)
class Concept:
    """One syllable of the question and the syllables that may stand for it."""

    term: str
    alternatives: tuple[str, ...] = ()

    @property
    def terms(self) -> tuple[str, ...]:
        return (self.term, *self.alternatives)


@dataclass(frozen=True)
class QueryPlan:
    question: str
    # The folded question with abbreviations expanded (what highlighting and bigrams read).
    expanded: str
    concepts: list[Concept] = field(default_factory=list)
    # Adjacent content syllables of the expanded question (and of synonym phrases): "thoi han".
    bigrams: list[str] = field(default_factory=list)

    @property
    def all_terms(self) -> list[str]:
        return list(dict.fromkeys(term for concept in self.concepts for term in concept.terms))


def expand_abbreviations(folded: str) -> str:
    return " ".join(ABBREVIATIONS.get(word, word) for word in folded.split())


def _synonym_phrases(words: list[str]) -> dict[int, list[str]]:
    """Position of a phrase's first word -> the alternative phrases found for it."""
    found: dict[int, list[str]] = {}
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            phrase = " ".join(words[start : start + size])
            if phrase in SYNONYMS:
                found.setdefault(start, []).extend(SYNONYMS[phrase])
    return found


def is_content(word: str) -> bool:
    """A word that says what is asked about: not a stop word, not a phone or ID number (identifiers of a
    person are never what the library is searched for)."""
    if word.isdigit():
        return len(word) <= MAX_NUMBER_DIGITS
    return word in KEEP_WORDS or (word not in STOP_WORDS and len(word) > 1)


def plan(question: str) -> QueryPlan:
    expanded = expand_abbreviations(fold(question))
    words = expanded.split()
    synonyms = _synonym_phrases(words)
    concepts: dict[str, set[str]] = {}
    bigrams: list[str] = []
    for index, word in enumerate(words):
        alternatives = {w for phrase in synonyms.get(index, []) for w in phrase.split() if is_content(w)}
        if is_content(word):
            concepts.setdefault(word, set()).update(alternatives - {word})
            if index + 1 < len(words) and is_content(words[index + 1]):
                bigrams.append(f"{word} {words[index + 1]}")
        elif alternatives:
            # A question phrase of stop words ("bao lau") still asks for what its alternatives name.
            first, *others = sorted(alternatives)
            concepts.setdefault(first, set()).update(others)
    for phrases in synonyms.values():
        bigrams.extend(p for p in phrases if len(p.split()) == 2)
    return QueryPlan(
        question=question,
        expanded=expanded,
        concepts=[Concept(term, tuple(sorted(alternatives))) for term, alternatives in concepts.items()],
        bigrams=list(dict.fromkeys(bigrams)),
    )
