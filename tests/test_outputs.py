"""Files heard writes for people: a bad -o fails early with a clear message, and
CSV cells never reach a spreadsheet as formulas."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import FIXTURES, assert_user_error


@pytest.fixture
def store(heard, sandbox: Path) -> Path:
    """A real store with posts and no labels (enough to export; the report would need labels)."""
    assert heard("ingest", str(FIXTURES / "x_v2.json"), "--db", "c.duckdb").code == 0
    (sandbox / "a-file").write_text("keep me\n")
    return sandbox / "c.duckdb"


@pytest.mark.parametrize("output", ["a-file", "a-file/sub"])
def test_export_into_a_file_is_a_clear_error(heard, store: Path, sandbox: Path, output: str) -> None:
    # was "internal error: FileExistsError", exit 70
    assert_user_error(heard("export", "--db", "c.duckdb", "-o", output), output, "expected a folder")
    assert (sandbox / "a-file").read_text() == "keep me\n"


@pytest.mark.parametrize("output", ["a-file", "a-file/sub", "a-file/sub/deeper"])
def test_report_into_an_unwritable_place_fails_before_the_work(heard, store: Path, sandbox: Path, output: str) -> None:
    # The store has no labels: had the analysis run first, the error would be about labels.
    result = heard("report", "--db", "c.duckdb", "-o", output)
    assert_user_error(result, output, "expected a folder")
    assert "heard label" not in result.err
    assert (sandbox / "a-file").read_text() == "keep me\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_folder_is_refused(heard, store: Path, sandbox: Path) -> None:
    locked = sandbox / "locked"
    locked.mkdir(mode=0o555)
    assert_user_error(heard("export", "--db", "c.duckdb", "-o", "locked"), "locked", "cannot")
    assert_user_error(heard("report", "--db", "c.duckdb", "-o", "locked/report"), "locked", "cannot")
