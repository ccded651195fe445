"""Re-runs and failed runs: the rejects file lists each bad row once; a failed first ingest leaves nothing behind."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from heard.ingest import ingest
from heard.store import Store

from .conftest import Result, assert_user_error


def reject_lines(path: Path) -> list[tuple[str, int]]:
    return [(r["source"], r["line"]) for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())]


def test_a_rerun_does_not_duplicate_rejects(heard: Callable[..., Result], sandbox: Path) -> None:
    (sandbox / "a.jsonl").write_text('{"id": "1", "text": "fine"}\n{oops\n', encoding="utf-8")
    (sandbox / "b.jsonl").write_text('{"id": "2", "text": "fine"}\n[1]\n', encoding="utf-8")
    for _ in range(3):
        assert heard("ingest", "a.jsonl", "--db", "c.duckdb", "--skip-bad").code == 0
    assert reject_lines(sandbox / "c.duckdb.rejects.jsonl") == [("a.jsonl", 2)]
    # another file's rejects are added beside, not in place of, the first file's
    assert heard("ingest", "b.jsonl", "--db", "c.duckdb", "--skip-bad").code == 0
    assert heard("ingest", "b.jsonl", "--db", "c.duckdb", "--skip-bad").code == 0
    assert reject_lines(sandbox / "c.duckdb.rejects.jsonl") == [("a.jsonl", 2), ("b.jsonl", 2)]
    # a fixed file's old rejects go away on its next run
    (sandbox / "a.jsonl").write_text('{"id": "1", "text": "fine"}\n{"id": "3", "text": "fixed"}\n', encoding="utf-8")
    assert heard("ingest", "a.jsonl", "--db", "c.duckdb", "--skip-bad").code == 0
    assert reject_lines(sandbox / "c.duckdb.rejects.jsonl") == [("b.jsonl", 2)]
    assert (sandbox / "c.duckdb.rejects.jsonl").stat().st_mode & 0o777 == 0o600


def test_a_failed_first_ingest_leaves_no_store_and_no_key(heard: Callable[..., Result], sandbox: Path) -> None:
    (sandbox / "bad.jsonl").write_text('{"id": "1", "text": "fine"}\n{oops\n', encoding="utf-8")
    assert_user_error(heard("ingest", "bad.jsonl", "--db", "c.duckdb"), "bad.jsonl:2:")
    assert_user_error(heard("ingest", "bad.jsonl", "--db", "d.duckdb", "--encoding", "nonsense"), "encoding")
    assert sorted(p.name for p in sandbox.iterdir() if p.name != "home") == ["bad.jsonl"]


def test_a_failed_later_ingest_keeps_the_store_as_it_was(heard: Callable[..., Result], sandbox: Path) -> None:
    (sandbox / "good.jsonl").write_text('{"id": "1", "text": "fine"}\n', encoding="utf-8")
    (sandbox / "bad.jsonl").write_text('{"id": "2", "text": "fine"}\n{oops\n', encoding="utf-8")
    assert heard("ingest", "good.jsonl", "--db", "c.duckdb").code == 0
    key = (sandbox / "c.duckdb.key").read_text()
    assert heard("ingest", "bad.jsonl", "--db", "c.duckdb").code == 1
    assert (sandbox / "c.duckdb.key").read_text() == key
    with Store.open(sandbox / "c.duckdb", read_only=True) as store:
        assert store.count("posts") == 1


def test_the_api_closes_and_removes_a_new_store_it_could_not_fill(sandbox: Path) -> None:
    (sandbox / "bad.jsonl").write_text("{oops\n", encoding="utf-8")
    store = Store.open(sandbox / "c.duckdb")
    try:
        ingest([sandbox / "bad.jsonl"], store)
    except Exception as exc:
        assert type(exc).__name__ == "InputError"
    store.close()  # closing twice is harmless
    assert not (sandbox / "c.duckdb").exists() and not (sandbox / "c.duckdb.key").exists()


def test_a_rejects_file_in_a_missing_folder_is_refused_before_anything_is_written(
        heard: Callable[..., Result], sandbox: Path) -> None:
    # was "internal error: FileNotFoundError" (exit 70), with an empty new.duckdb and its key left behind
    (sandbox / "bad.jsonl").write_text('{"id": "1", "text": "fine"}\n{oops\n', encoding="utf-8")
    result = heard("ingest", "bad.jsonl", "--db", "new.duckdb", "--skip-bad", "--rejects", "nodir/rej.jsonl")
    assert_user_error(result, "--rejects nodir/rej.jsonl", "found no folder at nodir", "mkdir -p nodir")
    assert sorted(p.name for p in sandbox.iterdir() if p.name != "home") == ["bad.jsonl"]
    # a library caller gets the same error, and its new store is removed like after any failed first ingest
    from heard.errors import ConfigError

    store = Store.open(sandbox / "c.duckdb")
    try:
        ingest([sandbox / "bad.jsonl"], store, skip_bad=True, rejects_path=sandbox / "nodir" / "rej.jsonl")
    except ConfigError as exc:
        assert "found no folder at" in str(exc)
    else:
        raise AssertionError("expected a ConfigError")
    store.close()
    assert sorted(p.name for p in sandbox.iterdir() if p.name != "home") == ["bad.jsonl"]


def test_batch_size_and_max_chars_below_one_are_refused_naming_the_option(
        heard: Callable[..., Result], sandbox: Path, monkeypatch) -> None:
    # --batch-size 0 and HEARD_BATCH_SIZE=-5 were accepted; --max-chars -1 blamed every post of the data
    (sandbox / "in.jsonl").write_text('{"id": "1", "text": "fine"}\n', encoding="utf-8")
    for flag, value in (("--batch-size", "0"), ("--batch-size", "-3"), ("--max-chars", "-1"), ("--max-chars", "0")):
        result = heard("ingest", "in.jsonl", "--db", "c.duckdb", flag, value)
        assert result.code == 2 and f"Invalid value for '{flag}'" in result.err and "x>=1" in result.err, result.err
        assert "in.jsonl" not in result.err
    for variable, value in (("HEARD_BATCH_SIZE", "-5"), ("HEARD_MAX_CHARS", "0")):
        monkeypatch.setenv(variable, value)
        assert_user_error(heard("ingest", "in.jsonl", "--db", "c.duckdb"), f"found {value}", f"Fix: set {variable}")
        monkeypatch.delenv(variable)
    (sandbox / "heard.toml").write_text("[heard]\nbatch_size = 0\n", encoding="utf-8")
    assert_user_error(heard("ingest", "in.jsonl", "--db", "c.duckdb"), "expected batch_size of at least 1, found 0")
    assert sorted(p.name for p in sandbox.iterdir() if p.name != "home") == ["heard.toml", "in.jsonl"]
