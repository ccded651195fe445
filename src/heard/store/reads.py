"""The read queries of the analysis, report and demo layers, behind one small API.

Every function takes an open :class:`~heard.store.Store` (read-only is
enough) and returns records, NumPy arrays or Arrow arrays, never a cursor,
so no module outside :mod:`heard.store` writes SQL. Posts are read in one
order everywhere, :data:`POST_ORDER` (earliest first, undated last, then
by id), which is the order of positions in :class:`heard.threads.Corpus`.

Example:
    >>> from heard.store import Store, reads
    >>> with Store.open(":memory:") as store:
    ...     reads.label_models(store)
    []
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from heard.records import ACTS, DISCLOSERS, FRAMES, STANCES
from heard.store.database import Store

POST_ORDER = "ORDER BY created_at NULLS LAST, id"
"""The one order posts are read in: earliest first, undated last, ties by id."""

_POST_COLUMNS = "p.text, p.author, p.created_at, l.act, l.frame, l.abusive"
_RANK = "(l.voice = 'own') DESC, (length(p.text) BETWEEN 20 AND 400) DESC, l.score DESC, p.id"


# -- records ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ModelCount:
    """A label model and how many posts it labelled."""

    model: str
    posts: int


@dataclass(frozen=True)
class PostColumns:
    """Posts, reply links and one model's labels as arrays, one entry per post in :data:`POST_ORDER`.

    Codes index :data:`heard.records.ACTS`, ``STANCES``, ``DISCLOSERS`` and
    ``FRAMES``; ``-1`` means none (unlabelled post, no frame).

    Attributes:
        parent: position of the parent post, ``-1`` for a root or a missing parent.
        missing: index into ``missing_parents`` when the parent is not stored, else ``-1``.
        time: creation time in seconds since 1970 (UTC), NaN when unknown.
        author: a number per pseudonymous author (by author order), ``-1`` when unknown.
        act: act code.
        stance: stance code.
        discloser: discloser code.
        frame: frame code.
        abusive: abusive flag (``False`` when unlabelled).
        centres_men: the label centres men or male survivors.
        ids: post ids by position.
        missing_parents: parent ids that are not stored, sorted.
    """

    parent: np.ndarray
    missing: np.ndarray
    time: np.ndarray
    author: np.ndarray
    act: np.ndarray
    stance: np.ndarray
    discloser: np.ndarray
    frame: np.ndarray
    abusive: np.ndarray
    centres_men: np.ndarray
    ids: pa.Array
    missing_parents: pa.Array

    @property
    def posts(self) -> int:
        """Number of posts read."""
        return int(self.parent.shape[0])


@dataclass(frozen=True)
class PatternCount:
    """Posts whose text matches one pattern, how many of them a model labelled derailing, and the first one's time."""

    posts: int
    derailing: int
    first_seen: datetime | None


@dataclass(frozen=True)
class CaptureCount:
    """One captured phrase, the posts it occurs in, and how many of them are labelled derailing."""

    phrase: str
    posts: int
    derailing: int


@dataclass(frozen=True)
class PostRow:
    """One post with the label fields a report quotes; the text is raw, not yet redacted.

    Attributes:
        text: the post text as stored.
        author: the stored (pseudonymous) author, ``None`` when unknown.
        created_at: UTC time, when known.
        act: act label (``None`` when unlabelled).
        frame: derailing frame, if any.
        abusive: abusive flag (``False`` when unlabelled).
    """

    text: str
    author: str | None
    created_at: datetime | None
    act: str | None
    frame: str | None
    abusive: bool


@dataclass(frozen=True)
class RankedPost:
    """A post chosen as an example: the group it was ranked in, and the post."""

    group: str
    post: PostRow


@dataclass(frozen=True)
class ActUnits:
    """One act of the unit labels: posts and units with it, and the unit the model is surest of.

    Attributes:
        act: the act.
        posts: distinct posts with a unit of this act.
        units: units with this act.
        example: text of the highest-scoring own-voice unit of 25 to 200 characters ("" when none).
    """

    act: str
    posts: int
    units: int
    example: str


# -- helpers ----------------------------------------------------------------------------------------
def _arrow(store: Store, sql: str, params: Sequence[object] | None = None) -> pa.Table:
    """Run ``sql`` and return the result as an Arrow table (without a row-by-row copy)."""
    relation = store.con.sql(sql, params=list(params) if params else None)
    to_table = getattr(relation, "to_arrow_table", None)  # duckdb >= 1.4; older: .arrow()
    table: pa.Table = to_table() if to_table is not None else relation.arrow()
    return table


def _list(values: Sequence[str]) -> str:
    return "[" + ", ".join("'" + v + "'" for v in values) + "]"


def _literal(pattern: str) -> str:
    """A case-insensitive RE2 pattern as a SQL string literal (constant, so DuckDB compiles it once)."""
    return "'(?i)" + pattern.replace("'", "''") + "'"


def _post_row(row: Sequence[Any]) -> PostRow:
    text, author, created, act, frame, abusive = row
    return PostRow(str(text), author, created, act, frame, bool(abusive))


# -- labels and corpus ------------------------------------------------------------------------------
def label_models(store: Store) -> list[ModelCount]:
    """The models with post labels, most labels first (ties by name).

    Example:
        >>> reads.label_models(store)                          # doctest: +SKIP
        [ModelCount(model='heads@35b5…', posts=420)]
    """
    rows = store.con.execute(
        "SELECT model, count(*) FROM post_labels GROUP BY model ORDER BY count(*) DESC, model"
    ).fetchall()
    return [ModelCount(str(m), int(c)) for m, c in rows]


def post_columns(store: Store, model: str) -> PostColumns:
    """Every post with its reply link and ``model``'s label, as arrays in :data:`POST_ORDER`.

    DuckDB sorts the posts once (with their labels; it spills to disk past its memory limit);
    reply links, missing parents and authors are then looked up in Arrow hash tables, so ten
    million posts need neither a self-join nor a Python object per post.

    Example:
        >>> columns = reads.post_columns(store, "m1")          # doctest: +SKIP
        >>> columns.posts, columns.act[:3]                     # doctest: +SKIP
        (420, array([0, 1, 1], dtype=int8))
    """
    table = _arrow(
        store,
        f"""
        SELECT p.id, p.parent_id, p.author,
               coalesce(epoch(p.created_at), 'NaN'::DOUBLE) AS t,
               (coalesce(list_position({_list(ACTS)}, l.act), 0) - 1)::TINYINT AS act,
               (coalesce(list_position({_list(STANCES)}, l.stance), 0) - 1)::TINYINT AS stance,
               (coalesce(list_position({_list(DISCLOSERS)}, l.discloser), 0) - 1)::TINYINT AS discloser,
               (coalesce(list_position({_list(FRAMES)}, l.frame), 0) - 1)::TINYINT AS frame,
               coalesce(l.abusive, false) AS abusive,
               coalesce(list_has_any(l.centres, ['men', 'male_survivors']), false) AS centres_men
        FROM posts p LEFT JOIN post_labels l ON l.post_id = p.id AND l.model = ?
        {POST_ORDER}
        """,
        [model],
    )
    ids = table.column("id").combine_chunks().cast(pa.string())
    parent_ids = table.column("parent_id").combine_chunks().cast(pa.string())
    authors = table.column("author").combine_chunks().cast(pa.string())
    numbers = {name: table.column(name).to_numpy() for name in
               ("t", "act", "stance", "discloser", "frame", "abusive", "centres_men")}
    del table
    parent = _positions(parent_ids, ids)
    gone = pc.and_(pc.is_valid(parent_ids), pc.equal(pa.array(parent, pa.int64()), -1))
    missing_parents = _sorted_unique(parent_ids.filter(gone))
    missing = _positions(pc.if_else(gone, parent_ids, pa.scalar(None, pa.string())), missing_parents)
    author = _positions(authors, _sorted_unique(authors.drop_null()))
    return PostColumns(
        parent=parent,
        missing=missing,
        time=np.asarray(numbers["t"], dtype=np.float64),
        author=author,
        act=np.asarray(numbers["act"], dtype=np.int8),
        stance=np.asarray(numbers["stance"], dtype=np.int8),
        discloser=np.asarray(numbers["discloser"], dtype=np.int8),
        frame=np.asarray(numbers["frame"], dtype=np.int8),
        abusive=np.asarray(numbers["abusive"], dtype=np.bool_),
        centres_men=np.asarray(numbers["centres_men"], dtype=np.bool_),
        ids=ids,
        missing_parents=missing_parents,
    )


def _positions(values: pa.Array, within: pa.Array) -> np.ndarray:
    """Position of each value in ``within`` (first occurrence), ``-1`` for a null or a value not there."""
    found = pc.index_in(values, value_set=within)
    out: np.ndarray = found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return out


def _sorted_unique(values: pa.Array) -> pa.Array:
    """The distinct values, in byte order (as DuckDB orders VARCHAR)."""
    unique = pc.unique(values)
    out: pa.Array = unique.take(pc.sort_indices(unique))
    return out


def has_texts(store: Store) -> bool:
    """Whether the store's posts carry their texts (a store always does; Parquet labels read without
    ``--posts`` do not, see :func:`heard.store.parquet_views.open_labelled`).

    Example:
        >>> with Store.open(":memory:") as store:
        ...     has_texts(store)
        False
    """
    row = store.con.execute("SELECT EXISTS (SELECT 1 FROM posts WHERE text IS NOT NULL)").fetchone()
    return bool(row and row[0])


# -- text patterns -------------------------------------------------------------------------------
def pattern_counts(store: Store, model: str, patterns: Sequence[str]) -> list[PatternCount]:
    """Match each case-insensitive RE2 pattern against every post text, in one scan.

    Example:
        >>> reads.pattern_counts(store, "m1", [r"#metoo\\b"])    # doctest: +SKIP
        [PatternCount(posts=12, derailing=0, first_seen=datetime(2026, 3, 2, 8, 10))]
    """
    if not patterns:
        return []
    parts = []
    for i, pattern in enumerate(patterns):
        hit = f"regexp_matches(p.text, {_literal(pattern)})"
        parts.append(
            f"count(*) FILTER (WHERE {hit}) AS n{i}, "
            f"count(*) FILTER (WHERE {hit} AND l.act = 'derailing') AS d{i}, "
            f"min(p.created_at) FILTER (WHERE {hit}) AS f{i}"
        )
    row = store.con.execute(
        f"SELECT {', '.join(parts)} FROM posts p "
        "LEFT JOIN post_labels l ON l.post_id = p.id AND l.model = ?",
        [model],
    ).fetchone()
    assert row is not None
    return [PatternCount(int(row[3 * i] or 0), int(row[3 * i + 1] or 0), row[3 * i + 2]) for i in range(len(patterns))]


def capture_counts(store: Store, model: str, *, contains: str, pattern: str, min_posts: int,
                   limit: int) -> list[CaptureCount]:
    """The commonest first captures of ``pattern`` in lower-cased texts that contain ``contains``.

    Args:
        store: an open store.
        model: label model whose ``derailing`` label is counted.
        contains: a plain substring (case-insensitive) a text must hold to be searched.
        pattern: RE2 pattern with one capture group, matched case-insensitively.
        min_posts: least posts a phrase needs to be returned.
        limit: most phrases returned, commonest first (ties by phrase).

    Example:
        >>> reads.capture_counts(store, "m1", contains="what about", pattern=r"what about ([a-z]+)",
        ...                      min_posts=2, limit=5)             # doctest: +SKIP
        [CaptureCount(phrase='men', posts=9, derailing=7)]
    """
    rows = store.con.execute(
        f"""
        SELECT phrase, count(*) AS posts, count(*) FILTER (WHERE act = 'derailing') AS derailing
        FROM (SELECT regexp_extract(lower(p.text), {_literal(pattern)}, 1) AS phrase, l.act
              FROM posts p LEFT JOIN post_labels l ON l.post_id = p.id AND l.model = ?
              WHERE p.text ILIKE ?)
        WHERE phrase <> ''
        GROUP BY phrase HAVING count(*) >= ?
        ORDER BY posts DESC, phrase LIMIT ?
        """,
        [model, "%" + contains + "%", min_posts, limit],
    ).fetchall()
    return [CaptureCount(str(r[0]), int(r[1]), int(r[2])) for r in rows]


# -- posts for examples --------------------------------------------------------------------------------
def _ranked(store: Store, model: str, partition: str, where: str, limit: int) -> list[RankedPost]:
    # Rank without carrying texts through the window, then fetch the few texts chosen.
    rows = store.con.execute(
        f"""
        WITH ranked AS (
            SELECT p.id, {partition} AS part,
                   row_number() OVER (PARTITION BY {partition} ORDER BY {_RANK}) AS r
            FROM post_labels l JOIN posts p ON p.id = l.post_id
            WHERE l.model = ? AND {where}
        )
        SELECT r.part, {_POST_COLUMNS}
        FROM ranked r JOIN posts p ON p.id = r.id JOIN post_labels l ON l.post_id = r.id AND l.model = ?
        WHERE r.r <= ? ORDER BY r.part, r.r
        """,
        [model, model, limit],
    ).fetchall()
    return [RankedPost(str(r[0]), _post_row(r[1:])) for r in rows]


def surest_by_act(store: Store, model: str, limit: int) -> list[RankedPost]:
    """Per act, the ``limit`` posts ``model`` is surest of: own voice first, 20 to 400 characters first.

    Example:
        >>> [r.group for r in reads.surest_by_act(store, "m1", 1)]   # doctest: +SKIP
        ['accountability', 'derailing', 'disbelief', 'other', ...]
    """
    return _ranked(store, model, "l.act", "true", limit)


def surest_by_frame(store: Store, model: str, limit: int) -> list[RankedPost]:
    """Per derailing frame (``unspecified`` when none), the ``limit`` derails ``model`` is surest of.

    Example:
        >>> reads.surest_by_frame(store, "m1", 2)[0].group          # doctest: +SKIP
        'false_equivalence'
    """
    return _ranked(store, model, "coalesce(l.frame, 'unspecified')", "l.act = 'derailing'", limit)


def post(store: Store, model: str, post_id: str) -> PostRow | None:
    """One post with ``model``'s label, or ``None`` when it is not stored.

    Example:
        >>> reads.post(store, "m1", "t1").act                        # doctest: +SKIP
        'testimony'
    """
    row = store.con.execute(
        f"SELECT {_POST_COLUMNS} FROM posts p "
        "LEFT JOIN post_labels l ON l.post_id = p.id AND l.model = ? WHERE p.id = ?",
        [model, post_id],
    ).fetchone()
    return _post_row(row) if row is not None else None


def replies(store: Store, model: str, post_id: str, limit: int) -> list[PostRow]:
    """The first ``limit`` direct replies to ``post_id``, earliest first.

    Example:
        >>> len(reads.replies(store, "m1", "t1", 8))                  # doctest: +SKIP
        8
    """
    rows = store.con.execute(
        f"SELECT {_POST_COLUMNS} FROM posts p "
        "LEFT JOIN post_labels l ON l.post_id = p.id AND l.model = ? WHERE p.parent_id = ? "
        "ORDER BY p.created_at NULLS LAST, p.id LIMIT ?",
        [model, post_id, limit],
    ).fetchall()
    return [_post_row(r) for r in rows]


def reply_count(store: Store, post_id: str) -> int:
    """How many stored posts reply directly to ``post_id``.

    Example:
        >>> reads.reply_count(store, "t1")                            # doctest: +SKIP
        11
    """
    row = store.con.execute("SELECT count(*) FROM posts WHERE parent_id = ?", [post_id]).fetchone()
    return int(row[0]) if row else 0


def posts_by_id(store: Store, model: str) -> dict[str, PostRow]:
    """Every post with ``model``'s label, by id (meant for small corpora).

    Example:
        >>> reads.posts_by_id(store, "m1")["t1"].author               # doctest: +SKIP
        'u:3f9a…'
    """
    rows = store.con.execute(
        f"SELECT p.id, {_POST_COLUMNS} FROM posts p "
        "LEFT JOIN post_labels l ON l.post_id = p.id AND l.model = ?",
        [model],
    ).fetchall()
    return {str(r[0]): _post_row(r[1:]) for r in rows}


# -- unit labels ---------------------------------------------------------------------------------------
def act_units(store: Store, model: str) -> list[ActUnits]:
    """Unit labels of ``model`` per act, most units first, each with its surest short own-voice unit.

    Example:
        >>> reads.act_units(store, "m1")[0].act                       # doctest: +SKIP
        'other'
    """
    rows = store.con.execute(
        """
        WITH ranked AS (
            SELECT act, text, row_number() OVER (PARTITION BY act ORDER BY (l.scores->>act)::DOUBLE DESC, hash) AS r
            FROM units u JOIN labels l USING (hash)
            WHERE l.model = ? AND u.voice = 'own' AND length(u.text) BETWEEN 25 AND 200
        )
        SELECT l.act, count(DISTINCT u.post_id), count(*),
               (SELECT text FROM ranked WHERE ranked.act = l.act AND r = 1)
        FROM units u JOIN labels l ON l.hash = u.hash
        WHERE l.model = ? GROUP BY l.act ORDER BY count(*) DESC
        """,
        [model, model],
    ).fetchall()
    return [ActUnits(str(r[0]), int(r[1]), int(r[2]), r[3] or "") for r in rows]


def stored_text_digests(store: Store, ids: Sequence[str]) -> dict[str, str]:
    """For the ``ids`` already stored, the MD5 of each one's text (ingest tells re-reads from id clashes).

    Example:
        >>> with Store.open(":memory:") as store:
        ...     stored_text_digests(store, ["x:1"])
        {}
    """
    if not ids:
        return {}
    probe = pa.table({"id": pa.array(list(ids), pa.string())})
    store.con.register("_probe_text_ids", probe)
    try:
        rows = store.con.execute("SELECT p.id, md5(p.text) FROM posts p JOIN _probe_text_ids USING (id)").fetchall()
    finally:
        store.con.unregister("_probe_text_ids")
    return {str(r[0]): str(r[1]) for r in rows}


# -- browsing: the API and the dashboard ---------------------------------------------------------------
MAX_THREAD_POSTS = 5_000
"""Most posts :func:`thread_records` returns for one thread (the rest are counted, not read)."""

MAX_THREAD_DEPTH = 1_000
"""Deepest reply level :func:`thread_records` follows."""


@dataclass(frozen=True)
class PostRecord:
    """One stored post with every field of one model's post label (label fields ``None`` when unlabelled).

    Attributes:
        id: the post id.
        text: the post text as stored.
        author: pseudonymous author, ``None`` when unknown.
        created_at: UTC time, when known.
        parent_id: the post it replies to, if any (it may not be stored).
        thread_root: the root of its thread, when ingest resolved it.
        platform: the platform it came from.
        act, stance, abusive, frame, discloser, centres, score: the post label.
    """

    id: str
    text: str
    author: str | None
    created_at: datetime | None
    parent_id: str | None
    thread_root: str | None
    platform: str
    act: str | None
    stance: str | None
    abusive: bool | None
    frame: str | None
    discloser: str | None
    centres: tuple[str, ...]
    score: float | None


@dataclass(frozen=True)
class PostFilter:
    """What :func:`find_posts` keeps: every field set must match (``None`` matches anything).

    Attributes:
        act, stance, frame, discloser: label values.
        abusive: the abusive flag.
        since: created at or after (UTC); ``until``: created before (UTC).
        thread: the thread root id.
        q: a case-insensitive substring of the text.
    """

    act: str | None = None
    stance: str | None = None
    abusive: bool | None = None
    frame: str | None = None
    discloser: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    thread: str | None = None
    q: str | None = None


@dataclass(frozen=True)
class PostKey:
    """Where a page of :func:`find_posts` ends, in :data:`POST_ORDER`: the last post's time and id."""

    created_at: datetime | None
    id: str


_POST_FIELDS = "id, text, author, created_at, parent_id, thread_root, platform"
_LABEL_FIELDS = "post_id, act, stance, abusive, frame, discloser, centres, score"


def records_by_id(store: Store, model: str, ids: Sequence[str],
                  labels: dict[str, tuple[Any, ...]] | None = None) -> list[PostRecord]:
    """The stored posts among ``ids``, in the order given, with ``model``'s labels.

    The posts by primary key, then their labels (``labels``, when the caller read them
    already: post id to ``act, stance, abusive, frame, discloser, centres, score``).

    Example:
        >>> [p.id for p in reads.records_by_id(store, "m1", ["t2", "t1", "gone"])]    # doctest: +SKIP
        ['t2', 't1']
    """
    if not ids:
        return []
    marks = ", ".join("?" * len(ids))
    posts = {r[0]: r for r in store.con.execute(f"SELECT {_POST_FIELDS} FROM posts WHERE id IN ({marks})", list(ids)).fetchall()}
    if labels is None:
        labels = {r[0]: r[1:] for r in store.con.execute(
            f"SELECT {_LABEL_FIELDS} FROM post_labels WHERE model = ? AND post_id IN ({marks})", [model, *ids]).fetchall()}
    out = []
    for post_id in ids:
        row = posts.get(post_id)
        if row is None:
            continue
        act, stance, abusive, frame, discloser, centres, score = labels.get(post_id, (None,) * 7)
        out.append(PostRecord(str(row[0]), str(row[1]), row[2], row[3], row[4], row[5], str(row[6]), act, stance,
                              None if abusive is None else bool(abusive), frame, discloser, tuple(centres or ()),
                              None if score is None else float(score)))
    return out


def _like(text: str) -> str:
    """``text`` as an ILIKE pattern matching it literally anywhere."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def find_posts(store: Store, model: str, where: PostFilter, *, after: PostKey | None = None,
               limit: int = 50) -> list[PostRecord]:
    """Posts matching ``where`` in :data:`POST_ORDER`, the ``limit`` that follow ``after`` (keyset pagination).

    Every value is a bound parameter; ``q`` matches literally (``%`` and ``_`` are plain characters).
    The page's ids are found first (without carrying texts through the sort), then read by id.

    Example:
        >>> page = reads.find_posts(store, "m1", PostFilter(act="testimony"), limit=2)     # doctest: +SKIP
        >>> reads.find_posts(store, "m1", PostFilter(act="testimony"),
        ...                  after=PostKey(page[-1].created_at, page[-1].id), limit=2)      # doctest: +SKIP
        [PostRecord(id='w3', ...), PostRecord(id='m4', ...)]
    """
    clauses: list[str] = []
    params: list[object] = []
    labelled = [(c, v) for c, v in (("l.act", where.act), ("l.stance", where.stance), ("l.frame", where.frame),
                                    ("l.discloser", where.discloser), ("l.abusive", where.abusive)) if v is not None]
    join = ""
    if labelled:
        join = "JOIN post_labels l ON l.post_id = p.id AND l.model = ?"
        params.append(model)
    for column, value in labelled + ([("p.thread_root", where.thread)] if where.thread is not None else []):
        clauses.append(f"{column} = ?")
        params.append(value)
    if where.since is not None:
        clauses.append("p.created_at >= ?")
        params.append(where.since)
    if where.until is not None:
        clauses.append("p.created_at < ?")
        params.append(where.until)
    if where.q:
        clauses.append("p.text ILIKE ? ESCAPE '\\'")
        params.append(_like(where.q))

    # With a label filter the labels are joined anyway: on the first page read them with the ids (one scan of
    # post_labels, not two). After a cursor, extra columns cost DuckDB its top-N pushdown (measured on 1M posts:
    # 150 ms against 45), so later pages read ids only and their labels by id.
    label_columns = ", l.act, l.stance, l.abusive, l.frame, l.discloser, l.centres, l.score" if join and after is None else ""

    def page(extra: str, extra_params: list[object], size: int) -> list[tuple[Any, ...]]:
        where_sql = " AND ".join(clauses + ([extra] if extra else []))
        sql = (f"SELECT p.id{label_columns} FROM posts p {join} {'WHERE ' + where_sql if where_sql else ''} "
               "ORDER BY p.created_at NULLS LAST, p.id LIMIT ?")
        return store.con.execute(sql, params + extra_params + [size]).fetchall()

    if after is None:
        rows = page("", [], limit)
    elif after.created_at is None:
        rows = page("p.created_at IS NULL AND p.id > ?", [after.id], limit)
    else:
        # A row comparison keeps DuckDB's top-N pushdown (an OR of the cases does not). DuckDB compares
        # rows as it sorts them, NULLs last, so the undated posts follow the dated ones (a test pins this).
        rows = page("(p.created_at, p.id) > (?, ?)", [after.created_at, after.id], limit)
    ids = [str(r[0]) for r in rows]
    if label_columns:
        return records_by_id(store, model, ids, {str(r[0]): tuple(r[1:]) for r in rows})
    return records_by_id(store, model, ids)


def post_record(store: Store, model: str, post_id: str) -> PostRecord | None:
    """One post with ``model``'s label, or ``None`` when it is not stored.

    Example:
        >>> reads.post_record(store, "m1", "t1").thread_root          # doctest: +SKIP
        't1'
    """
    found = records_by_id(store, model, [post_id])
    return found[0] if found else None


def thread_root_of(store: Store, post_id: str) -> str | None:
    """The topmost stored ancestor of ``post_id`` (itself when it is a root), ``None`` when it is not stored.

    Follows parent links one point lookup at a time, up to :data:`MAX_THREAD_DEPTH`
    levels; a reply loop stops where it closes.

    Example:
        >>> reads.thread_root_of(store, "t1r2")                       # doctest: +SKIP
        't1'
    """
    seen: set[str] = set()
    current: str | None = post_id
    top: str | None = None
    while current is not None and current not in seen and len(seen) <= MAX_THREAD_DEPTH:
        row = store.con.execute("SELECT parent_id FROM posts WHERE id = ?", [current]).fetchone()
        if row is None:
            break
        seen.add(current)
        top = current
        current = row[0]
    return top


def thread_records(store: Store, model: str, root_id: str, limit: int = MAX_THREAD_POSTS) -> tuple[list[PostRecord], int]:
    """The posts of the reply tree under ``root_id`` (itself included) in :data:`POST_ORDER`, at most ``limit``,
    and how many posts the tree holds in all.

    Replies are found by following parent links down, level by level, up to
    :data:`MAX_THREAD_DEPTH` levels; when ingest resolved the thread (the root's
    ``thread_root`` is its own id) only that thread's rows are searched.

    Example:
        >>> posts, total = reads.thread_records(store, "m1", "t1")      # doctest: +SKIP
        >>> posts[0].id, total                                         # doctest: +SKIP
        ('t1', 12)
    """
    row = store.con.execute("SELECT thread_root FROM posts WHERE id = ?", [root_id]).fetchone()
    if row is None:
        return [], 0
    if row[0] == root_id:
        # Resolved by ingest: the thread's rows by one column, plus any deep reply ingest left unresolved.
        links = store.con.execute(
            "SELECT id, parent_id, created_at FROM posts WHERE thread_root = ? OR (thread_root IS NULL AND parent_id IS NOT NULL "
            "AND parent_id IN (SELECT id FROM posts WHERE thread_root = ?))", [root_id, root_id]).fetchall()
    else:
        links = store.con.execute(
            """
            WITH RECURSIVE down(id, depth) AS (
                SELECT id, 0 FROM posts WHERE id = ?
                UNION
                SELECT p.id, down.depth + 1 FROM posts p JOIN down ON p.parent_id = down.id WHERE down.depth < ?
            )
            SELECT p.id, p.parent_id, p.created_at FROM (SELECT DISTINCT id FROM down) d JOIN posts p ON p.id = d.id
            """, [root_id, MAX_THREAD_DEPTH]).fetchall()
    children: dict[str, list[str]] = {}
    when: dict[str, Any] = {}
    for pid, parent, created in links:
        when[pid] = created
        if parent is not None and pid != root_id:
            children.setdefault(parent, []).append(pid)
    tree: list[str] = []
    seen = {root_id}
    level = [root_id]
    depth = 0
    while level and depth <= MAX_THREAD_DEPTH:
        tree += level
        level = [c for p in level for c in children.get(p, []) if c not in seen and not seen.add(c)]  # type: ignore[func-returns-value]
        depth += 1
    far = datetime.max
    tree.sort(key=lambda i: (when.get(i) is None, when.get(i) or far, i))
    return records_by_id(store, model, tree[:limit]), len(tree)


@dataclass(frozen=True)
class Activity:
    """Posts written and threads started in one time bin."""

    start: datetime
    posts: int
    threads: int


def activity(store: Store, unit: str) -> list[Activity]:
    """Posts and thread starts (posts that reply to nothing) per ``unit`` (``hour``, ``day``, ``week``,
    ``month``), earliest first; undated posts are left out.

    Example:
        >>> reads.activity(store, "day")[0].posts                      # doctest: +SKIP
        40
    """
    if unit not in ("hour", "day", "week", "month"):
        raise ValueError(f"expected hour, day, week or month, got {unit!r}")
    rows = store.con.execute(
        f"SELECT date_trunc('{unit}', created_at) AS b, count(*), count(*) FILTER (WHERE parent_id IS NULL) "
        "FROM posts WHERE created_at IS NOT NULL GROUP BY b ORDER BY b"
    ).fetchall()
    return [Activity(r[0], int(r[1]), int(r[2])) for r in rows]
