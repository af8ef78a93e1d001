"""The `mattran` command: serve, worker, migrate, seed, users, clients, keys, push, import."""

from __future__ import annotations

import asyncio
import os
import pickle
import shutil
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import click
import msgspec
import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors.multiprocess import Multiprocess, Process

from backend import db
from backend.features.identity import keys
from backend.features.identity.clients import Client, create_client
from backend.features.identity.service import AccountService, Caller
from backend.features.jobs.worker import run_worker
from backend.features.notify import vapid
from backend.features.units import repo as units_repo
from backend.lib import metrics, sealing
from backend.lib.access import Role
from backend.lib.clock import SystemClock
from backend.lib.errors import AppError
from backend.lib.i18n import translate
from backend.lib.logging import configure_logging
from backend.migrations import migrate
from backend.seed import DEFAULT_HOUSEHOLDS, DEFAULT_SEED, seed_demo
from backend.settings import Settings, settings_from_env
from schemas.identity import AccountCreate, AccountRead, RoleGrant
from schemas.library import ImportReport

T = TypeVar("T")


def _settings() -> Settings:
    settings = settings_from_env()
    configure_logging(settings.log_level, settings.log_json)
    return settings


def _database_url(settings: Settings) -> str:
    """DATABASE_URL, or the embedded server, started by (and stopped with) this process."""
    return settings.database_url or db.start_embedded_postgres(settings.embedded_pgdata)


def _direct_database_url(settings: Settings) -> str:
    """PostgreSQL itself (MATTRAN_DIRECT_DATABASE_URL) for migrations and the worker, which a transaction-mode
    pooler would break (a session advisory lock, LISTEN); DATABASE_URL (or the embedded server) otherwise."""
    return settings.direct_database_url or _database_url(settings)


def _with_database(dsn: str, work: Callable[[], Awaitable[T]], max_size: int = 4) -> T:
    # Read here rather than passed by every command: any of them may run where DATABASE_URL is a PgBouncer.
    statement_cache_size = settings_from_env().db_statement_cache_size

    async def run() -> T:
        await db.connect(dsn, min_size=1, max_size=max_size, statement_cache_size=statement_cache_size)
        try:
            return await work()
        finally:
            await db.disconnect()

    return asyncio.run(run())


@click.group()
def main() -> None:
    """Mặt trận số: the platform of the Vietnam Fatherland Front."""


@main.command()
@click.option("--host", default=None, help="Interface to listen on (default MATTRAN_HOST, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default MATTRAN_PORT, 8000).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Web processes.")
@click.option("--demo", is_flag=True, help="Load the demo data (idempotent) before serving.")
def serve(host: str | None, port: int | None, workers: int, demo: bool) -> None:
    """Migrate, then serve the app (embedded PostgreSQL when DATABASE_URL is unset)."""
    settings = _settings()
    dsn = _database_url(settings)
    clock = SystemClock()

    async def prepare() -> None:
        await migrate(settings, clock)
        if demo:
            await seed_demo(settings, clock)

    _with_database(settings.direct_database_url or dsn, prepare)
    # Decided here, while "no DATABASE_URL" still means "embedded": the web processes see DATABASE_URL next.
    os.environ["MATTRAN_WORKER_IN_PROCESS"] = "on" if settings.runs_worker_in_process else "off"
    # Web workers (separate processes when workers > 1) reach the same server through the environment.
    os.environ["DATABASE_URL"] = dsn
    # Several web processes keep their metrics in files of one directory, which GET /metrics on any of them adds
    # up (docs/observability.md); a directory this run made is removed with it.
    own_metrics_dir = workers > 1 and metrics.MULTIPROCESS_ENV not in os.environ
    metrics_dir = metrics.prepare_multiprocess_dir() if workers > 1 else None
    click.echo(f"Mặt trận số: http://{host or settings.host}:{port or settings.port}")
    try:
        config = uvicorn.Config(
            "backend.app:create_app_from_env",
            factory=True,
            host=host or settings.host,
            port=port or settings.port,
            workers=workers,
            log_config=None,
            access_log=False,  # ours (mattran.access) carries the request id
            proxy_headers=True,
            # A spawned worker answers the supervisor's health pings only once it has imported the app (it
            # re-imports this command's module first); on a busy 2-core machine that took over uvicorn's 5 s
            # default, and the workers were killed and restarted in a loop without ever serving.
            timeout_worker_healthcheck=60,
        )
        if workers > 1:
            _Supervisor(config, sockets=[config.bind_socket()]).run()
        else:
            server = uvicorn.Server(config)
            server.run()
            if not server.started:
                raise SystemExit(STARTUP_FAILURE)
    finally:
        if own_metrics_dir and metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)


class _Supervisor(Multiprocess):
    """uvicorn's supervisor of the web processes, still answering SIGINT/SIGTERM while a worker starts.

    uvicorn waits for a worker's health answer in one blocking call of up to `timeout_worker_healthcheck`
    (60 s above) and looks at the signals it received only between those waits: stopped while a worker was
    still importing the app, the supervisor stayed deaf for up to a minute, and a process manager (or a test)
    that then killed it left the workers running, holding the socket and the output."""

    def keep_subprocess_alive(self) -> None:
        for process in self.processes:
            self._await_answer(process)
        # uvicorn's own check, immediate now for a worker that just answered, restarts a dead one.
        super().keep_subprocess_alive()

    def _await_answer(self, process: Process) -> None:
        """One health ping, its answer awaited in short slices with the received signals handled between them."""
        try:
            process.parent_conn.send(b"ping")
            deadline = time.monotonic() + self.config.timeout_worker_healthcheck
            while not process.parent_conn.poll(0.5):
                self.handle_signals()
                if self.should_exit.is_set() or not process.process.is_alive():
                    return
                if time.monotonic() > deadline:
                    process.kill()  # hung: uvicorn's check restarts it
                    return
            process.parent_conn.recv()
        except (OSError, EOFError, pickle.UnpicklingError):
            return  # the pipe of a worker that died: uvicorn's check restarts it


@main.command()
@click.option(
    "--concurrency", type=click.IntRange(1, 256), default=None, help="Jobs at once (MATTRAN_WORKER_CONCURRENCY)."
)
def worker(concurrency: int | None) -> None:
    """Run durable jobs (push delivery, periodic jobs) until SIGINT/SIGTERM, which lets running jobs finish."""
    settings = _settings()
    if concurrency is not None:
        settings = msgspec.structs.replace(settings, worker_concurrency=concurrency)
    dsn = _direct_database_url(settings)
    clock = SystemClock()

    async def work() -> None:
        await migrate(settings, clock)  # idempotent; a worker may start before any web process has migrated
        click.echo("Mặt trận số: worker running / đang xử lý công việc nền")
        if settings.worker_metrics_port:
            metrics.serve_worker_metrics(settings.host, settings.worker_metrics_port)
        await run_worker(settings, clock, dsn)

    _with_database(dsn, work, max_size=settings.db_pool_max)


@main.command("migrate")
def migrate_command() -> None:
    """Apply database migrations and update the official org units (idempotent)."""
    settings = _settings()
    changes = _with_database(_direct_database_url(settings), lambda: migrate(settings, SystemClock()))
    click.echo(f"Đã cập nhật cơ sở dữ liệu / database up to date: {changes}")


@main.group()
def seed() -> None:
    """Load data."""


@seed.command("demo")
@click.option("--seed", "seed_value", type=int, default=DEFAULT_SEED, show_default=True, help="Random seed.")
@click.option(
    "--households", type=click.IntRange(min=0), default=DEFAULT_HOUSEHOLDS, show_default=True, help="Demo households."
)
def seed_demo_command(seed_value: int, households: int) -> None:
    """Realistic Vietnamese demo data (deterministic for a seed, idempotent)."""
    settings = _settings()
    clock = SystemClock()

    async def work() -> dict[str, int]:
        await migrate(settings, clock)
        return await seed_demo(settings, clock, seed_value, households)

    created = _with_database(_database_url(settings), work)
    click.echo(f"Dữ liệu mẫu / demo data: {created}")


@main.group("assistant")
def assistant_group() -> None:
    """The advisory assistant."""


@assistant_group.command("eval")
def assistant_eval() -> None:
    """Retrieval figures over the demo library (imported first, idempotent): recall@1, recall@5, MRR, and the
    shares of answerable questions answered and of unanswerable ones declined."""
    from backend.features.assistant.evaluation import abstention, evaluate, load_cases, load_unanswerable
    from backend.features.library.demo import seed_demo_library

    settings = _settings()
    clock = SystemClock()

    async def work() -> str:
        await migrate(settings, clock)
        await seed_demo_library(settings, clock)
        scores = await evaluate(load_cases())
        split = await abstention(load_cases(), load_unanswerable())
        return (
            f"questions={scores.questions} recall@1={scores.recall_at_1} recall@5={scores.recall_at_5} mrr={scores.mrr}"
            f" answered={split.answered} declined={split.declined}"
        )

    click.echo(_with_database(_database_url(settings), work))


@main.command()
@click.option("--output", type=click.Path(dir_okay=False, writable=True), default=None, help="File to write.")
def openapi(output: str | None) -> None:
    """Print (or write) the OpenAPI document; schemas/openapi.json is this output, committed."""
    from backend.openapi import openapi_document

    document = openapi_document()
    if output:
        with open(output, "w", encoding="utf-8") as file:
            file.write(document)
    else:
        click.echo(document, nl=False)


@main.group()
def users() -> None:
    """Accounts."""


@users.command("create")
@click.option("--username", required=True)
@click.option("--password", required=True, help="At least 8 characters (use an environment variable, not history).")
@click.option("--role", required=True, type=click.Choice([role.value for role in Role]))
@click.option("--unit", "unit_code", required=True, help="Code of the unit the role is bound to (TW, 01, 00070…).")
@click.option("--name", "display_name", default=None, help="Display name (default: the username).")
def users_create(username: str, password: str, role: str, unit_code: str, display_name: str | None) -> None:
    """Create an account with one role bound to a unit."""
    settings = _settings()

    async def work() -> AccountRead:
        data = AccountCreate(
            username=username,
            password=password,
            display_name=display_name or username,
            roles=[RoleGrant(role=role, unit_code=unit_code)],
        )
        return await AccountService(settings, SystemClock()).create_account(data, "cli", Caller(ip="cli"))

    try:
        account = _with_database(_database_url(settings), work)
    except AppError as error:
        raise click.ClickException(translate(error.detail_key or error.title_key, "vi", **error.params)) from error
    click.echo(f"Đã tạo tài khoản / account created: {account.username} ({account.id})")


@main.group()
def clients() -> None:
    """OpenID Connect clients."""


@clients.command("create")
@click.option("--name", required=True)
@click.option("--kind", type=click.Choice(["confidential", "public", "service"]), required=True)
@click.option("--client-id", default=None, help="Default: generated.")
@click.option("--redirect-uri", "redirect_uris", multiple=True, help="Exact redirect URI (repeatable).")
@click.option("--post-logout-redirect-uri", "logout_uris", multiple=True, help="Exact URI after logout (repeatable).")
@click.option("--backchannel-logout-uri", default=None)
@click.option("--first-party", is_flag=True, help="Trusted by the platform: no consent screen.")
def clients_create(
    name: str,
    kind: str,
    client_id: str | None,
    redirect_uris: tuple[str, ...],
    logout_uris: tuple[str, ...],
    backchannel_logout_uri: str | None,
    first_party: bool,
) -> None:
    """Register a client; its secret is printed once and only its hash is kept."""
    settings = _settings()

    async def work() -> tuple[Client, str | None]:
        return await create_client(
            client_id=client_id,
            name=name,
            kind=kind,
            redirect_uris=list(redirect_uris),
            post_logout_redirect_uris=list(logout_uris),
            backchannel_logout_uri=backchannel_logout_uri,
            first_party=first_party,
        )

    try:
        client, secret = _with_database(_database_url(settings), work)
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"client_id: {client.client_id}")
    if secret:
        click.echo(f"client_secret: {secret}")


@main.group("keys")
def keys_group() -> None:
    """Token signing keys."""


@keys_group.command("rotate")
def keys_rotate() -> None:
    """next -> active -> retired; retired keys are kept until every token they signed has expired."""
    settings = _settings()
    longest = max(settings.access_token_seconds, settings.id_token_seconds)
    result = _with_database(_database_url(settings), lambda: keys.rotate(SystemClock().now(), longest, settings.sealer))
    click.echo(f"Đã xoay khóa / keys rotated: {result}")


@keys_group.command("new-kek")
def keys_new_kek() -> None:
    """Print a new key for MATTRAN_KEY_ENCRYPTION_KEYS (it seals the private keys kept in the database)."""
    click.echo(sealing.new_key())


@keys_group.command("reseal")
def keys_reseal() -> None:
    """Seal every stored private key (signing and VAPID) with the first of MATTRAN_KEY_ENCRYPTION_KEYS."""
    settings = _settings()
    if not settings.key_encryption_keys:
        raise click.UsageError("MATTRAN_KEY_ENCRYPTION_KEYS is empty: nothing to seal with")

    async def reseal_all() -> tuple[int, int]:
        return await keys.reseal(settings.sealer), await vapid.reseal(settings.sealer)

    signing, push_keys = _with_database(_database_url(settings), reseal_all)
    click.echo(f"Đã niêm phong lại / resealed: {signing} signing, {push_keys} VAPID")


@main.group()
def push() -> None:
    """Web Push."""


@push.command("rotate-key")
def push_rotate_key() -> None:
    """New VAPID key pair; the old one keeps signing for its subscriptions until they renew (docs/notify.md)."""
    settings = _settings()
    result = _with_database(_database_url(settings), lambda: vapid.rotate(SystemClock().now(), settings.sealer))
    click.echo(f"Đã xoay khóa VAPID / VAPID key rotated: {result}")


@main.group("import")
def import_group() -> None:
    """Load data from files."""


@import_group.command("households")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option("--unit", "unit_code", required=True, help="Code of the commune or residential area the file is for.")
@click.option("--dry-run", is_flag=True, help="Only check the file and report its problems; write nothing.")
def import_households(file: str, unit_code: str, dry_run: bool) -> None:
    """Households and residents from a CSV or XLSX file (layout: docs/registry.md).

    Acts as the operator of the server ("client:cli" in the audit log) with a commune officer's rights over
    --unit; the file is checked first and loaded in one transaction only when every row is valid."""
    from backend.features.registry.imports import ImportService  # openpyxl only when used
    from backend.lib.access import Principal, ScopedRole

    settings = _settings()
    with open(file, "rb") as handle:
        content = handle.read()

    async def work() -> tuple[str, list[str]]:
        unit = await units_repo.get_unit(unit_code)
        if unit is None:
            raise click.ClickException(translate("problem.unit_not_found.detail", "vi", code=unit_code))
        principal = Principal(
            account_id=None, client_id="cli", roles=(ScopedRole(Role.commune_officer, unit["code"], unit["path"]),)
        )
        service = ImportService(settings, SystemClock())
        job = await service.dry_run(principal, unit_code, os.path.basename(file), content)
        if not job.problems and not dry_run:
            job = await service.confirm(principal, job.id)
        lines = [f"{p.line}\t{p.column}\t{p.value}\t{p.message}" for p in job.problems]
        summary = (
            f"{job.status}: {job.rows_total} dòng / rows, {job.rows_invalid} lỗi / invalid; hộ mới / new households "
            f"{job.households_new}, đã có / existing {job.households_existing}; nhân khẩu mới / new residents "
            f"{job.residents_new}, đã có / existing {job.residents_existing} (import {job.id})"
        )
        return summary, lines

    try:
        summary, problems = _with_database(_database_url(settings), work)
    except AppError as error:
        raise click.ClickException(translate(error.detail_key or error.title_key, "vi", **error.params)) from error
    for line in problems:
        click.echo(line)
    click.echo(summary)
    if problems:
        raise SystemExit(1)


@main.group("library")
def library_group() -> None:
    """The community library."""


@library_group.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, readable=True))
@click.option("--unit", "unit_code", default="TW", show_default=True, help="Code of the unit that owns the documents.")
def library_import(folder: str, unit_code: str) -> None:
    """Documents from FOLDER (PDF, DOCX, HTML, Markdown, text; metadata in front matter or <file>.meta),
    published; importing again updates only changed files. Layout: docs/library.md."""
    from backend.features.library.importer import import_folder
    from backend.features.library.service import LibraryService

    settings = _settings()
    path = Path(folder).resolve()

    async def work() -> ImportReport:
        service = LibraryService(settings, SystemClock())
        return await import_folder(service, path, unit_code, f"import:{path.name}")

    try:
        report = _with_database(_database_url(settings), work)
    except AppError as error:
        raise click.ClickException(translate(error.detail_key or error.title_key, "vi", **error.params)) from error
    for line in report.files:
        click.echo(line)
    click.echo(
        f"mới / created {report.created}, cập nhật / updated {report.updated}, không đổi / unchanged {report.unchanged}"
    )
    if any(": " in line for line in report.files):
        raise SystemExit(1)


def _in_both_languages(key: str, **params: object) -> str:
    return f"{translate(key, 'vi', **params)}\n{translate(key, 'en', **params)}"


@main.command()
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Archive to write (default: mattran-backup-<UTC time>.tar here); an existing file is never overwritten.",
)
def backup(output: str | None) -> None:
    """The database (pg_dump custom format) and the uploaded files in one tar, with a manifest of row counts,
    the audit chain's head and every member's sha256 (docs/backup.md). The app may keep running."""
    from backend.features.backup import BackupError
    from backend.features.backup.service import backup as run_backup

    settings = _settings()
    now = SystemClock().now()
    path = Path(output or f"mattran-backup-{now:%Y%m%dT%H%M%SZ}.tar").resolve()
    # Directly to PostgreSQL: pg_dump shares an exported snapshot, which a transaction-mode pooler cannot keep.
    dsn = _direct_database_url(settings)
    try:
        result = _with_database(dsn, lambda: run_backup(settings, dsn, path, now))
    except BackupError as error:
        raise click.ClickException(_in_both_languages(error.key, **error.params)) from error
    click.echo(
        _in_both_languages(
            "backup.done",
            path=result.path,
            size=result.size_bytes,
            tables=result.tables,
            rows=result.rows,
            files=result.files,
            entries=result.audit.entries,
            head=result.audit.hash,
            sha256=result.archive_sha256,
        )
    )


@main.command()
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, readable=True))
@click.option(
    "--force", is_flag=True, help="Restore into a database and file folder that are not empty, replacing their data."
)
def restore(archive: str, force: bool) -> None:
    """Check ARCHIVE against its manifest, restore the database (one transaction) and the files, then verify
    every table's row count and the audit chain. Stop the web and worker processes first (docs/backup.md)."""
    from backend.features.backup import BackupError
    from backend.features.backup.service import restore as run_restore

    settings = _settings()
    dsn = _direct_database_url(settings)
    try:
        summary = _with_database(dsn, lambda: run_restore(settings, dsn, Path(archive).resolve(), force=force))
    except BackupError as error:
        raise click.ClickException(_in_both_languages(error.key, **error.params)) from error
    click.echo(
        _in_both_languages(
            "backup.restored",
            created_at=summary.backup_created_at.isoformat(),
            version=summary.backup_mattran_version,
            tables=summary.tables,
            rows=summary.rows,
            files=summary.files,
            entries=summary.audit.entries,
            head=summary.audit.hash,
        )
    )
