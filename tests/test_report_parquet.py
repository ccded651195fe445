"""``heard report --parquet``: the report from ``heard classify``'s Parquet labels, out of core, equals the
report from a store of the same posts; reply trees cross partitions; thread columns survive classify with the
author pseudonymised; bad input is a clear error."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from heard.store import reads
from heard.store.parquet_views import open_labelled
from tests.conftest import Result, assert_user_error

# Written for these tests: testimonies by women and men, and replies of each kind.
TESTIMONIES = [
    "Me too. I was fifteen and my coach said nobody would believe me.",
    "As a man I was assaulted by my boss and I never told anyone until now. #MeToo",
    "It happened to me at a party in college, I froze and could not say no.",
    "My uncle abused me for years when I was a boy and I kept quiet.",
]
REPLIES = [
    "I believe you, and I am so sorry this happened to you.",
    "Not all men are like that, stop generalising.",
    "Why did she wait twenty years to say anything?",
    "Shut up and get over it, nobody cares about your sob story.",
    "The company should fire him and publish the investigation.",
    "What about the men who are falsely accused? #NotAllMen",
    "Sending love, you are brave for sharing this.",
    "Men cannot be raped, stop lying.",
]
START = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def _corpus(threads: int = 24) -> list[dict[str, Any]]:
    """Threads of a testimony, direct replies and replies to replies; ids unique, times increasing."""
    rows: list[dict[str, Any]] = []
    minute = 0
    for t in range(threads):
        root = f"t{t}"
        rows.append({"id": root, "text": TESTIMONIES[t % len(TESTIMONIES)], "parent_id": None,
                     "created_at": START + timedelta(minutes=minute), "author": f"@survivor{t}"})
        for r in range(5):
            minute += 7
            parent = root if r < 3 else f"t{t}r{r - 2}"
            rows.append({"id": f"t{t}r{r}", "text": REPLIES[(t + r) % len(REPLIES)], "parent_id": parent,
                         "created_at": START + timedelta(minutes=minute), "author": f"@user{(t * 5 + r) % 17}"})
        minute += 3
    rows.append({"id": "orphan", "text": REPLIES[0], "parent_id": "gone", "created_at": None, "author": None})
    return rows


def _write_parts(folder: Path, rows: list[dict[str, Any]], parts: int) -> list[list[dict[str, Any]]]:
    """Rows dealt round-robin into ``parts`` Parquet files, so replies and their parents land in different parts."""
    folder.mkdir(parents=True)
    dealt = [rows[k::parts] for k in range(parts)]
    schema = pa.schema([("id", pa.string()), ("text", pa.string()), ("parent_id", pa.string()),
                        ("created_at", pa.timestamp("us", tz="UTC")), ("author", pa.string())])
    for k, part in enumerate(dealt):
        pq.write_table(pa.Table.from_pylist(part, schema=schema), folder / f"part-{k:04d}.parquet")
    return dealt


@pytest.fixture(scope="module")
def labelled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The corpus in 4 Parquet parts and as one JSONL file, labelled both ways: ``heard classify`` of the
    parts and ``heard ingest`` + ``heard label`` of the JSONL (real CLI, bundled model)."""
    from click.testing import CliRunner

    from heard.cli import cli

    root = tmp_path_factory.mktemp("parquet-report")
    rows = _corpus()
    _write_parts(root / "posts", rows, 4)
    with (root / "posts.jsonl").open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps({**row, "created_at": row["created_at"].isoformat() if row["created_at"] else None}) + "\n")
    runner = CliRunner()
    for args in (["classify", str(root / "posts"), "-o", str(root / "labels")],
                 ["ingest", str(root / "posts.jsonl"), "--db", str(root / "c.duckdb")],
                 ["label", "--db", str(root / "c.duckdb")]):
        result = runner.invoke(cli, args, prog_name="heard", catch_exceptions=False)
        assert result.exit_code == 0, (args, result.stderr)
    return root


def _numbers(heard: Callable[..., Result], *args: str) -> dict[str, Any]:
    result = heard("report", *args, "--format", "json")
    assert result.code == 0, result.err
    numbers: dict[str, Any] = json.loads(result.out)
    return numbers


def test_classify_keeps_thread_columns_and_never_writes_an_author_as_read(labelled: Path) -> None:
    table = pq.read_table(labelled / "labels" / "part-0001.parquet")
    assert table.column_names[-3:] == ["parent_id", "created_at", "author"]
    assert table.schema.field("created_at").type == pa.timestamp("us", tz="UTC")
    written = (labelled / "labels" / "part-0001.parquet").read_bytes()
    assert b"@user" not in written and b"@survivor" not in written
    authors = {a for a in table.column("author").to_pylist() if a is not None}
    assert authors and all(a.startswith("a_") and len(a) == 18 for a in authors)
    key = labelled / "labels.key"
    assert key.is_file() and key.stat().st_mode & 0o077 == 0


def test_report_from_parquet_equals_the_report_from_a_store(heard: Callable[..., Result], labelled: Path) -> None:
    from_store = _numbers(heard, "--db", str(labelled / "c.duckdb"))
    from_parquet = _numbers(heard, "--parquet", str(labelled / "labels"), "--posts", str(labelled / "posts"))
    assert from_parquet["corpus"]["posts"] == len(_corpus())
    for key in ("corpus", "threads", "acts", "reception", "timeline", "backlash_onset", "frames", "cues", "what_about",
                "claims"):
        assert from_parquet[key] == from_store[key], key
    assert from_parquet["threads"]["threads_with_replies"] == 24 + 1  # and the missing parent's placeholder
    assert from_parquet["threads"]["max_depth"] == 2
    assert from_parquet["threads"]["orphans"] == 1


def test_reply_trees_cross_partitions(labelled: Path) -> None:
    parts = {p.name: {r["id"] for r in pq.read_table(p, columns=["id"]).to_pylist()}
             for p in sorted((labelled / "labels").glob("part-*.parquet"))}
    part_of = {i: name for name, ids in parts.items() for i in ids}
    assert part_of["t0r0"] != part_of["t0"]  # the reply and its parent are in different files
    with open_labelled(labelled / "labels") as store:
        model = reads.label_models(store)[0].model
        columns = reads.post_columns(store, model)
    ids = columns.ids.to_pylist()
    assert ids[int(columns.parent[ids.index("t0r0")])] == "t0"
    assert part_of["t0r4"] != part_of["t0r2"] and ids[int(columns.parent[ids.index("t0r4")])] == "t0r2"


def test_the_report_folder_without_texts_says_what_it_left_out(heard: Callable[..., Result], labelled: Path,
                                                                sandbox: Path) -> None:
    result = heard("report", "--parquet", str(labelled / "labels"), "-o", "report")
    assert result.code == 0, result.err
    numbers = json.loads((sandbox / "report" / "numbers.json").read_text(encoding="utf-8"))
    assert numbers["corpus"]["texts_read"] is False and numbers["cues"] == [] and numbers["what_about"] == []
    from_store = _numbers(heard, "--db", str(labelled / "c.duckdb"))
    assert numbers["claims"] == from_store["claims"] and numbers["threads"] == from_store["threads"]
    assert "--posts" in (sandbox / "report" / "summary.md").read_text(encoding="utf-8")
    html = (sandbox / "report" / "report.html").read_text(encoding="utf-8")
    assert "Post texts were not read" in html
    assert all(t not in html for t in TESTIMONIES + REPLIES)


def test_missing_folder_empty_folder_and_parquet_and_db_together(heard: Callable[..., Result], sandbox: Path,
                                                                labelled: Path) -> None:
    assert_user_error(heard("report", "--parquet", "nowhere", "-o", "r"), "nowhere", "found nothing there")
    (sandbox / "empty").mkdir()
    (sandbox / "empty" / "notes.txt").write_text("x", encoding="utf-8")
    assert_user_error(heard("report", "--parquet", "empty", "-o", "r"), "Parquet part files", "found none")
    both = heard("report", "--parquet", str(labelled / "labels"), "--db", str(labelled / "c.duckdb"), "-o", "r")
    assert both.code == 2 and "found both" in both.err and "Traceback" not in both.err
    alone = heard("report", "--posts", str(labelled / "posts"), "-o", "r")
    assert alone.code == 2 and "--posts only with --parquet" in alone.err
    assert not (sandbox / "r").exists()


def test_labels_without_thread_columns_name_what_is_missing_and_the_fix(heard: Callable[..., Result], sandbox: Path,
                                                                      classifier: Any) -> None:
    from heard.classify.contract import classify_file

    pq.write_table(pa.table({"id": ["a", "b"], "text": ["Me too.", "I believe you."]}), sandbox / "old.parquet")
    (sandbox / "old").mkdir()
    classify_file(sandbox / "old.parquet", sandbox / "old" / "part-0.parquet", classifier)
    result = heard("report", "--parquet", "old", "-o", "r")
    assert_user_error(result, "parent_id", "created_at", "found id, act", "missing parent_id, created_at", "heard classify")
    assert "Me too" not in result.err


def test_repeated_ids_across_parts_are_refused(heard: Callable[..., Result], sandbox: Path, labelled: Path) -> None:
    folder = sandbox / "twice"
    folder.mkdir()
    part = labelled / "labels" / "part-0000.parquet"
    for name in ("a.parquet", "b.parquet"):
        (folder / name).write_bytes(part.read_bytes())
    assert_user_error(heard("report", "--parquet", "twice", "--format", "json"), "each id once", "repeated ids")


def test_jsonl_input_keeps_thread_keys_per_line(heard: Callable[..., Result], sandbox: Path) -> None:
    lines = [{"id": 1, "text": "Me too.", "author": "@alice", "created_at": "2026-03-01T09:00:00+01:00"},
             {"id": 2, "text": "I believe you.", "parent_id": 1}]
    (sandbox / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    assert heard("classify", "in.jsonl", "-o", "out.jsonl", "--key", "my.key").code == 0
    out = [json.loads(line) for line in (sandbox / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert out[0]["created_at"] == "2026-03-01T08:00:00Z" and "parent_id" not in out[0]
    assert out[0]["author"].startswith("a_") and "@alice" not in json.dumps(out)
    assert out[1]["parent_id"] == 1 and "author" not in out[1]
    assert (sandbox / "my.key").is_file() and not (sandbox / "out.jsonl.key").exists()
    (sandbox / "bad.jsonl").write_text(json.dumps({"id": 3, "text": "x", "created_at": "not a time"}) + "\n", encoding="utf-8")
    assert_user_error(heard("classify", "bad.jsonl", "-o", "bad.out.jsonl"), "bad.jsonl:1", "created_at")


def test_posts_that_do_not_line_up_with_the_labels_are_refused(heard: Callable[..., Result], sandbox: Path,
                                                              labelled: Path) -> None:
    shuffled = sandbox / "shuffled"
    shuffled.mkdir()
    for part in sorted((labelled / "posts").glob("*.parquet")):
        table = pq.read_table(part)
        pq.write_table(table.take(list(reversed(range(table.num_rows)))), shuffled / part.name)
    result = heard("report", "--parquet", str(labelled / "labels"), "--posts", "shuffled", "--format", "json")
    assert_user_error(result, "same id in each row", "rows whose ids differ")
    fewer = sandbox / "fewer"
    fewer.mkdir()
    first = sorted((labelled / "posts").glob("*.parquet"))[0]
    (fewer / first.name).write_bytes(first.read_bytes())
    assert_user_error(heard("report", "--parquet", str(labelled / "labels"), "--posts", "fewer", "--format", "json"),
                      "part for part and row for row", "found 1 parts")
    assert all(t not in result.err for t in TESTIMONIES + REPLIES)
