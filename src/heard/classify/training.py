"""Where heard's own training data lives, and training heads into a folder.

Example:
    >>> len(bundled_training_files()) >= 8        # doctest: +SKIP
    True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from heard.classify.coded import load_coded
from heard.classify.train import train_heads
from heard.encode import load_encoder


def bundled_training_dir() -> Path:
    """The folder of coded units written for heard (see its DATASHEET.md)."""
    return Path(str(resources.files("heard") / "resources" / "training" / "units"))


def train_to_folder(
    data: Sequence[str | Path] | None,
    output: str | Path,
    encoder_path: str | Path | None = None,
    say: Callable[[str], None] | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Train heads on ``data`` (default: heard's training data) and save them to ``output``."""
    units = load_coded(list(data) if data else [bundled_training_dir()])
    heads = train_heads(units, load_encoder(encoder_path), progress=say)
    folder = heads.save(output)
    return folder, heads.metrics
