"""Label a store: every unit not yet labelled by the current model version.

Labels are keyed by unit content hash and model version, so a unit text seen
in a thousand posts is classified once, and re-running adds nothing.

Example:
    >>> label_store(store, Classifier.load()).labelled     # doctest: +SKIP
    1234
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from heard.classify.classifier import Classifier, default_classifier
from heard.classify.posts import post_label
from heard.errors import ConfigError
from heard.records import Label, Voice
from heard.store import Store

log = logging.getLogger(__name__)


@dataclass
class LabelSummary:
    """What ``label_store`` did."""

    model: str
    labelled: int = 0
    already_labelled: int = 0
    posts_labelled: int = 0

    def to_dict(self) -> dict[str, object]:
        return {"model": self.model, "labelled": self.labelled, "already_labelled": self.already_labelled,
                "posts_labelled": self.posts_labelled}


def label_store(
    store: Store,
    classifier: Classifier | None = None,
    *,
    batch_size: int = 2048,
    progress: Callable[[LabelSummary], None] | None = None,
) -> LabelSummary:
    """Label every distinct unit of ``store`` that lacks a label from ``classifier``
    (default: heard's bundled one), then give every post one label."""
    classifier = classifier or default_classifier()
    if classifier.context_mode != "ignore":
        # A unit's label is stored once per text and model; a model that reads the
        # parent post would give one text several labels.
        raise ConfigError(f"expected heads that label a text on its own for `heard label`, found heads that read each post's "
                          f"context ({classifier.context_mode}). Fix: label with heads trained without context, or run "
                          "`heard classify` on the posts with a context field")
    summary = LabelSummary(classifier.version)
    total = store.distinct_units()
    run_id = store.start_run("label", {"model": classifier.version})

    def save(batch: list[tuple[str, str, Voice]], labels: Future[list[Label]]) -> None:
        store.add_labels(classifier.version, [h for h, _, _ in batch], labels.result())
        summary.labelled += len(batch)
        log.debug("labelled %d units (%d so far) with %s", len(batch), summary.labelled, classifier.version)
        if progress:
            progress(summary)

    try:
        # One batch is labelled while the store reads the next and writes the last,
        # so the cores do not wait for the database (the store is used from here only).
        with ThreadPoolExecutor(1, thread_name_prefix="heard-label") as pool:
            pending: tuple[list[tuple[str, str, Voice]], Future[list[Label]]] | None = None
            for batch in store.unlabelled_units(classifier.version, batch_size):
                running = pool.submit(classifier.label_units, [t for _, t, _ in batch], [v for _, _, v in batch])
                if pending is not None:
                    save(*pending)
                pending = (batch, running)
            if pending is not None:
                save(*pending)
    except BaseException as exc:
        store.finish_run(run_id, "failed", {"error": type(exc).__name__, **summary.to_dict()})
        raise
    summary.already_labelled = total - summary.labelled
    summary.posts_labelled = label_posts(store, classifier.version)
    log.info("%d units labelled, %d already labelled, %d posts labelled by %s", summary.labelled,
             summary.already_labelled, summary.posts_labelled, classifier.version)
    store.finish_run(run_id, "ok", summary.to_dict())
    return summary


def label_posts(store: Store, model: str) -> int:
    """Give every post whose units ``model`` has labelled one post label
    (:func:`heard.classify.posts.post_label`); return how many were added.

    Example:
        >>> label_posts(store, Classifier.load().version)   # doctest: +SKIP
        420
    """
    added = 0
    for batch in store.unit_labels_of_unlabelled_posts(model):
        added += store.add_post_labels(model, [(post_id, post_label(units)) for post_id, units in batch])
    return added
