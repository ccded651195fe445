"""Platform exports and generic records, turned into the fields of a post.

Each normaliser takes one raw record and returns a :class:`Draft` (the post
before pseudonymisation and segmentation) or raises :class:`RowError`.

Example:
    >>> d = to_draft("reddit", {"id": "c2", "parent_id": "t1_c1", "link_id": "t3_s1",
    ...     "author": "u1", "body": "me too", "created_utc": 1772460300}, None)
    >>> (d.id, d.parent_id, d.thread_root)
    ('reddit:t1_c2', 'reddit:t1_c1', 'reddit:t3_s1')
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from heard.ingest.columns import ColumnMap
from heard.ingest.html_text import html_to_text
from heard.ingest.timeparse import TimeFormatError, parse_time

PLATFORMS = ("x", "reddit", "bluesky", "mastodon", "document", "generic")


class RowError(ValueError):
    """A record that cannot become a post: what was expected, what was found, the fix."""

    def __init__(self, expected: str, found: str, fix: str) -> None:
        super().__init__(f"{expected}, {found}")
        self.expected, self.found, self.fix = expected, found, fix


@dataclass(frozen=True)
class Draft:
    """A post's fields as read, before the author is pseudonymised."""

    id: str
    text: str
    author: str | None
    created_at: datetime | None
    parent_id: str | None
    thread_root: str | None
    platform: str
    meta: dict[str, Any]


def detect_platform(record: dict[str, Any]) -> str:
    """Guess which export a record comes from by its characteristic fields."""
    if record.get("_document"):
        return "document"
    kind = record.get("$type") or (record.get("record") or {}).get("$type") if isinstance(record.get("record", {}), dict) else record.get("$type")
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


def _time(value: Any, field: str) -> datetime | None:
    try:
        return parse_time(value)
    except TimeFormatError as exc:
        raise RowError(f"expected a timestamp in {field!r} (ISO 8601 or epoch seconds)", f"found {exc}",
                       "fix the value, map another column with --time-col, or pass --skip-bad") from None


def _str(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _require_text(value: Any, field: str) -> str:
    if value is None:
        raise RowError(f"expected a text in {field!r}", "found no value", "fill it in, map another column with --text-col, or pass --skip-bad")
    return value if isinstance(value, str) else str(value)


def _content_id(*parts: Any) -> str:
    digest = hashlib.sha256("\x1f".join("" if p is None else str(p) for p in parts).encode("utf-8")).hexdigest()
    return "h:" + digest[:24]


def _rest(record: dict[str, Any], used: set[str]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k not in used and not k.startswith("_")}


def _x(record: dict[str, Any]) -> Draft:
    tid = _str(record.get("id"))
    if tid is None:
        raise RowError("expected a tweet 'id'", "found none", "check the export (X API v2 tweets carry an id)")
    parent = None
    for ref in record.get("referenced_tweets") or []:
        if isinstance(ref, dict) and ref.get("type") == "replied_to":
            parent = "x:" + str(ref.get("id"))
    root = _str(record.get("conversation_id"))
    return Draft(
        id="x:" + tid,
        text=_require_text(record.get("text"), "text"),
        author=_str(record.get("author_id") or record.get("username")),
        created_at=_time(record.get("created_at"), "created_at"),
        parent_id=parent,
        thread_root=("x:" + root) if root else None,
        platform="x",
        meta=_rest(record, {"id", "text", "author_id", "created_at", "conversation_id", "referenced_tweets"}),
    )


def _reddit(record: dict[str, Any]) -> Draft:
    rid = _str(record.get("id"))
    if rid is None:
        raise RowError("expected a Reddit 'id'", "found none", "check the dump")
    is_comment = "body" in record or str(record.get("name", "")).startswith("t1_") or "parent_id" in record
    full = rid if rid.startswith(("t1_", "t3_")) else ("t1_" if is_comment else "t3_") + rid
    if is_comment:
        text = _require_text(record.get("body"), "body")
    else:
        title = record.get("title") or ""
        body = record.get("selftext") or ""
        text = (title + ("\n\n" + body if body else "")).strip() if (title or body) else _require_text(None, "selftext")
    parent = _str(record.get("parent_id"))
    link = _str(record.get("link_id"))
    return Draft(
        id="reddit:" + full,
        text=text,
        author=None if record.get("author") in (None, "[deleted]") else str(record.get("author")),
        created_at=_time(record.get("created_utc"), "created_utc"),
        parent_id=("reddit:" + parent) if parent else None,
        thread_root=("reddit:" + link) if link else ("reddit:" + full if not is_comment else None),
        platform="reddit",
        meta=_rest(record, {"id", "body", "selftext", "title", "author", "created_utc", "parent_id", "link_id"}),
    )


def _bluesky(record: dict[str, Any]) -> Draft:
    post = record
    if isinstance(record.get("record"), dict):
        post = record["record"]
    elif isinstance(record.get("value"), dict):
        post = record["value"]
    reply = post.get("reply") or {}
    parent = (reply.get("parent") or {}).get("uri")
    root = (reply.get("root") or {}).get("uri")
    author = record.get("author")
    if isinstance(author, dict):
        author = author.get("did") or author.get("handle")
    if author is None and str(record.get("uri", "")).startswith("at://"):
        author = str(record["uri"])[5:].split("/", 1)[0]
    text = _require_text(post.get("text"), "text")
    created = _time(post.get("createdAt") or record.get("indexedAt"), "createdAt")
    uri = _str(record.get("uri")) or _content_id("bluesky", author, post.get("createdAt"), text)
    return Draft(
        id=uri,
        text=text,
        author=_str(author),
        created_at=created,
        parent_id=_str(parent),
        thread_root=_str(root) if root else (uri if parent is None else None),
        platform="bluesky",
        meta=_rest(record, {"uri", "record", "value", "author"}) | {"langs": post.get("langs")},
    )


def _mastodon(record: dict[str, Any]) -> Draft:
    mid = _str(record.get("id"))
    if mid is None:
        raise RowError("expected a Mastodon status 'id'", "found none", "check the export")
    account = record.get("account") or {}
    text = html_to_text(_require_text(record.get("content"), "content"))
    parent = _str(record.get("in_reply_to_id"))
    return Draft(
        id="mastodon:" + mid,
        text=text,
        author=_str(account.get("acct") or account.get("id")),
        created_at=_time(record.get("created_at"), "created_at"),
        parent_id=("mastodon:" + parent) if parent else None,
        thread_root=None if parent else "mastodon:" + mid,
        platform="mastodon",
        meta=_rest(record, {"id", "content", "account", "created_at", "in_reply_to_id"}) | {"spoiler_text": record.get("spoiler_text")},
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
        meta={"title": record.get("title"), "file": record.get("file")},
    )


def _generic(record: dict[str, Any], columns: ColumnMap) -> Draft:
    columns = columns.for_record(record)
    text_col = columns.text
    assert text_col is not None  # resolved on the file's first record
    text = _require_text(record.get(text_col), text_col)
    author = _str(record.get(columns.author)) if columns.author else None
    created = _time(record.get(columns.time), columns.time) if columns.time else None
    post_id = _str(record.get(columns.id)) if columns.id else None
    if post_id is None:
        # No id: the content decides, so ingesting the same file twice still adds nothing.
        post_id = _content_id(text, author, created.isoformat() if created else None)
    parent = _str(record.get(columns.parent)) if columns.parent else None
    used = {c for c in (columns.text, columns.id, columns.parent, columns.author, columns.time) if c}
    platform = _str(record.get("platform")) or "generic"
    return Draft(
        id=post_id,
        text=text,
        author=author,
        created_at=created,
        parent_id=parent,
        thread_root=post_id if parent is None else None,
        platform=platform,
        meta=_rest(record, used | {"platform"}),
    )


def to_draft(platform: str, record: dict[str, Any], columns: ColumnMap | None) -> Draft:
    """Turn one raw record of ``platform`` into a :class:`Draft`.

    Raises:
        RowError: the record lacks what the platform's posts must have.
    """
    if platform == "x":
        return _x(record)
    if platform == "reddit":
        return _reddit(record)
    if platform == "bluesky":
        return _bluesky(record)
    if platform == "mastodon":
        return _mastodon(record)
    if platform == "document":
        return _document(record)
    if columns is None:
        raise RowError("expected a column map for a generic record", "found none", "report this as a bug")
    return _generic(record, columns)


def meta_json(meta: dict[str, Any]) -> str:
    """The raw metadata as JSON (values JSON cannot hold become strings)."""
    return json.dumps(meta, ensure_ascii=False, default=str)
