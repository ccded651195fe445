"""Where heard's own training data lives, and training heads into a folder.

Example:
    >>> len(bundled_training_files()) >= 8        # doctest: +SKIP
    True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
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


@dataclass
class PublicRows:
    """Training rows drawn from the public datasets, gold excluded.

    ``coded``: posts heard's coders hand-coded; ``weak``: weakly labelled units,
    less any post that is also hand-coded (the hand code replaces its weak label);
    ``metrics``: counts for the heads' ``config.json``.
    """

    coded: list[tuple[Coded, float]]
    weak: list[tuple[Coded, float]]
    metrics: dict[str, Any]


def public_rows(public_dir: str | Path, weak_limit: int | None = WEAK_LIMIT_PER_SOURCE) -> PublicRows:
    """Hand-coded and weak training rows from ``public_dir``; every id and text of the
    gold files in its sibling ``labelled/`` folder is excluded from both.

    Raises:
        InputError: ``public_dir`` is not a folder, or yields no weak units.
    """
    public = Path(public_dir)
    if not public.is_dir():
        raise InputError(str(public), "expected the folder of public datasets (e.g. ../shared/data/public)", "found no folder", "check the path or leave --public out")
    ids, texts = gold_exclusions(gold_dir_for(public))
    coded_stats: dict[str, int] = {}
    coded = hand_coded_units(public, ids, exclude_texts=texts, stats=coded_stats)
    weak_stats: dict[str, Any] = {}
    weak = weak_units(public, ids, weak_limit, exclude_texts=texts, stats=weak_stats)
    if not weak:
        raise InputError(str(public), "expected public datasets heard can read (see heard.classify.weak)", "found none", "check the path or leave --public out")
    hand = {normalise(u.text) for u, _ in coded}
    metrics = {
        "public_codes": coded_stats,
        "weak_sources": {k: {"kept": v["kept"], "excluded_gold": v["excluded_gold_id"] + v["excluded_gold_text"]} for k, v in weak_stats.items()},
        "gold_excluded_ids": len(ids),
    }
    return PublicRows(coded, [(u, w) for u, w in weak if normalise(u.text) not in hand], metrics)


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
    public datasets there (:mod:`heard.classify.weak`) join the training
    (:func:`public_rows`).

    Raises:
        InputError: ``public_dir`` is not a folder, or yields no weak units.
    """
    units = load_coded(list(data) if data else [bundled_training_dir()])
    rows = PublicRows([], [], {}) if public_dir is None else public_rows(public_dir)
    if say is not None and public_dir is not None:
        c = rows.metrics["public_codes"]
        say(f"hand-coded public posts: {c['joined']} of {c['coded']} joined to their texts "
            f"({c['not_found']} not found, {c['excluded_gold']} gold excluded)")
    heads = train_heads(units, load_encoder(encoder_path or TUNED_ENCODER), weak=rows.weak, public=rows.coded, progress=say)
    heads.metrics.update(rows.metrics)
    folder = heads.save(output)
    return folder, heads.metrics
