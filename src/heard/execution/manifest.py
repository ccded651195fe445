"""The manifest of a partitioned run: which partitions are finished, with checksums.

``_heard_manifest.json`` in the output folder, rewritten whole (temporary file, then
rename) after every finished partition, by the one client process. A partition counts
as finished when its entry names the same model, its input's sha256 is unchanged and
its output file is there with the recorded sha256; anything else is labelled again.

Example:
    >>> import pathlib, tempfile
    >>> m = Manifest.open(pathlib.Path(tempfile.mkdtemp()), "heads@1+enc@2")
    >>> m.finished
    {}
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from heard.errors import ConfigError

MANIFEST_FILE = "_heard_manifest.json"
FORMAT = 1


@dataclass
class Manifest:
    """Finished partitions of one output folder, for one model version."""

    folder: Path
    model: str
    finished: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def open(cls, folder: Path, model: str) -> Manifest:
        """The folder's manifest (empty if none yet).

        Raises:
            ConfigError: the folder holds labels by another model version, or a manifest heard cannot read.
        """
        path = folder / MANIFEST_FILE
        if not path.is_file():
            return cls(folder, model)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            recorded, finished = str(data["model"]), dict(data["partitions"])
        except (OSError, ValueError, KeyError, TypeError):
            raise ConfigError(f"{path}: expected heard's manifest of a classify run, found a file heard cannot read. "
                              "Fix: delete the output folder (or the manifest) and run again") from None
        if recorded != model:
            raise ConfigError(f"-o {folder}: expected labels by the model {model} (or an empty folder), found labels by {recorded}. "
                              "Fix: write to a new folder, or delete this one")
        return cls(folder, model, finished)

    def is_done(self, name: str, input_sha256: str, target: Path, output_sha256: str | None) -> bool:
        """True when ``name`` is recorded with this input checksum and its output still has the recorded checksum
        (``output_sha256``: the output's checksum now, None when the file is missing)."""
        entry = self.finished.get(name)
        return (entry is not None and entry.get("input_sha256") == input_sha256 and output_sha256 is not None
                and entry.get("output_sha256") == output_sha256 and target.is_file())

    def record(self, name: str, entry: dict[str, Any]) -> None:
        """Add a finished partition and rewrite the manifest atomically."""
        self.finished[name] = entry
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".heard-manifest-", dir=self.folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({"format": FORMAT, "model": self.model, "partitions": self.finished}, out, indent=1, sort_keys=True)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.folder / MANIFEST_FILE)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
