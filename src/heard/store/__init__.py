"""The store: one DuckDB file holding posts, units, labels and runs.

The schema evolves through numbered SQL migrations in ``migrations/``, each
recorded in the ``schema_migrations`` table. Only the driver process writes.
Every query the analysis, report and demo layers read with lives in
:mod:`heard.store.reads`.

Example:
    >>> from heard.store import Store
    >>> with Store.open("corpus.duckdb") as store:          # doctest: +SKIP
    ...     store.count("posts")
    0
"""

from __future__ import annotations

from heard.store import reads
from heard.store.database import TABLES, Store
from heard.store.keys import PseudonymKey

__all__ = ["TABLES", "PseudonymKey", "Store", "reads"]
