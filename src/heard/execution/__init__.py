"""Classifying partitioned corpora: a file or a folder of part files, in this process or
on Dask workers, resumable through a manifest in the output folder.

Each partition (one input file) is labelled by :func:`heard.classify.contract.classify_file`,
the same function in every mode, so a partition's labels never depend on where it ran.

Example:
    >>> from heard.execution import classify_partitioned
    >>> classify_partitioned("posts/", "labels/", cluster="local:2")   # doctest: +SKIP
    RunSummary(partitions=8, skipped=0, rows=80000)
"""

from heard.execution.manifest import MANIFEST_FILE, Manifest
from heard.execution.partitions import Partition, plan_partitions
from heard.execution.run import RunSummary, classify_partitioned

__all__ = ["MANIFEST_FILE", "Manifest", "Partition", "RunSummary", "classify_partitioned", "plan_partitions"]
