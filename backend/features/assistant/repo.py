"""Assistant queries over the library's passages (raw SQL through the current transaction's connection).

Visibility and the in-force filter are the library's own (`visible_sql`, `filter_sql`): the assistant
never reads a passage its asker could not open in the library.
"""

from __future__ import annotations

from typing import Any

from backend import db
from backend.features.library.repo import Filters, Reader, filter_sql, visible_sql
from backend.lib.access import scope_sql

# Unit names shorter than this (folded) are not looked for in questions: too likely to be ordinary words.
MIN_UNIT_NAME = 8
# Legal texts replaced or expired are not answers; guides and forms always are.
IN_FORCE = Filters(in_force_only=True)


def _visible(reader: Reader, args: list[Any]) -> str:
    return " AND ".join([visible_sql(reader, args, drafts=False), *filter_sql(IN_FORCE, args)])


async def candidate_passages(terms: list[str], reader: Reader, limit: int) -> list[Any]:
    """Visible passages holding any of the (folded) terms, best ts_rank_cd first."""
    args: list[Any] = [" | ".join(terms)]
    visible = _visible(reader, args)
    args.append(limit)
    async with db.connection() as conn:
        return await conn.fetch(
            f"""
            SELECT p.document_id, p.ordinal, p.locator, p.anchor, p.heading_path, p.body, p.folded,
                   d.title, d.title_folded, d.number, d.kind, d.source_key, ts_rank_cd(p.tsv, q) AS rank
            FROM library_passages p JOIN library_documents d ON d.id = p.document_id,
                 to_tsquery('simple', $1) q
            WHERE p.tsv @@ q AND {visible}
            ORDER BY rank DESC, p.document_id, p.ordinal LIMIT ${len(args)}
            """,
            *args,
        )


async def term_frequencies(terms: list[str], reader: Reader) -> tuple[int, dict[str, int]]:
    """(visible passages in all, visible passages holding each term): the corpus statistics of the ranking.
    One GIN index lookup per term; the total comes from the documents' own passage counts."""
    args: list[Any] = [terms]
    visible = _visible(reader, args)
    total_args: list[Any] = []
    total_visible = _visible(reader, total_args)
    async with db.connection() as conn:
        rows = await conn.fetch(
            f"""
            SELECT t.term, (SELECT count(*) FROM library_passages p JOIN library_documents d ON d.id = p.document_id
                            WHERE p.tsv @@ to_tsquery('simple', t.term) AND {visible}) AS n
            FROM unnest($1::text[]) AS t(term)
            """,
            *args,
        )
        total = await conn.fetchval(
            f"SELECT coalesce(sum(d.passage_count), 0) FROM library_documents d WHERE {total_visible}", *total_args
        )
    return int(total), {row["term"]: int(row["n"]) for row in rows}


async def answer_logged(answer_id: str, actor: str, question: str) -> bool:
    """Whether this asker's question was already logged under this answer id (the same page loaded twice)."""
    async with db.connection() as conn:
        return bool(
            await conn.fetchval(
                "SELECT EXISTS (SELECT 1 FROM audit_log WHERE action = 'assistant.ask' AND subject_id = $1"
                " AND actor = $2 AND details->>'question' = $3)",
                answer_id,
                actor,
                question,
            )
        )


async def unit_named_in(folded_question: str, paths: list[str]) -> str | None:
    """The code of the current unit within paths whose full name (folded: "xa phuc xa", "to dan pho so 5") the
    question holds as whole words; the longest name wins."""
    condition, args = scope_sql("path", paths, 2)
    async with db.connection() as conn:
        code: str | None = await conn.fetchval(
            f"SELECT code FROM units WHERE valid_to IS NULL AND {condition} AND length(name_folded) >= {MIN_UNIT_NAME}"
            " AND ' ' || $1 || ' ' LIKE '% ' || name_folded || ' %' ORDER BY length(name_folded) DESC, code LIMIT 1",
            folded_question,
            *args,
        )
    return code
