"""Hand codes and probability samples in the store: every SQL of the coding loop.

``codes`` holds one row per (post, coder); ``sample_draws`` the posts that
``heard sample`` drew with their inclusion probabilities. The library modules
:mod:`heard.coding` and :mod:`heard.estimate` read and write through these
functions only.

Example:
    >>> from heard.store import Store
    >>> with Store.open(":memory:") as store:
    ...     coders(store)
    []
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa

from heard.store.database import Store

CODE_FIELDS = ("act", "stance", "abusive", "voice", "frame", "discloser", "centres")
"""The codebook fields a code holds, in the codebook's order."""


@dataclass(frozen=True)
class Code:
    """One coder's codes for one post (``None``: the field was left open).

    Example:
        >>> Code("reddit:t1_a", "ana", act="silencing", stance="oppose").act
        'silencing'
    """

    post_id: str
    coder: str
    act: str | None = None
    stance: str | None = None
    abusive: bool | None = None
    voice: str | None = None
    frame: str | None = None
    discloser: str | None = None
    centres: tuple[str, ...] | None = None
    coded_at: datetime | None = None
    source: str = "page"


@dataclass(frozen=True)
class Draw:
    """One post drawn by ``heard sample``: its inclusion probability and stratum."""

    post_id: str
    inclusion: float
    stratum: str


@dataclass(frozen=True)
class PostToCode:
    """A post shown on the coding page: its text, its parent's and its thread's first post."""

    post_id: str
    text: str
    parent_text: str | None
    thread_title: str | None
    platform: str


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# -- codes ---------------------------------------------------------------------------------------
def save_codes(store: Store, codes: Sequence[Code]) -> int:
    """Store ``codes`` in one transaction; a (post, coder) already coded is replaced. Returns how many.

    Example:
        >>> with Store.open(":memory:") as store:
        ...     save_codes(store, [Code("p1", "ana", act="other")])
        1
    """
    if not codes:
        return 0
    table = pa.Table.from_pydict(
        {
            "post_id": [c.post_id for c in codes],
            "coder": [c.coder for c in codes],
            "act": [c.act for c in codes],
            "stance": [c.stance for c in codes],
            "abusive": [c.abusive for c in codes],
            "voice": [c.voice for c in codes],
            "frame": [c.frame for c in codes],
            "discloser": [c.discloser for c in codes],
            "centres": [list(c.centres) if c.centres is not None else None for c in codes],
            "coded_at": [c.coded_at or _now() for c in codes],
            "source": [c.source for c in codes],
        },
        schema=pa.schema([("post_id", pa.string()), ("coder", pa.string()), ("act", pa.string()), ("stance", pa.string()),
                          ("abusive", pa.bool_()), ("voice", pa.string()), ("frame", pa.string()),
                          ("discloser", pa.string()), ("centres", pa.list_(pa.string())), ("coded_at", pa.timestamp("us")),
                          ("source", pa.string())]),
    )
    store.con.register("_new_codes", table)
    try:
        with store.transaction():
            store.con.execute("INSERT OR REPLACE INTO codes SELECT post_id, coder, act, stance, abusive, voice, frame, "
                              "discloser, centres::VARCHAR[], coded_at, source FROM _new_codes")
    finally:
        store.con.unregister("_new_codes")
    return len(codes)


def delete_code(store: Store, post_id: str, coder: str) -> bool:
    """Remove one coder's code of one post (undo); return whether there was one."""
    with store.transaction():
        rows = store.con.execute("DELETE FROM codes WHERE post_id = ? AND coder = ? RETURNING 1", [post_id, coder]).fetchall()
    return bool(rows)


def all_codes(store: Store, coder: str | None = None) -> list[Code]:
    """Every code (or one coder's), by post id then coder.

    Example:
        >>> with Store.open(":memory:") as store:
        ...     _ = save_codes(store, [Code("p1", "ana", act="other")])
        ...     [c.act for c in all_codes(store)]
        ['other']
    """
    where, params = ("WHERE coder = ?", [coder]) if coder is not None else ("", [])
    rows = store.con.execute(
        f"SELECT post_id, coder, act, stance, abusive, voice, frame, discloser, centres, coded_at, source FROM codes {where} "
        "ORDER BY post_id, coder", params).fetchall()
    return [Code(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], tuple(r[8]) if r[8] is not None else None, r[9], r[10])
            for r in rows]


def coders(store: Store) -> list[str]:
    """The coders with at least one code, by name."""
    return [str(r[0]) for r in store.con.execute("SELECT DISTINCT coder FROM codes ORDER BY coder").fetchall()]


def coded_ids(store: Store, coder: str) -> list[str]:
    """Posts ``coder`` has coded, in the order coded (earliest first)."""
    rows = store.con.execute("SELECT post_id FROM codes WHERE coder = ? ORDER BY coded_at, post_id", [coder]).fetchall()
    return [str(r[0]) for r in rows]


def post_texts(store: Store, ids: Sequence[str]) -> dict[str, str]:
    """The texts of the stored posts among ``ids`` (for exports that carry the text)."""
    if not ids:
        return {}
    probe = pa.table({"id": pa.array(list(ids), pa.string())})
    store.con.register("_probe_code_ids", probe)
    try:
        rows = store.con.execute("SELECT p.id, p.text FROM posts p JOIN _probe_code_ids USING (id)").fetchall()
    finally:
        store.con.unregister("_probe_code_ids")
    return {str(r[0]): str(r[1]) for r in rows}


def match_posts(store: Store, ids: Sequence[str], texts: Sequence[str | None]) -> list[str | None]:
    """The stored post each imported row means: its id as stored, else the one stored id that is
    ``<scope>:<id>`` (ingest scopes ids by source), else the one post with exactly its text; ``None`` when
    none or several match.

    Example:
        >>> with Store.open(":memory:") as store:
        ...     match_posts(store, ["x"], [None])
        [None]
    """
    if not ids:
        return []
    probe = pa.table({"i": pa.array(list(range(len(ids))), pa.int64()), "id": pa.array(list(ids), pa.string()),
                      "text": pa.array(list(texts), pa.string())})
    store.con.register("_probe_match", probe)
    try:
        rows = store.con.execute(
            """
            WITH exact AS (SELECT q.i, p.id FROM _probe_match q JOIN posts p ON p.id = q.id),
            scoped AS (SELECT q.i, any_value(p.id) AS id, count(*) AS k FROM _probe_match q
                       JOIN posts p ON q.id <> '' AND substr(p.id, strpos(p.id, ':') + 1) = q.id
                       WHERE q.i NOT IN (SELECT i FROM exact) GROUP BY q.i),
            texts AS (SELECT q.i, any_value(p.id) AS id, count(*) AS k FROM _probe_match q
                      JOIN posts p ON p.text = q.text
                      WHERE q.i NOT IN (SELECT i FROM exact) AND q.i NOT IN (SELECT i FROM scoped WHERE k = 1)
                      GROUP BY q.i)
            SELECT i, id FROM exact
            UNION ALL SELECT i, id FROM scoped WHERE k = 1
            UNION ALL SELECT i, id FROM texts WHERE k = 1
            """
        ).fetchall()
    finally:
        store.con.unregister("_probe_match")
    found: list[str | None] = [None] * len(ids)
    for i, post_id in rows:
        found[int(i)] = str(post_id)
    return found


# -- samples -------------------------------------------------------------------------------------------
def replace_sample(store: Store, draws: Sequence[Draw], *, seed: int, model: str | None) -> None:
    """Record a new draw, replacing the previous one, in one transaction."""
    table = pa.table({"post_id": pa.array([d.post_id for d in draws], pa.string()),
                      "inclusion": pa.array([d.inclusion for d in draws], pa.float64()),
                      "stratum": pa.array([d.stratum for d in draws], pa.string())})
    store.con.register("_new_draws", table)
    try:
        with store.transaction():
            store.con.execute("DELETE FROM sample_draws")
            store.con.execute("INSERT INTO sample_draws SELECT post_id, inclusion, stratum, ?, ?, ? FROM _new_draws",
                              [seed, model, _now()])
    finally:
        store.con.unregister("_new_draws")


def sample(store: Store) -> list[Draw]:
    """The posts of the latest draw, by stratum, then id."""
    rows = store.con.execute("SELECT post_id, inclusion, stratum FROM sample_draws ORDER BY stratum, post_id").fetchall()
    return [Draw(str(r[0]), float(r[1]), str(r[2])) for r in rows]


# -- what estimates and the coding page read ---------------------------------------------------------------
def predicted(store: Store, model: str) -> tuple[pa.Array, np.ndarray, np.ndarray]:
    """Every post ``model`` labelled, by id: (ids as Arrow strings, act, stance as NumPy string arrays).

    Kept compact for tens of millions of posts: no Python object per post (the labels are
    NumPy ``StringDType``, 16 bytes a post; the ids one Arrow buffer).

    Example:
        >>> with Store.open(":memory:") as store:
        ...     ids, act, stance = predicted(store, "m1")
        >>> len(ids), act.shape
        (0, (0,))
    """
    relation = store.con.sql("SELECT post_id, act, stance FROM post_labels WHERE model = ? ORDER BY post_id", params=[model])
    to_table = getattr(relation, "to_arrow_table", None)  # duckdb >= 1.4; older: .arrow()
    table: pa.Table = to_table() if to_table is not None else relation.arrow()

    def labels(column: pa.ChunkedArray) -> np.ndarray:
        coded = column.combine_chunks().dictionary_encode()
        names = np.array(coded.dictionary.to_pylist(), dtype=np.dtypes.StringDType())
        return names[coded.indices.to_numpy(zero_copy_only=False)] if len(coded) else names[:0]

    return table.column("post_id").combine_chunks(), labels(table.column("act")), labels(table.column("stance"))


def post_to_code(store: Store, post_id: str) -> PostToCode | None:
    """One post with its parent's text and its thread's first post (``None`` if not stored)."""
    rows = store.con.execute(
        """
        SELECT p.id, p.text, parent.text, CASE WHEN root.id <> p.id THEN coalesce(root.meta->>'title', root.text) END,
               p.platform
        FROM posts p LEFT JOIN posts parent ON parent.id = p.parent_id
        LEFT JOIN posts root ON root.id = p.thread_root
        WHERE p.id = ?
        """, [post_id]).fetchall()
    if not rows:
        return None
    row = rows[0]
    return PostToCode(str(row[0]), str(row[1]), row[2], row[3], str(row[4]))


def all_post_ids(store: Store) -> list[str]:
    """Every post id, by id."""
    return [str(r[0]) for r in store.con.execute("SELECT id FROM posts ORDER BY id").fetchall()]
