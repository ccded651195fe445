"""Running partitions on ``dask.distributed`` workers.

``local:N`` starts a LocalCluster of N worker processes on this machine (one task at a
time each, the cores shared among them); ``tcp://HOST:PORT`` joins a running scheduler,
whose workers must have heard installed and see the input and output paths (a shared
file system). Every worker loads the classifier once, when it starts, through
:class:`ClassifierPlugin`; a task only names its partition's files. The client keeps at
most two tasks per worker in flight and holds nothing but their small results, so its
memory stays flat whatever the number of partitions. A worker that dies takes its task
with it and the scheduler runs that task again on another worker.

Needs ``pip install 'heard[scale]'`` (dask.distributed); :mod:`heard.execution.spec`
parses the ``--cluster`` value without it.

Example:
    >>> with dask_client("local:2", ClassifierPlugin(None, None, 1, "cpu")) as client:   # doctest: +SKIP
    ...     run_on_cluster(client, plan_partitions("in/", "out/"), 100_000, print)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from distributed import Client, LocalCluster, WorkerPlugin, as_completed, get_worker

from heard.classify.classifier import Classifier
from heard.errors import ConfigError
from heard.execution.partitions import Partition, classify_partition
from heard.execution.spec import parse_cluster

PLUGIN_NAME = "heard-classifier"


class ClassifierPlugin(WorkerPlugin):
    """A Dask worker plugin that loads heard's classifier once per worker.

    Args:
        heads, encoder: folders (None: bundled), as for :meth:`Classifier.load`.
        threads: cores each worker's encoder uses.
        device: ``"cpu"`` or ``"cuda"``.
    """

    name = PLUGIN_NAME

    def __init__(self, heads: str | None, encoder: str | None, threads: int | None, device: str) -> None:
        self.heads, self.encoder, self.threads, self.device = heads, encoder, threads, device
        self.classifier: Classifier | None = None

    def setup(self, worker: Any) -> None:
        self.classifier = Classifier.load(self.heads, self.encoder, threads=self.threads, device=self.device)

    def teardown(self, worker: Any) -> None:
        self.classifier = None


def _task(partition: Partition, max_chars: int) -> dict[str, object]:
    """Run on a worker: label one partition with the worker's classifier."""
    plugin = get_worker().plugins[PLUGIN_NAME]
    classifier = plugin.classifier  # type: ignore[attr-defined]
    if classifier is None:  # the plugin's setup failed on this worker
        raise RuntimeError("heard's classifier did not load on this worker")
    return classify_partition(classifier, partition, max_chars)


@contextmanager
def dask_client(spec: str, plugin: ClassifierPlugin) -> Iterator[Any]:
    """A client for ``spec`` with ``plugin`` registered on every worker (and on workers that join later)."""
    kind, value = parse_cluster(spec)
    # Dask's own start/stop chatter stays out of heard's output; its warnings stay in.
    for name in ("distributed", "dask"):
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger(name).level))
    cluster = None
    try:
        if kind == "local":
            assert isinstance(value, int)
            # Loopback only; the dashboard on a free port, so runs side by side never clash.
            cluster = LocalCluster(n_workers=value, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0",
                                   host="127.0.0.1", silence_logs=logging.WARNING)
            client = Client(cluster)
        else:
            try:
                client = Client(str(value), timeout=30)
            except OSError as exc:
                raise ConfigError(f"--cluster {spec}: expected a Dask scheduler there, found none answering ({exc}). "
                                  "Fix: start one (dask scheduler) or check the address") from None
        try:
            client.register_plugin(plugin, name=PLUGIN_NAME)
            yield client
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()


def run_on_cluster(
    client: Any, partitions: Sequence[Partition], max_chars: int, done: Callable[[Partition, dict[str, object]], None]
) -> None:
    """Submit every partition, at most two per worker in flight; call ``done`` as each finishes
    (in the client, in completion order). The first failure cancels the rest and is raised."""
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    pending = list(reversed(partitions))
    futures: dict[Any, Partition] = {}

    def submit() -> Any:
        part = pending.pop()
        future = client.submit(_task, part, max_chars, key=f"heard-partition-{part.name}", pure=False)
        futures[future] = part
        return future

    flow = as_completed([submit() for _ in range(min(2 * workers, len(pending)))])
    try:
        for future in flow:
            part = futures.pop(future)
            result = future.result()  # raises the task's error (a HeardError for a bad input)
            done(part, result)
            future.release()
            if pending:
                flow.add(submit())
    finally:
        for future in futures:
            future.cancel()
