"""The ``heard`` command: a thin layer that parses flags, calls the library,
prints results and maps errors to exit codes (1 user error, 2 usage).

Example:
    $ heard ingest posts.jsonl --db corpus.duckdb
    $ heard label --db corpus.duckdb
"""

from __future__ import annotations

import csv
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

import click

from heard.errors import HeardError
from heard.settings import Settings

log = logging.getLogger("heard.cli")


class UsageError(HeardError):
    """The command was called wrongly (a missing argument, flags that do not go together): exit 2."""

    exit_code = 2


def _settings(**flags: Any) -> Settings:
    return Settings.resolve(flags)


def _err(message: str) -> None:
    click.echo(message, err=True)


class _Progress:
    """Progress on stderr: counts and step names, never post text.

    On a terminal, counted work (:meth:`count`) is a bar with the total, the rate
    and the time left (tqdm), and a named step (calling it with a message) one
    redrawn status line. Elsewhere (a script, a log file) a plain line is written
    every :attr:`every` seconds, so a long run is seen to be alive.

    Args:
        what: the command, shown first ("ingest").
        unit: what is counted ("posts").
        total: how many there will be, or a function that says (called once, when
            first shown: counting a big file's lines costs a read), or ``None``.
    """

    every = 10.0
    """Seconds between plain lines when stderr is not a terminal."""

    def __init__(self, what: str = "", unit: str = "", total: int | Callable[[], int | None] | None = None, *,
                 stream: TextIO | None = None, tty: bool | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.what, self.unit = what, unit
        self._total = total
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.clock = clock
        self.started = self.last = clock()
        self.drawn = 0.0
        self._bar: Any = None

    @property
    def total(self) -> int | None:
        if callable(self._total):
            self._total = self._total()
        return self._total

    def __call__(self, message: str) -> None:
        now = self.clock()
        if self.tty:
            if now - self.drawn > 0.5:
                self.stream.write(f"\r{message}\033[K")
                self.stream.flush()
                self.drawn = now
        elif now - self.last >= self.every:
            self._line(message)

    def count(self, done: int) -> None:
        """``done`` units of work so far."""
        if self.tty:
            if self._bar is None:
                from tqdm import tqdm

                self._bar = tqdm(total=self.total, desc=self.what, unit=f" {self.unit}", file=self.stream,
                                 mininterval=0.5, leave=False, dynamic_ncols=True)
            self._bar.update(done - self._bar.n)
            return
        if self.clock() - self.last < self.every:
            return
        elapsed = max(self.clock() - self.started, 1e-9)
        rate = done / elapsed
        total = self.total
        message = f"{self.what}: {done:,}"
        if total:
            message += f" of {total:,} {self.unit} ({min(done / total, 1):.0%})"
        else:
            message += f" {self.unit}"
        message += f", {rate:,.0f} {self.unit}/s"
        if total and rate > 0 and done < total:
            message += f", about {_duration((total - done) / rate)} left"
        self._line(message)

    def _line(self, message: str) -> None:
        self.stream.write(f"heard: {message}\n")
        self.stream.flush()
        self.last = self.clock()

    def done(self) -> None:
        if self._bar is not None:
            self._bar.close()
        elif self.tty and self.drawn:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _duration(seconds: float) -> str:
    """'45 s', '12 min', '3.5 h'."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _classifier(heads: str | None, encoder: str | None) -> Any:
    from heard.classify import Classifier

    settings = _settings(heads=heads, encoder=encoder)
    return Classifier.load(settings.heads, settings.encoder)


def _settings_epilog() -> str:
    rows = "\n".join(f"  {env:<18} {text}" for _, env, text in Settings.help_table())
    return ("\b\nSettings: a flag, else a HEARD_* variable, else heard.toml in the working folder, else the default.\n"
            + rows + "\n  HEARD_LOG_LEVEL    debug, info, warning (default) or error; logs never hold post text")


class _Heard(click.Group):
    """The command group; turns heard's errors into one line and an exit code
    (here, so that in-process tests see exactly what the shell sees)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except HeardError as exc:
            _err(f"heard: error: {exc}")
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            _err("heard: interrupted; committed batches are kept, re-running skips them")
            ctx.exit(130)
        except BrokenPipeError:
            ctx.exit(0)
        except Exception as exc:  # a bug, not a user error: say so without a wall of text
            if os.environ.get("HEARD_DEBUG"):
                raise
            log.debug("internal error", exc_info=True)
            _err(f"heard: internal error: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}. "
                 "This is a bug in heard; re-run with HEARD_DEBUG=1 for the traceback and report it")
            ctx.exit(70)


@click.group(cls=_Heard, context_settings={"help_option_names": ["-h", "--help"]}, epilog=_settings_epilog())
@click.version_option(package_name="heard")
def cli() -> None:
    """heard: what the conversation around survivors' movements does, measured."""


# -- ingest ---------------------------------------------------------------------------
@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--db", help="DuckDB store to write (created if new). [HEARD_DB]")
@click.option("--text-col", help="column holding the post text (sniffed when absent)")
@click.option("--id-col", help="column holding the post id (content hash when absent)")
@click.option("--parent-col", help="column holding the parent post id")
@click.option("--author-col", help="column holding the author (pseudonymised)")
@click.option("--time-col", help="column holding the timestamp")
@click.option("--skip-bad", is_flag=True, help="set bad rows aside in a rejects file instead of stopping")
@click.option("--rejects", type=click.Path(path_type=Path), help="rejects file (default: <db>.rejects.jsonl)")
@click.option("--encoding", help="input encoding (default utf-8)")
@click.option("--max-chars", type=click.IntRange(min=1), help="longest post accepted (default 100,000)")
@click.option("--batch-size", type=click.IntRange(min=1), help="posts per committed transaction (default 5,000)")
@click.option("--json", "as_json", is_flag=True, help="print the summary as JSON")
def ingest(files: tuple[Path, ...], db: str | None, text_col: str | None, id_col: str | None, parent_col: str | None,
           author_col: str | None, time_col: str | None, skip_bad: bool, rejects: Path | None, encoding: str | None,
           max_chars: int | None, batch_size: int | None, as_json: bool) -> None:
    """Read posts from FILES (JSONL, JSON, CSV, Parquet, .txt/.md folders, X, Reddit, Bluesky, Mastodon exports)."""
    from heard.ingest import ColumnMap
    from heard.ingest import ingest as run_ingest
    from heard.ingest.pipeline import check_rejects_path
    from heard.ingest.readers import estimate_records
    from heard.store import Store

    settings = _settings(db=db, encoding=encoding, max_chars=max_chars, batch_size=batch_size)
    if skip_bad and rejects is not None:
        check_rejects_path(rejects)  # before the store is opened: a new one would be created for nothing
    progress = _Progress("ingest", "posts", total=lambda: estimate_records(files))
    columns = ColumnMap(text=text_col, id=id_col, parent=parent_col, author=author_col, time=time_col)
    try:
        with Store.open(settings.db) as store:
            summary = run_ingest(
                files, store, columns=columns, skip_bad=skip_bad, rejects_path=rejects, encoding=settings.encoding,
                batch_size=settings.batch_size, max_chars=settings.max_chars,
                progress=lambda s: progress.count(s.read + s.rejected),
            )
            total = store.count("posts")
    finally:
        progress.done()
    if as_json:
        click.echo(json.dumps(summary.to_dict() | {"posts_in_store": total}, indent=2))
        return
    for f in summary.files:
        repeats = f", {f.duplicates_in_input:,} repeated in the input" if f.duplicates_in_input else ""
        click.echo(f"{f.path}: {f.platform or '-'}, {f.read:,} read, {f.added:,} added, "
                   f"{f.already_stored:,} already stored{repeats}, {f.rejected:,} rejected")
    click.echo(f"{summary.added:,} posts added; {total:,} in {settings.db}")
    if summary.rejected:
        click.echo(f"{summary.rejected:,} bad rows set aside in {summary.rejects_path}")


# -- label / classify / explain ----------------------------------------------------------
@cli.command()
@click.option("--db", help="DuckDB store to label. [HEARD_DB]")
@click.option("--heads", help="heads folder (default: bundled)")
@click.option("--encoder", help="encoder folder (default: the bundled one the heads were trained on)")
def label(db: str | None, heads: str | None, encoder: str | None) -> None:
    """Label every unit in the store not yet labelled by the current model version."""
    from heard.classify.labelling import label_store
    from heard.store import Store

    settings = _settings(db=db)
    classifier = _classifier(heads, encoder)
    with Store.open(settings.db, create=False) as store:
        # The total is every distinct unit: on a resumed run the bar ends short of it.
        progress = _Progress("label", "units", total=store.distinct_units)
        try:
            summary = label_store(store, classifier, progress=lambda s: progress.count(s.labelled))
        finally:
            progress.done()
    click.echo(f"{summary.labelled:,} units labelled, {summary.already_labelled:,} already labelled by {summary.model}")


@cli.command()
@click.argument("input_path", metavar="IN", type=click.Path(path_type=Path))
@click.option("-o", "--output", "output", required=True, type=click.Path(path_type=Path),
              help="output file (.jsonl or .parquet) for a file, output folder for a folder")
@click.option("--heads", help="heads folder (default: bundled)")
@click.option("--encoder", help="encoder folder (default: the bundled one the heads were trained on)")
@click.option("--cluster", help="run partitions on Dask: local:N (N worker processes) or tcp://HOST:PORT (a scheduler)")
@click.option("--device", type=click.Choice(["cpu", "cuda"]), default="cpu", show_default=True,
              help="cuda: ONNX Runtime on the GPU (pip install 'heard[gpu]')")
@click.option("--key", "key_path", type=click.Path(path_type=Path),
              help="pseudonym key for an author column (default: OUTPUT.key beside the output, created when needed)")
def classify(input_path: Path, output: Path, heads: str | None, encoder: str | None, cluster: str | None, device: str,
             key_path: Path | None) -> None:
    """Label each post {"id", "text"} of IN (a JSONL or Parquet file, or a folder of part
    files); one output row per input row, same order, partitions mirrored; a folder's run
    resumes where it stopped. Columns parent_id, created_at and author are kept (author
    pseudonymised) for `heard report --parquet`."""
    from heard.execution import classify_partitioned, plan_partitions
    from heard.ingest.readers import count_lines

    partitions = plan_partitions(input_path, output, key_path)  # before the model loads and the work is done
    single_jsonl = input_path.is_file() and input_path.suffix.lower() not in (".parquet", ".pq")
    unit = "lines" if single_jsonl else "posts"
    progress = _Progress("classify", unit, total=(lambda: count_lines(input_path)) if single_jsonl else None)
    settings = _settings(heads=heads, encoder=encoder)
    try:
        summary = classify_partitioned(input_path, output, heads=settings.heads, encoder=settings.encoder, cluster=cluster,
                                       device=device, max_chars=settings.max_chars, progress=progress.count,
                                       key_path=key_path)
    finally:
        progress.done()
    skipped = f", {summary.skipped:,} partitions already done" if summary.skipped else ""
    where = f" in {len(partitions):,} partitions" if input_path.is_dir() else ""
    click.echo(f"{summary.rows:,} {unit} classified into {output}{where}{skipped}", err=True)


@cli.command()
@click.argument("text")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.option("--heads", help="heads folder (default: bundled)")
@click.option("--encoder", help="encoder folder (default: the bundled one the heads were trained on)")
def explain(text: str, as_json: bool, heads: str | None, encoder: str | None) -> None:
    """Label TEXT and show why: cues and the three nearest training examples."""
    result = _classifier(heads, encoder).explain(text)
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
        return
    lb = result.label
    extra = f" frame={lb.frame}" if lb.frame else (f" discloser={lb.discloser}" if lb.discloser else "")
    click.echo(f"act: {lb.act} ({lb.scores.get(lb.act, 0):.2f}){extra}  stance: {lb.stance}  abusive: {str(lb.abusive).lower()}  voice: {lb.voice}")
    click.echo("centres: " + (", ".join(lb.centres) or "-"))
    top = sorted(lb.scores.items(), key=lambda kv: -kv[1])[:3]
    click.echo("scores: " + ", ".join(f"{a} {p:.2f}" for a, p in top))
    click.echo("cues: " + (", ".join(f"{c} ({w:+.2f} toward {lb.act})" for c, w in result.cue_weights.items()) or "-"))
    click.echo("nearest training examples:")
    for sim, ex in result.neighbours:
        click.echo(f"  {sim:.2f}  [{ex.act}] {ex.text}")


# -- store: sql / export ---------------------------------------------------------------------
@cli.command()
@click.argument("query", required=False)
@click.option("--db", help="DuckDB store to query (opened read-only, sandboxed). [HEARD_DB]")
@click.option("--tables", is_flag=True, help="list the documented tables")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def sql(query: str | None, db: str | None, tables: bool, fmt: str) -> None:
    """Run a read-only SQL QUERY against the store.

    \b
    The query sees the store's tables and nothing else; DuckDB refuses:
      - changing the store (INSERT, UPDATE, DELETE, CREATE, DROP);
      - writing files (COPY ... TO, EXPORT DATABASE) and ATTACH;
      - reading files (read_csv, read_parquet, read_json, read_text, glob),
        the store's pseudonym key included;
      - INSTALL and LOAD of extensions, and the network;
      - SET or RESET of these settings.
    Such a query exits 1 with a message. Save results with --format csv > file;
    there, a text cell that begins with =, +, -, @, a tab or a carriage return
    gets a leading ' so that spreadsheets show it rather than run it
    (--format json keeps every value as is).
    """
    from heard.store import TABLES, Store
    from heard.store.output import csv_safe_value

    if tables or not query:
        for name, doc in TABLES.items():
            click.echo(f"{name}: {doc}")
        return
    settings = _settings(db=db)
    with Store.open_for_query(settings.db) as store:
        columns, rows = store.query(query)
    if fmt == "json":
        click.echo(json.dumps([dict(zip(columns, r)) for r in rows], default=str, ensure_ascii=False, indent=1))
    elif fmt == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows([csv_safe_value(v) for v in r] for r in rows)
    else:
        widths = [min(60, max([len(c)] + [len(str(r[i])) for r in rows])) for i, c in enumerate(columns)]
        click.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
        for r in rows:
            click.echo("  ".join(str(v)[:60].ljust(w) for v, w in zip(r, widths)))
        click.echo(f"({len(rows)} rows)", err=True)


@cli.command()
@click.option("--db", help="DuckDB store to export. [HEARD_DB]")
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv"]), default="parquet", show_default=True)
@click.option("-o", "--output", "output", required=True, type=click.Path(path_type=Path), help="folder to write")
def export(db: str | None, fmt: str, output: Path) -> None:
    """Export posts, units, labels and runs as Parquet or CSV files."""
    from heard.store import Store
    from heard.store.export import export_store

    settings = _settings(db=db)
    with Store.open(settings.db, read_only=True) as store:
        written = export_store(store, output, fmt)
    for path, rows in written:
        click.echo(f"{path}: {rows:,} rows")


# -- report ------------------------------------------------------------------------------------
@cli.command()
@click.option("--db", help="DuckDB store to report on (opened read-only). [HEARD_DB]")
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), help="folder for report.html, charts, tables")
@click.option("--model", help="model version whose labels to use (default: the one that labelled most posts)")
@click.option("--format", "fmt", type=click.Choice(["html", "json"]), default="html", show_default=True,
              help="html writes the report folder; json prints the numbers")
@click.option("--parquet", "parquet", type=click.Path(path_type=Path),
              help="report on the Parquet labels heard classify wrote (a folder), out of core, instead of a store")
@click.option("--posts", "posts", type=click.Path(path_type=Path),
              help="with --parquet: the classified posts (Parquet), for texts: cue counts, phrases, examples")
def report(db: str | None, output: Path | None, model: str | None, fmt: str, parquet: Path | None, posts: Path | None) -> None:
    """Reception of testimony, the essays' three claims, and the corpus over time."""
    from heard.report import build_report, report_numbers
    from heard.store import Store
    from heard.store.parquet_views import open_labelled

    if parquet is not None and db is not None:
        raise UsageError("expected --db STORE or --parquet LABELS, found both. Fix: pass one of them")
    if posts is not None and parquet is None:
        raise UsageError("expected --posts only with --parquet LABELS, found it alone. Fix: add --parquet, or drop --posts")
    if fmt == "html" and output is None:
        raise UsageError("expected -o DIR for the report, found none. Fix: pass -o report/ or --format json")
    if fmt == "json" and output is not None:
        raise UsageError(f"expected --format json to print to standard output, found -o {output}. "
                         "Fix: drop -o and redirect (heard report --format json > numbers.json)")
    opened = open_labelled(parquet, posts) if parquet is not None else Store.open(_settings(db=db).db, read_only=True)
    with opened as store:
        if fmt == "json":
            click.echo(json.dumps(report_numbers(store, model), indent=2, ensure_ascii=False))
            return
        assert output is not None
        progress = _Progress()
        result = build_report(store, output, model=model, progress=progress)
        progress.done()
    for claim in result.claims:
        click.echo(f"{claim.key}. {claim.question}\n   {claim.answer}")
    click.echo(f"report: {result.html}")


# -- the coding loop: sample / code / agreement / estimate ------------------------------------------
@cli.command()
@click.option("--db", help="DuckDB store to draw from. [HEARD_DB]")
@click.option("-n", "n", type=int, default=300, show_default=True, help="posts to draw")
@click.option("-o", "--output", "output", required=True, type=click.Path(path_type=Path), help="JSONL of the drawn posts to code")
@click.option("--stratify", type=click.Choice(["act"]), help="oversample the model's rarer predicted acts (weighted back in estimates)")
@click.option("--seed", type=int, default=0, show_default=True, help="random seed (the same seed gives the same draw)")
@click.option("--model", help="model version whose labels stratify (default: the one that labelled most posts)")
def sample(db: str | None, n: int, output: Path, stratify: str | None, seed: int, model: str | None) -> None:
    """Draw a probability sample of posts to hand-code; record inclusion probabilities in the store."""
    from heard.coding.sample import draw_sample
    from heard.store import Store

    settings = _settings(db=db)
    with Store.open(settings.db, create=False) as store:
        result = draw_sample(store, n, output, seed=seed, stratify=stratify, model=model)
    click.echo(f"{result.drawn:,} of {result.posts:,} posts drawn (seed {result.seed}) into {result.output}")
    if stratify:
        for stratum, (k, size) in result.strata.items():
            click.echo(f"  {stratum:<15}{k:>6} of {size:,}")
    click.echo(f"next: code them with `heard code --db {settings.db}` or `heard code import FILE --db {settings.db} --coder NAME`")


@cli.group(invoke_without_command=True)
@click.option("--db", help="DuckDB store whose posts to code. [HEARD_DB]")
@click.option("--coder", help="your name as a coder (asked on the page when absent)")
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True, help="port on 127.0.0.1")
@click.option("--host", default="127.0.0.1", show_default=True, help="address to bind (keep the loopback unless you know why)")
@click.option("--no-browser", is_flag=True, help="do not open a browser")
@click.pass_context
def code(ctx: click.Context, db: str | None, coder: str | None, port: int, host: str, no_browser: bool) -> None:
    """Hand-code posts on a local page; `code import` / `code export` exchange codes with other tools."""
    if ctx.invoked_subcommand is not None:
        return
    from heard.web.coding import serve_coding

    settings = _settings(db=db)
    serve_coding(Path(settings.db), host=host, port=port, coder=coder, open_browser=not no_browser, say=click.echo)


@code.command(name="import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--db", help="DuckDB store holding the posts. [HEARD_DB]")
@click.option("--coder", required=True, help="whose codes these are")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "label-studio"]), help="default: detected (a JSON list is Label Studio)")
@click.option("--skip-unmatched", is_flag=True, help="import the rows that match a post and count the rest")
def code_import(file: Path, db: str | None, coder: str, fmt: str | None, skip_unmatched: bool) -> None:
    """Read codes from FILE (dev.jsonl format matched by id, or a Label Studio JSON export)."""
    from heard.coding.files import import_codes
    from heard.store import Store

    settings = _settings(db=db)
    with Store.open(settings.db, create=False) as store:
        result = import_codes(store, file, coder, skip_unmatched=skip_unmatched, fmt=fmt)
    click.echo(f"{result.imported:,} codes imported from {file} as {', '.join(result.coders) or coder}"
               + (f"; {result.unmatched:,} rows matched no post and were skipped" if result.unmatched else ""))


@code.command(name="export")
@click.option("--db", help="DuckDB store holding the codes. [HEARD_DB]")
@click.option("-o", "--output", "output", required=True, type=click.Path(path_type=Path), help="file to write")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "label-studio"]), default="jsonl", show_default=True)
@click.option("--coder", help="only this coder's codes")
def code_export(db: str | None, output: Path, fmt: str, coder: str | None) -> None:
    """Write the store's codes as dev.jsonl-format lines or a Label Studio JSON import."""
    from heard.coding.files import export_codes
    from heard.store import Store

    settings = _settings(db=db)
    with Store.open(settings.db, read_only=True) as store:
        count = export_codes(store, output, fmt, coder)
    click.echo(f"{count:,} codes written to {output}")


@cli.command()
@click.option("--db", help="DuckDB store with codes (opened read-only). [HEARD_DB]")
@click.option("--model", help="model version to compare the coders with (default: the one that labelled most posts)")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def agreement(db: str | None, model: str | None, as_json: bool) -> None:
    """Krippendorff's alpha between coders per field, and coders vs the model per class."""
    from heard.coding.agreement import agreement as measure
    from heard.coding.agreement import render
    from heard.store import Store

    settings = _settings(db=db)
    with Store.open(settings.db, read_only=True) as store:
        result = measure(store, model)
    click.echo(json.dumps(result.to_dict(), indent=2) if as_json else render(result))


@cli.command()
@click.option("--db", help="DuckDB store (opened read-only). [HEARD_DB]")
@click.option("--model", help="model version whose labels to correct (default: the one that labelled most posts)")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def estimate(db: str | None, model: str | None, as_json: bool) -> None:
    """Share of posts per act and stance: the model's figure and, with codes, the prediction-powered estimate."""
    from heard.estimate import estimate_store
    from heard.estimate.render import render_estimates
    from heard.store import Store

    settings = _settings(db=db)
    with Store.open(settings.db, read_only=True) as store:
        result = estimate_store(store, model)
    click.echo(json.dumps(result.to_dict(), indent=2) if as_json else render_estimates(result))


@cli.command()
@click.option("--db", help="DuckDB store with codes. [HEARD_DB]")
@click.option("-o", "--output", "output", type=click.Path(path_type=Path),
              help="folder for the adapted heads (default: <store>-adapted-heads next to the store)")
@click.option("--relabel", is_flag=True, help="also label the store with the adapted heads (old labels are kept)")
@click.option("--heads", help="heads folder to adapt (default: bundled)")
@click.option("--encoder", help="encoder folder (default: the bundled one the heads were trained on)")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
def adapt(db: str | None, output: Path | None, relabel: bool, heads: str | None, encoder: str | None, as_json: bool) -> None:
    """Refit the act, stance and abusive heads with the store's hand codes; report the cross-validated gain."""
    from heard.coding.adapt import adapt_store
    from heard.store import Store

    settings = _settings(db=db)
    db_path = Path(settings.db)
    folder = output or db_path.with_name(db_path.stem + "-adapted-heads")
    progress = _Progress()
    with Store.open(db_path, create=False) as store:
        try:
            result = adapt_store(store, folder, heads=heads, encoder=encoder, relabel=relabel, progress=progress)
        finally:
            progress.done()
    if as_json:
        click.echo(json.dumps(result.to_dict(), indent=2))
        return
    click.echo(f"adapted heads written to {result.folder} ({result.version}), from {result.codes:,} coded posts")
    click.echo("cross-validated macro-F1 on the coded posts (5 folds):")
    for g in result.gains:
        click.echo(f"  {g.field:<8} bundled {g.before:.3f}  adapted {g.after:.3f}  gain {g.gain:+.3f}  "
                   f"(n={g.n:,}; weight on the refitted head {g.mix:.2f})")
    if not result.changed:
        click.echo("no head did better with the codes than without (weight 0 on every refitted head): the adapted "
                   "heads equal the bundled ones and the store is unchanged")
        return
    if result.relabelled is None:
        click.echo(f"the store is unchanged; to label it with these heads: heard label --db {db_path} --heads {result.folder}")
    else:
        click.echo(f"{result.relabelled:,} units labelled by {result.version}; the earlier labels are kept. "
                   "Pick the model in reports and estimates with --model")
    click.echo("estimate with a freshly coded sample: these codes trained the adapted heads")


# -- train / eval / demo -------------------------------------------------------------------------
@cli.command()
@click.argument("data", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", "output", required=True, type=click.Path(path_type=Path), help="heads folder to write")
@click.option("--encoder", help="encoder folder (default: heard's bundled encoder)")
@click.option("--config", "config_path", type=click.Path(path_type=Path),
              help="training settings as JSON (a heads folder's config.json \"training\" object); default: heard's")
def train(data: tuple[Path, ...], output: Path, encoder: str | None, config_path: Path | None) -> None:
    """Train the heads on coded units in DATA (dev.jsonl-format files or folders)."""
    from heard.classify.train import TrainConfig, train_to_folder

    config = TrainConfig()
    if config_path is not None:
        config = TrainConfig.from_json(config_path)
    progress = _Progress()
    folder, metrics = train_to_folder(list(data), output, _settings(encoder=encoder).encoder, config=config, progress=progress)
    progress.done()
    act = metrics["act"]
    click.echo(f"heads written to {folder}: act cross-validated macro-F1 {act['cv_macro_f1']:.3f}, ECE {act['cv_ece']:.3f} (n={act['n']})")


@cli.command(name="eval")
@click.argument("gold", required=False, type=click.Path(path_type=Path))
@click.option("--functional", is_flag=True, help="run the functional suite (capabilities) instead of / as well as GOLD")
@click.option("--json", "as_json", is_flag=True, help="print JSON")
@click.option("--heads", help="heads folder (default: bundled)")
@click.option("--encoder", help="encoder folder (default: the bundled one the heads were trained on)")
def evaluate(gold: Path | None, functional: bool, as_json: bool, heads: str | None, encoder: str | None) -> None:
    """Score the classifier against GOLD.jsonl (dev.jsonl format) and/or the functional suite."""
    from heard.classify import evaluation

    if gold is None and not functional:
        raise UsageError("expected GOLD.jsonl or --functional, found neither. Fix: `heard eval gold.jsonl` or `heard eval --functional`")
    classifier = _classifier(heads, encoder)
    result: dict[str, Any] = {}
    if gold is not None:
        result["gold"] = evaluation.evaluate_gold(gold, classifier)
    if functional:
        result["functional"] = evaluation.evaluate_functional(classifier)
    if as_json:
        click.echo(json.dumps(result, indent=2))
    else:
        click.echo(evaluation.render(result))


@cli.command()
@click.option("-o", "--output", "output", type=click.Path(path_type=Path), help="folder for the demo store and pages (default: a new temporary folder)")
def demo(output: Path | None) -> None:
    """Ingest, label and summarise the bundled demo corpus."""
    from heard.demo import run_demo

    started = time.monotonic()
    out = output or Path(tempfile.mkdtemp(prefix="heard-demo-"))
    progress = _Progress()
    result = run_demo(out, say=progress)
    progress.done()
    click.echo(f"heard demo: {result.posts} posts, {result.units} units labelled in {time.monotonic() - started:.1f} s\n")
    click.echo(f"{'act':<15}{'posts':>6}{'units':>7}  example")
    for row in result.rows:
        example = row.example if len(row.example) <= 90 else row.example[:87] + "..."
        click.echo(f"{row.act:<15}{row.posts:>6}{row.units:>7}  {example}")
    click.echo("\nthe essays' claims, measured on the demo corpus:")
    for claim in result.report.claims:
        click.echo(f"{claim.key}. {claim.question}\n   {claim.answer}")
    click.echo(f"\nstore:   {result.db}")
    click.echo(f"summary: {result.summary_html}")
    click.echo(f"report:  {result.report.html}")


# -- serve ---------------------------------------------------------------------------------------
@cli.command()
@click.option("--db", help="DuckDB store to serve (opened read-only). [HEARD_DB]")
@click.option("--host", default="127.0.0.1", show_default=True, help="address to listen on; beyond loopback needs --token")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="port to listen on")
@click.option("--token", envvar="HEARD_TOKEN", help="secret every request must send as Authorization: Bearer (HEARD_TOKEN)")
@click.option("--model", help="model version whose labels to show (default: the one that labelled most posts)")
@click.option("--rate-limit", "rate", default=30.0, show_default=True, type=click.FloatRange(0), help="/v1 requests a second per client (0: no limit)")
@click.option("--heads", help="heads folder for /v1/classify [HEARD_HEADS]")
@click.option("--encoder", help="encoder folder for /v1/classify [HEARD_ENCODER]")
@click.option("--coding", is_flag=True, help="also serve the coding page at /code/ (the store is then opened for writing codes)")
def serve(db: str | None, host: str, port: int, token: str | None, model: str | None, rate: float,
          heads: str | None, encoder: str | None, coding: bool) -> None:
    """The moderation API (/v1, /openapi.json) and the dashboard (/) over one store, on one local server;
    with --coding, the coding page of `heard code` too (/code/)."""
    import uvicorn

    from heard.web.app import check_bind, check_port, create_app
    from heard.web.limits import Limits

    settings = _settings(db=db, heads=heads, encoder=encoder)
    check_bind(host, token)
    check_port(host, port)
    app = create_app(settings.db, token=token, model=model, classifier=_classifier(heads, encoder),
                     limits=Limits(rate=rate, burst=max(1, int(rate * 2))), coding=coding)
    shown = f"[{host}]" if ":" in host else host
    _err(f"heard serve: http://{shown}:{port}/ (dashboard), /openapi.json (API)"
         + (", /code/ (coding page)" if coding else "") + "; Ctrl+C stops")
    logging.getLogger("heard.web.access").setLevel(logging.INFO)
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning", server_header=False)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI and turn errors into messages and exit codes."""
    level = os.environ.get("HEARD_LOG_LEVEL", "WARNING").strip().upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        _err(f"heard: error: expected HEARD_LOG_LEVEL debug, info, warning or error, found {level.lower()!r}. "
             "Fix: set one of those or unset it")
        return 2
    logging.basicConfig(level=level, format="heard: %(levelname)s: %(name)s: %(message)s")
    try:
        code = cli.main(args=argv, prog_name="heard", standalone_mode=False)
    except click.exceptions.Abort:
        _err("heard: aborted")
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    return code if isinstance(code, int) else 0


if __name__ == "__main__":
    sys.exit(main())
