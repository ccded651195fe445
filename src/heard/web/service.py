"""What the handlers share: the read-only store (one cursor per thread), the model, the classifier, caches.

Example:
    >>> service = Service.open("corpus.duckdb")                  # doctest: +SKIP
    >>> service.model                                            # doctest: +SKIP
    'heads@35b5…+heard-minilm@…'
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from heard.classify.classifier import Classifier
from heard.store import Store
from heard.threads.corpus import resolve_model


class Service:
    """The store opened read-only, its label model, and a classifier loaded on first use.

    DuckDB connections are not shared between threads: each worker thread
    reads through its own cursor of the one read-only connection.

    Args:
        store: the store, opened read-only.
        model: the label model to show; default: the one that labelled most posts
            (``None`` when the store has no labels yet; browsing still works, labels are null).
        classifier: default: heard's bundled classifier, loaded on first use.
    """

    def __init__(self, store: Store, model: str | None = None, classifier: Classifier | None = None) -> None:
        self.store = store
        self.model = resolve_model(store, model) if model is not None else _default_model(store)
        self._classifier = classifier
        self._local = threading.local()
        self._lock = threading.Lock()
        self._report_lock = threading.Lock()  # measuring a large store takes seconds: classification must not wait on it
        self._report: dict[str, Any] | None = None

    @classmethod
    def open(cls, db_path: str | Path, model: str | None = None, classifier: Classifier | None = None,
             *, writable: bool = False) -> Service:
        """Open ``db_path`` (it must exist): read-only, or ``writable`` for the coding page,
        whose codes are the only thing the server ever writes."""
        return cls(Store.open(db_path, read_only=not writable, create=False), model, classifier)

    @contextlib.contextmanager
    def writer(self) -> Iterator[Store]:
        """The store on a cursor of its own, for one request of the coding page."""
        store = self.store.for_thread()
        try:
            yield store
        finally:
            store.close()

    def reader(self) -> Store:
        """A store on this thread's own cursor."""
        store: Store | None = getattr(self._local, "store", None)
        if store is None:
            store = self.store.for_thread()
            self._local.store = store
        return store

    def classifier(self) -> Classifier:
        """The classifier, loaded once."""
        with self._lock:
            if self._classifier is None:
                self._classifier = Classifier.load()
            return self._classifier

    def report(self) -> dict[str, Any]:
        """The report's numbers, measured once (the store is read-only while served)."""
        from heard.report import report_numbers

        with self._report_lock:
            if self._report is None:
                self._report = report_numbers(self.reader(), self.model)
            return self._report

    def close(self) -> None:
        """Close the store."""
        self.store.close()


def _default_model(store: Store) -> str | None:
    from heard.errors import StoreError

    try:
        return resolve_model(store, None)
    except StoreError:
        return None
