"""The demo: the bundled corpus ingested, labelled and summarised.

Example:
    >>> result = run_demo(Path(tempfile.mkdtemp()))      # doctest: +SKIP
    >>> result.summary_html.exists()                      # doctest: +SKIP
    True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from heard.classify import Classifier
from heard.classify.labelling import label_store
from heard.ingest import ingest
from heard.records import ACTS
from heard.report import ReportResult, build_report
from heard.report.templating import render_page
from heard.store import Store, reads
from heard.store.output import output_folder


def demo_inputs() -> list[Path]:
    """The bundled demo corpus: reply threads (JSONL) and a folder of essays."""
    root = Path(str(resources.files("heard") / "resources" / "demo"))
    return [root / "posts.jsonl", root / "essays"]


@dataclass(frozen=True)
class ActRow:
    """One line of the demo summary."""

    act: str
    posts: int
    units: int
    example: str


@dataclass(frozen=True)
class DemoResult:
    """Where the demo wrote its files, and its summary."""

    db: Path
    posts: int
    units: int
    rows: list[ActRow]
    summary_html: Path
    report: ReportResult


def act_summary(store: Store, model: str) -> list[ActRow]:
    """Acts by number of units (own voice), with one short example of each."""
    found = {r.act: ActRow(r.act, r.posts, r.units, r.example) for r in reads.act_units(store, model)}
    return [found[a] for a in sorted(found, key=lambda a: (-found[a].units, ACTS.index(a)))]


DEMO_WARNING = "Content warning: this page quotes posts about sexual violence, abuse and harassment."


def write_summary_html(rows: list[ActRow], path: Path, posts: int, units: int, model: str) -> Path:
    """A small self-contained HTML summary (``templates/demo.html``, every text escaped).

    Example:
        >>> write_summary_html(rows, Path("out/summary.html"), 420, 640, "m1")   # doctest: +SKIP
        PosixPath('out/summary.html')
    """
    page = render_page("demo.html", warning=DEMO_WARNING, posts=posts, units=units, model=model, rows=rows)
    path.write_text(page, encoding="utf-8")
    return path


def run_demo(out_dir: Path, classifier: Classifier | None = None, say: Callable[[str], None] | None = None) -> DemoResult:
    """Ingest the demo corpus into ``out_dir/demo.duckdb``, label it, and write the
    summary page and the full report (``out_dir/report/``).

    Raises:
        ConfigError: ``out_dir`` is a file or cannot be written (checked before the work).
    """
    say = say or (lambda _m: None)
    output_folder(out_dir, "the demo")
    db = out_dir / "demo.duckdb"
    classifier = classifier or Classifier.load()
    with Store.open(db) as store:
        say("ingesting the demo corpus")
        ingest(demo_inputs(), store)
        say("labelling")
        label_store(store, classifier)
        rows = act_summary(store, classifier.version)
        posts, units = store.count("posts"), store.count("units")
        report = build_report(store, out_dir / "report", model=classifier.version, progress=say)
    html_path = write_summary_html(rows, out_dir / "summary.html", posts, units, classifier.version)
    return DemoResult(db, posts, units, rows, html_path, report)
