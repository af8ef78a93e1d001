"""`mattran library import FOLDER`: real files in a folder become published documents; a second run changes
nothing; a bad file is reported by name without stopping the others."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import asyncpg
import pytest

from support.config import TEST_KEY_ENCRYPTION_KEY
from support.documents import pdf_with_lines

pytestmark = pytest.mark.integration

MATTRAN = str(Path(sys.executable).parent / "mattran")


def run_import(folder: Path, database: str) -> subprocess.CompletedProcess[str]:
    env = {"DATABASE_URL": database, "MATTRAN_KEY_ENCRYPTION_KEYS": TEST_KEY_ENCRYPTION_KEY, "PATH": "/usr/bin:/bin"}
    return subprocess.run(
        [MATTRAN, "library", "import", str(folder)], env=env, capture_output=True, text=True, timeout=120
    )


async def test_import_a_folder_twice(tmp_path: Path, database: str) -> None:
    (tmp_path / "huong-dan.md").write_text(
        "---\ntitle: Hướng dẫn họp khu dân cư\nkind: guide\ncategories: household_work\n---\n"
        "# Chuẩn bị\nGửi giấy mời.\n"
    )
    (tmp_path / "nghi-dinh.pdf").write_bytes(pdf_with_lines([["Dieu 1. Pham vi", "1. Noi dung."]]))
    (tmp_path / "nghi-dinh.pdf.meta").write_text("title: Nghị định mẫu\nkind: decree\nnumber: 356/2025/NĐ-CP\n")
    (tmp_path / "hong.pdf").write_bytes(b"%PDF-1.4 broken")
    (tmp_path / "ghi-chu.xyz").write_text("not a document")

    first = run_import(tmp_path, database)
    assert first.returncode == 1, first.stderr  # the broken file is reported
    assert "hong.pdf: Tệp PDF bị hỏng" in first.stdout and "created 2" in first.stdout
    second = run_import(tmp_path, database)
    assert "unchanged 2" in second.stdout, second.stdout + second.stderr

    connection = await asyncpg.connect(database)
    try:
        rows = await connection.fetch(
            "SELECT title, kind, number, state, passage_count FROM library_documents ORDER BY title"
        )
    finally:
        await connection.close()
    assert [tuple(r) for r in rows] == [
        ("Hướng dẫn họp khu dân cư", "guide", "", "published", 1),
        ("Nghị định mẫu", "decree", "356/2025/NĐ-CP", "published", 2),
    ]
