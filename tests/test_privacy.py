"""Privacy by construction: what ingest keeps, what it hashes, and what reaches files and stderr.

Every supported export carries planted identities (handles, display names,
DIDs, profile URLs, e-mails, IP addresses, locations) outside the post text;
none of them may reach the store, an export or a report.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from heard.ingest import ingest
from heard.ingest.platforms import ALLOWED_META, allowed_meta
from heard.store import PseudonymKey, Store

from .conftest import FIXTURES, assert_user_error

EXPORTS = [
    "x_v2.json", "reddit.ndjson", "bluesky.jsonl", "mastodon.json", "generic.csv",
    "bluesky_feed.json", "reddit_thread.json", "mastodon_context.json",
    "reddit_export_comments.csv", "reddit_export_posts.csv",
]

PLANTED = [
    # X: mentions, profile URLs, place, display name, location, handles
    "zq_mention_x", "zq_profile_x", "zqplace01", "Zq Displayname X", "Zqtown", "zq_handle_x", "zq_site",
    # Reddit: authors, author_fullname, profile URL, flair, permalinks, IP addresses of the data export
    "quiet_river", "maple_owl", "t2_zq", "zq_redditor", "Zq Flair", "zq_permalink", "zq_op_author", "zq_reply_",
    "203.0.113.7", "/comments/",
    # Bluesky: DIDs (also inside at:// ids), handles, display names, avatar URLs, mention facets
    "did:plc", "aaa111", "bbb222", "ccc333", "rowan.example.social", "sol.example.social", "Zq Rowan Display",
    "zqmention1", "zq.bsky.social", "zqfeed0", "zq-feed.bsky.social", "zqfriend.example.com", "Zq Feed Person",
    "Zq Friend Person", "at://", "cdn.bsky.app",
    # Mastodon: accts, status URIs and URLs with handles, mentions, display names, bios
    "lark@example.town", "example.town/users/lark", "example.town/@lark", "gruff@other.example", "zq_mentioned",
    "Zq Lark Display", "Zq Gruff Display", "zq bio text", "zqctx_", "zq.example",
    # generic: authors, display and screen names, locations, e-mails, IP addresses, profile URLs
    "newsdesk", "contrarian", "steady_hand", "Zq Newsdesk Name", "Zq Contrarian Name", "zq_news_screen",
    "zq_contra_screen", "zq_steady_screen", "Zqville", "Zqburg", "zq.news@example.org", "zq.contra@example.org",
    "198.51.100.2", "example.org/@zq",
]


def _hits(text: str, where: str) -> list[str]:
    lowered = text.lower()
    return [f"{where}: {p}" for p in PLANTED if p.lower() in lowered]


def _table_text(path: Path) -> str:
    return json.dumps(pq.read_table(path).to_pylist(), default=str, ensure_ascii=False) if path.suffix == ".parquet" else path.read_text(encoding="utf-8", errors="replace")


def test_no_planted_identity_reaches_the_store_exports_or_report(heard, sandbox: Path) -> None:
    inputs = [str(FIXTURES / name) for name in EXPORTS]
    result = heard("ingest", *inputs, "--db", "c.duckdb", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["added"] == 29
    assert heard("label", "--db", "c.duckdb").code == 0
    report = heard("report", "--db", "c.duckdb", "-o", "rep")
    assert report.code == 0, report.err
    for fmt in ("parquet", "csv"):
        assert heard("export", "--db", "c.duckdb", "--format", fmt, "-o", f"out-{fmt}").code == 0

    hits: list[str] = []
    with Store.open(sandbox / "c.duckdb", read_only=True) as store:
        tables = [r[0] for r in store.query("SELECT table_name FROM information_schema.tables")[1]]
        assert {"posts", "units", "labels", "post_labels", "runs"} <= set(tables)
        for table in tables:
            columns, rows = store.query(f'SELECT * FROM "{table}"')
            hits += _hits(json.dumps([columns, rows], default=str, ensure_ascii=False), f"table {table}")
    hits += _hits((sandbox / "c.duckdb").read_bytes().decode("utf-8", errors="replace"), "c.duckdb bytes")
    exported = [p for p in sandbox.glob("out-*/*") if p.is_file()]
    assert len(exported) == 8
    for path in exported:
        hits += _hits(_table_text(path), str(path.relative_to(sandbox)))
    reported = [p for p in (sandbox / "rep").rglob("*") if p.is_file()]
    assert any(p.name == "report.html" for p in reported) and any(p.suffix == ".csv" for p in reported)
    for path in reported:
        if path.suffix in (".png",):
            continue
        hits += _hits(_table_text(path), str(path.relative_to(sandbox)))
    assert hits == []


def test_meta_keeps_only_the_allow_list(sandbox: Path) -> None:
    with Store.open(sandbox / "c.duckdb") as store:
        ingest([FIXTURES / name for name in EXPORTS], store)
        metas = {r[0]: json.loads(r[1]) for r in store.query("SELECT platform, meta FROM posts")[1]}
    for platform, meta in metas.items():
        assert set(meta) <= set(ALLOWED_META.get(platform, ALLOWED_META["generic"])), (platform, meta)
    with Store.open(sandbox / "c.duckdb", read_only=True) as store:
        toot = json.loads(store.query("SELECT meta FROM posts WHERE id = 'mastodon:110001'")[1][0][0])
        tweet = json.loads(store.query("SELECT meta FROM posts WHERE id = 'x:1001'")[1][0][0])
        export = json.loads(store.query("SELECT meta FROM posts WHERE id = 'reddit:t1_zqc1'")[1][0][0])
    assert toot == {"language": "en", "favourites_count": 5, "visibility": "public", "hashtags": ["MeToo"]}
    assert tweet == {"lang": "en", "like_count": 12, "retweet_count": 2, "reply_count": 3, "quote_count": 0, "hashtags": ["MeToo"]}
    assert export == {"subreddit": "survivorsupport"}  # the data export's ip column is gone


def test_meta_values_of_the_wrong_kind_are_dropped() -> None:
    fields = {"likes": "call me on 0123", "lang": "Maya from Leeds", "subreddit": "r/x y", "hashtags": ["MeToo", "@bob"],
              "sensitive": "maybe", "score": 4, "location": "Leeds", "user_name": "bob"}
    assert allowed_meta("generic", fields) == {"hashtags": ["MeToo"], "score": 4}


def test_ids_that_name_an_account_are_hashed_and_map_back(sandbox: Path) -> None:
    src = sandbox / "toots.jsonl"
    url = "https://zq.example/@robin/1"
    src.write_text(
        json.dumps({"uri": url, "text": "It happened to me too."}) + "\n"
        + json.dumps({"uri": "https://zq.example/@kit/2", "in_reply_to": url, "text": "I believe you."}) + "\n"
        + json.dumps({"uri": "plain-3", "in_reply_to": url, "text": "Same here."}) + "\n"
    )
    with Store.open(sandbox / "c.duckdb") as store:
        ingest([src], store)
        got = store.query("SELECT id, parent_id, thread_root FROM posts ORDER BY text")[1]
    key = PseudonymKey.for_store(sandbox / "c.duckdb", True)
    root = key.post_id(f"toots:{url}")
    assert root is not None and root.startswith("toots:p_")
    assert [(r[1], r[2]) for r in got] == [(root, root), (None, root), (root, root)]  # replies attach to the hashed parent
    assert "toots:plain-3" in {r[0] for r in got}  # an id that names no one stays readable
    mapping = {e["id"]: e["original"] for e in key.read_ids()}
    assert mapping[root] == f"toots:{url}" and len(mapping) == 2
    ids_file = PseudonymKey.ids_path_for(sandbox / "c.duckdb")
    assert oct(ids_file.stat().st_mode & 0o777) == "0o600"
    with Store.open(sandbox / "c.duckdb") as store:  # a second ingest writes no second copy of the map
        ingest([src], store)
    assert len(ids_file.read_text().splitlines()) == 2


def test_a_headerless_csv_error_does_not_quote_its_first_row(heard, sandbox: Path) -> None:
    (sandbox / "noheader.csv").write_text("17,It was my uncle and nobody believed me,2026-03-01\n18,Me too,2026-03-02\n")
    result = heard("ingest", "noheader.csv", "--db", "c.duckdb")
    assert_user_error(result, "noheader.csv", "<a 38-character value>", "header row")
    assert "uncle" not in result.err and "2026-03-01" not in result.err


def test_a_text_in_a_time_column_is_described_not_quoted(heard, sandbox: Path) -> None:
    (sandbox / "t.jsonl").write_text(json.dumps({"id": "1", "text": "hi", "created_at": "he followed me home from the station"}) + "\n")
    result = heard("ingest", "t.jsonl", "--db", "c.duckdb")
    assert_user_error(result, "t.jsonl:1", "timestamp", "36-character text")
    assert "followed" not in result.err
