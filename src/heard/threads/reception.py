"""Reception of testimony: what the replies to each disclosure did, and how fast.

For every post labelled ``testimony`` heard counts

* its **direct replies** by other people, per act (the discloser's own
  follow-ups are counted apart in ``own_replies``, not as reception);
* its **whole subtree**: every post below it, any author, per act;
* the **supportive** replies (solidarity or pushback, not abusive) and the
  **hostile** ones (derailing, silencing, disbelief, or abusive whatever the
  act), see :class:`heard.threads.corpus.Corpus`;
* the time from the testimony to its first supportive and first hostile
  direct reply (a reply stamped before its parent counts as 0).

Testimonies are then grouped by who disclosed (``woman``, ``man``,
``other``, ``unstated``; a testimony without a discloser label is
``unstated``) and each group's shares get cluster-bootstrap 95% intervals
that resample testimonies (:mod:`heard.intervals`). A group "has
enough data" when at least :data:`MIN_TESTIMONIES` of its testimonies got
a labelled reply from someone else.

Example:
    >>> table = measure_reception(corpus)                 # doctest: +SKIP
    >>> [g.discloser for g in by_discloser(table)]        # doctest: +SKIP
    ['woman', 'man', 'other', 'unstated']
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from heard.intervals import Interval, median, resampled_totals, share
from heard.records import ACTS, DISCLOSERS
from heard.threads.corpus import ACT, Corpus
from heard.threads.forest import subtree_sums

COLUMNS: tuple[str, ...] = ACTS + ("unlabelled", "supportive", "hostile", "abusive")
"""Columns of the reply-count matrices: the eight acts, then derived counts."""

GROUPS: tuple[str, ...] = DISCLOSERS
"""Discloser groups, in report order."""

MIN_TESTIMONIES = 5
"""Testimonies with at least one labelled reply a group needs before its figures count as enough data."""

_LABELLED = len(COLUMNS)          # extra bootstrap columns after COLUMNS
_ANY_HOSTILE = _LABELLED + 1
_ANY_SILENCING = _ANY_HOSTILE + 1
_ONE = _ANY_SILENCING + 1


def column(name: str) -> int:
    """Index of ``name`` in :data:`COLUMNS`."""
    return COLUMNS.index(name)


@dataclass(frozen=True)
class ReceptionTable:
    """Reception of every testimony, column by column (one row per testimony).

    Attributes:
        position: the testimony's position in the corpus.
        group: index into :data:`GROUPS`.
        direct: direct replies by others, counted per :data:`COLUMNS`.
        own_replies: direct replies by the discloser themself (not counted above).
        subtree: all posts below the testimony, per :data:`COLUMNS`.
        seconds_to_supportive: to the first supportive direct reply (NaN: none or undated).
        seconds_to_hostile: to the first hostile direct reply (NaN: none or undated).
    """

    position: np.ndarray
    group: np.ndarray
    direct: np.ndarray
    own_replies: np.ndarray
    subtree: np.ndarray
    seconds_to_supportive: np.ndarray
    seconds_to_hostile: np.ndarray

    @property
    def labelled_replies(self) -> np.ndarray:
        """Labelled direct replies by others, per testimony."""
        counts: np.ndarray = self.direct[:, : len(ACTS)].sum(axis=1)
        return counts

    def __len__(self) -> int:
        return int(self.position.shape[0])


@dataclass(frozen=True)
class GroupReception:
    """How one discloser group's testimonies were received.

    Shares are of labelled direct replies by others (ratio of totals over the
    group's testimonies); ``any_*`` are shares of testimonies; hours are
    medians over the testimonies that got such a reply.

    Attributes:
        discloser: the group.
        testimonies: testimonies in the group.
        answered: those with at least one labelled reply by someone else.
        replies: labelled direct replies by others, all testimonies together.
        supportive: share of replies that were supportive.
        hostile: share of replies that were hostile.
        silencing: share of replies that were silencing.
        derailing: share of replies that were derailing.
        disbelief: share of replies that were disbelief.
        abusive: share of replies that were abusive.
        any_hostile: share of testimonies with at least one hostile reply.
        any_silencing: share of testimonies with at least one silencing reply.
        hours_to_supportive: median hours to the first supportive reply.
        hours_to_hostile: median hours to the first hostile reply.
        enough_data: ``answered >= MIN_TESTIMONIES``.
    """

    discloser: str
    testimonies: int
    answered: int
    replies: int
    supportive: Interval
    hostile: Interval
    silencing: Interval
    derailing: Interval
    disbelief: Interval
    abusive: Interval
    any_hostile: Interval
    any_silencing: Interval
    hours_to_supportive: Interval
    hours_to_hostile: Interval
    enough_data: bool


def _per_node(corpus: Corpus) -> np.ndarray:
    """One row per position: 1 in the act's column and in the derived columns that apply (``int8``: 12 bytes
    a post, so ten million posts and their subtree sums fit in a few hundred megabytes)."""
    size = corpus.forest.size
    values = np.zeros((size, len(COLUMNS)), dtype=np.int8)
    labelled = np.flatnonzero(corpus.act >= 0)
    values[labelled, corpus.act[labelled]] = 1
    values[: corpus.posts, column("unlabelled")] = corpus.act[: corpus.posts] < 0
    values[:, column("supportive")] = corpus.supportive
    values[:, column("hostile")] = corpus.hostile
    values[:, column("abusive")] = corpus.abusive & (corpus.act >= 0)
    return values


def measure_reception(corpus: Corpus) -> ReceptionTable:
    """Count and time the replies to every testimony in ``corpus``.

    Example:
        >>> table = measure_reception(corpus)              # doctest: +SKIP
        >>> table.direct[:, column("silencing")].sum()     # doctest: +SKIP
        3
    """
    values = _per_node(corpus)
    parent = corpus.forest.parent
    testimonies = np.flatnonzero(corpus.act == ACT["testimony"])
    count = testimonies.shape[0]
    row_of = np.full(corpus.forest.size, -1, dtype=np.int64)
    row_of[testimonies] = np.arange(count)

    subtree = subtree_sums(corpus.forest, values)[testimonies] - values[testimonies]

    replies = np.flatnonzero(parent >= 0)
    replies = replies[row_of[parent[replies]] >= 0]
    to = parent[replies]
    own = (corpus.author[replies] >= 0) & (corpus.author[replies] == corpus.author[to])
    others, rows = replies[~own], row_of[to[~own]]
    direct = np.zeros((count, len(COLUMNS)), dtype=np.int64)
    for j in range(len(COLUMNS)):
        direct[:, j] = np.bincount(rows, weights=values[others, j], minlength=count)

    delay = np.maximum(corpus.time[others] - corpus.time[parent[others]], 0.0)
    first = {}
    for name in ("supportive", "hostile"):
        out = np.full(count, np.nan)
        pick = (values[others, column(name)] == 1) & np.isfinite(delay)
        np.fmin.at(out, rows[pick], delay[pick])
        first[name] = out

    group = corpus.discloser[testimonies].astype(np.int64)
    group[group < 0] = GROUPS.index("unstated")
    return ReceptionTable(
        position=testimonies,
        group=group,
        direct=direct,
        own_replies=np.bincount(row_of[to[own]], minlength=count),
        subtree=subtree.astype(np.int64),
        seconds_to_supportive=first["supportive"],
        seconds_to_hostile=first["hostile"],
    )


def group_rows(table: ReceptionTable, group: str, *, answered_only: bool = False) -> np.ndarray:
    """Bootstrap rows of one group: reply counts, labelled, any hostile, any silencing, 1.

    Args:
        table: the reception table.
        group: a discloser group from :data:`GROUPS`.
        answered_only: keep only testimonies with a labelled reply by someone
            else (the clusters that reply shares rest on).
    """
    mask = table.group == GROUPS.index(group)
    direct = table.direct[mask].astype(np.float64)
    labelled = direct[:, : len(ACTS)].sum(axis=1)
    rows = np.column_stack(
        [
            direct,
            labelled,
            direct[:, column("hostile")] > 0,
            direct[:, column("silencing")] > 0,
            np.ones(direct.shape[0]),
        ]
    )
    return rows[labelled > 0] if answered_only else rows


def group_seed(group: str) -> int:
    """Seed offset of one group's resample of answered testimonies, shared by the claims."""
    return 100 + 10 * GROUPS.index(group)


def by_discloser(table: ReceptionTable) -> tuple[GroupReception, ...]:
    """Reception per discloser group, with bootstrap 95% intervals.

    Example:
        >>> groups = by_discloser(measure_reception(corpus))   # doctest: +SKIP
        >>> groups[1].discloser, groups[1].silencing.value       # doctest: +SKIP
        ('man', 0.31)
    """
    out = []
    for name in GROUPS:
        seed = group_seed(name)
        rows = group_rows(table, name)
        answered = group_rows(table, name, answered_only=True)
        replies = resampled_totals(answered, seed=seed)
        everyone = resampled_totals(rows, seed=seed + 1)
        mask = table.group == GROUPS.index(name)

        def reply_share(col: str, rows: np.ndarray = answered, totals: np.ndarray = replies) -> Interval:
            return share(rows, column(col), _LABELLED, seed=0, totals=totals)

        hours_sup, _ = median(table.seconds_to_supportive[mask] / 3600, seed=seed + 2)
        hours_hos, _ = median(table.seconds_to_hostile[mask] / 3600, seed=seed + 3)
        out.append(
            GroupReception(
                discloser=name,
                testimonies=int(mask.sum()),
                answered=int(answered.shape[0]),
                replies=int(answered[:, _LABELLED].sum()),
                supportive=reply_share("supportive"),
                hostile=reply_share("hostile"),
                silencing=reply_share("silencing"),
                derailing=reply_share("derailing"),
                disbelief=reply_share("disbelief"),
                abusive=reply_share("abusive"),
                any_hostile=share(rows, _ANY_HOSTILE, _ONE, seed=0, totals=everyone),
                any_silencing=share(rows, _ANY_SILENCING, _ONE, seed=0, totals=everyone),
                hours_to_supportive=hours_sup,
                hours_to_hostile=hours_hos,
                enough_data=answered.shape[0] >= MIN_TESTIMONIES,
            )
        )
    return tuple(out)


LABELLED_COLUMN = _LABELLED
"""Column of :func:`group_rows` holding the labelled replies (the share denominator)."""
