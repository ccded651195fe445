"""Reports: redaction, escaping, offline HTML, charts as PNG and SVG, tables, numbers."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from heard.errors import ConfigError, StoreError
from heard.report import Pseudonyms, build_report, redact, report_numbers
from heard.report.redact import shorten
from heard.store import Store

T0 = datetime(2026, 3, 2, 8, 0)
SCRIPT = "<script>alert('x')</script> stop whining, nobody cares"
PERSONAL = "email me at jane.doe@example.com or call +1 555-123-4567, @jane_doe, https://twitter.com/jane_doe"
STANCE = {"testimony": "support", "solidarity": "support", "accountability": "support", "pushback": "support",
          "derailing": "oppose", "silencing": "oppose", "disbelief": "oppose", "other": "neutral"}


def add(store: Store, posts: list[tuple]) -> None:
    """Insert (id, parent, minutes, author, text, act, discloser, frame) rows with labels of model m1."""
    store.con.executemany(
        "INSERT INTO posts (id, text, author, created_at, parent_id, platform, source) VALUES (?, ?, ?, ?, ?, 't', 't')",
        [(p[0], p[4], p[3], T0 + timedelta(minutes=p[2]), p[1]) for p in posts],
    )
    store.con.executemany(
        "INSERT INTO post_labels VALUES (?, 'm1', ?, ?, false, 'own', ?, ?, [], 0.9)",
        [(p[0], p[5], STANCE[p[5]], p[7] if len(p) > 7 else None, p[6] if len(p) > 6 else None) for p in posts],
    )


def corpus_rows() -> list[tuple]:
    rows = []
    for i in range(6):
        rows += [
            (f"m{i}", None, 30 * i, f"a_man{i}", f"Me too. As a guy I never told anyone, number {i}.", "testimony",
             "man"),
            (f"m{i}s", f"m{i}", 30 * i + 5, "a_troll", SCRIPT if i == 0 else "this isn't about you, log off",
             "silencing"),
            (f"m{i}k", f"m{i}", 30 * i + 9, "a_kind", "I believe you, brother.", "solidarity"),
        ]
        rows += [
            (f"w{i}", None, 30 * i + 1, f"a_woman{i}", f"Me too. He was my coach, story {i}. #MeToo", "testimony",
             "woman"),
            (f"w{i}k", f"w{i}", 30 * i + 4, "a_kind", PERSONAL if i == 0 else "Believe you. Sending love.",
             "solidarity"),
            (f"w{i}d", f"w{i}", 30 * i + 8, f"a_d{i}", "Not all men are like that #NotAllMen", "derailing", None,
             "not_all_men"),
            (f"w{i}a", f"w{i}", 30 * i + 12, "a_acc", "Clubs should need two adults on deck, by law.",
             "accountability"),
        ]
    for i in range(6):
        rows.append((f"f{i}", None, 200 + i, f"a_f{i}", "Men get raped too, so what about men? #MenToo", "derailing",
                     None, "false_equivalence"))
    rows.append(("orphan", "not-here", 300, "a_o", "replying to a deleted post", "other"))
    return rows


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("report")
    messages: list[str] = []
    with Store.open(folder / "t.duckdb") as store:
        add(store, corpus_rows())
        result = build_report(store, folder / "out", progress=messages.append)
        numbers = report_numbers(store)
    return result, messages, numbers


# -- redaction ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("write to jo.doe+x@mail.example.org now", "write to [email] now"),
        ("call +44 20 7946 0958 or (555) 123-4567", "call [phone] or [phone]"),
        ("thanks @maya_writes and @sam@mastodon.social", "thanks [handle] and [handle]"),
        ("see https://www.facebook.com/jane.doe.", "see [profile link]."),
        ("bsky.app/profile/jo.bsky.social and https://mastodon.social/@jo", "[profile link] and [profile link]"),
        ("reported by https://news.example.org/story?id=1", "reported by [link: news.example.org]"),
        ("u/throwaway_22 said so", "[handle] said so"),
    ],
)
def test_redact_personal_data(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_redact_leaves_dates_years_and_small_numbers() -> None:
    text = "I was 15 in 2009-2012; it was 2017-10-15, 24/7, 100000 replies"
    assert redact(text) == text


def test_pseudonyms_and_shorten() -> None:
    names = Pseudonyms()
    assert [names("a_x"), names("a_y"), names("a_x"), names(None)] == ["person 1", "person 2", "person 1",
                                                                       "unknown author"]
    assert shorten("word " * 200, 50).endswith("…") and len(shorten("word " * 200, 50)) <= 50


# -- the report folder ------------------------------------------------------------------
def test_report_writes_every_file(report) -> None:
    result, messages, _ = report
    assert result.html.exists() and result.markdown.exists() and result.numbers.exists()
    pngs = [p for p in result.charts if p.suffix == ".png"]
    svgs = [p for p in result.charts if p.suffix == ".svg"]
    assert len(pngs) == len(svgs) >= 8
    for png in pngs:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for svg in svgs:
        assert svg.read_text(encoding="utf-8").startswith("<svg")
    names = {p.name for p in result.tables}
    for table in ("reception", "reception_by_discloser", "threads", "timeline", "frames", "cues", "claims"):
        assert f"{table}.parquet" in names and f"{table}.csv" in names
    assert any("chart" in m for m in messages) and any("threads" in m for m in messages)


def test_html_escapes_redacts_and_stays_offline(report) -> None:
    result, _, _ = report
    page = result.html.read_text(encoding="utf-8")
    assert page.index("Content warning") < page.index("<h1>")
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page  # Jinja2 autoescape writes ' as &#39;
    assert "<script>alert" not in page
    for secret in ("jane.doe@example.com", "555-123-4567", "@jane_doe", "twitter.com/jane_doe", "a_troll", "a_kind"):
        assert secret not in page
    assert "[email]" in page and "[phone]" in page and "[handle]" in page and "[profile link]" in page
    assert not re.search(r"<script[^>]*\bsrc\s*=", page, re.IGNORECASE)
    assert not re.search(r"<link[^>]*\bhref\s*=\s*[\"']?https?:", page, re.IGNORECASE)
    assert not re.search(r"cdn\.jsdelivr|unpkg\.com|cdnjs|googleapis|cloudflare", page, re.IGNORECASE)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert page.count("window.vegaEmbed=") == 1  # the Vega JavaScript is embedded once
    assert page.count('class="chart"') >= 8
    assert "Every thread in full" in page and "[a post that is not in the corpus]" in page


def test_markdown_and_json(report) -> None:
    result, _, numbers = report
    summary = result.markdown.read_text(encoding="utf-8")
    assert "<script>" not in summary and "charts/reception_by_discloser.png" in summary
    saved = json.loads(result.numbers.read_text(encoding="utf-8"))
    assert saved["claims"] == numbers["claims"]
    json.dumps(numbers)  # plain JSON types only
    a, b, c = numbers["claims"]
    assert a["question"].startswith("Are men's testimonies met with more silencing")
    assert a["enough_data"] and a["n"] == 12 and a["estimate"] > 0 and a["low"] is not None
    assert b["n"] == 12 and b["estimate"] == pytest.approx(0.5) and b["enough_data"]
    assert c["estimate"] == pytest.approx(0.5)
    assert numbers["threads"]["posts"] == 49 and numbers["threads"]["orphans"] == 1
    assert numbers["reception"][1]["discloser"] == "man"


def test_tables_hold_no_text(report) -> None:
    result, _, _ = report
    table = pq.read_table(result.out_dir / "tables" / "reception.parquet")
    assert table.num_rows == 12
    assert "text" not in table.column_names
    assert sorted(set(table.column("discloser").to_pylist())) == ["man", "woman"]


# -- errors -------------------------------------------------------------------------------
def test_report_needs_labels(tmp_path: Path) -> None:
    with Store.open(tmp_path / "t.duckdb") as store:
        store.con.execute("INSERT INTO posts (id, text, platform, source) VALUES ('a', 'x', 't', 't')")
        with pytest.raises(StoreError, match="heard label"):
            build_report(store, tmp_path / "out")


def test_report_refuses_a_file_as_folder(tmp_path: Path) -> None:
    (tmp_path / "out").write_text("x")
    with Store.open(tmp_path / "t.duckdb") as store, pytest.raises(ConfigError, match="expected a folder"):
        build_report(store, tmp_path / "out")


def test_json_report_refuses_an_output_folder_it_would_ignore(heard, sandbox: Path) -> None:
    with Store.open(sandbox / "t.duckdb") as store:
        add(store, corpus_rows())
    result = heard("report", "--db", "t.duckdb", "--format", "json", "-o", "numbers")
    # A usage error, as for html without -o: exit 2, the message and its fix, no traceback.
    assert result.code == 2 and "Traceback" not in result.err
    assert "standard output" in result.err and "> numbers.json" in result.err
    assert not (sandbox / "numbers").exists()
