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

from heard.classify.coded import Coded, load_coded
from heard.classify.public_codes import hand_coded_units
from heard.classify.train import train_heads
from heard.classify.weak import gold_exclusions, normalise, weak_units
from heard.encode import load_encoder
from heard.encode.load import TUNED_ENCODER
from heard.errors import InputError

WEAK_LIMIT_PER_SOURCE: int | None = 3000
"""Weak units kept per public source (a seeded sample; None: all); see docs/model.md."""


def bundled_training_dir() -> Path:
    """The folder of coded units written for heard (see its DATASHEET.md)."""
    return Path(str(resources.files("heard") / "resources" / "training" / "units"))


def gold_dir_for(public_dir: Path) -> Path:
    """The gold folder beside a public-data folder (``../shared/data/labelled`` for
    ``../shared/data/public``): its ids and texts are never trained on."""
    return Path(public_dir).resolve().parent / "labelled"


def train_to_folder(
    data: Sequence[str | Path] | None,
    output: str | Path,
    encoder_path: str | Path | None = None,
    say: Callable[[str], None] | None = None,
    public_dir: str | Path | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Train heads on ``data`` (default: heard's training data) and save them to ``output``.

    With ``public_dir``, the public posts heard's coders hand-coded
    (:mod:`heard.classify.public_codes`) and weakly labelled units from the
    public datasets there (:mod:`heard.classify.weak`) join the training; every
    id and text of the gold files in the sibling ``labelled/`` folder is
    excluded from both.

    Raises:
        InputError: ``public_dir`` is not a folder, or yields no weak units.
    """
    units = load_coded(list(data) if data else [bundled_training_dir()])
    weak: list[tuple[Coded, float]] = []
    coded: list[tuple[Coded, float]] = []
    coded_stats: dict[str, int] = {}
    if public_dir is not None:
        public = Path(public_dir)
        if not public.is_dir():
            raise InputError(str(public), "expected the folder of public datasets (e.g. ../shared/data/public)", "found no folder", "check the path or leave --public out")
        ids, texts = gold_exclusions(gold_dir_for(public))
        stats: dict[str, Any] = {}
        coded = hand_coded_units(public, ids, exclude_texts=texts, stats=coded_stats)
        if say is not None:
            say(f"hand-coded public posts: {coded_stats['joined']} of {coded_stats['coded']} joined to their texts "
                f"({coded_stats['not_found']} not found, {coded_stats['excluded_gold']} gold excluded)")
        weak = weak_units(public, ids, WEAK_LIMIT_PER_SOURCE, exclude_texts=texts, stats=stats)
        if not weak:
            raise InputError(str(public), "expected public datasets heard can read (see heard.classify.weak)", "found none", "check the path or leave --public out")
        hand = {normalise(u.text) for u, _ in coded}  # a hand code replaces the weak label of the same post
        weak = [(u, w) for u, w in weak if normalise(u.text) not in hand]
    heads = train_heads(units, load_encoder(encoder_path or TUNED_ENCODER), weak=weak, public=coded, progress=say)
    if public_dir is not None:
        heads.metrics["public_codes"] = coded_stats
        heads.metrics["weak_sources"] = {k: {"kept": v["kept"], "excluded_gold": v["excluded_gold_id"] + v["excluded_gold_text"]} for k, v in stats.items()}
        heads.metrics["gold_excluded_ids"] = len(ids)
    folder = heads.save(output)
    return folder, heads.metrics
