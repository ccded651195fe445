"""``heard report``: measure a store and write the report folder.

The folder holds ``report.html`` (self-contained), ``summary.md``,
``numbers.json`` (the same dict as ``heard report --format json``),
``charts/<name>.png`` and ``.svg`` for every chart, and
``tables/<name>.parquet`` and ``.csv`` for every table.

Example:
    >>> with Store.open("corpus.duckdb", read_only=True) as store:      # doctest: +SKIP
    ...     result = build_report(store, Path("report"))
    >>> result.html.name                                                  # doctest: +SKIP
    'report.html'
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from heard.estimate.report import correct
from heard.report.charts import figures, render
from heard.report.claims import ClaimText, claim_texts
from heard.report.examples import pick_examples
from heard.report.markdown import write_markdown
from heard.report.numbers import numbers_from
from heard.report.page import write_html
from heard.report.tables import write_tables
from heard.store import Store
from heard.store.output import output_folder
from heard.threads.analysis import analyse

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class ReportResult:
    """What :func:`build_report` wrote.

    Attributes:
        out_dir: the report folder.
        html: the self-contained HTML report.
        markdown: the Markdown summary.
        numbers: the numbers as JSON.
        charts: every chart file (PNG and SVG).
        tables: every table file (Parquet and CSV).
        claims: the three answers, for a terminal summary.
    """

    out_dir: Path
    html: Path
    markdown: Path
    numbers: Path
    charts: tuple[Path, ...]
    tables: tuple[Path, ...]
    claims: tuple[ClaimText, ...]

    @property
    def files(self) -> tuple[Path, ...]:
        """Every file written."""
        return (self.html, self.markdown, self.numbers, *self.charts, *self.tables)


def build_report(store: Store, out_dir: Path, model: str | None = None,
                 progress: Callable[[str], None] | None = None) -> ReportResult:
    """Measure ``store`` and write the report into ``out_dir``.

    Args:
        store: an open store (read-only is enough).
        out_dir: the report folder (created; files in it are replaced).
        model: label model; default: the one with most post labels.
        progress: called with a short message at each step (never post text).

    Returns:
        The paths written.

    Raises:
        StoreError: the store has no posts or no labels.
        StoreError: ``model`` has no labels.
        ConfigError: ``out_dir`` is a file, lies under a file, or cannot be
            written (checked before the analysis).
    """
    say = progress or (lambda _message: None)
    out_dir = Path(out_dir)
    output_folder(out_dir, "the report")
    findings = analyse(store, model, say)
    say("comparing the labels with the hand codes")
    correction = correct(store, findings)
    say("choosing and redacting example posts")
    examples = pick_examples(store, findings)
    figs = figures(findings)
    charts: list[Path] = []
    for i, fig in enumerate(figs, 1):
        say(f"drawing chart {i}/{len(figs)}: {fig.name}")
        charts += render(fig, out_dir / "charts")
    say("writing tables")
    tables = write_tables(findings, out_dir / "tables")
    files = {p.name: p.relative_to(out_dir).as_posix() for p in (*charts, *tables)}
    say("writing the HTML report and the summary")
    numbers = out_dir / "numbers.json"
    numbers.write_text(json.dumps(numbers_from(findings, correction), indent=2, ensure_ascii=False), encoding="utf-8")
    markdown = write_markdown(out_dir / "summary.md", findings, figs, files, correction)
    html = write_html(out_dir / "report.html", findings, examples, figs, files, correction=correction)
    log.info("report written to %s: %d charts, %d tables", out_dir, len(charts), len(tables))
    return ReportResult(out_dir, html, markdown, numbers, tuple(charts), tuple(tables), claim_texts(findings.claims))
