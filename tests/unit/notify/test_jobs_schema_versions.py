"""Which of procrastinate's shipped migrations an existing database needs."""

from pathlib import Path

import pytest

from backend.features.jobs.schema import migrations_between, parse_version

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "version"),
    [("3.10.0", (3, 10, 0)), ("03.04.00", (3, 4, 0)), ("3.11.0rc1", (3, 11, 0)), ("4.0", (4, 0))],
)
def test_versions_are_compared_as_numbers(text: str, version: tuple[int, ...]) -> None:
    assert parse_version(text) == version


def test_only_the_migrations_newer_than_the_recorded_version_run_in_order(tmp_path: Path) -> None:
    for name in [
        "03.02.00_50_post_b.sql",
        "03.02.00_01_pre_b.sql",
        "03.01.00_01_pre_a.sql",
        "03.11.00_01_pre_c.sql",
        "03.12.00_01_pre_d.sql",
    ]:
        (tmp_path / name).write_text("SELECT 1;")

    pending = migrations_between((3, 1, 0), (3, 11, 0), tmp_path)

    assert [path.name for path in pending] == [
        "03.02.00_01_pre_b.sql",
        "03.02.00_50_post_b.sql",
        "03.11.00_01_pre_c.sql",
    ]


def test_the_shipped_migrations_are_found() -> None:
    assert migrations_between((2, 99, 0), (3, 4, 0))  # procrastinate 3.x ships its 3.x migrations
