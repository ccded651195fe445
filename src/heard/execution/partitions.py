"""Which files of an input are partitions, where each one's labels go, and labelling one.

An input file is one partition written to the output file. An input folder's part files
(``*.parquet``, ``*.pq``, ``*.jsonl``, ``*.ndjson``, ``*.json``, at any depth; names
starting with ``.`` or ``_`` are skipped, like Spark's ``_SUCCESS``) are partitions
written under the output folder with the same relative names and format.

Example:
    >>> import pathlib, tempfile
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "in").mkdir(); _ = (root / "in" / "part-0.jsonl").write_text('{"id": 1, "text": "a"}\\n')
    >>> [p.name for p in plan_partitions(root / "in", root / "out")]
    ['part-0.jsonl']
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from heard.classify.classifier import Classifier
from heard.classify.contract import MAX_LINE_CHARS, check_paths, classify_file
from heard.encode.fingerprint import file_sha256
from heard.errors import ConfigError, InputError
from heard.parts import PARQUET_ENDINGS, part_files

PART_ENDINGS = (*PARQUET_ENDINGS, ".jsonl", ".ndjson", ".json")
"""Endings of the files in an input folder that are partitions."""


@dataclass(frozen=True)
class Partition:
    """One input file, the output file its labels go to (``name``: its key in the manifest), and the
    pseudonym key file for the run's author columns (one for every partition of a run)."""

    name: str
    source: Path
    target: Path
    key: Path | None = None


def key_beside(out_path: str | Path) -> Path:
    """The default pseudonym key of a classify output: ``<output>.key`` beside the file or folder.

    Example:
        >>> key_beside("labels/").name
        'labels.key'
    """
    target = Path(out_path)
    return target.with_name(target.name + ".key")


def plan_partitions(in_path: str | Path, out_path: str | Path, key_path: str | Path | None = None) -> list[Partition]:
    """The partitions of ``in_path`` (a file or a folder of part files), in name order; authors are
    pseudonymised with the key at ``key_path`` (default :func:`key_beside` the output).

    Raises:
        InputError: the input is missing, or a folder without part files.
        ConfigError: a folder's output is a file, or lies inside the input folder.
    """
    source, target = Path(in_path), Path(out_path)
    key = Path(key_path) if key_path is not None else key_beside(target)
    if source.is_file():
        check_paths(source, target)
        return [Partition(source.name, source, target, key)]
    if not source.is_dir():
        raise InputError(str(source), "expected a JSONL or Parquet file, or a folder of them", "found nothing there", "check the path")
    if target.exists() and not target.is_dir():
        raise ConfigError(f"-o {target}: expected a folder for the labels of the folder {source}, found a file. Fix: name a new folder")
    if not target.exists() and target.suffix.lower() in PART_ENDINGS:
        raise ConfigError(f"-o {target}: expected a folder name for the labels of the folder {source} (one output part per input "
                          f"part), found a file name. Fix: pass -o {target.with_suffix('')} or another folder name")
    if target.resolve() == source.resolve() or source.resolve() in target.resolve().parents:
        raise ConfigError(f"-o {target}: expected an output folder outside the input {source}, found it inside. "
                          "Fix: write the labels to a folder beside the input")
    parts = part_files(source, PART_ENDINGS)
    if not parts:
        raise InputError(str(source), f"expected part files ending in {', '.join(PART_ENDINGS)}", "found none", "check the folder")
    return [Partition(path.relative_to(source).as_posix(), path, target / path.relative_to(source), key) for path in parts]


def classify_partition(
    classifier: Classifier, partition: Partition, max_chars: int = MAX_LINE_CHARS, progress: Callable[[int], None] | None = None
) -> dict[str, object]:
    """Label one partition into its target (written whole or not at all);
    returns what the manifest records of it: rows and both checksums."""
    partition.target.parent.mkdir(parents=True, exist_ok=True)
    input_sha = file_sha256(partition.source)
    rows = classify_file(partition.source, partition.target, classifier, progress, max_chars=max_chars, key_path=partition.key)
    return {"rows": rows, "input_sha256": input_sha, "output_sha256": file_sha256(partition.target),
            "input_bytes": os.path.getsize(partition.source)}
