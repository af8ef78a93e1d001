"""Library queries (raw SQL through the current transaction's connection; COPY for passages).

Visibility is decided here, in SQL, from the caller's scopes (see `visible_sql`); no query that answers
readers runs without it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from backend import db
from backend.features.library.passages import SplitPassage

DOCUMENT_COLUMNS = """
    d.id, d.title, d.kind, d.number, d.issuer, d.issued_on, d.effective_on, d.status, d.amended_by,
    d.replaced_by, d.categories, d.tags, d.audience, d.audience_unit_code, d.language, d.summary, d.unit_code,
    d.unit_path, d.state, d.version, d.change_seq, d.passage_count, d.updated_at, d.published_at, d.title_folded,
    d.number_folded, d.meta_folded,
    f.filename AS file_filename, f.media_type AS file_media_type, f.size_bytes AS file_size_bytes,
    f.sha256 AS file_sha256, f.has_text_layer AS file_has_text_layer
"""
LATEST_FILE = """
    LEFT JOIN LATERAL (
        SELECT filename, media_type, size_bytes, sha256, has_text_layer FROM library_files lf
        WHERE lf.document_id = d.id ORDER BY lf.uploaded_at DESC, lf.document_version DESC LIMIT 1
    ) f ON TRUE
"""
PASSAGE_COPY_COLUMNS = ("document_id", "ordinal", "heading_path", "locator", "anchor", "body", "folded")


@dataclass(frozen=True)
class Reader:
    """What a caller may read, as SQL needs it: staff see staff documents; read paths decide unit ones;
    write paths also open drafts of the units they edit."""

    is_staff: bool
    read_paths: list[str]
    write_paths: list[str]


def _path_clauses(column: str, paths: list[str], args: list[Any], both_ways: bool) -> str:
    """column within any of paths (and, both_ways, any of paths within column): parameters appended."""
    clauses = []
    for path in paths:
        args.append(path)
        n = len(args)
        clause = f"{column} = ${n} OR {column} LIKE replace(replace(${n}, '%', '\\%'), '_', '\\_') || '/%'"
        if both_ways:
            clause += f" OR ${n} LIKE {column} || '/%'"
        clauses.append(f"({clause})")
    return "(" + " OR ".join(clauses) + ")" if clauses else "FALSE"


def visible_sql(reader: Reader, args: list[Any], *, drafts: bool) -> str:
    """Published documents the reader may see (and, with drafts, every state of the units they edit).

    A document for one unit's staff is visible to staff of that unit, of the levels above it and of the
    units below it (both ways along the path)."""
    audience = ["d.audience = 'public'"]
    if reader.is_staff:
        audience.append("d.audience = 'staff'")
        audience.append(
            f"(d.audience = 'unit' AND {_path_clauses('d.audience_unit_path', reader.read_paths, args, True)})"
        )
    published = f"(d.state = 'published' AND ({' OR '.join(audience)}))"
    if drafts and reader.write_paths:
        return f"({published} OR {_path_clauses('d.unit_path', reader.write_paths, args, False)})"
    return published


async def insert_document(values: dict[str, Any]) -> None:
    columns = list(values)
    placeholders = ", ".join(f"${i + 1}" for i in range(len(columns)))
    async with db.connection() as conn:
        await conn.execute(
            f"INSERT INTO library_documents ({', '.join(columns)}) VALUES ({placeholders})", *values.values()
        )


async def update_document(document_id: uuid.UUID, values: dict[str, Any]) -> None:
    """Set values and take the next change number (pack readers see the change)."""
    assignments = ", ".join(f"{column} = ${i + 2}" for i, column in enumerate(values))
    async with db.connection() as conn:
        await conn.execute(
            f"UPDATE library_documents SET {assignments}, change_seq = nextval('library_change_seq') WHERE id = $1",
            document_id,
            *values.values(),
        )


async def lock_document(document_id: uuid.UUID) -> Any | None:
    async with db.connection() as conn:
        return await conn.fetchrow("SELECT * FROM library_documents WHERE id = $1 FOR UPDATE", document_id)


async def document_by_source(source_key: str) -> Any | None:
    async with db.connection() as conn:
        return await conn.fetchrow("SELECT * FROM library_documents WHERE source_key = $1 FOR UPDATE", source_key)


async def set_source_fingerprint(document_id: uuid.UUID, fingerprint: str) -> None:
    async with db.connection() as conn:
        await conn.execute(
            "UPDATE library_documents SET source_fingerprint = $2 WHERE id = $1", document_id, fingerprint
        )


async def existing_ids(ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    async with db.connection() as conn:
        rows = await conn.fetch("SELECT id FROM library_documents WHERE id = ANY($1::uuid[])", list(ids))
    return {row["id"] for row in rows}


async def keep_version(document_id: uuid.UUID, version: int, snapshot: dict[str, Any], by: str, at: datetime) -> None:
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO library_document_versions (document_id, version, snapshot, changed_by, changed_at)"
            " VALUES ($1, $2, $3::jsonb, $4, $5)",
            document_id,
            version,
            json.dumps(snapshot, default=str, ensure_ascii=False),
            by,
            at,
        )


async def list_versions(document_id: uuid.UUID) -> list[Any]:
    async with db.connection() as conn:
        return await conn.fetch(
            "SELECT version, changed_by, changed_at, snapshot->>'state' AS state, snapshot->>'title' AS title"
            " FROM library_document_versions WHERE document_id = $1 ORDER BY version DESC",
            document_id,
        )


async def record_removals(document_id: uuid.UUID, categories: Sequence[str]) -> None:
    if categories:
        async with db.connection() as conn:
            await conn.executemany(
                "INSERT INTO library_pack_removals (category, document_id) VALUES ($1, $2)",
                [(category, document_id) for category in categories],
            )


async def insert_file(values: dict[str, Any]) -> None:
    async with db.connection() as conn:
        await conn.execute(
            "INSERT INTO library_files (id, document_id, document_version, filename, media_type, size_bytes, sha256,"
            " has_text_layer, content, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            values["id"],
            values["document_id"],
            values["document_version"],
            values["filename"],
            values["media_type"],
            values["size_bytes"],
            values["sha256"],
            values["has_text_layer"],
            values["content"],
            values["uploaded_by"],
            values["uploaded_at"],
        )


async def replace_passages(document_id: uuid.UUID, passages: Sequence[SplitPassage]) -> None:
    async with db.connection() as conn:
        await conn.execute("DELETE FROM library_passages WHERE document_id = $1", document_id)
        await conn.copy_records_to_table(
            "library_passages",
            columns=PASSAGE_COPY_COLUMNS,
            records=[(document_id, p.ordinal, p.heading_path, p.locator, p.anchor, p.text, p.folded) for p in passages],
        )


async def get_document(document_id: uuid.UUID, reader: Reader, *, drafts: bool = True) -> Any | None:
    args: list[Any] = [document_id]
    visible = visible_sql(reader, args, drafts=drafts)
    async with db.connection() as conn:
        return await conn.fetchrow(
            f"SELECT {DOCUMENT_COLUMNS} FROM library_documents d {LATEST_FILE} WHERE d.id = $1 AND {visible}", *args
        )


async def get_documents(ids: Sequence[uuid.UUID]) -> list[Any]:
    """Documents by id, already known to be visible (search results)."""
    async with db.connection() as conn:
        return await conn.fetch(
            f"SELECT {DOCUMENT_COLUMNS} FROM library_documents d {LATEST_FILE} WHERE d.id = ANY($1::uuid[])", list(ids)
        )


async def passages_of(document_ids: Sequence[uuid.UUID]) -> list[Any]:
    async with db.connection() as conn:
        return await conn.fetch(
            "SELECT document_id, ordinal, heading_path, locator, anchor, body FROM library_passages"
            " WHERE document_id = ANY($1::uuid[]) ORDER BY document_id, ordinal",
            list(document_ids),
        )


async def passages_by_key(keys: Sequence[tuple[uuid.UUID, int]]) -> list[Any]:
    async with db.connection() as conn:
        return await conn.fetch(
            "SELECT p.document_id, p.ordinal, p.heading_path, p.locator, p.anchor, p.body FROM library_passages p"
            " JOIN unnest($1::uuid[], $2::int[]) AS k(document_id, ordinal) USING (document_id, ordinal)",
            [key[0] for key in keys],
            [key[1] for key in keys],
        )


async def latest_file(document_id: uuid.UUID) -> Any | None:
    async with db.connection() as conn:
        return await conn.fetchrow(
            "SELECT filename, media_type, size_bytes, sha256, has_text_layer, content FROM library_files"
            " WHERE document_id = $1 ORDER BY uploaded_at DESC, document_version DESC LIMIT 1",
            document_id,
        )


@dataclass(frozen=True)
class Filters:
    kind: str | None = None
    status: str | None = None
    category: str | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    issuer_folded: str | None = None
    in_force_only: bool = False


def filter_sql(filters: Filters, args: list[Any]) -> list[str]:
    conditions: list[str] = []
    for column, value in (("d.kind", filters.kind), ("d.status", filters.status)):
        if value is not None:
            args.append(value)
            conditions.append(f"{column} = ${len(args)}")
    if filters.category is not None:
        args.append([filters.category])
        conditions.append(f"d.categories @> ${len(args)}::varchar[]")
    if filters.issued_from is not None:
        args.append(filters.issued_from)
        conditions.append(f"d.issued_on >= ${len(args)}")
    if filters.issued_to is not None:
        args.append(filters.issued_to)
        conditions.append(f"d.issued_on <= ${len(args)}")
    if filters.issuer_folded:
        args.append(f"%{filters.issuer_folded}%")
        conditions.append(f"d.issuer_folded LIKE ${len(args)}")
    if filters.in_force_only:
        conditions.append("(d.kind NOT IN ('law', 'decree', 'guidance') OR d.status IN ('in_force', 'amended'))")
    return conditions


async def list_documents(
    reader: Reader, filters: Filters, after: tuple[str, str] | None, limit: int, drafts: bool
) -> list[Any]:
    """Browse by title (keyset on folded title, id)."""
    args: list[Any] = []
    conditions = [visible_sql(reader, args, drafts=drafts), *filter_sql(filters, args)]
    if after is not None:
        args.extend(after)
        conditions.append(f"(d.title_folded, d.id) > (${len(args) - 1}, ${len(args)}::uuid)")
    args.append(limit + 1)
    async with db.connection() as conn:
        return await conn.fetch(
            f"SELECT {DOCUMENT_COLUMNS} FROM library_documents d {LATEST_FILE} WHERE {' AND '.join(conditions)}"
            f" ORDER BY d.title_folded, d.id LIMIT ${len(args)}",
            *args,
        )


async def search_documents(tsquery: str, number: str, reader: Reader, filters: Filters, limit: int) -> list[Any]:
    """Documents whose number equals the query (tier 3), whose title (2) or other metadata (1) matches."""
    args: list[Any] = [tsquery, number]
    conditions = [visible_sql(reader, args, drafts=False), *filter_sql(filters, args)]
    args.append(limit)
    async with db.connection() as conn:
        return await conn.fetch(
            f"""
            SELECT d.id,
                   CASE WHEN d.number_folded = $2 THEN 3 WHEN d.title_tsv @@ q THEN 2 ELSE 1 END AS tier,
                   ts_rank(d.title_tsv, q) * 2 + ts_rank(d.meta_tsv, q) AS rank
            FROM library_documents d, to_tsquery('simple', $1) q
            WHERE (d.number_folded = $2 OR d.title_tsv @@ q OR d.meta_tsv @@ q) AND {" AND ".join(conditions)}
            ORDER BY tier DESC, rank DESC, d.id LIMIT ${len(args)}
            """,
            *args,
        )


async def search_passages(
    tsquery: str, candidates_by: str, pairs: str, reader: Reader, filters: Filters, limit: int, candidates: int
) -> list[Any]:
    """The best-ranked passages of visible documents matching tsquery, ranked among at most `candidates`.

    Ranking reads each match's tsvector, so a query of very common words (hundreds of thousands of matches)
    would cost seconds; bounding the candidates keeps every query fast, at the price of ranking such a
    query among the first matches found rather than all of them.

    The indexes find candidates by `candidates_by` (tsquery without its most common words) and by `pairs`
    (the phrases' adjacent word pairs, through the pairs index); the whole tsquery is then checked on each.
    That check calls `ts_match_vq` (what `@@` runs) so that it is not an index condition: the planner could
    otherwise go back to merging the long index lists the split avoids."""
    args: list[Any] = [tsquery]
    match: list[str] = []
    if pairs:
        args.append(pairs)
        match.append(f"library_word_pairs(p.folded) @@ to_tsquery('simple', ${len(args)})")
    if candidates_by:
        args.append(candidates_by)
        match.append(f"p.tsv @@ to_tsquery('simple', ${len(args)})")
    if candidates_by != tsquery:
        match.append("ts_match_vq(p.tsv, to_tsquery('simple', $1))")
    conditions = [*match, visible_sql(reader, args, drafts=False), *filter_sql(filters, args)]
    args.extend([candidates, limit])
    async with db.connection() as conn:
        return await conn.fetch(
            f"""
            SELECT m.document_id, m.ordinal, ts_rank(m.tsv, q) AS rank
            FROM (
                SELECT p.document_id, p.ordinal, p.tsv
                FROM library_passages p JOIN library_documents d ON d.id = p.document_id
                WHERE {" AND ".join(conditions)}
                LIMIT ${len(args) - 1}
            ) m, to_tsquery('simple', $1) q
            ORDER BY rank DESC, m.document_id, m.ordinal LIMIT ${len(args)}
            """,
            *args,
        )


@dataclass(frozen=True)
class TermCount:
    passages: int
    documents: int


@dataclass(frozen=True)
class TermStatistics:
    """Corpus statistics over every stored passage (any state or audience), kept by triggers on passages."""

    passages: int
    documents: int
    terms: dict[str, TermCount]

    def count(self, term: str) -> TermCount:
        return self.terms.get(term, TermCount(0, 0))


async def term_statistics(terms: Sequence[str]) -> TermStatistics:
    """How many passages and documents hold each of the (folded) terms, and the totals."""
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT term, passages, documents FROM library_terms WHERE term = ANY($1::text[])", list(terms)
        )
        totals = await conn.fetchrow("SELECT passages, documents FROM library_term_totals")
    return TermStatistics(
        passages=int(totals["passages"]),
        documents=int(totals["documents"]),
        terms={row["term"]: TermCount(row["passages"], row["documents"]) for row in rows},
    )


async def category_counts(reader: Reader) -> dict[str, int]:
    args: list[Any] = []
    visible = visible_sql(reader, args, drafts=False)
    async with db.connection() as conn:
        rows = await conn.fetch(
            f"SELECT c AS category, count(*) AS n FROM library_documents d, unnest(d.categories) c WHERE {visible}"
            " GROUP BY c",
            *args,
        )
    return {row["category"]: row["n"] for row in rows}


async def pack_version(category: str, reader: Reader) -> tuple[int, int]:
    """(the highest change number of the category as this reader sees it, its document count)."""
    args: list[Any] = [[category]]
    visible = visible_sql(reader, args, drafts=False)
    async with db.connection() as conn:
        row = await conn.fetchrow(
            f"""
            SELECT greatest(
                (SELECT max(d.change_seq) FROM library_documents d WHERE d.categories @> $1::varchar[] AND {visible}),
                (SELECT max(r.change_seq) FROM library_pack_removals r WHERE r.category = ($1::varchar[])[1])
            ) AS version,
            (SELECT count(*) FROM library_documents d WHERE d.categories @> $1::varchar[] AND {visible}) AS documents
            """,
            *args,
        )
    return int(row["version"] or 0), int(row["documents"])


async def pack_documents(category: str, reader: Reader, since: int) -> list[Any]:
    args: list[Any] = [[category], since]
    visible = visible_sql(reader, args, drafts=False)
    async with db.connection() as conn:
        return await conn.fetch(
            f"SELECT {DOCUMENT_COLUMNS} FROM library_documents d {LATEST_FILE}"
            f" WHERE d.categories @> $1::varchar[] AND d.change_seq > $2 AND {visible} ORDER BY d.title_folded, d.id",
            *args,
        )


async def pack_removals(category: str, since: int) -> list[uuid.UUID]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT DISTINCT document_id FROM library_pack_removals WHERE category = $1 AND change_seq > $2",
            category,
            since,
        )
    return [row["document_id"] for row in rows]
