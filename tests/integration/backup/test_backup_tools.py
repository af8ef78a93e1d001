"""Which client programs may serve which server and archive, and how they are given the password."""

from __future__ import annotations

import os

import pytest

from backend.features.backup import BackupError
from backend.features.backup.tools import check_can_dump, check_can_restore, libpq_target

pytestmark = pytest.mark.unit


def test_pg_dump_must_be_as_new_as_the_server() -> None:
    check_can_dump(pg_dump_major=16, server_major=15)
    check_can_dump(pg_dump_major=16, server_major=16)
    with pytest.raises(BackupError) as newer_server:
        check_can_dump(pg_dump_major=15, server_major=16)
    assert newer_server.value.key == "backup.error.dump_too_old"
    assert newer_server.value.params == {"tool_version": 15, "server_version": 16}


def test_pg_restore_must_read_the_archive_and_the_server_must_not_be_older() -> None:
    check_can_restore(pg_restore_major=16, dump_major=15, server_major=16, source_major=15)
    with pytest.raises(BackupError) as newer_archive:
        check_can_restore(pg_restore_major=15, dump_major=16, server_major=16, source_major=15)
    assert newer_archive.value.key == "backup.error.restore_too_old"
    with pytest.raises(BackupError) as older_server:
        check_can_restore(pg_restore_major=16, dump_major=16, server_major=15, source_major=16)
    assert older_server.value.key == "backup.error.server_too_old"


@pytest.mark.parametrize(
    ("dsn", "target", "password"),
    [
        ("postgresql://mattran:s%40cret@db:5432/mattran", "postgresql://mattran@db:5432/mattran", "s@cret"),
        ("postgresql://postgres:@/postgres?host=/tmp/pg", "postgresql://postgres@/postgres?host=/tmp/pg", ""),
        ("postgresql://mattran@db/mattran", "postgresql://mattran@db/mattran", None),
    ],
)
def test_the_password_goes_in_the_environment_not_the_arguments(dsn: str, target: str, password: str | None) -> None:
    # Every user of the machine can read a process's arguments.
    uri, env = libpq_target(dsn)
    assert uri == target
    assert env.get("PGPASSWORD") == (os.environ.get("PGPASSWORD") if password is None else password)
