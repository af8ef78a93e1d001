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


async def visible_matches(tsquery: str, reader: Reader, limit: int) -> int:
    """How many visible passages match the tsquery, counted up to limit (an index lookup, then as many rows)."""
    args: list[Any] = [tsquery]
    visible = _visible(reader, args)
    args.append(limit)
    async with db.connection() as conn:
        return int(
            await conn.fetchval(
                f"""
                SELECT count(*) FROM (
                    SELECT 1 FROM library_passages p JOIN library_documents d ON d.id = p.document_id
                    WHERE p.tsv @@ to_tsquery('simple', $1) AND {visible} LIMIT ${len(args)}) matches
                """,
                *args,
            )
        )


async def candidate_passages(
    tsquery: str, concepts: list[tuple[list[str], float]], reader: Reader, limit: int
) -> list[Any]:
    """Visible passages matching the tsquery, those holding the most of the question's weight first: each
    concept (its terms, its weight) counts once if the passage holds any of its terms. A membership test per
    concept is cheap next to ts_rank_cd, which reads every word position of every match; the BM25
    re-ranking in Python then orders the few kept."""
    args: list[Any] = [tsquery]
    visible = _visible(reader, args)
    weighted = []
    for terms, weight in concepts:
        args.extend([weight, " | ".join(terms)])
        weighted.append(f"${len(args) - 1}::float8 * (p.tsv @@ to_tsquery('simple', ${len(args)}))::int")
    args.append(limit)
    async with db.connection() as conn:
        return await conn.fetch(
            f"""
            SELECT p.document_id, p.ordinal, p.locator, p.anchor, p.heading_path, p.body, p.folded,
                   d.title, d.title_folded, d.number, d.kind, d.source_key, {" + ".join(weighted) or "0"} AS weight
            FROM library_passages p JOIN library_documents d ON d.id = p.document_id
            WHERE p.tsv @@ to_tsquery('simple', $1) AND {visible}
            ORDER BY weight DESC, p.document_id, p.ordinal LIMIT ${len(args)}
            """,
            *args,
        )


async def answer_logged(answer_id: str, actor: str, question: str) -> bool:
    """Whether this asker's question was already answered and logged under this answer id (the same page
    loaded twice). A stream the asker left midway is logged as interrupted and does not count: the answer
    they come back for is logged too."""
    async with db.connection() as conn:
        return bool(
            await conn.fetchval(
                "SELECT EXISTS (SELECT 1 FROM audit_log WHERE action = 'assistant.ask' AND subject_id = $1"
                " AND actor = $2 AND details->>'question' = $3 AND details->>'interrupted' IS NULL)",
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
