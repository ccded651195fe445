"""Ingest through the public API and the CLI, one test per format and per bad input."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from heard.errors import InputError
from heard.ingest import ColumnMap, ingest
from heard.store import PseudonymKey, Store

from .conftest import FIXTURES, assert_user_error


def rows(db: Path, sql: str) -> list[tuple]:
    with Store.open(db, read_only=True) as store:
        return store.query(sql)[1]


def test_x_api_v2_replies_threads_and_pseudonyms(sandbox: Path) -> None:
    with Store.open(sandbox / "c.duckdb") as store:
        summary = ingest([FIXTURES / "x_v2.json"], store)
    assert summary.added == 4 and summary.files[0].platform == "x"
    got = {r[0]: r[1:] for r in rows(sandbox / "c.duckdb", "SELECT id, parent_id, thread_root, author, created_at FROM posts")}
    assert got["x:1002"][0] == "x:1001" and got["x:1004"][0] == "x:1003"
    assert {r[1] for r in got.values()} == {"x:1001"}
    assert got["x:1002"][2] == got["x:1004"][2]  # same author, same pseudonym
    assert all(r[2].startswith("a_") and "2002" not in r[2] for r in got.values())
    assert str(got["x:1001"][3]) == "2026-03-02 09:15:00"


def test_reddit_dump_prefixes_and_deleted_authors(sandbox: Path) -> None:
    with Store.open(sandbox / "c.duckdb") as store:
        ingest([FIXTURES / "reddit.ndjson"], store)
    got = {r[0]: r[1:] for r in rows(sandbox / "c.duckdb", "SELECT id, parent_id, thread_root, author, text FROM posts")}
    assert set(got) == {"reddit:t3_s1", "reddit:t1_c1", "reddit:t1_c2", "reddit:t1_c3"}
    assert got["reddit:t1_c2"][0] == "reddit:t1_c1" and got["reddit:t1_c1"][0] == "reddit:t3_s1"
    assert {r[1] for r in got.values()} == {"reddit:t3_s1"}
    assert got["reddit:t1_c2"][2] is None  # [deleted]
    assert got["reddit:t3_s1"][3].startswith("Finally telling my family\n\nAfter eleven years")


def test_bluesky_records_and_views(sandbox: Path) -> None:
    with Store.open(sandbox / "c.duckdb") as store:
        ingest([FIXTURES / "bluesky.jsonl"], store)
    # at:// URIs name their author's DID: stored as keyed hashes, mapped back beside the key.
    original = {e["id"]: e["original"] for e in PseudonymKey.for_store(sandbox / "c.duckdb", True).read_ids()}
    got = {original[r[0]]: (original.get(r[1]), original.get(r[2]), r[3])
           for r in rows(sandbox / "c.duckdb", "SELECT id, parent_id, thread_root, platform FROM posts")}
    root = "bluesky:at://did:plc:aaa111/app.bsky.feed.post/3k1"
    assert got["bluesky:at://did:plc:ccc333/app.bsky.feed.post/3k3"][:2] == ("bluesky:at://did:plc:bbb222/app.bsky.feed.post/3k2", root)
    assert {r[2] for r in got.values()} == {"bluesky"}
    assert all(r[0].startswith("bluesky:p_") and "did" not in r[0] for r in rows(sandbox / "c.duckdb", "SELECT id FROM posts"))
    ids_file = sandbox / "c.duckdb.key.ids.jsonl"
    assert oct(ids_file.stat().st_mode & 0o777) == "0o600"


def test_mastodon_html_becomes_text(sandbox: Path) -> None:
    with Store.open(sandbox / "c.duckdb") as store:
        ingest([FIXTURES / "mastodon.json"], store)
    got = {r[0]: r[1:] for r in rows(sandbox / "c.duckdb", "SELECT id, text, parent_id, thread_root FROM posts")}
    assert got["mastodon:110001"][0] == "As a man I never said this: my coach abused me when I was twelve.\n\nMe too."
    assert got["mastodon:110002"][0] == "@lark you belong in this conversation & I'm glad you spoke."
    assert got["mastodon:110003"][0] == "This isn't about you, mate.\nLog off."
    assert got["mastodon:110003"][1:] == ("mastodon:110001", "mastodon:110001")


def test_csv_with_sniffed_columns_keeps_unknown_columns_as_meta(sandbox: Path) -> None:
    with Store.open(sandbox / "c.duckdb") as store:
        ingest([FIXTURES / "generic.csv"], store)
    got = {r[0]: r[1:] for r in rows(sandbox / "c.duckdb", "SELECT id, parent_id, thread_root, meta->>'likes' FROM posts")}
    assert got["generic:g3"] == ("generic:g2", "generic:g1", "9")


def test_column_flags_map_a_generic_jsonl(sandbox: Path) -> None:
    src = sandbox / "odd.jsonl"
    src.write_text(
        json.dumps({"key": "a", "words": "me too", "who": "x", "when": "2026-03-01T00:00:00Z"}) + "\n"
        + json.dumps({"key": "b", "words": "I believe you", "who": "y", "re": "a", "when": 1772323200}) + "\n"
    )
    cols = ColumnMap(text="words", id="key", parent="re", author="who", time="when")
    with Store.open(sandbox / "c.duckdb") as store:
        ingest([src], store, columns=cols)
    assert rows(sandbox / "c.duckdb", "SELECT id, parent_id, thread_root FROM posts ORDER BY id") == [("odd:a", None, "odd:a"), ("odd:b", "odd:a", "odd:a")]


def test_parquet(sandbox: Path) -> None:
    table = pa.table({"id": ["p1", "p2"], "text": ["me too", "not all men"], "parent_id": [None, "p1"], "created_at": ["2026-03-01T10:00:00Z", "2026-03-01T11:00:00Z"]})
    pq.write_table(table, sandbox / "posts.parquet")
    with Store.open(sandbox / "c.duckdb") as store:
        assert ingest([sandbox / "posts.parquet"], store).added == 2
    assert rows(sandbox / "c.duckdb", "SELECT thread_root FROM posts WHERE id = 'posts:p2'") == [("posts:p1",)]


def test_folder_of_essays_is_split_into_sentences_with_quotes(sandbox: Path) -> None:
    with Store.open(sandbox / "c.duckdb") as store:
        summary = ingest([FIXTURES / "essays"], store)
    assert summary.added == 2 and summary.files[0].platform == "document"
    units = rows(sandbox / "c.duckdb", "SELECT text, voice FROM units WHERE post_id = 'doc:essays/backlash.md' ORDER BY seq")
    assert ("One man replied:", "own") in units
    assert ("not all men, you know.", "quoted") in units
    assert ("This isn't the place for your sob story.", "quoted") in units
    assert ("Telling a survivor to be quiet helps nobody.", "own") in units
    meta = rows(sandbox / "c.duckdb", "SELECT meta->>'title' FROM posts WHERE id = 'doc:essays/backlash.md'")
    assert meta == [("What the replies did",)]


def test_ingesting_twice_adds_nothing(heard, sandbox: Path) -> None:
    first = heard("ingest", str(FIXTURES / "x_v2.json"), str(FIXTURES / "reddit.ndjson"), "--db", "c.duckdb", "--json")
    units = rows(sandbox / "c.duckdb", "SELECT count(*) FROM units")
    second = heard("ingest", str(FIXTURES / "x_v2.json"), str(FIXTURES / "reddit.ndjson"), "--db", "c.duckdb", "--json")
    assert first.code == 0 and second.code == 0, second.err
    assert json.loads(first.out)["added"] == 8
    assert json.loads(second.out)["added"] == 0 and json.loads(second.out)["posts_in_store"] == 8
    assert rows(sandbox / "c.duckdb", "SELECT count(*) FROM units") == units


def test_batches_commit_and_a_crash_keeps_committed_batches(sandbox: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = sandbox / "many.jsonl"
    src.write_text("".join(json.dumps({"id": f"p{i}", "text": f"post number {i}"}) + "\n" for i in range(250)))
    calls = {"n": 0}
    original = Store.add_posts

    def crashing(self, posts, units, run_id=None):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("power cut")
        return original(self, posts, units, run_id=run_id)

    monkeypatch.setattr(Store, "add_posts", crashing)
    with Store.open(sandbox / "c.duckdb") as store, pytest.raises(RuntimeError):
        ingest([src], store, batch_size=100)
    assert rows(sandbox / "c.duckdb", "SELECT count(*) FROM posts") == [(200,)]  # two whole batches, no half batch
    monkeypatch.setattr(Store, "add_posts", original)
    with Store.open(sandbox / "c.duckdb") as store:
        summary = ingest([src], store, batch_size=100)
    assert summary.added == 50
    assert rows(sandbox / "c.duckdb", "SELECT count(*), count(DISTINCT id) FROM posts") == [(250, 250)]


def test_key_is_kept_with_the_store_and_needed_later(sandbox: Path) -> None:
    with Store.open(sandbox / "c.duckdb") as store:
        ingest([FIXTURES / "x_v2.json"], store)
    key = sandbox / "c.duckdb.key"
    assert key.exists() and oct(key.stat().st_mode & 0o777) == "0o600"
    key.unlink()
    with Store.open(sandbox / "c.duckdb") as store, pytest.raises(Exception, match="pseudonym key"):
        ingest([FIXTURES / "reddit.ndjson"], store)


# -- bad input -------------------------------------------------------------------


def bad_files(folder: Path) -> dict[str, tuple[Path, list[str]]]:
    good = json.dumps({"id": "ok1", "text": "I believe you"}) + "\n"
    cases = {
        "malformed": ("bad.jsonl", (good + "{not json\n").encode(), ["bad.jsonl:2", "invalid JSON"]),
        "encoding": ("latin.csv", "id,text\n1,caf\u00e9 ok\n".encode("latin-1"), ["latin.csv:2", "--encoding"]),
        "no_text_column": ("cols.csv", b"a,b\n1,2\n", ["--text-col", "found only: a, b"]),
        "empty": ("empty.jsonl", b"", ["empty file"]),
        "giant": ("giant.jsonl", (good + json.dumps({"id": "g", "text": "x" * 1_048_576}) + "\n").encode(), ["giant.jsonl:2", "100,000 characters", "1,048,576"]),
        "nul": ("nul.jsonl", (good + '{"id": "n", "text": "a\\u0000b"}\n').encode(), ["nul.jsonl:2", "NUL"]),
        "raw_nul": ("rawnul.jsonl", good.encode() + b'{"id": "n", "text": "a\x00b"}\n', ["rawnul.jsonl:2", "NUL"]),
        "utf16": ("wide.jsonl", good.encode("utf-16"), ["UTF-16"]),
        "missing_text": ("notext.jsonl", (good + json.dumps({"id": "t", "body": None, "text": None}) + "\n").encode(), ["notext.jsonl:2", "expected a text"]),
        "bad_time": ("time.jsonl", (good + json.dumps({"id": "t", "text": "hi", "created_at": "yesterday-ish"}) + "\n").encode(), ["time.jsonl:2", "timestamp"]),
        "unknown_flag_column": ("flag.csv", b"id,text\n1,hi\n", ["'body'", "found only: id, text"]),
    }
    out = {}
    for name, (filename, content, fragments) in cases.items():
        path = folder / filename
        path.write_bytes(content)
        out[name] = (path, fragments)
    return out


@pytest.mark.parametrize(
    "case", ["malformed", "encoding", "no_text_column", "empty", "giant", "nul", "raw_nul", "utf16", "missing_text", "bad_time", "unknown_flag_column"]
)
def test_bad_input_is_a_one_line_error_and_writes_nothing(heard, sandbox: Path, case: str) -> None:
    path, fragments = bad_files(sandbox)[case]
    seeded = heard("ingest", str(FIXTURES / "x_v2.json"), "--db", "c.duckdb")
    assert seeded.code == 0
    extra = ["--text-col", "body"] if case == "unknown_flag_column" else []
    result = heard("ingest", str(path), "--db", "c.duckdb", *extra)
    assert_user_error(result, *fragments)
    assert len(result.err.strip().splitlines()) == 1
    assert rows(sandbox / "c.duckdb", "SELECT count(*) FROM posts") == [(4,)]
    assert rows(sandbox / "c.duckdb", "SELECT status FROM runs ORDER BY id DESC LIMIT 1") == [("failed",)]


def test_a_bad_row_late_in_a_big_file_takes_back_earlier_batches(sandbox: Path) -> None:
    src = sandbox / "late.jsonl"
    src.write_text("".join(json.dumps({"id": f"p{i}", "text": f"post {i}"}) + "\n" for i in range(120)) + "{oops\n")
    (sandbox / "first.jsonl").write_text('{"id": "first", "text": "already here"}\n')
    with Store.open(sandbox / "c.duckdb") as store:
        ingest([sandbox / "first.jsonl"], store)  # (a failed *first* ingest removes the new store: test_ingest_runs.py)
        with pytest.raises(InputError, match=r"late\.jsonl:121"):
            ingest([src], store, batch_size=50)
    assert rows(sandbox / "c.duckdb", "SELECT count(*) FROM posts") == [(1,)]
    assert rows(sandbox / "c.duckdb", "SELECT count(*) FROM units") == [(1,)]


def test_skip_bad_sets_rows_aside_and_counts_them(heard, sandbox: Path) -> None:
    files = bad_files(sandbox)
    inputs = [str(files[c][0]) for c in ("malformed", "giant", "nul", "missing_text", "bad_time")]
    result = heard("ingest", *inputs, "--db", "c.duckdb", "--skip-bad", "--json")
    assert result.code == 0, result.err
    summary = json.loads(result.out)
    assert summary["rejected"] == 5 and summary["added"] == 5  # each file's good row (ids are scoped by file)
    rejects = [json.loads(line) for line in Path(summary["rejects_path"]).read_text().splitlines()]
    assert [(Path(r["source"]).name, r["line"]) for r in rejects] == [
        ("bad.jsonl", 2), ("giant.jsonl", 2), ("nul.jsonl", 2), ("notext.jsonl", 2), ("time.jsonl", 2)]
    assert oct(Path(summary["rejects_path"]).stat().st_mode & 0o777) == "0o600"


def test_encoding_flag_reads_latin1(heard, sandbox: Path) -> None:
    path, _ = bad_files(sandbox)["encoding"]
    result = heard("ingest", str(path), "--db", "c.duckdb", "--encoding", "latin-1")
    assert result.code == 0, result.err
    assert rows(sandbox / "c.duckdb", "SELECT text FROM posts") == [("caf\u00e9 ok",)]


def test_missing_input_and_unknown_suffix(heard, sandbox: Path) -> None:
    assert_user_error(heard("ingest", "nowhere.jsonl", "--db", "c.duckdb"), "nowhere.jsonl", "found nothing")
    (sandbox / "posts.xlsx").write_bytes(b"PK\x03\x04")
    assert_user_error(heard("ingest", "posts.xlsx", "--db", "c.duckdb"), ".xlsx")
    shutil.copy(FIXTURES / "generic.csv", sandbox / "no_suffix")
    assert_user_error(heard("ingest", "no_suffix", "--db", "c.duckdb"), "suffix")


# -- identity of posts -------------------------------------------------------------


def _jsonl(path: Path, *records: dict) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_the_same_ids_in_two_files_are_two_posts_and_replies_stay_in_their_file(heard, sandbox: Path) -> None:
    _jsonl(sandbox / "a.jsonl", {"id": "1", "text": "It was my teacher."}, {"id": "2", "parent_id": "1", "text": "I believe you."})
    _jsonl(sandbox / "b.jsonl", {"id": "1", "text": "It was my neighbour."}, {"id": "2", "parent_id": "1", "text": "Same here."})
    result = heard("ingest", "a.jsonl", "b.jsonl", "--db", "c.duckdb", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["added"] == 4
    assert rows(sandbox / "c.duckdb", "SELECT id, parent_id, thread_root FROM posts ORDER BY id") == [
        ("a:1", None, "a:1"), ("a:2", "a:1", "a:1"), ("b:1", None, "b:1"), ("b:2", "b:1", "b:1")]
    again = heard("ingest", "a.jsonl", "b.jsonl", "--db", "c.duckdb", "--json")
    assert json.loads(again.out)["added"] == 0 and json.loads(again.out)["already_stored"] == 4


def test_one_id_with_two_texts_in_a_file_is_an_error_naming_the_line(heard, sandbox: Path) -> None:
    _jsonl(sandbox / "dup.jsonl", {"id": "1", "text": "It was my coach."}, {"id": "2", "text": "Me too."},
           {"id": "1", "text": "Not all coaches."})
    result = heard("ingest", "dup.jsonl", "--db", "c.duckdb")
    assert_user_error(result, "dup.jsonl:3", "'dup:1'", "line 1", "different text")
    assert "coach" not in result.err
    assert not (sandbox / "c.duckdb").exists()  # a failed first ingest leaves no store behind
    skipped = heard("ingest", "dup.jsonl", "--db", "c.duckdb", "--skip-bad", "--json")
    summary = json.loads(skipped.out)
    assert skipped.code == 0 and summary["added"] == 2 and summary["rejected"] == 1
    reject = json.loads(Path(summary["rejects_path"]).read_text().splitlines()[-1])
    assert reject["line"] == 3 and "different text" in reject["error"]


def test_one_id_with_two_texts_across_batches_and_files_of_one_source(heard, sandbox: Path) -> None:
    records = [{"id": f"p{i}", "text": f"post {i}"} for i in range(5)] + [{"id": "p0", "text": "another post"}]
    _jsonl(sandbox / "far.jsonl", *records)
    with Store.open(sandbox / "c.duckdb") as store, pytest.raises(InputError, match=r"far\.jsonl:6.*already stored with a different text"):
        ingest([sandbox / "far.jsonl"], store, batch_size=2)
    # Two X exports share the platform's scope: the same tweet id with another text is an error, not a drop.
    tweets = json.loads((FIXTURES / "x_v2.json").read_text())["data"]
    (sandbox / "x2.json").write_text(json.dumps({"data": [{**tweets[0], "text": "a different text"}]}))
    result = heard("ingest", str(FIXTURES / "x_v2.json"), "x2.json", "--db", "x.duckdb")
    assert_user_error(result, "x2.json:1", "'x:1001'", "already stored with a different text")
    assert not (sandbox / "x.duckdb").exists()  # a failed first ingest leaves no store behind


def test_exact_duplicates_are_counted_not_errors(sandbox: Path) -> None:
    src = _jsonl(sandbox / "twice.jsonl", {"id": "1", "text": "Me too."}, {"id": "1", "text": "Me too."})
    with Store.open(sandbox / "c.duckdb") as store:
        summary = ingest([src], store)
    assert summary.added == 1 and summary.files[0].duplicates_in_input == 1


def test_rows_without_ids_are_kept_apart_by_position(heard, sandbox: Path) -> None:
    (sandbox / "noid.csv").write_text("text,author\nMe too.,a\nMe too.,b\nMe too.,a\n")
    result = heard("ingest", "noid.csv", "--db", "c.duckdb", "--json")
    assert json.loads(result.out)["added"] == 3
    assert rows(sandbox / "c.duckdb", "SELECT id FROM posts ORDER BY id") == [("noid:#1",), ("noid:#2",), ("noid:#3",)]
    assert json.loads(heard("ingest", "noid.csv", "--db", "c.duckdb", "--json").out)["added"] == 0


# -- real-world exports ----------------------------------------------------------------


def _originals(db: Path) -> dict[str, str]:
    return {e["id"]: e["original"] for e in PseudonymKey.for_store(db, True).read_ids()}


def test_bluesky_author_feed_is_read_as_bluesky_posts(sandbox: Path) -> None:
    with Store.open(sandbox / "c.duckdb") as store:
        summary = ingest([FIXTURES / "bluesky_feed.json"], store)
    assert summary.files[0].platform == "bluesky" and summary.added == 2
    back = _originals(sandbox / "c.duckdb")
    got = {back[r[0]]: (r[1], back.get(r[2]), back.get(r[3]), r[4])
           for r in rows(sandbox / "c.duckdb", "SELECT id, text, parent_id, thread_root, meta FROM posts")}
    root, reply = "bluesky:at://did:plc:zqfeed01/app.bsky.feed.post/3m1", "bluesky:at://did:plc:zqfeed01/app.bsky.feed.post/3m2"
    assert got[root][0].startswith("It took me a long time") and got[root][2] == root
    assert got[reply][1:3] == ("bluesky:at://did:plc:zqfeed02/app.bsky.feed.post/3m9", root)
    assert json.loads(got[root][3]) == {"langs": ["en"], "hashtags": ["SpeakingOut"], "likeCount": 4, "repostCount": 0,
                                        "replyCount": 1, "quoteCount": 0}


def test_bluesky_post_thread_is_read_with_its_replies(sandbox: Path) -> None:
    def view(n: int, parent: str | None = None) -> dict:
        record = {"$type": "app.bsky.feed.post", "text": f"post {n}", "createdAt": f"2026-03-0{n}T00:00:00Z"}
        if parent:
            record["reply"] = {"root": {"uri": "at://did:plc:q/app.bsky.feed.post/1"}, "parent": {"uri": parent}}
        return {"uri": f"at://did:plc:q/app.bsky.feed.post/{n}", "author": {"did": "did:plc:q"}, "record": record}

    thread = {"thread": {"post": view(2, "at://did:plc:q/app.bsky.feed.post/1"), "parent": {"post": view(1)},
                         "replies": [{"post": view(3, "at://did:plc:q/app.bsky.feed.post/2")}, {"notFound": True}]}}
    (sandbox / "thread.json").write_text(json.dumps(thread))
    with Store.open(sandbox / "c.duckdb") as store:
        assert ingest([sandbox / "thread.json"], store).added == 3
    assert rows(sandbox / "c.duckdb", "SELECT text FROM posts ORDER BY created_at") == [("post 1",), ("post 2",), ("post 3",)]


def test_reddit_thread_listing_is_read_with_its_reply_tree(sandbox: Path) -> None:
    with Store.open(sandbox / "c.duckdb") as store:
        summary = ingest([FIXTURES / "reddit_thread.json"], store)
    assert summary.files[0].platform == "reddit" and summary.added == 4  # the "more" stub is not a post
    got = {r[0]: r[1:] for r in rows(sandbox / "c.duckdb", "SELECT id, parent_id, thread_root, text FROM posts")}
    assert got["reddit:t3_zq1"] == (None, "reddit:t3_zq1", "Ten years on\n\nI finally said his name to a counsellor today.")
    assert got["reddit:t1_k1"][:2] == ("reddit:t3_zq1", "reddit:t3_zq1")
    assert got["reddit:t1_kk2"][0] == "reddit:t1_k1" and got["reddit:t1_kkk3"][0] == "reddit:t1_kk2"


def test_reddit_data_export_csvs_keep_threads_and_times_and_drop_ip(sandbox: Path) -> None:
    with Store.open(sandbox / "c.duckdb") as store:
        summary = ingest([FIXTURES / "reddit_export_posts.csv", FIXTURES / "reddit_export_comments.csv"], store)
    assert [f.platform for f in summary.files] == ["reddit", "reddit"] and summary.added == 3
    got = {r[0]: r[1:] for r in rows(sandbox / "c.duckdb", "SELECT id, parent_id, thread_root, created_at, text, meta FROM posts")}
    assert got["reddit:t3_zqp1"][:4] == (None, "reddit:t3_zqp1", datetime(2026, 3, 8, 9, 0), "First time saying it\n\nIt was my older cousin. I was nine.")
    assert got["reddit:t1_zqc1"][:3] == ("reddit:t3_zqp1", "reddit:t3_zqp1", datetime(2026, 3, 8, 10, 15))
    assert got["reddit:t1_zqc2"][:2] == ("reddit:t1_zqc9", "reddit:t3_zqp1")  # a bare parent id that is not the post: a comment
    assert all(json.loads(r[4]) == {"subreddit": "survivorsupport"} for r in got.values())


def test_mastodon_context_is_read(sandbox: Path) -> None:
    with Store.open(sandbox / "c.duckdb") as store:
        summary = ingest([FIXTURES / "mastodon_context.json"], store)
    assert summary.files[0].platform == "mastodon" and summary.added == 3
    got = dict(rows(sandbox / "c.duckdb", "SELECT id, parent_id FROM posts"))
    assert got == {"mastodon:200001": None, "mastodon:200003": "mastodon:200002", "mastodon:200004": "mastodon:200001"}


@pytest.mark.parametrize("value", [{"text": "hi", "by": "@bob"}, ["me", "too"], 42, True])
def test_a_text_that_is_not_a_string_is_a_bad_row(heard, sandbox: Path, value: object) -> None:
    _jsonl(sandbox / "odd.jsonl", {"id": "1", "text": "fine"}, {"id": "2", "text": value})
    result = heard("ingest", "odd.jsonl", "--db", "c.duckdb")
    assert_user_error(result, "odd.jsonl:2", "expected a text (a string) in 'text'", "found a")
    assert "@bob" not in result.err
    _jsonl(sandbox / "feed.json")
    (sandbox / "feed.json").write_text(json.dumps({"feed": [{"post": {"uri": "at://did:plc:q/app.bsky.feed.post/1",
                                                                      "record": {"text": value}}}]}))
    assert_user_error(heard("ingest", "feed.json", "--db", "c.duckdb"), "feed.json:1", "expected a text (a string)")


@pytest.mark.parametrize("field, value, found", [
    ("id", {"x": 1}, "found an object"), ("id", [1, 2], "found a list"),
    ("parent_id", {"id": "1"}, "found an object"), ("author", ["@bob"], "found a list"),
    ("author", {"bio": "survivor, she/her"}, "found an object without one"),
])
def test_an_id_parent_or_author_that_is_an_object_or_list_is_a_bad_row(heard, sandbox: Path, field: str, value: object,
                                                                        found: str) -> None:
    # was stored as its Python repr: id "odd:{'x': 1}", an author pseudonymised from "{'bio': ...}"
    _jsonl(sandbox / "odd.jsonl", {"id": "1", "text": "fine"}, {"id": "2", "text": "hello", field: value})
    result = heard("ingest", "odd.jsonl", "--db", "c.duckdb")
    assert_user_error(result, "odd.jsonl:2", f"in '{field}'", found)
    assert "survivor" not in result.err and "@bob" not in result.err
    skipped = heard("ingest", "odd.jsonl", "--db", "c.duckdb", "--skip-bad", "--json")
    assert skipped.code == 0, skipped.err
    assert json.loads(skipped.out)["rejected"] == 1
    assert rows(sandbox / "c.duckdb", "SELECT id, author, parent_id FROM posts") == [("odd:1", None, None)]


def test_an_author_given_as_an_account_object_is_pseudonymised_by_its_handle(heard, sandbox: Path) -> None:
    # X v1's "user" object: the handle, so "@Bob" as an object and as a string are one author
    _jsonl(sandbox / "v1.jsonl", {"id": "1", "text": "It was my coach.", "user": {"id": 12, "screen_name": "Bob"}},
           {"id": "2", "text": "I believe you.", "user": {"id_str": "13"}})
    _jsonl(sandbox / "plain.jsonl", {"id": "3", "text": "Same here.", "user": "bob"},
           {"id": "4", "text": "Me too.", "user": 13})
    assert heard("ingest", "v1.jsonl", "plain.jsonl", "--db", "c.duckdb").code == 0
    authors = dict(rows(sandbox / "c.duckdb", "SELECT id, author FROM posts"))
    assert authors["v1:1"] == authors["plain:3"] and authors["v1:2"] == authors["plain:4"]
    assert authors["v1:1"] != authors["v1:2"] and all(a.startswith("a_") for a in authors.values())


def test_the_json_summary_adds_up_to_its_files(heard, sandbox: Path) -> None:
    # A repeat inside the input is not a post the store already held: the totals say which is which.
    _jsonl(sandbox / "d.jsonl", {"id": "a", "text": "me too"}, {"id": "a", "text": "me too"}, {"id": "b", "text": "hello"})
    first = json.loads(heard("ingest", "d.jsonl", "--db", "c.duckdb", "--json").out)
    assert (first["added"], first["already_stored"], first["duplicates_in_input"]) == (2, 0, 1)
    for key in ("read", "added", "already_stored", "duplicates_in_input", "rejected"):
        assert first[key] == sum(f[key] for f in first["files"]), key
    again = json.loads(heard("ingest", "d.jsonl", "--db", "c.duckdb", "--json").out)
    assert (again["added"], again["already_stored"], again["duplicates_in_input"]) == (0, 2, 1)
