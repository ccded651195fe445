"""Train every codebook head on coded units: cross-validated calibration, then a final fit.

The method: the (frozen) sentence encoder embeds each unit; cue features sit
beside the embedding; one softmax regression per field. Five-fold
out-of-fold predictions give the temperature of each head (calibration) and
honest cross-validated figures for the model card.

Weakly labelled units (:mod:`training.weak`) can join heard's own: they
enter the act, stance and abusive heads with their sample weight times
``weak_weight``, each only for the fields its source determines (a ``None``
field leaves the unit out of that head). Frame, discloser, centres and the
explanation examples use heard's own units only. Real public posts hand-coded
by heard (:mod:`training.public_codes`) join the same three heads at
their own weight (1.0, or 0.5 where the coder was unsure).

Example:
    >>> from heard.encode import load_encoder                 # doctest: +SKIP
    >>> heads = train_heads(load_coded(["units/"]), load_encoder())   # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from heard.classify.coded import Coded, load_coded
from heard.classify.heads import Example, Heads
from heard.classify.linear import LinearHead, expected_calibration_error, fit_calibration, fit_head, fit_temperature, softmax
from heard.classify.metrics import macro_f1
from heard.encode import BUNDLED_ENCODER, Encoder, load_encoder
from heard.errors import ConfigError, InputError
from heard.records import ACTS, CENTRES, DISCLOSERS, FRAMES, STANCES

MIN_CALIBRATION_ROWS = 200
"""Fewest hand-coded real posts a head needs to be calibrated on them alone."""

HEADS = ("act", "stance", "abusive", "frame", "discloser", "centre")
"""The heads one :class:`TrainConfig` sets (``centre``: each of the centres heads)."""


@dataclass(frozen=True)
class HeadConfig:
    """How one head is fitted.

    Attributes:
        l2: L2 penalty on the weights.
        balanced: class-weighted loss (each class the same total weight, weak
            units counted by their weight).
    """

    l2: float
    balanced: bool


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides how the heads are fitted, saved with them in ``config.json``.

    The defaults are the values heard's bundled heads were trained with;
    ``docs/model.md`` has the ablations that chose them. Change one with
    :func:`dataclasses.replace`, never by patching the module.

    Attributes:
        act, stance, abusive, frame, discloser, centre: per-head L2 and class
            weighting. Balanced for act: without it the many weak ``other`` units
            swamp the rare acts (``other_shift`` then restores a realistic prior);
            off for stance and abusive, where it tied or lost on held-out data.
        weak_weight: multiplier on every weak unit's own weight (about 18k weak
            units then weigh about half as much as heard's own units together).
        own_weight: weight of each of heard's own written units in the act, stance
            and abusive heads (frame, discloser and centres train on them alone).
        public_weight: multiplier on each hand-coded real post's own weight.
            Raising it and lowering ``own_weight`` (3 and 0.3) lifted held-out act
            macro-F1 but cost the functional suite, abusive F1 on tweets and
            calibration, so both stay 1 (docs/model.md, "2026-12-06, later").
        other_shift: added to the act head's ``other`` logit, a prior correction:
            real conversation is mostly ``other``, heard's own units are not.
        calibrate_on: which out-of-fold rows calibrate a head: ``"all"`` (a temperature
            fitted on every row), ``"public"`` (a temperature fitted on the hand-coded
            real posts only, when a head has at least :data:`MIN_CALIBRATION_ROWS` of
            them) or ``"public_prior"`` (there, a temperature and a per-class offset,
            :func:`heard.classify.linear.fit_calibration`: better calibrated, but the
            offset moves decisions toward the real posts' commonest classes and costs
            rare-act recall; docs/model.md has the measurement).
        folds: cross-validation folds for calibration and the card's figures.
        seed: seed of the folds and the optimiser.

    Example:
        >>> from dataclasses import replace
        >>> config = replace(TrainConfig(), weak_weight=0.2)
        >>> TrainConfig.from_dict(config.to_dict()) == config
        True
        >>> config.head("act")
        HeadConfig(l2=0.0001, balanced=True)
    """

    act: HeadConfig = HeadConfig(1e-4, True)
    stance: HeadConfig = HeadConfig(3e-5, False)
    abusive: HeadConfig = HeadConfig(3e-5, False)
    frame: HeadConfig = HeadConfig(1e-4, True)
    discloser: HeadConfig = HeadConfig(1e-4, True)
    centre: HeadConfig = HeadConfig(1e-4, False)
    weak_weight: float = 0.1
    own_weight: float = 1.0
    public_weight: float = 1.0
    other_shift: float = 1.0
    calibrate_on: str = "public"
    folds: int = 5
    seed: int = 0

    def __post_init__(self) -> None:
        if self.calibrate_on not in ("all", "public", "public_prior"):
            raise ConfigError(f"expected calibrate_on \"all\", \"public\" or \"public_prior\", found {self.calibrate_on!r}. "
                              "Fix: use one of those")

    def head(self, name: str) -> HeadConfig:
        """The settings of head ``name`` (one of :data:`HEADS`)."""
        if name not in HEADS:
            raise KeyError(f"expected one of {', '.join(HEADS)}, found {name!r}")
        config: HeadConfig = getattr(self, name)
        return config

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (as saved in the heads' ``config.json``)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        """The inverse of :meth:`to_dict`; missing keys take the defaults.

        Raises:
            ConfigError: an unknown key or a value of the wrong kind.
        """
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"expected training settings among {', '.join(sorted(known))}, found {', '.join(unknown)}. "
                              "Fix: remove them, or start from a heads folder's config.json \"training\" object")
        try:
            heads: dict[str, Any] = {k: HeadConfig(float(v["l2"]), bool(v["balanced"])) for k, v in data.items() if k in HEADS}
            rest: dict[str, Any] = {k: v for k, v in data.items() if k not in HEADS}
            config = cls(**heads, **rest)
            for number in (config.weak_weight, config.own_weight, config.public_weight, config.other_shift):
                float(number)
            int(config.folds), int(config.seed)
        except (TypeError, KeyError, ValueError) as exc:
            raise ConfigError(f"expected numbers for the training settings and {{\"l2\", \"balanced\"}} per head, "
                              f"found an invalid value ({type(exc).__name__}). Fix: compare with TrainConfig().to_dict()") from None
        return config

    @classmethod
    def from_json(cls, path: str | Path) -> TrainConfig:
        """Read settings from a JSON file: a bare settings object, or a heads
        folder's ``config.json`` (its ``"training"`` object).

        Raises:
            ConfigError: the file is missing, not JSON, or holds invalid settings.
        """
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ConfigError(f"{path}: expected a JSON file of training settings, found {type(exc).__name__}. "
                              "Fix: check the path and the file") from None
        if isinstance(data, dict) and isinstance(data.get("training"), dict):
            data = data["training"]
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: expected a JSON object of training settings, found {type(data).__name__}. "
                              "Fix: write an object like TrainConfig().to_dict()")
        return cls.from_dict(data)


def _folds(n: int, k: int, seed: int) -> list[np.ndarray]:
    order = np.random.default_rng(seed).permutation(n)
    return [order[i::k] for i in range(k)]


def _fit_calibrated(
    X: np.ndarray,
    y: np.ndarray,
    classes: tuple[str, ...],
    l2: float,
    folds: int,
    seed: int,
    balanced: bool = False,
    weight: np.ndarray | None = None,
    group: np.ndarray | None = None,
    shift: np.ndarray | None = None,
    calibrate_on: str = "all",
    calibration: np.ndarray | None = None,
) -> tuple[LinearHead, dict[str, Any]]:
    """Out-of-fold logits -> temperature and metrics; then the final head on all rows.

    ``weight`` is the per-row sample weight, ``group`` marks each row as heard's own
    units (0), hand-coded public posts (1) or weak units (2): the cross-validated
    figures are reported for each group present (keys without suffix, ``_public``,
    ``_weak``); ``shift`` is added to the logits (prior correction) before calibration.
    ``calibration``, a row mask, narrows the public rows that calibrate (``"public"``
    modes) to those whose mix is the one the heads will meet (figures ``_calibration``).
    """
    weight = np.ones(len(y)) if weight is None else weight
    group = np.zeros(len(y), dtype=int) if group is None else group
    shift = np.zeros(len(classes)) if shift is None else shift
    oof = np.zeros((len(y), len(classes)))
    for held in _folds(len(y), folds, seed):
        train = np.setdiff1d(np.arange(len(y)), held)
        head = fit_head(X[train], y[train], classes, l2=l2, seed=seed, balanced=balanced, sample_weight=weight[train])
        oof[held] = head.logits(X[held])
    oof = oof + shift
    offset = np.zeros(len(classes))
    public = group == 1
    if calibration is not None and (public & calibration).sum() >= MIN_CALIBRATION_ROWS:
        public = public & calibration
    if calibrate_on == "public_prior" and public.sum() >= MIN_CALIBRATION_ROWS:
        temperature, offset = fit_calibration(oof[public], y[public])
    elif calibrate_on == "public" and public.sum() >= MIN_CALIBRATION_ROWS:
        temperature = fit_temperature(oof[public], y[public])
    else:
        temperature = fit_temperature(oof, y)
    proba = softmax(oof / temperature + offset)
    pred = proba.argmax(1)
    metrics: dict[str, Any] = {}
    tags = [("", group == 0), ("_public", group == 1), ("_weak", group == 2)]
    if calibration is not None:
        tags.append(("_calibration", public))
    for tag, rows in tags:
        if not rows.any():
            continue
        metrics.update({
            f"cv_accuracy{tag}": round(float((pred[rows] == y[rows]).mean()), 4),
            f"cv_macro_f1{tag}": round(macro_f1(y[rows], pred[rows], len(classes)), 4),
            f"cv_ece_uncalibrated{tag}": round(expected_calibration_error(softmax(oof[rows]), y[rows]), 4),
            f"cv_ece{tag}": round(expected_calibration_error(proba[rows], y[rows]), 4),
            f"n{tag}": int(rows.sum()),
        })
    metrics["temperature"] = round(temperature, 3)
    if offset.any():
        metrics["calibration_offset"] = [round(float(o), 3) for o in offset]
    final = fit_head(X, y, classes, l2=l2, seed=seed, balanced=balanced, sample_weight=weight)
    # softmax((z + shift) / t + offset) == softmax((z + shift + t * offset) / t): one stored bias.
    bias = (final.bias + shift + temperature * offset).astype(np.float32)
    return LinearHead(classes, final.weight, bias, temperature), metrics


_WHICH_UNITS = {"frame": "derailing units with a frame", "discloser": "testimony units with a discloser"}
"""Which units train the heads that do not train on every unit."""


def train_heads(
    units: Sequence[Coded],
    encoder: Encoder,
    *,
    weak: Sequence[tuple[Coded, float]] = (),
    public: Sequence[tuple[Coded, float]] = (),
    config: TrainConfig = TrainConfig(),
    progress: Callable[[str], None] | None = None,
    calibrate_ids: Collection[str] = (),
) -> Heads:
    """Train all heads on ``units`` (and ``weak`` units) embedded by ``encoder``.

    Args:
        units: heard's coded training units (at least a few per act).
        encoder: the encoder the heads will run on at prediction time.
        weak: ``(unit, weight)`` pairs from :func:`training.weak.weak_units`;
            a field that is ``None`` leaves the unit out of that head.
        public: ``(unit, weight)`` pairs of real public posts hand-coded by heard
            (:func:`training.public_codes.hand_coded_units`): like weak units
            they train only the act, stance and abusive heads and are never stored
            as examples; their weight is scaled by ``public_weight``, not ``weak_weight``.
        calibrate_ids: ids of the public posts that calibrate the heads (the
            ``"public"`` modes of :attr:`TrainConfig.calibrate_on`); default: all of them.
            heard's build calibrates on the in-domain posts, whose mix is the one
            of the collections heard is measured on.
        config: how each head is fitted (:class:`TrainConfig`); saved with the heads.
        progress: called with a short status line per head.
    """
    say = progress or (lambda _msg: None)
    scale = config.weak_weight
    folds, seed = config.folds, config.seed
    weak = [(u, w) for u, w in weak if w > 0] if scale > 0 else []
    everyone: list[Coded] = list(units) + [u for u, _ in public] + [u for u, _ in weak]
    weights = np.array([config.own_weight] * len(units) + [w * config.public_weight for _, w in public] + [w * scale for _, w in weak])
    row_group = np.array([0] * len(units) + [1] * len(public) + [2] * len(weak))
    wanted = set(calibrate_ids)
    calibrates = np.array([False] * len(units) + [u.id in wanted for u, _ in public] + [False] * len(weak)) if wanted else None
    texts = [u.text for u in everyone]
    say(f"embedding {len(texts)} units ({len(public)} hand-coded public, {len(weak)} weak)")
    embeddings = encoder.encode(texts)
    X = Heads.features(embeddings, texts)
    heads: dict[str, LinearHead] = {}
    metrics: dict[str, Any] = {"training_units": len(units), "public_units": len(public), "weak_units": len(weak), "weak_weight": scale}

    def train(name: str, rows: np.ndarray, labels: list[str], classes: tuple[str, ...], shift: dict[str, float] | None = None) -> None:
        present = tuple(c for c in classes if c in set(labels))
        if len(present) < 2:
            raise InputError("heard train", f"expected coded units with at least two values of {name} "
                             f"({', '.join(classes)}; {_WHICH_UNITS.get(name, 'any unit')})",
                             f"found {len(labels)} unit(s) with {' and '.join(present) or 'no value'}",
                             "code more units, or train on heard's own units plus yours (training/data/units)")
        y = np.array([present.index(v) for v in labels])
        offsets = np.array([(shift or {}).get(c, 0.0) for c in present])
        say(f"training {name} on {len(y)} units")
        head_config = config.head(name)
        head, m = _fit_calibrated(X[rows], y, present, head_config.l2, folds, seed, head_config.balanced, weights[rows], row_group[rows], offsets,
                                  config.calibrate_on, None if calibrates is None else calibrates[rows])
        heads[name] = head
        metrics[name] = m

    def known(field: str) -> np.ndarray:
        return np.array([i for i, u in enumerate(everyone) if getattr(u, field) is not None], dtype=int)

    rows = known("act")
    train("act", rows, [everyone[i].act for i in rows], ACTS, {"other": config.other_shift})
    rows = known("stance")
    train("stance", rows, [everyone[i].stance for i in rows], STANCES)
    rows = known("abusive")
    train("abusive", rows, ["true" if everyone[i].abusive else "false" for i in rows], ("false", "true"))
    derails = np.array([i for i, u in enumerate(units) if u.act == "derailing" and u.frame], dtype=int)
    train("frame", derails, [units[i].frame or "" for i in derails], FRAMES)
    tests = np.array([i for i, u in enumerate(units) if u.act == "testimony" and u.discloser], dtype=int)
    train("discloser", tests, [units[i].discloser or "" for i in tests], DISCLOSERS)

    centres: dict[str, LinearHead] = {}
    own_rows = np.arange(len(units))
    for group in CENTRES:
        y = np.array([1 if group in u.centres else 0 for u in units])
        say(f"training centres:{group}")
        head, m = _fit_calibrated(X[own_rows], y, ("no", "yes"), config.centre.l2, folds, seed, config.centre.balanced)
        centres[group] = head
        metrics[f"centres:{group}"] = m
    examples = tuple(Example(u.text, u.act, u.stance, u.abusive) for u in units)
    neighbours = embeddings[: len(units)].astype(np.float16)
    return Heads(encoder.name, heads, centres, examples, neighbours, metrics, version="unsaved", training=config.to_dict())


def train_to_folder(
    data: Sequence[str | Path],
    output: str | Path,
    encoder_path: str | Path | None = None,
    *,
    config: TrainConfig = TrainConfig(),
    progress: Callable[[str], None] | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Train heads on the coded units in ``data`` and save them to ``output``.

    Args:
        data: coded JSONL files or folders of them (the ``dev.jsonl`` format,
            :func:`heard.classify.coded.load_coded`).
        output: heads folder to write (created).
        encoder_path: the encoder to train on (default: heard's bundled one).
        config: how each head is fitted; saved with the heads.
        progress: called with a short status line per step.

    Returns:
        The folder and the heads' cross-validated metrics.

    Raises:
        InputError: no data given, or a file breaks the codebook.

    Example:
        >>> folder, metrics = train_to_folder(["my_codes.jsonl"], "heads/")  # doctest: +SKIP
        >>> metrics["act"]["cv_macro_f1"]                                     # doctest: +SKIP
        0.71
    """
    if not data:
        raise InputError("heard train", "expected at least one coded JSONL file or folder", "found none",
                         "pass the files, e.g. `heard train codes.jsonl -o heads/`")
    units = load_coded(list(data))
    heads = train_heads(units, load_encoder(encoder_path or BUNDLED_ENCODER), config=config, progress=progress)
    return heads.save(output), heads.metrics
