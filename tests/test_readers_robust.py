"""Hostile and odd input files: each is a bad row with its line (or a clear error), never an internal error."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from heard.errors import ConfigError
from heard.ingest.readers import BadRow, Row, check_encoding, read_records
from heard.ingest.timeparse import TimeFormatError, parse_time
from heard.store import Store

from .conftest import Result, assert_user_error

SURROGATE_LINE = '{"id": "2", "text": "ok \\ud83d"}'  # a truncated emoji, as JSON writes it


def posts(db: Path) -> list[tuple[str, str]]:
    with Store.open(db, read_only=True) as store:
        return [(str(r[0]), str(r[1])) for r in store.query("SELECT id, text FROM posts ORDER BY id")[1]]


def rejects(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- item 1: no internal errors ----------------------------------------------------------
def test_a_lone_surrogate_is_a_bad_row_with_its_line(heard: Callable[..., Result], sandbox: Path) -> None:
    (sandbox / "s.jsonl").write_text('{"id": "1", "text": "fine"}\n' + SURROGATE_LINE + '\n{"id": "3", "text": "also fine"}\n', encoding="utf-8")
    assert_user_error(heard("ingest", "s.jsonl", "--db", "a.duckdb"), "s.jsonl:2:", "lone surrogate")
    result = heard("ingest", "s.jsonl", "--db", "b.duckdb", "--skip-bad")
    assert result.code == 0, result.err
    assert posts(sandbox / "b.duckdb") == [("s:1", "fine"), ("s:3", "also fine")]
    assert [r["line"] for r in rejects(sandbox / "b.duckdb.rejects.jsonl")] == [2]


def test_a_lone_surrogate_in_a_key_or_a_whole_json_file(sandbox: Path) -> None:
    (sandbox / "k.jsonl").write_text('{"id": "1", "text": "x", "\\udc00": 1}\n', encoding="utf-8")
    (sandbox / "w.json").write_text('[{"id": "1", "text": "fine"}, {"id": "2", "text": "\\ud83d"}]', encoding="utf-8")
    assert [type(r).__name__ for r in read_records(sandbox / "k.jsonl")] == ["BadRow"]
    got = list(read_records(sandbox / "w.json"))
    assert isinstance(got[0], Row) and isinstance(got[1], BadRow) and got[1].line == 2


def test_deeply_nested_json_is_a_bad_row(heard: Callable[..., Result], sandbox: Path) -> None:
    deep = '{"id": "2", "text": "x", "meta": ' + "[" * 100_000 + "]" * 100_000 + "}"
    medium = '{"id": "3", "text": "x", "meta": ' + "[" * 200 + "]" * 200 + "}"
    (sandbox / "d.jsonl").write_text('{"id": "1", "text": "fine"}\n' + deep + "\n" + medium + "\n", encoding="utf-8")
    assert_user_error(heard("ingest", "d.jsonl", "--db", "a.duckdb"), "d.jsonl:2:", "nested")
    result = heard("ingest", "d.jsonl", "--db", "b.duckdb", "--skip-bad")
    assert result.code == 0, result.err
    assert posts(sandbox / "b.duckdb") == [("d:1", "fine")]
    assert [r["line"] for r in rejects(sandbox / "b.duckdb.rejects.jsonl")] == [2, 3]
    (sandbox / "d.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    assert_user_error(heard("ingest", "d.json", "--db", "c.duckdb"), "d.json", "nested")


@pytest.mark.parametrize("encoding", ["nonsense", "base64", "rot13"])
def test_an_unknown_encoding_is_a_config_error(heard: Callable[..., Result], sandbox: Path, encoding: str) -> None:
    (sandbox / "g.jsonl").write_text('{"id": "1", "text": "fine"}\n', encoding="utf-8")
    assert_user_error(heard("ingest", "g.jsonl", "--db", "a.duckdb", "--encoding", encoding), "encoding", repr(encoding))
    with pytest.raises(ConfigError):
        check_encoding(encoding)


def test_utf16_named_for_a_utf8_file_and_the_reverse(heard: Callable[..., Result], sandbox: Path) -> None:
    (sandbox / "g.jsonl").write_text('{"id": "1", "text": "fine"}\n', encoding="utf-8")
    for name in ("g.jsonl",):
        for encoding in ("utf-16", "utf-32", "cp037"):
            result = heard("ingest", name, "--db", f"{encoding}.duckdb", "--encoding", encoding)
            assert result.code == 1 and "internal error" not in result.err, result.err
    (sandbox / "g16.jsonl").write_text('{"id": "1", "text": "fine"}\n{"id": "2", "text": "zwei"}\n', encoding="utf-16")
    (sandbox / "g16.json").write_text('[{"id": "1", "text": "fine"}]', encoding="utf-16")
    (sandbox / "g16.csv").write_text("id,text\n1,fine\n", encoding="utf-16")
    for name in ("g16.jsonl", "g16.json", "g16.csv"):
        result = heard("ingest", name, "--db", f"{name}.duckdb", "--encoding", "utf-16")
        assert result.code == 0, result.err
        assert posts(sandbox / f"{name}.duckdb")[0] == ("g16:1", "fine")  # ids are scoped by the file stem


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ("0001-01-01T00:00:00+01:00", "out of range"),
        ("9999-12-31T23:59:59-01:00", "out of range"),
        ("0", "before 1990"),
        ("-1", "before 1990"),
        ("99999999999", "5138"),
        ("03/02/2026", "more than one date"),
        ("2026-03-02 14:05 EST", "time zone"),
        ("I was twelve", "not a timestamp"),
    ],
)
def test_out_of_range_or_ambiguous_times_are_bad_rows(heard: Callable[..., Result], sandbox: Path, value: str, found: str) -> None:
    (sandbox / "t.csv").write_text(f"id,text,created_at\n1,fine,2026-03-02\n2,hello,{value}\n", encoding="utf-8")
    result = heard("ingest", "t.csv", "--db", "a.duckdb")
    assert_user_error(result, "t.csv:3:", found)
    assert "I was" not in result.err and "twelve" not in result.err  # a text in a time column is not echoed
    result = heard("ingest", "t.csv", "--db", "b.duckdb", "--skip-bad")
    assert result.code == 0 and posts(sandbox / "b.duckdb") == [("t:1", "fine")]


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("March 2, 2026 2:05 PM", "2026-03-02T14:05:00+00:00"),
        ("2 Mar 2026 14:05 +0100", "2026-03-02T13:05:00+00:00"),
        ("13/02/2026", "2026-02-13T00:00:00+00:00"),
        ("2026/03/02 14:05", "2026-03-02T14:05:00+00:00"),
        ("Mon Mar 02 14:05:00 +0000 2026", "2026-03-02T14:05:00+00:00"),
        ("1772460300000", "2026-03-02T14:05:00+00:00"),
        ("1990-01-01", "1990-01-01T00:00:00+00:00"),
    ],
)
def test_odd_but_unambiguous_times_are_read(value: str, iso: str) -> None:
    moment = parse_time(value)
    assert moment is not None and moment.isoformat() == iso


def test_the_future_is_a_day_away() -> None:
    now = datetime(2026, 3, 2, tzinfo=UTC)
    assert parse_time("2026-03-02T23:00:00Z", now=now) is not None
    with pytest.raises(TimeFormatError, match="future"):
        parse_time("2026-03-04T00:00:00Z", now=now)


# -- item 2: CSV dialects and strict quoting ------------------------------------------------
def test_an_unterminated_quote_is_reported_with_its_line(heard: Callable[..., Result], sandbox: Path) -> None:
    (sandbox / "q.csv").write_text('id,text\n1,fine\n2,"hello\n3,third\n4,fourth\n', encoding="utf-8")
    assert_user_error(heard("ingest", "q.csv", "--db", "a.duckdb"), "q.csv:3:", "never closed")
    result = heard("ingest", "q.csv", "--db", "b.duckdb", "--skip-bad")
    assert result.code == 0, result.err
    # the rows after the broken one are read again, not swallowed into one field
    assert posts(sandbox / "b.duckdb") == [("q:1", "fine"), ("q:3", "third"), ("q:4", "fourth")]
    assert [r["line"] for r in rejects(sandbox / "b.duckdb.rejects.jsonl")] == [3]


def test_a_stray_quote_inside_a_field_is_a_bad_row(sandbox: Path) -> None:
    (sandbox / "q.csv").write_text('id,text\n1,"fine" or not\n2,"multi\nline"\n', encoding="utf-8")
    got = list(read_records(sandbox / "q.csv"))
    assert isinstance(got[0], BadRow) and got[0].line == 2
    assert isinstance(got[1], Row) and got[1].line == 3 and got[1].record["text"] == "multi\nline"


@pytest.mark.parametrize("delimiter", [";", "\t", "|", ","])
def test_the_csv_delimiter_is_sniffed(sandbox: Path, delimiter: str) -> None:
    lines = [["id", "text", "author"], ["1", "hello, world; again", "a"], ["2", "x|y", "b"]]
    body = "".join(delimiter.join(f'"{c}"' if any(d in c for d in ",;|\t") else c for c in row) + "\n" for row in lines)
    (sandbox / "d.csv").write_text(body, encoding="utf-8")
    got = [r.record for r in read_records(sandbox / "d.csv") if isinstance(r, Row)]
    assert [g["text"] for g in got] == ["hello, world; again", "x|y"]
