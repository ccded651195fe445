"""Example posts and example threads for the report, redacted and renamed.

Examples are chosen by rule, not by hand, so that a report can be rebuilt:
per act, the posts the model is most sure of (own voice first, between 20
and 400 characters first); per derailing frame the same; per discloser
group (women, men) the testimony with most labelled replies from others,
shown with its first replies. Text passes through
:func:`heard.report.redact.redact` and :func:`~heard.report.redact.shorten`
here, before any writer sees it; writers still escape it.

Example:
    >>> picked = pick_examples(store, findings)              # doctest: +SKIP
    >>> picked.by_act["derailing"][0].author                 # doctest: +SKIP
    'person 4'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

from heard.records import ACTS
from heard.report.redact import Pseudonyms, redact, shorten
from heard.store import Store, reads
from heard.threads.analysis import Findings
from heard.threads.derailing import FRAME_NAMES
from heard.threads.reception import GROUPS

PER_ACT = 3
"""Example posts shown per act."""

PER_FRAME = 2
"""Example posts shown per derailing frame."""

REPLIES_SHOWN = 8
"""Replies shown under an example testimony."""

FULL_THREADS_UP_TO = 300
"""Largest corpus (posts) whose threads the report also prints in full, for reading the numbers in context."""


@dataclass(frozen=True)
class Example:
    """One quoted post, already redacted.

    Attributes:
        text: redacted, shortened text (escape it when writing HTML or Markdown).
        author: report-local name (``person 3``).
        created_at: UTC time, when known.
        act: the post's act label (``None`` when unlabelled).
        frame: derailing frame, if any.
        abusive: the abusive flag.
    """

    text: str
    author: str
    created_at: datetime | None
    act: str | None
    frame: str | None
    abusive: bool


@dataclass(frozen=True)
class ExampleThread:
    """A testimony and its first direct replies."""

    discloser: str
    testimony: Example
    replies: tuple[Example, ...]
    more_replies: int


@dataclass(frozen=True)
class Examples:
    """All examples of one report.

    Attributes:
        by_act: a few posts per act.
        by_frame: a few derailing posts per frame.
        threads: per discloser group, the most-answered testimony and its first replies.
        full: in small corpora (at most :data:`FULL_THREADS_UP_TO` posts), every
            thread in reading order as (depth, post); ``None`` marks a missing parent.
    """

    by_act: dict[str, tuple[Example, ...]]
    by_frame: dict[str, tuple[Example, ...]]
    threads: tuple[ExampleThread, ...]
    full: tuple[tuple[int, Example | None], ...] = ()


def _example(row: reads.PostRow, names: Pseudonyms) -> Example:
    return Example(shorten(redact(row.text)), names(row.author), row.created_at, row.act, row.frame, row.abusive)


def _thread(store: Store, findings: Findings, group: str, names: Pseudonyms) -> ExampleThread | None:
    table = findings.reception
    rows = np.flatnonzero(table.group == GROUPS.index(group))
    if rows.size == 0:
        return None
    replies = table.labelled_replies[rows]
    if replies.max() < 2:
        return None
    best = rows[int(np.argmax(replies))]  # first of the most answered: positions run earliest first
    post_id = str(findings.corpus.node_id(np.array([table.position[best]])).to_pylist()[0])
    model = findings.model
    head = reads.post(store, model, post_id)
    if head is None:
        return None
    shown = reads.replies(store, model, post_id, REPLIES_SHOWN)
    testimony = _example(head, names)
    return ExampleThread(group, testimony, tuple(_example(r, names) for r in shown),
                         max(0, reads.reply_count(store, post_id) - len(shown)))


def _full_threads(store: Store, findings: Findings, names: Pseudonyms) -> tuple[tuple[int, Example | None], ...]:
    corpus = findings.corpus
    if corpus.posts > FULL_THREADS_UP_TO:
        return ()
    by_id = reads.posts_by_id(store, findings.model)
    ids = corpus.ids.to_pylist()
    parent = corpus.forest.parent.tolist()
    children: dict[int, list[int]] = {}
    for node, up in enumerate(parent):  # positions run earliest first, so children come in time order
        children.setdefault(up, []).append(node)
    out: list[tuple[int, Example | None]] = []
    # A placeholder root (position >= posts) sorts by its earliest reply.
    roots = sorted(children.get(-1, []), key=lambda r: r if r < corpus.posts else min(children[r]))
    for root in roots:
        stack = [(root, 0)]
        while stack:  # depth-first, iterative: reading order without recursion limits
            node, depth = stack.pop()
            row = by_id.get(ids[node]) if node < corpus.posts else None
            out.append((depth, _example(row, names) if row is not None else None))
            stack.extend((child, depth + 1) for child in reversed(children.get(node, [])))
    return tuple(out)


def pick_examples(store: Store, findings: Findings) -> Examples:
    """Choose, redact and rename the report's example posts and threads.

    Example:
        >>> pick_examples(store, findings).threads[0].discloser   # doctest: +SKIP
        'woman'
    """
    if not findings.texts:  # labels from Parquet without --posts: nothing to quote
        return Examples(dict.fromkeys(ACTS, ()), dict.fromkeys(FRAME_NAMES, ()), ())
    names = Pseudonyms()
    threads = tuple(t for g in ("woman", "man") if (t := _thread(store, findings, g, names)) is not None)
    by_act: dict[str, list[Example]] = {a: [] for a in ACTS}
    for ranked in reads.surest_by_act(store, findings.model, PER_ACT):
        by_act.setdefault(ranked.group, []).append(_example(ranked.post, names))
    by_frame: dict[str, list[Example]] = {f: [] for f in FRAME_NAMES}
    for ranked in reads.surest_by_frame(store, findings.model, PER_FRAME):
        by_frame.setdefault(ranked.group, []).append(_example(ranked.post, names))
    return Examples({k: tuple(v) for k, v in by_act.items()}, {k: tuple(v) for k, v in by_frame.items()}, threads,
                    _full_threads(store, findings, names))
