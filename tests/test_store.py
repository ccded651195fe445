"""The store: migrations, read-only SQL, export, and errors for bad store files."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import heard as heard_package
from heard.errors import StoreError
from heard.store import Store

from .conftest import FIXTURES, assert_user_error


def test_migrations_are_numbered_recorded_and_applied_once(sandbox: Path) -> None:
    with Store.open(sandbox / "c.duckdb") as store:
        versions = store.query("SELECT version, name FROM schema_migrations ORDER BY version")[1]
        assert [v for v, _ in versions] == list(range(1, len(versions) + 1))
        assert versions[0] == (1, "initial")
    with Store.open(sandbox / "c.duckdb") as store:
        assert store.migrate() == []
        assert store.schema_version() == len(versions)


def test_an_old_store_is_upgraded(sandbox: Path) -> None:
    path = sandbox / "old.duckdb"
    con = duckdb.connect(str(path))
    from heard.store.database import _migrations

    first = _migrations()[0]
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)")
    con.execute(first[2])
    con.execute("INSERT INTO schema_migrations VALUES (1, 'initial', now())")
    con.close()
    with Store.open(path) as store:
        assert store.schema_version() == _migrations()[-1][0]
        assert store.count("post_labels") == 0


def test_a_newer_store_is_refused(sandbox: Path) -> None:
    with Store.open(sandbox / "c.duckdb") as store:
        store.con.execute("INSERT INTO schema_migrations VALUES (999, 'future', now())")
    with pytest.raises(StoreError, match="upgrade heard"):
        Store.open(sandbox / "c.duckdb")


def test_a_file_that_is_not_a_store(heard, sandbox: Path) -> None:
    (sandbox / "notes.duckdb").write_text("these are my notes\n" * 100)
    assert_user_error(heard("ingest", str(FIXTURES / "x_v2.json"), "--db", "notes.duckdb"), "notes.duckdb")
    assert_user_error(heard("sql", "select 1", "--db", "missing.duckdb"), "missing.duckdb", "no such file")


def test_sql_is_read_only_and_documented(heard, sandbox: Path) -> None:
    assert heard("ingest", str(FIXTURES / "reddit.ndjson"), "--db", "c.duckdb").code == 0
    result = heard("sql", "SELECT count(*) AS n FROM posts", "--db", "c.duckdb", "--format", "json")
    assert result.code == 0 and json.loads(result.out) == [{"n": 4}]
    denied = heard("sql", "DELETE FROM posts", "--db", "c.duckdb")
    assert_user_error(denied, "read-only")
    tables = heard("sql", "--tables")
    for table in ("posts", "units", "labels", "post_labels", "runs", "schema_migrations"):
        assert f"{table}" in tables.out


def test_export_parquet_and_csv(heard, sandbox: Path) -> None:
    assert heard("ingest", str(FIXTURES / "x_v2.json"), "--db", "c.duckdb").code == 0
    for fmt in ("parquet", "csv"):
        result = heard("export", "--db", "c.duckdb", "--format", fmt, "-o", f"out-{fmt}")
        assert result.code == 0, result.err
    assert pq.read_table(sandbox / "out-parquet" / "posts.parquet").num_rows == 4
    assert (sandbox / "out-csv" / "units.csv").read_text().startswith("post_id,seq,text,voice")
    assert not list((sandbox / "out-parquet").glob(".*partial"))


def test_usage_errors_exit_2(heard) -> None:
    result = heard("ingest")
    assert result.code == 2 and "Traceback" not in result.err
    assert heard("eval").code == 2


@pytest.mark.parametrize("name", ["posts.jsonl", "posts.csv", "posts.parquet", "notes.txt", "empty.duckdb"])
def test_a_data_file_as_the_store_is_refused_and_left_untouched(heard, sandbox: Path, name: str) -> None:
    # DuckDB would open a CSV, JSONL or Parquet file as a read-only view: ingest said "6 posts added" and kept none.
    target = sandbox / name
    if name.endswith(".parquet"):
        pq.write_table(pa.table({"id": ["1", "2"], "text": ["one post", "another post"]}), target)
    elif name.startswith("empty"):
        target.write_bytes(b"")
    else:
        target.write_bytes((FIXTURES / ("generic.csv" if name.endswith(".csv") else "reddit.ndjson")).read_bytes())
    before = target.read_bytes()
    for args in (("ingest", str(FIXTURES / "x_v2.json")), ("label",), ("sql", "select 1"), ("export", "-o", "out"),
                 ("report", "-o", "report")):
        result = heard(*args, "--db", name)
        assert_user_error(result, name, "expected a heard store (a DuckDB file)")
        assert "posts added" not in result.out
    assert target.read_bytes() == before
    assert sorted(p.name for p in sandbox.iterdir() if p.name != "home") == [name]


@pytest.mark.parametrize("name", ["gg.csv", "gg.jsonl", "gg.parquet", "gg"])
def test_a_new_store_must_be_named_duckdb(heard, sandbox: Path, name: str) -> None:
    result = heard("ingest", str(FIXTURES / "x_v2.json"), "--db", name)
    assert_user_error(result, name, ".duckdb")
    assert not (sandbox / name).exists() and not (sandbox / f"{name}.key").exists()


def test_an_existing_duckdb_file_with_another_suffix_is_a_store(heard, sandbox: Path) -> None:
    duckdb.connect(str(sandbox / "corpus.db")).close()
    assert heard("ingest", str(FIXTURES / "x_v2.json"), "--db", "corpus.db").code == 0
    with Store.open(sandbox / "corpus.db", read_only=True) as store:
        assert store.count("posts") == 4


_KILLABLE_INGEST = """
import sys
from heard.store import Store
from heard.cli import main

add_posts = Store.add_posts

def add_posts_then_wait(self, *args, **kwargs):
    add_posts(self, *args, **kwargs)
    print("committed", flush=True)  # one batch is on disk: the test kills us here, mid-run
    sys.stdin.readline()

Store.add_posts = add_posts_then_wait
sys.exit(main(sys.argv[1:]))
"""


def _store_rows(path: Path) -> tuple[list[tuple], list[tuple]]:
    with Store.open(path, read_only=True) as store:
        posts = store.query("SELECT id, text, author, created_at, parent_id, thread_root, platform, source, meta "
                            "FROM posts ORDER BY id")[1]
        units = store.query("SELECT * FROM units ORDER BY post_id, seq")[1]
    return posts, units


def test_a_killed_ingest_is_marked_interrupted_and_a_rerun_matches_a_clean_run(heard, sandbox: Path) -> None:
    big = sandbox / "big.jsonl"
    with big.open("w") as fh:
        for i in range(20_000):
            fh.write(json.dumps({"id": f"p{i}", "text": f"Post {i}: I was there too, and I believe her."}) + "\n")
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILLABLE_INGEST, "ingest", str(big), "--db", "killed.duckdb", "--batch-size", "2000"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=sandbox,
        env={**os.environ, "PYTHONPATH": str(Path(heard_package.__file__).parents[1])},
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "committed", proc.stderr
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=60) == -signal.SIGKILL
    finally:
        proc.kill()

    with Store.open(sandbox / "killed.duckdb") as store:  # opening for writing finds the run's process gone
        runs = store.query("SELECT status, details FROM runs")[1]
        assert store.count("posts") == 2000
    assert [status for status, _ in runs] == ["interrupted"]
    assert json.loads(runs[0][1])["pid"] == proc.pid

    assert heard("ingest", str(big), "--db", "killed.duckdb", "--batch-size", "2000").code == 0
    assert heard("ingest", str(big), "--db", "clean.duckdb", "--batch-size", "2000").code == 0
    assert _store_rows(sandbox / "killed.duckdb") == _store_rows(sandbox / "clean.duckdb")
    with Store.open(sandbox / "killed.duckdb", read_only=True) as store:
        assert [r[0] for r in store.query("SELECT status FROM runs ORDER BY id")[1]] == ["interrupted", "ok"]


def test_only_runs_of_gone_processes_are_interrupted(sandbox: Path) -> None:
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    with Store.open(sandbox / "c.duckdb") as store:
        ours = store.start_run("label", {"model": "m"})
        theirs = store.start_run("ingest")
        store.con.execute("UPDATE runs SET details = json_merge_patch(details, ?) WHERE id = ?",
                          [json.dumps({"pid": int(gone.stdout)}), theirs])
        older = store.start_run("ingest")
        store.con.execute("UPDATE runs SET details = '{}' WHERE id = ?", [older])  # made by a heard without pids
        assert sorted(store.mark_interrupted_runs()) == [theirs, older]
        store.finish_run(ours, "ok", {"labelled": 3})
        status = dict(store.query("SELECT id, status FROM runs")[1])
        details = json.loads(store.query("SELECT details FROM runs WHERE id = ?", [ours])[1][0][0])
    assert status == {ours: "ok", theirs: "interrupted", older: "interrupted"}
    assert details["model"] == "m" and details["labelled"] == 3 and details["pid"] == os.getpid()
    assert "host" in details and socket.gethostname() not in json.dumps(details)
