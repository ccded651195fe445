"""Ingest: read posts from files and platform exports into the store.

Example:
    >>> from heard.ingest import ingest, ColumnMap   # doctest: +SKIP
    >>> ingest(["posts.csv"], store, columns=ColumnMap(text="body"))   # doctest: +SKIP
"""

from __future__ import annotations

from heard.ingest.columns import ColumnMap
from heard.ingest.pipeline import DEFAULT_BATCH, DEFAULT_MAX_CHARS, FileSummary, IngestSummary, ingest

__all__ = ["DEFAULT_BATCH", "DEFAULT_MAX_CHARS", "ColumnMap", "FileSummary", "IngestSummary", "ingest"]
