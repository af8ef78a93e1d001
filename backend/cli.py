"""The `mattran` command: serve, migrate, seed (later: worker, users, clients, import)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import TypeVar

import click
import uvicorn

from backend import db
from backend.lib.clock import SystemClock
from backend.lib.logging import configure_logging
from backend.migrations import migrate
from backend.seed import DEFAULT_SEED, seed_demo
from backend.settings import Settings, settings_from_env

T = TypeVar("T")


def _settings() -> Settings:
    settings = settings_from_env()
    configure_logging(settings.log_level, settings.log_json)
    return settings


def _database_url(settings: Settings) -> str:
    """DATABASE_URL, or the embedded server, started by (and stopped with) this process."""
    return settings.database_url or db.start_embedded_postgres(settings.embedded_pgdata)


def _with_database(dsn: str, work: Callable[[], Awaitable[T]]) -> T:
    async def run() -> T:
        await db.connect(dsn, min_size=1, max_size=4)
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
        await migrate(clock)
        if demo:
            await seed_demo(clock)

    _with_database(dsn, prepare)
    # Web workers (separate processes when workers > 1) reach the same server through the environment.
    os.environ["DATABASE_URL"] = dsn
    click.echo(f"Mặt trận số: http://{host or settings.host}:{port or settings.port}")
    uvicorn.run(
        "backend.app:create_app_from_env",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_config=None,
        proxy_headers=True,
    )


@main.command("migrate")
def migrate_command() -> None:
    """Apply database migrations and update the official org units (idempotent)."""
    settings = _settings()
    changes = _with_database(_database_url(settings), lambda: migrate(SystemClock()))
    click.echo(f"Đã cập nhật cơ sở dữ liệu / database up to date: {changes}")


@main.group()
def seed() -> None:
    """Load data."""


@seed.command("demo")
@click.option("--seed", "seed_value", type=int, default=DEFAULT_SEED, show_default=True, help="Random seed.")
def seed_demo_command(seed_value: int) -> None:
    """Realistic Vietnamese demo data (deterministic for a seed, idempotent)."""
    settings = _settings()
    clock = SystemClock()

    async def work() -> dict[str, int]:
        await migrate(clock)
        return await seed_demo(clock, seed_value)

    created = _with_database(_database_url(settings), work)
    click.echo(f"Dữ liệu mẫu / demo data: {created}")


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
