"""Keyed-hash pseudonyms for authors and for post ids that name an account.

The key is 32 random bytes created once per store and kept beside it in
``<store>.key`` (mode 0600), so the same author gets the same pseudonym on
every ingest, while someone holding only the database or an export cannot
test guesses of handles against the pseudonyms.

Post ids that embed an author (Bluesky ``at://did:…`` URIs, Mastodon status
URLs with ``/@handle``, anything holding a DID, an ``@`` or a URL) are
replaced by ``<scope>:p_`` + a keyed hash. The key's owner can go back: each
replaced id is written to ``<store>.key.ids.jsonl`` (mode 0600) beside the key,
one ``{"id": stored, "original": as read}`` per line. Deleting the key and
that file makes the pseudonyms one-way for good.

Example:
    >>> key = PseudonymKey(bytes(32))
    >>> key.pseudonymise("@alice") == key.pseudonymise("@alice")
    True
    >>> key.pseudonymise("@alice").startswith("a_")
    True
    >>> key.post_id("x:1001")
    'x:1001'
    >>> key.post_id("bluesky:at://did:plc:abc/app.bsky.feed.post/3k1").startswith("bluesky:p_")
    True
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import overload

from heard.errors import StoreError

NAMES_ACCOUNT = re.compile(r"did:|at://|@|://|/users?/|/u/|/profile/|/accounts?/", re.IGNORECASE)
"""What makes an id name an account: a DID, an AT URI, an ``@``, a URL, a profile path."""


class PseudonymKey:
    """An HMAC-SHA256 key that turns author handles (and ids naming them) into stable pseudonyms.

    Args:
        key: the secret, at least 16 bytes.
        ids_path: where replaced post ids are mapped back to the originals;
            ``None`` keeps the mapping in memory only (a throwaway store).
    """

    def __init__(self, key: bytes, ids_path: Path | None = None) -> None:
        if len(key) < 16:
            raise StoreError("a pseudonym key of at least 16 bytes was expected, found a shorter one")
        self._key = key
        self.ids_path = ids_path
        self._known: set[str] | None = None
        self._pending: dict[str, str] = {}

    @staticmethod
    def path_for(db_path: Path) -> Path:
        """Where the key of the store at ``db_path`` lives."""
        return db_path.with_name(db_path.name + ".key")

    @staticmethod
    def ids_path_for(db_path: Path) -> Path:
        """Where the map from hashed post ids back to the originals lives (beside the key)."""
        return db_path.with_name(db_path.name + ".key.ids.jsonl")

    @classmethod
    def for_store(cls, db_path: Path, store_has_posts: bool) -> PseudonymKey:
        """Load the store's key, creating it when the store is new.

        Raises:
            StoreError: the store holds posts but its key file is gone, so new
                pseudonyms would not match the old ones.
        """
        key_path = cls.path_for(db_path)
        ids_path = cls.ids_path_for(db_path)
        if key_path.exists():
            raw = key_path.read_text(encoding="ascii").strip()
            try:
                return cls(bytes.fromhex(raw), ids_path)
            except ValueError:
                raise StoreError(
                    f"{key_path}: expected a hex pseudonym key, found something else. "
                    "Fix: restore the key file from a backup of this store"
                ) from None
        if store_has_posts:
            raise StoreError(
                f"{key_path}: expected the pseudonym key of this store, found no file. "
                "Fix: restore the key file beside the store, or ingest into a new store "
                "(authors would otherwise get pseudonyms that do not match the existing ones)"
            )
        key = secrets.token_bytes(32)
        fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key.hex() + "\n")
        return cls(key, ids_path)

    @classmethod
    def for_labels(cls, key_path: Path) -> PseudonymKey:
        """The key at ``key_path`` for ``heard classify``'s author column, created (mode 0600) when missing.

        Creation is atomic (a complete temporary file linked into place), so partitions labelled
        at once in several processes all end up with the one key.

        Raises:
            StoreError: the file is not a hex key, or its folder cannot be written.

        Example:
            >>> import pathlib, tempfile
            >>> path = pathlib.Path(tempfile.mkdtemp()) / "labels.key"
            >>> PseudonymKey.for_labels(path).pseudonymise("@a") == PseudonymKey.for_labels(path).pseudonymise("@a")
            True
        """
        if not key_path.exists():
            tmp: str | None = None
            try:
                fd, tmp = tempfile.mkstemp(prefix=".heard-key-", dir=key_path.parent)
                with os.fdopen(fd, "w", encoding="ascii") as fh:  # mkstemp makes it 0600
                    fh.write(secrets.token_bytes(32).hex() + "\n")
                os.link(tmp, key_path)
            except FileExistsError:
                pass  # another process made it first: use theirs
            except OSError as exc:
                folder = key_path.parent
                if not folder.is_dir():
                    raise StoreError(f"{key_path}: expected an existing folder for the pseudonym key, found no folder at {folder}. "
                                     f"Fix: create it first (mkdir -p {folder}) or pass --key with a file in an existing folder") from None
                raise StoreError(f"{key_path}: expected a folder heard may write the pseudonym key to, found that it cannot "
                                 f"({exc.strerror or type(exc).__name__}). Fix: pass --key with a writable path") from None
            finally:
                if tmp is not None:
                    os.unlink(tmp)
        try:
            return cls(bytes.fromhex(key_path.read_text(encoding="ascii").strip()))
        except (ValueError, UnicodeDecodeError):
            raise StoreError(f"{key_path}: expected a hex pseudonym key, found something else. "
                             "Fix: pass --key with heard's key file (a store's <store>.key works too)") from None

    def pseudonymise(self, author: str | None) -> str | None:
        """Return the pseudonym of ``author`` (``None`` and "" stay ``None``)."""
        if author is None:
            return None
        author = author.strip()
        if not author:
            return None
        digest = hmac.new(self._key, author.casefold().encode("utf-8"), hashlib.sha256).hexdigest()
        return "a_" + digest[:16]

    @overload
    def post_id(self, post_id: str) -> str: ...
    @overload
    def post_id(self, post_id: None) -> None: ...
    def post_id(self, post_id: str | None) -> str | None:
        """The id as stored: unchanged unless it names an account (see :data:`NAMES_ACCOUNT`).

        ``post_id`` is ``<scope>:<id as read>``; a replaced id keeps its scope and
        becomes ``<scope>:p_`` + 32 hex of HMAC-SHA256, so a reply hashed with
        the same key still finds its parent. Replaced ids are remembered for
        :meth:`save_ids`.
        """
        if post_id is None:
            return None
        scope, sep, local = post_id.partition(":")
        if not sep or not NAMES_ACCOUNT.search(local):
            return post_id
        message = b"post-id\x00" + post_id.encode("utf-8", errors="surrogatepass")
        stored = f"{scope}:p_" + hmac.new(self._key, message, hashlib.sha256).hexdigest()[:32]
        if stored not in self._known_ids():
            self._pending[stored] = post_id
        return stored

    def _known_ids(self) -> set[str]:
        if self._known is None:
            self._known = {entry["id"] for entry in self.read_ids()}
        return self._known

    def read_ids(self) -> Iterator[dict[str, str]]:
        """The saved map of replaced ids, ``{"id": stored, "original": as read}`` per entry."""
        if self.ids_path is None or not self.ids_path.exists():
            return
        with self.ids_path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield json.loads(line)

    def save_ids(self) -> None:
        """Append the ids replaced since the last call to the map file (mode 0600).

        Called before the posts that use them are committed, so a crash never
        leaves a stored id that its key's owner cannot trace back.
        """
        if not self._pending:
            return
        known = self._known_ids()
        if self.ids_path is not None:
            fd = os.open(self.ids_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as fh:
                for stored, original in self._pending.items():
                    fh.write(json.dumps({"id": stored, "original": original}) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        known.update(self._pending)
        self._pending.clear()
