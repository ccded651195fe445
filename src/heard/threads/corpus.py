"""A labelled corpus as arrays: reply trees plus one label per post.

:func:`load_corpus` reads the store through :mod:`heard.store.reads` and keeps
only integer and float arrays (one entry per post, ordered by time), so a
million posts take tens of megabytes and no per-post Python objects. Post
ids stay in one Arrow array for the tables that name them.

Example:
    >>> with Store.open("corpus.duckdb", read_only=True) as store:   # doctest: +SKIP
    ...     corpus = load_corpus(store)
    ...     corpus.stats.threads
    42
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from heard.errors import StoreError
from heard.records import ACTS, HOSTILE_ACTS, SUPPORTIVE_ACTS
from heard.store import Store, reads
from heard.threads.forest import Forest, ThreadStats, attach_orphans, build_forest

ACT = {a: i for i, a in enumerate(ACTS)}
"""Act name to the code used in :attr:`Corpus.act`."""

HOSTILE_CODES = np.array(sorted(ACT[a] for a in HOSTILE_ACTS))
SUPPORTIVE_CODES = np.array(sorted(ACT[a] for a in SUPPORTIVE_ACTS))


@dataclass(frozen=True)
class Corpus:
    """Posts of one store with one model's labels, as arrays by position.

    Positions ``0..posts-1`` are posts, earliest first (undated last);
    positions from ``posts`` on are placeholder roots, one per missing parent.
    Codes index :data:`heard.records.ACTS`, ``STANCES``, ``DISCLOSERS`` and
    ``FRAMES``; ``-1`` means none (unlabelled post, no frame, placeholder).

    Attributes:
        model: the label model read.
        posts: number of posts.
        forest: the reply trees over posts and placeholders.
        stats: what building the trees found.
        time: creation time in seconds since 1970 (UTC), NaN when unknown.
        act: act code.
        stance: stance code.
        discloser: discloser code (testimonies only).
        frame: frame code (derailing only).
        abusive: abusive flag.
        centres_men: the post centres men or male survivors.
        author: a number per pseudonymous author, ``-1`` when unknown.
        ids: post ids by position (Arrow strings).
        missing_parents: the missing parent ids, one per placeholder root.
    """

    model: str
    posts: int
    forest: Forest
    stats: ThreadStats
    time: np.ndarray
    act: np.ndarray
    stance: np.ndarray
    discloser: np.ndarray
    frame: np.ndarray
    abusive: np.ndarray
    centres_men: np.ndarray
    author: np.ndarray
    ids: pa.Array
    missing_parents: pa.Array

    @property
    def labelled(self) -> np.ndarray:
        """Mask of labelled positions."""
        return self.act >= 0

    @property
    def hostile(self) -> np.ndarray:
        """Mask of hostile posts: derailing, silencing or disbelief, or abusive whatever the act."""
        mask: np.ndarray = np.isin(self.act, HOSTILE_CODES) | (self.abusive & (self.act >= 0))
        return mask

    @property
    def supportive(self) -> np.ndarray:
        """Mask of supportive posts: solidarity or pushback, and not abusive."""
        mask: np.ndarray = np.isin(self.act, SUPPORTIVE_CODES) & ~self.abusive
        return mask

    def node_id(self, positions: np.ndarray) -> pa.Array:
        """Ids of the given positions; placeholders read ``missing:<parent id>``."""
        positions = np.asarray(positions, dtype=np.int64)
        real = positions < self.posts
        out = np.empty(positions.shape[0], dtype=object)
        out[real] = self.ids.take(pa.array(positions[real])).to_numpy(zero_copy_only=False)
        if (~real).any():
            missing = self.missing_parents.take(pa.array(positions[~real] - self.posts))
            out[~real] = ["missing:" + str(m) for m in missing.to_pylist()]
        return pa.array(out, pa.string())


def resolve_model(store: Store, model: str | None = None) -> str:
    """The label model to report on: ``model`` if given, else the one with most post labels.

    Raises:
        StoreError: the store holds no post labels.
        StoreError: ``model`` has no labels in the store.
    """
    models = [m.model for m in reads.label_models(store)]
    where = store.path or "the store"
    if not models:
        raise StoreError(
            f"{where}: expected post labels, found none. "
            f"Fix: run `heard label --db {store.path or 'STORE'}` first"
        )
    if model is None:
        return models[0]
    if model not in models:
        raise StoreError(f"expected a model with labels in {where}, found no labels of {model!r} "
                         f"(models: {', '.join(models)}). Fix: pass --model {models[0]} or leave --model out")
    return model


def load_corpus(store: Store, model: str | None = None) -> Corpus:
    """Read posts, reply links and one model's labels into a :class:`Corpus`.

    Args:
        store: an open store (read-only is enough).
        model: label model; default: the one with most post labels.

    Raises:
        StoreError: no posts or no labels in the store.
        StoreError: ``model`` has no labels.
    """
    model = resolve_model(store, model)
    columns = reads.post_columns(store, model)
    posts = columns.posts
    if posts == 0:
        raise StoreError(f"{store.path or 'the store'}: expected posts, found none. Fix: ingest posts with `heard ingest`")
    missing_parents = columns.missing_parents
    placeholders = len(missing_parents)
    missing = columns.missing
    parent = attach_orphans(columns.parent, missing, placeholders)
    forest = build_forest(parent)

    def extend(values: np.ndarray, fill: float | bool, dtype: type) -> np.ndarray:
        out: np.ndarray = np.full(posts + placeholders, fill, dtype=dtype)
        out[:posts] = values
        return out

    sizes = np.bincount(forest.root[:posts], minlength=forest.size)  # posts per thread
    roots = forest.parent < 0
    replies = sizes - (np.arange(forest.size) < posts)  # a placeholder root is not a post
    stats = ThreadStats(
        posts=posts,
        threads=int(roots.sum()),
        threads_with_replies=int((roots & (replies > 0)).sum()),
        largest_thread=int(sizes.max(initial=0)),
        max_depth=int(forest.depth.max(initial=0)),
        orphans=int((missing >= 0).sum()),
        placeholder_roots=placeholders,
        cycles_cut=forest.cycles_cut,
        posts_in_cycles=forest.posts_in_cycles,
    )
    return Corpus(
        model=model,
        posts=posts,
        forest=forest,
        stats=stats,
        time=extend(columns.time, np.nan, np.float64),
        act=extend(columns.act, -1, np.int8),
        stance=extend(columns.stance, -1, np.int8),
        discloser=extend(columns.discloser, -1, np.int8),
        frame=extend(columns.frame, -1, np.int8),
        abusive=extend(columns.abusive, False, np.bool_),
        centres_men=extend(columns.centres_men, False, np.bool_),
        author=extend(columns.author, -1, np.int64),
        ids=columns.ids,
        missing_parents=missing_parents,
    )
