"""Keyed-hash pseudonyms for authors.

The key is 32 random bytes created once per store and kept beside it in
``<store>.key`` (mode 0600), so the same author gets the same pseudonym on
every ingest, while someone holding only the database or an export cannot
test guesses of handles against the pseudonyms.

Example:
    >>> key = PseudonymKey(bytes(32))
    >>> key.pseudonymise("@alice") == key.pseudonymise("@alice")
    True
    >>> key.pseudonymise("@alice").startswith("a_")
    True
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from heard.errors import StoreError


class PseudonymKey:
    """An HMAC-SHA256 key that turns author handles into stable pseudonyms."""

    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise StoreError("a pseudonym key of at least 16 bytes was expected, found a shorter one")
        self._key = key

    @staticmethod
    def path_for(db_path: Path) -> Path:
        """Where the key of the store at ``db_path`` lives."""
        return db_path.with_name(db_path.name + ".key")

    @classmethod
    def for_store(cls, db_path: Path, store_has_posts: bool) -> PseudonymKey:
        """Load the store's key, creating it when the store is new.

        Raises:
            StoreError: the store holds posts but its key file is gone, so new
                pseudonyms would not match the old ones.
        """
        key_path = cls.path_for(db_path)
        if key_path.exists():
            raw = key_path.read_text(encoding="ascii").strip()
            try:
                return cls(bytes.fromhex(raw))
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
        return cls(key)

    def pseudonymise(self, author: str | None) -> str | None:
        """Return the pseudonym of ``author`` (``None`` and "" stay ``None``)."""
        if author is None:
            return None
        author = author.strip()
        if not author:
            return None
        digest = hmac.new(self._key, author.casefold().encode("utf-8"), hashlib.sha256).hexdigest()
        return "a_" + digest[:16]
