"""The trained heads as a readable folder: ``config.json`` + ``weights.npz`` +
``examples.jsonl`` (the training units, for nearest-neighbour explanations)
+ ``neighbours.npy`` (their embeddings, float16) + ``CARD.md``.

Example:
    >>> heads = Heads.load()                       # the bundled heads  # doctest: +SKIP
    >>> heads.version                                                   # doctest: +SKIP
    'heads-2026.11@3f2a…'
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from heard.classify import cues
from heard.classify.linear import LinearHead
from heard.errors import ModelError
from heard.jsonl import read_jsonl

HEAD_NAMES: tuple[str, ...] = ("act", "stance", "abusive", "frame", "discloser")
"""Single-choice heads; ``centres`` is one binary head per group."""

FORMAT_VERSION = 1


def bundled_heads_path() -> Path:
    """Folder of the heads that ship with heard."""
    return Path(str(resources.files("heard") / "resources" / "heads"))


@dataclass(frozen=True)
class Example:
    """One training unit kept for explanations."""

    text: str
    act: str
    stance: str
    abusive: bool

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Example:
        """One line of a heads folder's ``examples.jsonl``."""
        return cls(str(row["text"]), str(row["act"]), str(row["stance"]), bool(row["abusive"]))


@dataclass(frozen=True)
class Heads:
    """Every codebook head, the encoder they expect, and the examples they learned from."""

    encoder: str
    heads: dict[str, LinearHead]
    centres: dict[str, LinearHead]
    examples: tuple[Example, ...]
    neighbours: np.ndarray  # (len(examples), dim) float16, L2-normalised
    metrics: dict[str, Any]
    version: str
    training: dict[str, Any] = field(default_factory=dict)
    """How the heads were fitted (``heard.classify.train.TrainConfig.to_dict()``)."""

    @staticmethod
    def features(embeddings: np.ndarray, texts: list[str], cue_rows: np.ndarray | None = None) -> np.ndarray:
        """What every head sees: the embedding and the cue features side by side.

        ``cue_rows`` is ``cues.cue_matrix(texts)`` when the caller already has it.
        """
        if cue_rows is None:
            cue_rows = cues.cue_matrix(texts)
        return np.hstack([embeddings.astype(np.float32), cue_rows])

    # -- files ------------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        """Write the folder; returns it. ``version`` is recomputed from the weights."""
        out = Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {}
        config: dict[str, Any] = {
            "format": FORMAT_VERSION,
            "encoder": self.encoder,
            "cues": list(cues.NAMES),
            "cue_patterns": cues.FINGERPRINT,
            "heads": {},
            "centres": {},
            "metrics": self.metrics,
            "training": self.training,
        }
        for group, table in (("heads", self.heads), ("centres", self.centres)):
            for name, head in table.items():
                arrays[f"{group}.{name}.weight"] = head.weight
                arrays[f"{group}.{name}.bias"] = head.bias
                config[group][name] = {"classes": list(head.classes), "temperature": head.temperature}
        np.savez(out / "weights.npz", **arrays)  # type: ignore[arg-type]  # numpy stubs type **kwds oddly
        np.save(out / "neighbours.npy", self.neighbours.astype(np.float16))
        with (out / "examples.jsonl").open("w", encoding="utf-8") as fh:
            for ex in self.examples:
                fh.write(json.dumps({"text": ex.text, "act": ex.act, "stance": ex.stance, "abusive": ex.abusive}, ensure_ascii=False) + "\n")
        digest = hashlib.sha256((out / "weights.npz").read_bytes()).hexdigest()[:12]
        config["version"] = f"heads@{digest}"
        (out / "config.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        return out

    @classmethod
    def load(cls, folder: str | Path | None = None) -> Heads:
        """Read a heads folder (the bundled one when ``folder`` is None).

        Raises:
            ModelError: a file is missing, or the cues (names or patterns) differ from this heard's.
        """
        path = Path(folder) if folder is not None else bundled_heads_path()
        needed = ("config.json", "weights.npz", "examples.jsonl", "neighbours.npy")
        missing = [n for n in needed if not (path / n).exists()]
        if missing:
            raise ModelError(
                f"{path}: expected a heads folder with {', '.join(needed)}, found no {', '.join(missing)}. "
                "Fix: point --heads at a folder written by `heard train`"
                + (" (or reinstall heard)" if folder is None else "")
            )
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        if config.get("cues") != list(cues.NAMES):
            raise ModelError(
                f"{path}: expected heads trained with this heard's {len(cues.NAMES)} cue features, found "
                f"{len(config.get('cues') or [])} different ones. Fix: retrain them with `heard train`"
            )
        # Heads saved before the fingerprint existed carry only the names, checked above.
        if config.get("cue_patterns", cues.FINGERPRINT) != cues.FINGERPRINT:
            raise ModelError(
                f"{path}: expected heads trained with this heard's cue patterns ({cues.FINGERPRINT}), found heads "
                f"trained with other patterns ({config['cue_patterns']}). Fix: retrain them with `heard train`"
            )
        with np.load(path / "weights.npz", allow_pickle=False) as weights:
            def build(group: str) -> dict[str, LinearHead]:
                return {
                    name: LinearHead(
                        tuple(spec["classes"]),
                        weights[f"{group}.{name}.weight"],
                        weights[f"{group}.{name}.bias"],
                        float(spec["temperature"]),
                    )
                    for name, spec in config[group].items()
                }

            heads, centres = build("heads"), build("centres")
        examples = [ex for _, ex in read_jsonl(path / "examples.jsonl", Example.from_dict, "expected {text, act, stance, abusive}",
                                               fix="rewrite the heads folder with `heard train`")]
        neighbours = np.load(path / "neighbours.npy", allow_pickle=False)
        return cls(config["encoder"], heads, centres, tuple(examples), neighbours, config.get("metrics", {}), config["version"],
                   config.get("training", {}))
