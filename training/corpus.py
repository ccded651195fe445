"""heard's own training data: the units written for heard, and rows drawn from
the public datasets (hand-coded posts and weak supervision), gold excluded.

Example:
    >>> len(list(training_units_dir().glob("*.jsonl"))) >= 8
    True
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from heard.classify.coded import Coded, load_coded
from heard.classify.train import TrainConfig, train_heads
from heard.encode import Encoder, load_encoder
from heard.encode.load import BUNDLED_ENCODER
from heard.errors import InputError
from training.public_codes import hand_coded_units, load_public_codes
from training.weak import gold_exclusions, text_key, weak_units

WEAK_LIMIT_PER_SOURCE: int | None = 3000
"""Weak units kept per public source (a seeded sample; None: all); see docs/model.md."""


DATA_DIR = Path(__file__).resolve().parent / "data"
"""heard's training data in this repository (``DATASHEET.md`` describes it)."""


def training_units_dir() -> Path:
    """The folder of coded units written for heard (see ``data/DATASHEET.md``)."""
    return DATA_DIR / "units"


def gold_dir_for(public_dir: Path) -> Path:
    """The gold folder beside a public-data folder (``../shared/data/labelled`` for
    ``../shared/data/public``): its ids and texts are never trained on."""
    return Path(public_dir).resolve().parent / "labelled"


CALIBRATION_SHARE = 4
"""One in this many in-domain training posts (by a hash of the id) calibrates the heads and is
kept out of the encoder's fine-tuning (:func:`is_calibration_post`)."""


def is_calibration_post(post_id: str) -> bool:
    """Whether an in-domain hand-coded post belongs to the calibration share: it still trains
    the heads (their temperatures are fitted on out-of-fold predictions), but the encoder never
    sees it, so its logits are as sure as on posts heard never saw. When the encoder had been
    tuned on the calibration posts too, the fitted temperatures were too sharp for new posts
    (held-out act ECE 0.061 against 0.041 with an encoder that had not seen them).

    Example:
        >>> [is_calibration_post(f"metooma:{i}") for i in range(4)].count(True) <= 4
        True
    """
    return int(hashlib.sha256(post_id.encode("utf-8")).hexdigest()[:8], 16) % CALIBRATION_SHARE == 0


@dataclass
class PublicRows:
    """Training rows drawn from the public datasets, gold excluded.

    ``coded``: posts heard's coders hand-coded; ``weak``: weakly labelled units,
    less any post that is also hand-coded (the hand code replaces its weak label);
    ``metrics``: counts for the heads' ``config.json``; ``calibrate_ids``: the
    hand-coded in-domain posts (MeTooMA and Reddit, rounds 3 on, a record of how each
    was drawn) that calibrate the heads — their mix of random and rare-act draws is
    the held-out split's; with ``calibration_share`` only those that
    :func:`is_calibration_post` picks (and the encoder must not train on).
    """

    coded: list[tuple[Coded, float]]
    weak: list[tuple[Coded, float]]
    metrics: dict[str, Any]
    calibrate_ids: frozenset[str] = frozenset()


def public_rows(public_dir: str | Path, weak_limit: int | None = WEAK_LIMIT_PER_SOURCE,
                weak_sources: Collection[str] | None = None, calibration_share: bool = False) -> PublicRows:
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
    codes = load_public_codes()
    coded = hand_coded_units(public, ids, exclude_texts=texts, codes=codes, stats=coded_stats)
    weak_stats: dict[str, Any] = {}
    weak = weak_units(public, ids, weak_limit, exclude_texts=texts, stats=weak_stats, sources=weak_sources)
    if not weak:
        raise InputError(str(public), "expected public datasets heard can read (see training.weak)", "found none", "check the path or leave --public out")
    hand = {text_key(u.text) for u, _ in coded}
    metrics = {
        "public_codes": coded_stats,
        "weak_sources": {k: {"kept": v["kept"], "excluded_gold": v["excluded_gold_id"] + v["excluded_gold_text"]} for k, v in weak_stats.items()},
        "gold_excluded_ids": len(ids),
    }
    in_domain = frozenset(c.id for c in codes if c.draw and c.split == "train"
                          and (not calibration_share or is_calibration_post(c.id)))
    return PublicRows(coded, [(u, w) for u, w in weak if text_key(u.text) not in hand], metrics, in_domain)


def build_heads(
    output: str | Path,
    public_dir: str | Path | None,
    encoder_path: str | Path | None = None,
    config: TrainConfig = TrainConfig(),
    say: Callable[[str], None] | None = None,
    weak_sources: Collection[str] | None = None,
    cache: str | Path | None = None,
    calibration_share: bool = False,
) -> tuple[Path, dict[str, Any]]:
    """Train heard's heads on its own units (and, with ``public_dir``, the public
    posts heard's coders hand-coded plus weak supervision: :func:`public_rows`)
    and save them to ``output``.

    ``cache``: a folder where each encoder's vectors are kept by text (a
    base-size encoder takes ~10 minutes for the ~30,000 rows; a second build
    on the same encoder then skips the encoding). ``calibration_share``: calibrate on the
    in-domain posts :func:`is_calibration_post` picks (for an encoder tuned without them).

    Raises:
        InputError: ``public_dir`` is not a folder, or yields no weak units.
    """
    units = load_coded([training_units_dir()])
    rows = PublicRows([], [], {}) if public_dir is None else public_rows(public_dir, weak_sources=weak_sources,
                                                                         calibration_share=calibration_share)
    if say is not None and public_dir is not None:
        c = rows.metrics["public_codes"]
        say(f"hand-coded public posts: {c['joined']} of {c['coded']} joined to their texts "
            f"({c['not_found']} not found, {c['excluded_gold']} gold excluded)")
    encoder: Encoder = load_encoder(encoder_path or BUNDLED_ENCODER)
    if cache is not None:
        encoder = CachedEncoder(encoder, Path(cache), say)
    heads = train_heads(units, encoder, weak=rows.weak, public=rows.coded, config=config, progress=say,
                        calibrate_ids=rows.calibrate_ids)
    heads.metrics.update(rows.metrics)
    folder = heads.save(output)
    return folder, heads.metrics


class CachedEncoder:
    """An encoder whose vectors are kept on disk by the sha1 of each text (training only).

    Vectors are written every 2,048 new texts, so an interrupted build keeps
    what it encoded. Batch mates shift a dynamically quantised encoder's
    vectors a little (cosine ~0.99), so a cached build is close to, not
    identical with, an uncached one.

    Example:
        >>> import tempfile
        >>> from heard.encode import load_encoder
        >>> cached = CachedEncoder(load_encoder(), Path(tempfile.mkdtemp()))
        >>> cached.encode(["me too"]).shape == (1, cached.dim)
        True
    """

    def __init__(self, base: Encoder, folder: Path, say: Callable[[str], None] | None = None) -> None:
        self.base, self.name, self.dim = base, base.name, base.dim
        self._say = say or (lambda _m: None)
        folder.mkdir(parents=True, exist_ok=True)
        self.file = folder / f"emb_{self.name.replace('/', '_').replace('@', '_')}.npz"
        self._cache: dict[str, np.ndarray] = {}
        if self.file.exists():
            with np.load(self.file, allow_pickle=False) as z:
                self._cache = {str(k): v for k, v in zip(z["keys"], z["vecs"], strict=True)}

    def encode(self, texts: Sequence[str], batch_size: int = 16) -> np.ndarray:
        keys = [hashlib.sha1(t.encode("utf-8", "surrogatepass")).hexdigest() for t in texts]
        missing = list({k: t for k, t in zip(keys, texts, strict=True) if k not in self._cache}.items())
        for start in range(0, len(missing), 2048):
            part = missing[start:start + 2048]
            vectors = self.base.encode([t for _, t in part], batch_size=batch_size)
            self._cache.update((k, v) for (k, _), v in zip(part, vectors, strict=True))
            self._save()
            self._say(f"encoded {start + len(part):,} of {len(missing):,} new texts")
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._cache[k] for k in keys]).astype(np.float32)

    def _save(self) -> None:
        tmp = self.file.with_suffix(".tmp.npz")
        np.savez(tmp, keys=np.array(list(self._cache)), vecs=np.stack(list(self._cache.values())))
        os.replace(tmp, self.file)
