"""The report's tables as Arrow tables, written as Parquet and CSV (for R, pandas, spreadsheets).

Tables: ``reception`` (one row per testimony), ``reception_by_discloser``,
``threads`` (one row per thread), ``timeline`` (one row per time bin),
``frames``, ``cues``, ``what_about``, ``claims`` and ``claim_measures``.
None holds post text; post and thread ids let you join back to the store.
Times are UTC; hours are floats; shares are fractions (0–1). In the CSV files
a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading ``'`` (spreadsheets would run it as a formula); the
Parquet files keep the value as is.

Example:
    >>> paths = write_tables(findings, Path("out/tables"))   # doctest: +SKIP
    >>> sorted(p.name for p in paths)[:2]                    # doctest: +SKIP
    ['claim_measures.csv', 'claim_measures.parquet']
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from heard.intervals import Interval
from heard.records import ACTS, STANCES
from heard.report.claims import claim_texts
from heard.store.output import csv_safe
from heard.threads.analysis import Findings
from heard.threads.corpus import ACT
from heard.threads.reception import COLUMNS, GROUPS


def _times(seconds: np.ndarray) -> pa.Array:
    micros = np.where(np.isfinite(seconds), seconds * 1e6, 0).astype(np.int64)
    return pa.array(micros, pa.timestamp("us"), mask=~np.isfinite(seconds))


def _floats(values: np.ndarray) -> pa.Array:
    return pa.array(values, pa.float64(), mask=~np.isfinite(values))


def reception_table(findings: Findings) -> pa.Table:
    """One row per testimony: direct-reply and subtree counts per act, and times to first replies."""
    table, corpus = findings.reception, findings.corpus
    cols: dict[str, pa.Array] = {
        "post_id": corpus.node_id(table.position),
        "thread_id": corpus.node_id(corpus.forest.root[table.position]),
        "discloser": pa.array([GROUPS[g] for g in table.group.tolist()], pa.string()),
        "created_at": _times(corpus.time[table.position]),
        "depth": pa.array(corpus.forest.depth[table.position]),
    }
    for j, name in enumerate(COLUMNS):
        cols[f"direct_{name}"] = pa.array(table.direct[:, j])
    cols["own_replies"] = pa.array(table.own_replies)
    for j, name in enumerate(COLUMNS):
        cols[f"subtree_{name}"] = pa.array(table.subtree[:, j])
    cols["hours_to_first_supportive"] = _floats(table.seconds_to_supportive / 3600)
    cols["hours_to_first_hostile"] = _floats(table.seconds_to_hostile / 3600)
    return pa.table(cols)


def _interval_columns(prefix: str, values: list[Interval]) -> dict[str, list[object]]:
    return {prefix: [v.value for v in values], f"{prefix}_low": [v.low for v in values],
            f"{prefix}_high": [v.high for v in values]}


def groups_table(findings: Findings) -> pa.Table:
    """One row per discloser group with shares, intervals and median hours."""
    groups = findings.groups
    cols: dict[str, list[object]] = {
        "discloser": [g.discloser for g in groups], "testimonies": [g.testimonies for g in groups],
        "answered": [g.answered for g in groups], "replies": [g.replies for g in groups],
        "enough_data": [g.enough_data for g in groups],
    }
    for name in ("supportive", "hostile", "silencing", "derailing", "disbelief", "abusive", "any_hostile",
                 "any_silencing", "hours_to_supportive", "hours_to_hostile"):
        cols.update(_interval_columns(name, [getattr(g, name) for g in groups]))
    return pa.table(cols)


def threads_table(findings: Findings) -> pa.Table:
    """One row per thread: size, depth, first post, and posts per act."""
    corpus = findings.corpus
    forest = corpus.forest
    roots = np.flatnonzero(forest.parent < 0)
    size = forest.size
    is_post = np.arange(size) < corpus.posts
    posts = np.bincount(forest.root, weights=is_post, minlength=size).astype(np.int64)
    depth = np.zeros(size, dtype=np.int64)
    np.maximum.at(depth, forest.root, forest.depth.astype(np.int64))
    first = np.full(size, np.nan)
    np.fmin.at(first, forest.root, corpus.time)
    cols: dict[str, pa.Array] = {
        "thread_id": corpus.node_id(roots),
        "placeholder_root": pa.array(roots >= corpus.posts),
        "posts": pa.array(posts[roots]),
        "max_depth": pa.array(depth[roots]),
        "first_post_at": _times(first[roots]),
    }
    labelled = corpus.act >= 0
    row = np.full(size, -1, dtype=np.int64)  # thread number of each root: counts per thread, not per node
    row[roots] = np.arange(roots.shape[0])
    counts = np.bincount(row[forest.root[labelled]] * len(ACTS) + corpus.act[labelled].astype(np.int64),
                         minlength=roots.shape[0] * len(ACTS)).reshape(roots.shape[0], len(ACTS))
    for j, act in enumerate(ACTS):
        cols[act] = pa.array(counts[:, j])
    cols["hostile"] = pa.array(np.bincount(row[forest.root[corpus.hostile]], minlength=roots.shape[0]))
    cols["supportive"] = pa.array(np.bincount(row[forest.root[corpus.supportive]], minlength=roots.shape[0]))
    cols["has_derail"] = pa.array(counts[:, ACT["derailing"]] > 0)
    return pa.table(cols)


def timeline_table(findings: Findings) -> pa.Table:
    """One row per time bin: posts per act and stance, hostile and supportive counts."""
    tl = findings.timeline
    starts = tl.starts.astype(np.int64).astype(np.float64)
    cols: dict[str, pa.Array] = {
        "bin_start": _times(starts),
        "bin_end": _times(starts + tl.width),
        "unit": pa.array([tl.unit] * len(starts), pa.string()),
    }
    for j, act in enumerate(list(ACTS) + ["unlabelled"]):
        cols[act] = pa.array(tl.acts[:, j])
    for j, stance in enumerate(STANCES):
        cols[f"stance_{stance}"] = pa.array(tl.stances[:, j])
    cols["labelled"] = pa.array(tl.labelled)
    cols["hostile"] = pa.array(tl.hostile)
    cols["supportive"] = pa.array(tl.supportive)
    return pa.table(cols)


def small_tables(findings: Findings) -> dict[str, pa.Table]:
    """Frames, cues, "what about" phrases, claims and their measures."""
    frames = findings.frames.counts
    claims = claim_texts(findings.claims)
    measures = [(c.key, m) for c in claims for m in c.measures]
    return {
        "frames": pa.table({"frame": [c.frame for c in frames], "posts": [c.posts for c in frames],
                            **_interval_columns("share", [c.share for c in frames])}),
        "cues": pa.table({"cue": [c.label for c in findings.cues], "kind": [c.kind for c in findings.cues],
                          "posts": [c.posts for c in findings.cues], "derailing": [c.derailing for c in findings.cues],
                          "first_seen": pa.array([c.first_seen for c in findings.cues], pa.timestamp("us"))}),
        "what_about": pa.table({"phrase": pa.array([p.phrase for p in findings.phrases], pa.string()),
                                "posts": pa.array([p.posts for p in findings.phrases], pa.int64()),
                                "derailing": pa.array([p.derailing for p in findings.phrases], pa.int64())}),
        "claims": pa.table({
            "claim": [c.key for c in claims], "question": [c.question for c in claims],
            "answer": [c.answer for c in claims], "n": [c.numbers.n for c in claims],
            "estimate": pa.array([c.numbers.estimate for c in claims], pa.float64()),
            "low": pa.array([c.numbers.low for c in claims], pa.float64()),
            "high": pa.array([c.numbers.high for c in claims], pa.float64()),
            "unit": [c.numbers.unit for c in claims], "enough_data": [c.enough_data for c in claims]}),
        "claim_measures": pa.table({
            "claim": [k for k, _ in measures], "measure": [m.key for _, m in measures],
            "label": [m.label for _, m in measures], "unit": [m.unit for _, m in measures],
            "estimate": pa.array([m.estimate.value for _, m in measures], pa.float64()),
            "low": pa.array([m.estimate.low for _, m in measures], pa.float64()),
            "high": pa.array([m.estimate.high for _, m in measures], pa.float64()),
            "n": [m.estimate.n for _, m in measures], "enough_data": [m.enough_data for _, m in measures]}),
    }


_LARGE = {"reception": reception_table, "reception_by_discloser": groups_table, "threads": threads_table,
          "timeline": timeline_table}
"""The tables with a row per testimony, thread or bin, by file stem (built one at a time when written)."""


def all_tables(findings: Findings) -> dict[str, pa.Table]:
    """Every table of the report, by file stem."""
    return {**{name: build(findings) for name, build in _LARGE.items()}, **small_tables(findings)}


def write_tables(findings: Findings, folder: Path) -> list[Path]:
    """Write every table as ``<name>.parquet`` and ``<name>.csv`` (cells safe for
    spreadsheets, see :func:`heard.store.output.csv_safe`) in ``folder``; return the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []

    def write(name: str, table: pa.Table) -> None:
        parquet, csv = folder / f"{name}.parquet", folder / f"{name}.csv"
        pq.write_table(table, parquet)
        pacsv.write_csv(csv_safe(table), csv)
        written.extend([parquet, csv])

    for name, build in _LARGE.items():  # one big table in memory at a time (millions of rows at 10M posts)
        write(name, build(findings))
    for name, table in small_tables(findings).items():
        write(name, table)
    return written
