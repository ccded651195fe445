"""One partitioned classify run: plan, skip finished partitions, label the rest here or on Dask.

Example:
    >>> classify_partitioned("posts/", "labels/")   # doctest: +SKIP
    RunSummary(partitions=8, skipped=0, rows=80000)
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from heard.classify.classifier import Classifier
from heard.classify.contract import MAX_LINE_CHARS
from heard.encode.fingerprint import file_sha256
from heard.execution.manifest import Manifest
from heard.execution.partitions import Partition, classify_partition, plan_partitions

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunSummary:
    """Partitions in the input, partitions skipped as already finished, posts labelled now."""

    partitions: int
    skipped: int
    rows: int


def classify_partitioned(
    in_path: str | Path,
    out_path: str | Path,
    *,
    heads: str | None = None,
    encoder: str | None = None,
    cluster: str | None = None,
    device: str = "cpu",
    max_chars: int = MAX_LINE_CHARS,
    classifier: Classifier | None = None,
    progress: Callable[[int], None] | None = None,
    key_path: str | Path | None = None,
) -> RunSummary:
    """Label a file or folder of part files (JSONL or Parquet) into ``out_path``.

    A folder's output is a folder mirroring it, with a manifest (:mod:`heard.execution.manifest`):
    running the same command again labels only partitions not finished before, so a run
    killed at any point and run again gives exactly the output of one uninterrupted run.

    Args:
        cluster: None (this process), ``local:N`` or ``tcp://HOST:PORT`` (Dask).
        classifier: an already loaded classifier for in-process runs (default: load ``heads``/``encoder``).
        progress: called with the posts labelled so far, after each partition.
        key_path: pseudonym key file for ``author`` columns (default: ``<out_path>.key``, created when needed);
            pass a store's ``<store>.key`` to give authors the pseudonyms that store gives them.

    Raises:
        InputError, ConfigError, ModelError: as :func:`heard.classify.contract.classify_file`,
            :func:`plan_partitions` and :func:`heard.execution.cluster.parse_cluster` raise them.
    """
    source, target = Path(in_path), Path(out_path)
    existed = target.exists()
    try:
        return _classify_partitions(source, target, heads=heads, encoder=encoder, cluster=cluster, device=device,
                                    max_chars=max_chars, classifier=classifier, progress=progress, key_path=key_path)
    except BaseException:
        if not existed:
            with contextlib.suppress(OSError):  # never hide the run's own error behind this clean-up's
                _remove_empty(target)  # a run that failed before its first part was written leaves nothing behind
        raise


def _remove_empty(folder: Path) -> None:
    """Remove ``folder`` and its sub-folders if they hold no file at all."""
    if not folder.is_dir() or any(p.is_file() or p.is_symlink() for p in folder.rglob("*")):
        return
    for sub in sorted((p for p in folder.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
        sub.rmdir()
    folder.rmdir()


def _classify_partitions(source: Path, target: Path, *, heads: str | None, encoder: str | None, cluster: str | None,
                         device: str, max_chars: int, classifier: Classifier | None,
                         progress: Callable[[int], None] | None, key_path: str | Path | None) -> RunSummary:
    partitions = plan_partitions(source, target, key_path)
    if cluster is not None:
        from heard.execution.spec import parse_cluster, require_dask

        parse_cluster(cluster)  # a bad spec fails before any model loads
        require_dask()
    if classifier is None and cluster is None:
        classifier = Classifier.load(heads, encoder, device=device)
    model = classifier.version if classifier is not None else _model_version(heads, encoder)
    manifest = Manifest.open(target, model) if source.is_dir() else None
    if manifest is not None:
        _remove_leftovers(target)
    todo = [p for p in partitions if manifest is None or not _finished(manifest, p)]
    labelled = 0

    def done(part: Partition, result: dict[str, object]) -> None:
        nonlocal labelled
        if manifest is not None:
            manifest.record(part.name, result)
        labelled += int(str(result["rows"]))
        if progress and cluster is not None:  # in this process, classify_file reported as it went
            progress(labelled)

    if cluster is None:
        assert classifier is not None
        for part in todo:
            before = labelled
            inner = (lambda n, base=before: progress(base + n)) if progress else None
            done(part, classify_partition(classifier, part, max_chars, inner))
    elif todo:
        from heard.execution.cluster import ClassifierPlugin, dask_client, run_on_cluster
        from heard.execution.spec import local_threads

        plugin = ClassifierPlugin(heads, encoder, local_threads(cluster), device)
        with dask_client(cluster, plugin) as client:
            run_on_cluster(client, todo, max_chars, done)
        if manifest is not None:
            _remove_leftovers(target)  # a worker killed mid-partition leaves its temporary file
    log.info("classified %d partitions, %d skipped as finished", len(todo), len(partitions) - len(todo))
    return RunSummary(len(partitions), len(partitions) - len(todo), labelled)


def _finished(manifest: Manifest, part: Partition) -> bool:
    if part.name not in manifest.finished or not part.target.is_file():
        return False
    return manifest.is_done(part.name, file_sha256(part.source), part.target, file_sha256(part.target))


def _model_version(heads: str | None, encoder: str | None) -> str:
    """The model version the workers will load, without loading the encoder here (the client stays small)."""
    from heard.classify.heads import Heads
    from heard.encode.load import bundled_encoder_for
    from heard.encode.onnx import encoder_id

    loaded = Heads.load(heads)
    folder = Path(encoder) if encoder is not None else bundled_encoder_for(loaded.encoder)
    if folder is None or not (folder / "model.onnx").is_file():
        # Not an ONNX folder: load it to learn its name (sentence-transformers).
        return Classifier.load(heads, encoder).version
    return f"{loaded.version}+{encoder_id(folder)}"


def _remove_leftovers(folder: Path) -> None:
    """Temporary files of a killed run (heard's own ``.heard-`` prefix only)."""
    if folder.is_dir():
        for path in folder.rglob(".heard-*"):
            if path.is_file():
                path.unlink()
