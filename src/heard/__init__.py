"""heard: make the conversation around survivors' movements measurable.

For every post, reply or essay sentence heard tells what the text does (a
testimony, solidarity, a call for accountability, pushback, a derail, a
silencing, disbelief), whom it centres, and how replies treat people who
speak up. This module is the front door: the whole pipeline, file to report,
is reachable from here.

Importing heard has no side effects, and is light: the classifier and the
report (ONNX Runtime, charts) load when first used.

Example:
    >>> import heard
    >>> with heard.Store.open(":memory:") as store:
    ...     store.count("posts")
    0
    >>> with heard.Store.open("corpus.duckdb") as store:                 # doctest: +SKIP
    ...     heard.ingest_files(["export.csv"], store)
    ...     heard.label_store(store)
    ...     result = heard.build_report(store, Path("report"))
    >>> heard.classify_texts(["I believe her. But not every man is a predator."])[0].act  # doctest: +SKIP
    'derailing'
    >>> heard.classify_file("posts.jsonl", "labels.jsonl", heard.Classifier.load())  # doctest: +SKIP
    1204
    >>> with heard.Store.open("corpus.duckdb", read_only=True) as store:   # doctest: +SKIP
    ...     heard.estimate_store(store).acts["silencing"].method
    'ppi'

``classify_partitioned`` runs ``heard classify`` over Parquet partitions (on a Dask
cluster if given one); ``create_app`` is the web app of ``heard serve``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from heard.errors import ConfigError, HeardError, InputError, ModelError, StoreError
from heard.records import (
    ACTS,
    CENTRES,
    DISCLOSERS,
    FRAMES,
    STANCES,
    VOICES,
    Act,
    Centre,
    Discloser,
    Frame,
    Label,
    Post,
    Stance,
    Unit,
    Voice,
)
from heard.store import Store

if TYPE_CHECKING:
    from heard.classify.classifier import Classifier, classify_texts
    from heard.classify.contract import classify_file
    from heard.classify.labelling import label_store
    from heard.estimate.corrected import estimate_store
    from heard.execution.run import classify_partitioned
    from heard.ingest.columns import ColumnMap
    from heard.ingest.pipeline import ingest as ingest_files
    from heard.report.build import build_report
    from heard.threads.analysis import analyse
    from heard.web.app import create_app

# name -> (module, attribute): loaded on first use (PEP 562), so that `import heard`
# and `heard --help` do not start ONNX Runtime or the chart renderer.
_LAZY: dict[str, tuple[str, str]] = {
    "Classifier": ("heard.classify.classifier", "Classifier"),
    "ColumnMap": ("heard.ingest.columns", "ColumnMap"),
    "analyse": ("heard.threads.analysis", "analyse"),
    "build_report": ("heard.report.build", "build_report"),
    "classify_file": ("heard.classify.contract", "classify_file"),
    "classify_partitioned": ("heard.execution.run", "classify_partitioned"),
    "classify_texts": ("heard.classify.classifier", "classify_texts"),
    "create_app": ("heard.web.app", "create_app"),
    "estimate_store": ("heard.estimate.corrected", "estimate_store"),
    "ingest_files": ("heard.ingest.pipeline", "ingest"),
    "label_store": ("heard.classify.labelling", "label_store"),
}

__all__ = [
    "ACTS",
    "CENTRES",
    "DISCLOSERS",
    "FRAMES",
    "STANCES",
    "VOICES",
    "Act",
    "Centre",
    "Classifier",
    "ColumnMap",
    "ConfigError",
    "Discloser",
    "Frame",
    "HeardError",
    "InputError",
    "Label",
    "ModelError",
    "Post",
    "Stance",
    "Store",
    "StoreError",
    "Unit",
    "Voice",
    "__version__",
    "analyse",
    "build_report",
    "classify_file",
    "classify_partitioned",
    "classify_texts",
    "create_app",
    "estimate_store",
    "ingest_files",
    "label_store",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attribute = _LAZY[name]
        value = getattr(importlib.import_module(module), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'heard' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
