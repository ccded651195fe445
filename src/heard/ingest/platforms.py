"""Platform exports and generic records, turned into the fields of a post.

Each normaliser takes one raw record and returns a :class:`Draft` (the post
before pseudonymisation and segmentation) or raises :class:`RowError`.
Containers that hold several posts (a Reddit thread listing, a Bluesky feed
or thread, a Mastodon context) are opened first with :func:`expand_record`.

Ids are scoped by source so that two files cannot collide: platform ids carry
the platform (``x:``, ``reddit:t1_``, ``bluesky:``, ``mastodon:``), generic
ids the file name's stem (``posts:17``), and a row without an id gets its
position in the file (``posts:#3``), never a hash of its text.

What ``meta`` may keep is one allow-list, :data:`ALLOWED_META`: counts,
languages, flags, subreddit and hashtags, each checked against its kind.
Everything else a record carries (handles, names, profile URLs, mentions,
locations, IP addresses, e-mails) is dropped here, at ingest.

Example:
    >>> d = to_draft("reddit", {"id": "c2", "parent_id": "t1_c1", "link_id": "t3_s1",
    ...     "author": "u1", "body": "me too", "created_utc": 1772460300, "ip": "203.0.113.9"}, None)
    >>> (d.id, d.parent_id, d.thread_root, d.meta)
    ('reddit:t1_c2', 'reddit:t1_c1', 'reddit:t3_s1', {})
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from heard.ingest.columns import ColumnMap
from heard.ingest.html_text import html_to_text
from heard.ingest.timeparse import TimeFormatError, parse_time
from heard.jsonl import kind_of

PLATFORMS = ("x", "reddit", "bluesky", "mastodon", "document", "generic")


class RowError(ValueError):
    """A record that cannot become a post: what was expected, what was found, the fix."""

    def __init__(self, expected: str, found: str, fix: str) -> None:
        super().__init__(f"{expected}, {found}")
        self.expected, self.found, self.fix = expected, found, fix


@dataclass(frozen=True)
class Draft:
    """A post's fields as read, before the author and account-naming ids are pseudonymised."""

    id: str
    text: str
    author: str | None
    created_at: datetime | None
    parent_id: str | None
    thread_root: str | None
    platform: str
    meta: dict[str, Any]


# -- what meta may keep ------------------------------------------------------------------------------
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,3}$")
_NAME = re.compile(r"^[A-Za-z0-9_]{1,32}$")
_TAG = re.compile(r"^#?[^\W_][\w-]{0,99}$")


def _count(value: Any) -> int | float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,15}(?:\.\d+)?", value.strip()):
        number = float(value)
        return int(number) if number.is_integer() else number
    return None


def _flag(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None


def _lang(value: Any) -> str | None:
    return value if isinstance(value, str) and _LANG.match(value) else None


def _langs(value: Any) -> list[str] | None:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return None
    kept = [v for v in value if isinstance(v, str) and _LANG.match(v)]
    return kept or None


def _name(value: Any) -> str | None:
    return value if isinstance(value, str) and _NAME.match(value) else None


def _tags(value: Any) -> list[str] | None:
    if isinstance(value, str):
        value = re.split(r"[\s,;]+", value.strip())
    if not isinstance(value, list):
        return None
    kept = [v.lstrip("#") for v in value if isinstance(v, str) and _TAG.match(v)]
    return kept or None


def _title(value: Any) -> str | None:
    return value if isinstance(value, str) else None


_COUNTS = (
    "likes", "like_count", "likeCount", "favorite_count", "favourite_count", "favourites_count",
    "retweets", "retweet_count", "reposts", "repost_count", "repostCount", "reblogs_count", "shares", "share_count",
    "quote_count", "quoteCount", "reply_count", "replyCount", "replies_count", "num_comments",
    "impression_count", "bookmark_count", "views", "view_count",
    "score", "ups", "downs", "upvotes", "downvotes", "controversiality", "gilded",
)
_Kind = Callable[[Any], Any]

ALLOWED_META: dict[str, dict[str, _Kind]] = {
    "x": {
        "lang": _lang, "possibly_sensitive": _flag, "hashtags": _tags,
        **dict.fromkeys(("like_count", "retweet_count", "reply_count", "quote_count", "impression_count", "bookmark_count"), _count),
    },
    "reddit": {
        "subreddit": _name, "over_18": _flag, "hashtags": _tags,
        **dict.fromkeys(("score", "ups", "downs", "num_comments", "controversiality", "gilded"), _count),
    },
    "bluesky": {
        "langs": _langs, "hashtags": _tags,
        **dict.fromkeys(("likeCount", "repostCount", "replyCount", "quoteCount"), _count),
    },
    "mastodon": {
        "language": _lang, "sensitive": _flag, "visibility": _name, "hashtags": _tags,
        **dict.fromkeys(("replies_count", "reblogs_count", "favourites_count"), _count),
    },
    "document": {"title": _title, "file": _title},
    "generic": {
        "lang": _lang, "language": _lang, "subreddit": _name, "hashtags": _tags, "tags": _tags,
        "sensitive": _flag, "possibly_sensitive": _flag, "over_18": _flag,
        **dict.fromkeys(_COUNTS, _count),
    },
}
"""What ``posts.meta`` may keep, per platform: field name → a check of its kind that
returns the value to keep or ``None`` (dropped). Every other field is dropped at ingest."""


def allowed_meta(platform: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Keep only the fields :data:`ALLOWED_META` allows for ``platform``, of the right kind.

    Example:
        >>> allowed_meta("mastodon", {"language": "en", "url": "https://example.town/@jo/1", "sensitive": "no"})
        {'language': 'en'}
    """
    allowed = ALLOWED_META.get(platform, ALLOWED_META["generic"])
    kept: dict[str, Any] = {}
    for name, check in allowed.items():
        if name in fields:
            value = check(fields[name])
            if value is not None:
                kept[name] = value
    return kept


# -- containers ----------------------------------------------------------------------------------------
def expand_record(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The posts a record holds: itself, or those of a container export.

    Opens a Reddit thread listing (``{"kind": "Listing", …}`` with nested
    ``replies``; "load more" stubs are skipped), a Bluesky feed item
    (``{"post": {…}}`` of ``getAuthorFeed``/``getTimeline``) or thread
    (``{"thread": {…}}`` of ``getPostThread``), and a Mastodon context
    (``{"ancestors": […], "descendants": […]}``). Nesting is walked with a
    stack, so a deep reply tree needs no recursion.

    Example:
        >>> listing = {"kind": "Listing", "data": {"children": [{"kind": "t1", "data": {"id": "c1", "body": "hi",
        ...     "replies": {"kind": "Listing", "data": {"children": [{"kind": "t1", "data": {"id": "c2", "body": "yo"}}]}}}}]}}
        >>> [r["id"] for r in expand_record(listing)]
        ['c1', 'c2']
    """
    if _is_listing(record):
        return _reddit_listing(record)
    post = record.get("post")
    if isinstance(post, dict) and ("uri" in post or "record" in post):
        return [post]
    thread = record.get("thread")
    if isinstance(thread, dict) and isinstance(thread.get("post"), dict):
        return _bluesky_thread(thread)
    if set(record) >= {"ancestors", "descendants"} and all(isinstance(record[k], list) for k in ("ancestors", "descendants")):
        return [s for s in [*record["ancestors"], *record["descendants"]] if isinstance(s, dict)]
    return [record]


def _is_listing(value: Any) -> bool:
    return isinstance(value, dict) and value.get("kind") == "Listing" and isinstance(value.get("data"), dict)


def _reddit_listing(listing: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    stack: list[Any] = [listing]
    while stack:
        node = stack.pop()
        if _is_listing(node):
            children = node["data"].get("children")
            if isinstance(children, list):
                stack.extend(reversed(children))
            continue
        if not isinstance(node, dict) or node.get("kind") not in ("t1", "t3") or not isinstance(node.get("data"), dict):
            continue  # "more" stubs and anything that is not a post or comment
        data = dict(node["data"])
        replies = data.pop("replies", None)
        data.setdefault("name", f"{node['kind']}_{data.get('id')}")
        out.append(data)
        if _is_listing(replies):
            stack.append(replies)
    return out


def _bluesky_thread(thread: dict[str, Any]) -> list[dict[str, Any]]:
    ancestors: list[dict[str, Any]] = []
    parent = thread.get("parent")
    while isinstance(parent, dict):
        if isinstance(parent.get("post"), dict):
            ancestors.append(parent["post"])
        parent = parent.get("parent")
    out = list(reversed(ancestors))
    stack: list[Any] = [thread]
    while stack:
        node = stack.pop()
        if not isinstance(node, dict) or not isinstance(node.get("post"), dict):
            continue  # blocked or deleted posts carry no post view
        out.append(node["post"])
        replies = node.get("replies")
        if isinstance(replies, list):
            stack.extend(reversed(replies))
    return out


# -- detection ---------------------------------------------------------------------------------------------
def detect_platform(record: dict[str, Any]) -> str:
    """Guess which export a record comes from by its characteristic fields."""
    if record.get("_document"):
        return "document"
    inner = record.get("record")
    kind = inner.get("$type") if isinstance(inner, dict) else record.get("$type")
    value = record.get("value")
    if kind == "app.bsky.feed.post" or (isinstance(value, dict) and value.get("$type") == "app.bsky.feed.post") or str(record.get("uri", "")).startswith("at://"):
        return "bluesky"
    if "conversation_id" in record or "referenced_tweets" in record or ("author_id" in record and "edit_history_tweet_ids" in record):
        return "x"
    if "link_id" in record or ("subreddit" in record and ("body" in record or "selftext" in record)):
        return "reddit"
    if "in_reply_to_id" in record and "content" in record and isinstance(record.get("account"), dict):
        return "mastodon"
    return "generic"


# -- fields -------------------------------------------------------------------------------------------------
def _time(value: Any, field: str) -> datetime | None:
    try:
        return parse_time(value)
    except TimeFormatError as exc:
        # parse_time never quotes the value (a text in a time column may be someone's post): it
        # says why the value was refused and shows only its shape.
        raise RowError(f"expected a timestamp in {field!r} (ISO 8601 or epoch seconds)", f"found {exc}",
                       "fix the value, map another column with --time-col, or pass --skip-bad") from None


def _str(value: Any, field: str, flag: str | None = None) -> str | None:
    """An id, parent id or author as text (``None`` and "" are none; 7.0 is "7").

    Raises:
        RowError: the value is an object or a list, whose repr would be stored as if it were an id or a name.
    """
    if value is None or value == "":
        return None
    if isinstance(value, (dict, list, tuple)):
        where = f"map the column that holds it with {flag}, " if flag else "check the export, "
        raise RowError(f"expected a string or a number in {field!r}", f"found {kind_of(value)}",
                       where + "convert the export, or pass --skip-bad")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


ACCOUNT_KEYS = ("screen_name", "username", "handle", "acct", "id_str", "id")
"""Keys of an account object given as a generic record's author (X v1's ``user``), in the order
heard takes the first one filled: the handle first, so that ``{"screen_name": "bob"}`` and ``"bob"``
get the same pseudonym."""


def account_key(value: dict[str, Any]) -> str | None:
    """Which key of an account object names it: the first of :data:`ACCOUNT_KEYS` that is filled.

    Example:
        >>> account_key({"id": 7, "screen_name": "bob"}), account_key({"name": "Bob"})
        ('screen_name', None)
    """
    return next((k for k in ACCOUNT_KEYS if value.get(k) not in (None, "")), None)


def _author(value: Any, field: str, flag: str | None = None) -> str | None:
    """A generic record's author: a string or a number, or an account object by its handle (else its id)."""
    if isinstance(value, dict):
        key = account_key(value)
        if key is None:
            raise RowError(f"expected a handle in {field!r} (a string, or an object with one of {', '.join(ACCOUNT_KEYS)})",
                           "found an object without one", f"map the column that holds the author with {flag or '--author-col'}, "
                           "convert the export, or pass --skip-bad")
        value, field = value[key], f"{field}.{key}"
    return _str(value, field, flag)


def _require_text(value: Any, field: str) -> str:
    if value is None:
        raise RowError(f"expected a text in {field!r}", "found no value", "fill it in, map another column with --text-col, or pass --skip-bad")
    if not isinstance(value, str):
        raise RowError(f"expected a text (a string) in {field!r}", f"found {kind_of(value)}",
                       "map the column that holds the post's words with --text-col, convert the export, or pass --skip-bad")
    return value


def _optional_text(value: Any, field: str) -> str:
    return "" if value is None else _require_text(value, field)


# -- platforms ------------------------------------------------------------------------------------------------
def _x(record: dict[str, Any]) -> Draft:
    tid = _str(record.get("id"), "id")
    if tid is None:
        raise RowError("expected a tweet 'id'", "found none", "check the export (X API v2 tweets carry an id)")
    parent = None
    for ref in record.get("referenced_tweets") or []:
        if isinstance(ref, dict) and ref.get("type") == "replied_to":
            replied_to = _str(ref.get("id"), "referenced_tweets.id")
            parent = "x:" + replied_to if replied_to else None
    root = _str(record.get("conversation_id"), "conversation_id")
    metrics = record.get("public_metrics")
    entities = record.get("entities")
    hashtags = entities.get("hashtags") if isinstance(entities, dict) else None
    fields = {**record, **(metrics if isinstance(metrics, dict) else {}),
              "hashtags": [h.get("tag") for h in hashtags if isinstance(h, dict)] if isinstance(hashtags, list) else None}
    return Draft(
        id="x:" + tid,
        text=_require_text(record.get("text"), "text"),
        author=_str(record.get("author_id") or record.get("username"), "author_id" if record.get("author_id") else "username"),
        created_at=_time(record.get("created_at"), "created_at"),
        parent_id=parent,
        thread_root=("x:" + root) if root else None,
        platform="x",
        meta=allowed_meta("x", fields),
    )


_REDDIT_THREAD = re.compile(r"/comments/([A-Za-z0-9]+)(?:/[^/?#]*/([A-Za-z0-9]+))?")


def _reddit_fullname(value: str | None, link: str | None) -> str | None:
    """``t1_``/``t3_`` fullnames from a fullname, a bare id (a comment unless it is the link's) or a permalink."""
    if value is None:
        return None
    if value.startswith(("t1_", "t3_")):
        return value
    match = _REDDIT_THREAD.search(value)
    if match:
        return f"t1_{match.group(2)}" if match.group(2) else f"t3_{match.group(1)}"
    return f"t3_{value}" if link == f"t3_{value}" else f"t1_{value}"


def _reddit(record: dict[str, Any]) -> Draft:
    rid = _str(record.get("id"), "id")
    if rid is None:
        raise RowError("expected a Reddit 'id'", "found none", "check the dump")
    name = str(record.get("name") or "")
    # Pushshift and API comments have parent_id; the account data export's comments.csv has parent and link.
    is_comment = (rid.startswith("t1_") or name.startswith("t1_") or "parent_id" in record or "parent" in record
                  or ("body" in record and "title" not in record))
    full = rid if rid.startswith(("t1_", "t3_")) else ("t1_" if is_comment else "t3_") + rid
    link = _str(record.get("link_id"), "link_id")
    if link is None and isinstance(record.get("link"), str):
        link = _reddit_fullname(record["link"], None)
        link = "t3_" + link[3:] if link else None
    if is_comment:
        text = _require_text(record.get("body"), "body")
    else:
        title = _optional_text(record.get("title"), "title")
        body = _optional_text(record.get("selftext") if "selftext" in record else record.get("body"), "selftext")
        text = (title + ("\n\n" + body if body else "")).strip() if (title or body) else _require_text(None, "selftext")
    parent = _reddit_fullname(_str(record.get("parent_id") or record.get("parent"), "parent_id" if record.get("parent_id") else "parent"), link)
    author = record.get("author")
    return Draft(
        id="reddit:" + full,
        text=text,
        author=None if author in (None, "", "[deleted]") else _str(author, "author"),
        created_at=_time(record.get("created_utc") or record.get("date") or record.get("created"), "created_utc"),
        parent_id=("reddit:" + parent) if parent else None,
        thread_root=("reddit:" + link) if link else ("reddit:" + full if not is_comment else None),
        platform="reddit",
        meta=allowed_meta("reddit", record),
    )


def _bluesky(record: dict[str, Any], source: str, position: int) -> Draft:
    post = record
    if isinstance(record.get("record"), dict):
        post = record["record"]
    elif isinstance(record.get("value"), dict):
        post = record["value"]
    reply = post.get("reply") or {}
    parent = _str((reply.get("parent") or {}).get("uri"), "reply.parent.uri")
    root = _str((reply.get("root") or {}).get("uri"), "reply.root.uri")
    author = record.get("author")
    if isinstance(author, dict):
        author = author.get("did") or author.get("handle")
    if author is None and str(record.get("uri", "")).startswith("at://"):
        author = str(record["uri"])[5:].split("/", 1)[0]
    text = _require_text(post.get("text"), "text")
    created = _time(post.get("createdAt") or record.get("indexedAt"), "createdAt")
    uri = _str(record.get("uri"), "uri")
    post_id = f"bluesky:{uri}" if uri else f"{source}:#{position}"
    tags: list[Any] = [t for t in post.get("tags") or [] if isinstance(t, str)]
    for facet in post.get("facets") or []:
        for feature in (facet.get("features") or []) if isinstance(facet, dict) else []:
            if isinstance(feature, dict) and str(feature.get("$type", "")).endswith("#tag"):
                tags.append(feature.get("tag"))
    return Draft(
        id=post_id,
        text=text,
        author=_str(author, "author"),
        created_at=created,
        parent_id=f"bluesky:{parent}" if parent else None,
        thread_root=f"bluesky:{root}" if root else (post_id if parent is None else None),
        platform="bluesky",
        meta=allowed_meta("bluesky", {**record, "langs": post.get("langs"), "hashtags": tags}),
    )


def _mastodon(record: dict[str, Any]) -> Draft:
    mid = _str(record.get("id"), "id")
    if mid is None:
        raise RowError("expected a Mastodon status 'id'", "found none", "check the export")
    account = record.get("account") or {}
    text = html_to_text(_require_text(record.get("content"), "content"))
    parent = _str(record.get("in_reply_to_id"), "in_reply_to_id")
    tags = record.get("tags")
    return Draft(
        id="mastodon:" + mid,
        text=text,
        author=_str(account.get("acct") or account.get("id"), "account.acct" if account.get("acct") else "account.id"),
        created_at=_time(record.get("created_at"), "created_at"),
        parent_id=("mastodon:" + parent) if parent else None,
        thread_root=None if parent else "mastodon:" + mid,
        platform="mastodon",
        meta=allowed_meta("mastodon", {**record, "hashtags": [t.get("name") for t in tags if isinstance(t, dict)] if isinstance(tags, list) else None}),
    )


def _document(record: dict[str, Any]) -> Draft:
    return Draft(
        id=record["id"],
        text=record["text"],
        author=None,
        created_at=None,
        parent_id=None,
        thread_root=record["id"],
        platform="document",
        meta=allowed_meta("document", record),
    )


def _generic(record: dict[str, Any], columns: ColumnMap, source: str, position: int) -> Draft:
    columns = columns.for_record(record)
    text_col = columns.text
    assert text_col is not None  # resolved on the file's first record
    text = _require_text(record.get(text_col), text_col)
    author = _author(record.get(columns.author), columns.author, "--author-col") if columns.author else None
    created = _time(record.get(columns.time), columns.time) if columns.time else None
    local_id = _str(record.get(columns.id), columns.id, "--id-col") if columns.id else None
    # No id: the row's position in its file, so two identical "Me too." stay two posts
    # and ingesting the same file twice still adds nothing.
    post_id = f"{source}:{local_id}" if local_id is not None else f"{source}:#{position}"
    parent = _str(record.get(columns.parent), columns.parent, "--parent-col") if columns.parent else None
    platform = _str(record.get("platform"), "platform") or "generic"
    return Draft(
        id=post_id,
        text=text,
        author=author,
        created_at=created,
        parent_id=f"{source}:{parent}" if parent is not None else None,
        thread_root=post_id if parent is None else None,
        platform=platform,
        meta=allowed_meta("generic", record),
    )


def source_scope(file_name: str) -> str:
    """The scope of a generic file's ids: its name without the suffix, ``:`` made ``_``.

    Example:
        >>> source_scope("posts.2026-03.csv")
        'posts.2026-03'
    """
    stem = file_name.rsplit(".", 1)[0] if "." in file_name.lstrip(".") else file_name
    return stem.replace(":", "_") or "file"


def to_draft(platform: str, record: dict[str, Any], columns: ColumnMap | None, *, source: str = "generic", position: int = 0) -> Draft:
    """Turn one raw record of ``platform`` into a :class:`Draft`.

    Args:
        platform: one of :data:`PLATFORMS` (as :func:`detect_platform` gives it).
        record: the raw record (see :func:`expand_record` for containers).
        columns: the resolved column map of a generic file.
        source: the scope of ids that have no platform (see :func:`source_scope`).
        position: the record's 1-based position in its file, the id of a row without one.

    Raises:
        RowError: the record lacks what the platform's posts must have.
    """
    if platform == "x":
        return _x(record)
    if platform == "reddit":
        return _reddit(record)
    if platform == "bluesky":
        return _bluesky(record, source, position)
    if platform == "mastodon":
        return _mastodon(record)
    if platform == "document":
        return _document(record)
    if columns is None:
        raise RowError("expected a column map for a generic record", "found none", "report this as a bug")
    return _generic(record, columns, source, position)


def meta_json(meta: dict[str, Any]) -> str:
    """The kept metadata as JSON."""
    return json.dumps(meta, ensure_ascii=False, default=str)
