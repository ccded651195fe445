"""Which field of a generic record holds the text, id, parent, author and time.

Flags (``--text-col`` …) win; otherwise the first matching common name is used.

Example:
    >>> ColumnMap().resolve(["post_id", "body", "user", "timestamp"], "f.csv")
    ColumnMap(text='body', id='post_id', parent=None, author='user', time='timestamp')
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from heard.errors import InputError

CANDIDATES: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "full_text", "message", "post", "tweet", "comment", "selftext", "sentence"),
    "id": ("id", "post_id", "tweet_id", "comment_id", "status_id", "message_id", "uuid", "uri"),
    "parent": ("parent_id", "in_reply_to_id", "in_reply_to", "reply_to", "parent", "in_reply_to_status_id", "reply_to_id"),
    "author": ("author", "author_id", "user", "username", "user_id", "screen_name", "handle", "account", "user_name"),
    "time": ("created_at", "created_utc", "timestamp", "time", "date", "datetime", "posted_at", "published"),
}


_COLUMN_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.$-]{0,39}$")


def describe_columns(names: Iterable[str], limit: int = 20) -> str:
    """Column names for an error message, without quoting what may be a post.

    A header-less CSV's first row is data, so only names that look like
    column names (one identifier-like word) are shown; anything else is
    described by its length.

    Example:
        >>> describe_columns(["id", "Me too, it happened to me", "created_at"])
        'id, <a 25-character value>, created_at'
    """
    listed = list(names)
    shown = [n if _COLUMN_NAME.match(n) else f"<a {len(n):,}-character value>" for n in listed[:limit]]
    return ", ".join(shown) + (" …" if len(listed) > limit else "")


def _looks_like_data(names: Sequence[str]) -> bool:
    return any(not _COLUMN_NAME.match(n) for n in names)


@dataclass(frozen=True)
class ColumnMap:
    """Column names for a generic file; ``None`` means "sniff it"."""

    text: str | None = None
    id: str | None = None
    parent: str | None = None
    author: str | None = None
    time: str | None = None

    def resolve(self, columns: Sequence[str], source: str) -> ColumnMap:
        """Fill unset fields from ``columns`` and check that named ones exist.

        Raises:
            InputError: a named column is absent, or no text column can be found.
        """
        available = list(columns)
        lower = {c.lower(): c for c in available}
        shown = describe_columns(available)
        headerless = " (is the first row data? add a header row naming the columns)" if _looks_like_data(available) else ""
        chosen: dict[str, str | None] = {}
        for field, names in CANDIDATES.items():
            wanted = getattr(self, field)
            if wanted is not None:
                # Optional fields may be absent from a first JSONL record (a root post has
                # no parent); :func:`check_named_seen` checks them once the file is read.
                if wanted not in available and field in ("text", "id"):
                    raise InputError(
                        source,
                        f"expected the column {wanted!r} named by --{field}-col",
                        f"found only: {shown}",
                        f"pass --{field}-col with one of those names",
                    )
                chosen[field] = wanted
            else:
                chosen[field] = next((lower[n] for n in names if n in lower), None)
        if chosen["text"] is None:
            raise InputError(
                source,
                "expected a text column (" + ", ".join(CANDIDATES["text"][:6]) + ", …)",
                f"found only: {shown}",
                "name it with --text-col COLUMN" + headerless,
            )
        return replace(self, **chosen)

    def check_named_seen(self, seen: set[str], source: str) -> None:
        """Raise when a column named by a flag appeared in no record of the file."""
        for field in ("parent", "author", "time"):
            wanted = getattr(self, field)
            if wanted is not None and wanted not in seen:
                raise InputError(
                    source,
                    f"expected the column {wanted!r} named by --{field}-col",
                    f"found it in no record (columns seen: {describe_columns(sorted(seen))})",
                    f"pass --{field}-col with one of those names",
                )

    def for_record(self, record: dict[str, object]) -> ColumnMap:
        """Fill fields still unset from this record's keys.

        JSONL records need not share keys: a reply has ``parent_id`` where the
        first, root post had none, so optional fields are sniffed per record.
        """
        missing = [f for f in ("id", "parent", "author", "time") if getattr(self, f) is None]
        if not missing:
            return self
        lower = {k.lower(): k for k in record}
        found = {f: next((lower[n] for n in CANDIDATES[f] if n in lower), None) for f in missing}
        return replace(self, **found)
