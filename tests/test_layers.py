"""The read side's layers: only the store runs SQL, and templates escape whatever the corpus holds."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

import heard
from heard.demo import ActRow, write_summary_html
from heard.report import build_report
from heard.report.templating import environment
from heard.store import Store

SRC = Path(heard.__file__).parent
SQL_CALL = re.compile(r"\.(execute|executemany|sql|query)\(|\.con\.")

SQL_ALLOWED = {"cli.py"}
"""Modules outside ``store/`` that may run SQL: the CLI's ``heard sql`` passes the user's query through."""


HOSTILE = [
    "<script>alert('x')</script> stop whining",
    '"><img src=x onerror=alert(1)> nobody asked',
    "{{ 7 * 7 }} {% raw %} this isn't about you",
]


def _sql_modules() -> set[str]:
    found = set()
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith("store/"):
            continue
        if SQL_CALL.search(path.read_text(encoding="utf-8")):
            found.add(rel)
    return found


def test_only_the_store_runs_sql() -> None:
    outside = _sql_modules() - SQL_ALLOWED
    assert not outside, f"SQL outside heard/store/: {sorted(outside)}; add a function to heard/store/reads.py instead"


def test_templates_autoescape() -> None:
    assert environment().autoescape is True
    templates = SRC / "report" / "templates"
    for page in templates.glob("*.html"):
        for line in page.read_text(encoding="utf-8").splitlines():
            # |safe is only for heard's own script text, never for corpus text.
            for value in re.findall(r"\{\{\s*([\w.]+)\s*\|\s*safe", line):
                assert value in {"vega_javascript", "chart_specs"}, f"{page.name}: {value}|safe"


def _hostile_store(path: Path) -> Store:
    store = Store.open(path)
    t0 = datetime(2026, 3, 2, 8, 0)
    posts = [("t", None, 0, "a_w", "Me too. It was my coach. #MeToo", "testimony", "woman")]
    posts += [(f"r{i}", "t", 5 + i, f"a_{i}", text, "silencing", None) for i, text in enumerate(HOSTILE)]
    store.con.executemany(
        "INSERT INTO posts (id, text, author, created_at, parent_id, platform, source) VALUES (?, ?, ?, ?, ?, 't', 't')",
        [(p[0], p[4], p[3], t0 + timedelta(minutes=p[2]), p[1]) for p in posts],
    )
    store.con.executemany(
        "INSERT INTO post_labels VALUES (?, 'm<b>1</b>', ?, 'oppose', false, 'own', NULL, ?, [], 0.9)",
        [(p[0], p[5], p[6]) for p in posts],
    )
    return store


def test_hostile_post_text_is_escaped_in_report_html(tmp_path: Path) -> None:
    with _hostile_store(tmp_path / "h.duckdb") as store:
        result = build_report(store, tmp_path / "out")
    page = result.html.read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; stop whining" in page
    assert "<script>alert" not in page
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt; nobody asked" in page
    text = page.split("<script>")[0]  # the page before the Vega bundle, which holds every corpus text
    assert "<img" not in text
    assert "{{ 7 * 7 }} {% raw %} this isn&#39;t about you" in page  # data is never evaluated as a template
    assert "<code>m&lt;b&gt;1&lt;/b&gt;</code>" in page and "<b>1</b>" not in page
    assert page.count("<style>") == 1 and "<link" not in page


def test_hostile_example_is_escaped_in_demo_summary(tmp_path: Path) -> None:
    rows = [ActRow("silencing", 1, 1, HOSTILE[0]), ActRow("other", 1, 1, HOSTILE[1])]
    page = write_summary_html(rows, tmp_path / "summary.html", 2, 2, "m<i>1</i>").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page and "<script" not in page
    assert "<img" not in page and "m&lt;i&gt;1&lt;/i&gt;" in page
    assert page.index("Content warning") < page.index("<h1>")


@pytest.mark.parametrize("name", ["report.html", "demo.html"])
def test_pages_share_one_stylesheet(name: str) -> None:
    css = (SRC / "report" / "templates" / "heard.css").read_text(encoding="utf-8")
    source = (SRC / "report" / "templates" / name).read_text(encoding="utf-8")
    assert '{% extends "base.html" %}' in source
    page = environment().get_template("base.html").render(warning="w")
    assert css.strip() in page
