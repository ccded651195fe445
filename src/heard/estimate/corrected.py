"""Corrected shares of a store: the model's labels on every post, the coders' codes
on a sample, weighted by the sample's inclusion probabilities.

Weights: a coded post that ``heard sample`` drew counts ``1 / inclusion``; a
coded post it did not draw (codes imported from elsewhere, or no draw at all)
is treated as part of a simple random sample of the corpus, with inclusion
``(coded posts not drawn) / (posts)`` — the output says so, because that is an
assumption the user must be able to defend. Where several coders coded a post
the truth is the share of its coders who gave the class (a fraction), so
disagreement widens the interval instead of being hidden.

Example:
    >>> from heard.store import Store
    >>> with Store.open("corpus.duckdb", read_only=True) as store:   # doctest: +SKIP
    ...     est = estimate_store(store)
    >>> est.acts["silencing"].method                                  # doctest: +SKIP
    'ppi'
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from heard.errors import StoreError
from heard.estimate.ppi import ShareEstimate, model_only_share, ppi_share
from heard.records import ACTS, FRAMES, STANCES
from heard.store import Store, reads
from heard.store import codes as code_store

MIN_CODED = 10
"""Fewest coded posts in a group for a prediction-powered interval; fewer gives the model-only figure."""


@dataclass(frozen=True)
class Truth:
    """Posts' model labels, the coders' codes and the weights, aligned for estimation.

    Attributes:
        model: the label model.
        ids: every labelled post id (sorted; Arrow strings, so millions of posts stay small).
        predicted: field -> array of the model's label per post.
        coded: field -> positions (into ``ids``) of posts with a code for the field.
        truth: field -> class -> share of the post's coders who gave the class, per coded position.
        weights: field -> inverse inclusion probability per coded position.
        derail: what the coders said of derailing, aligned with ``coded["act"]``: for each frame
            of :data:`heard.records.FRAMES`, and for ``centres_men``, the share of the post's act
            codes that are derailing with that frame (centring men or male survivors); ``with_frame``
            and ``with_centres``: the share that are derailing and record a frame (centres) at all.
        drawn: coded posts that ``heard sample`` drew.
        undrawn: coded posts it did not draw (treated as a simple random sample).
        unlabelled: coded posts the model has not labelled (left out, and said so).
    """

    model: str
    ids: pa.Array
    predicted: dict[str, np.ndarray]
    coded: dict[str, np.ndarray]
    truth: dict[str, dict[str, np.ndarray]]
    weights: dict[str, np.ndarray]
    derail: dict[str, np.ndarray]
    drawn: int
    undrawn: int
    unlabelled: int

    @property
    def n_coded(self) -> int:
        """Coded posts that enter the estimates (any field)."""
        return self.drawn + self.undrawn


@dataclass(frozen=True)
class Estimates:
    """Every act and stance share of one store, corrected where codes allow."""

    model: str
    n_posts: int
    n_coded: int
    acts: dict[str, ShareEstimate]
    stance: dict[str, ShareEstimate]
    notes: list[str] = field(default_factory=list)

    @property
    def includes_classifier_error(self) -> bool:
        """Whether the intervals account for classifier error (codes were used)."""
        return any(e.includes_classifier_error for e in self.acts.values())

    def to_dict(self) -> dict[str, Any]:
        """The ``heard estimate --json`` object.

        Example:
            >>> Estimates("m", 0, 0, {}, {}).to_dict()["n_posts"]
            0
        """
        return {
            "n_posts": self.n_posts,
            "n_coded": self.n_coded,
            "acts": {k: v.to_dict() for k, v in self.acts.items()},
            "stance": {k: v.to_dict() for k, v in self.stance.items()},
            "model": self.model,
            "includes_classifier_error": self.includes_classifier_error,
            "notes": self.notes,
        }


def pick_model(store: Store, model: str | None) -> str:
    """``model`` if given, else the one that labelled most posts.

    Raises:
        StoreError: the store has no post labels (or none by ``model``).
    """
    models = [m.model for m in reads.label_models(store)]
    if not models:
        raise StoreError("expected a labelled store, found no post labels. Fix: run `heard label --db STORE` first")
    if model is None:
        return models[0]
    if model not in models:
        raise StoreError(f"expected a model that labelled this store ({', '.join(models)}), found {model!r}. "
                         "Fix: pass one of those to --model")
    return model


def positions_of(ids: pa.Array, wanted: Collection[str]) -> dict[str, int]:
    """Position in ``ids`` of each of ``wanted`` that is there: the coded posts only, since a dict
    over every post would cost ~100 bytes a post.

    Example:
        >>> positions_of(pa.array(["a", "b", "c"]), {"c", "x"})
        {'c': 2}
    """
    asked = sorted(wanted)
    found = pc.index_in(pa.array(asked, pa.string()), value_set=ids.cast(pa.string())).to_pylist() if asked else []
    return {post_id: int(at) for post_id, at in zip(asked, found) if at is not None}


def load_truth(store: Store, model: str | None = None) -> Truth:
    """Align ``model``'s post labels with the store's codes and sample weights."""
    model = pick_model(store, model)
    ids, act, stance = code_store.predicted(store, model)
    codes = code_store.all_codes(store)
    position = positions_of(ids, {c.post_id for c in codes})
    draws = {d.post_id: d.inclusion for d in code_store.sample(store)}
    per_post: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    # Per act code: its frame, whether it centres men, whether it codes centres at all.
    derail_codes: dict[str, list[tuple[str | None, bool, bool]]] = defaultdict(list)
    unlabelled: set[str] = set()
    for code in codes:
        if code.post_id not in position:
            unlabelled.add(code.post_id)
            continue
        for name in ("act", "stance"):
            value = getattr(code, name)
            if value is not None:
                per_post[code.post_id][name].append(value)
        if code.act is not None:
            men = bool(code.centres) and any(c in ("men", "male_survivors") for c in code.centres or ())
            derail_codes[code.post_id].append((code.frame, men, code.centres is not None) if code.act == "derailing"
                                              else (None, False, False))
    coded_posts = sorted(per_post)
    drawn = [p for p in coded_posts if p in draws]
    undrawn = [p for p in coded_posts if p not in draws]
    srs_inclusion = len(undrawn) / max(len(ids), 1)
    coded: dict[str, np.ndarray] = {}
    truth: dict[str, dict[str, np.ndarray]] = {}
    weights: dict[str, np.ndarray] = {}
    for name, classes in (("act", ACTS), ("stance", STANCES)):
        posts = [p for p in coded_posts if per_post[p][name]]
        coded[name] = np.array([position[p] for p in posts], dtype=np.int64)
        weights[name] = np.array([1.0 / draws.get(p, srs_inclusion) for p in posts])
        truth[name] = {c: np.array([per_post[p][name].count(c) / len(per_post[p][name]) for p in posts]) for c in classes}
    act_posts = [p for p in coded_posts if per_post[p]["act"]]

    def shares(hit: Callable[[tuple[str | None, bool, bool]], bool]) -> np.ndarray:
        return np.array([sum(map(hit, derail_codes[p])) / len(derail_codes[p]) for p in act_posts])

    derail: dict[str, np.ndarray] = {
        "centres_men": shares(lambda c: c[1]),
        "with_frame": shares(lambda c: c[0] is not None),
        "with_centres": shares(lambda c: c[2]),
    }
    for frame in FRAMES:
        derail[frame] = np.array([sum(c[0] == frame for c in derail_codes[p]) / len(derail_codes[p]) for p in act_posts])
    return Truth(model, ids, {"act": act, "stance": stance}, coded, truth, weights, derail, len(drawn), len(undrawn),
                 len(unlabelled))


def share_estimate(truth: Truth, name: str, cls: str, subset: np.ndarray | None = None,
                   model_se: float | None = None) -> ShareEstimate:
    """The corrected share of class ``cls`` of field ``name`` among the posts in ``subset``
    (a boolean mask over ``truth.ids``; default all): PPI with at least :data:`MIN_CODED`
    coded posts there, else the model-only figure. ``model_se``: the model share's standard
    error when posts are clustered (see :func:`heard.estimate.ppi.ppi_share`).

    Example:
        >>> share_estimate(truth, "act", "silencing").method       # doctest: +SKIP
        'ppi'
    """
    f = (truth.predicted[name] == cls).astype(np.float64)
    positions, weights, y = truth.coded[name], truth.weights[name], truth.truth[name][cls]
    if subset is not None:
        inside = subset[positions]
        remap = np.cumsum(subset) - 1
        f, positions, weights, y = f[subset], remap[positions[inside]], weights[inside], y[inside]
    if positions.size < MIN_CODED:
        return model_only_share(f)
    return ppi_share(f, positions, y, weights, model_se=model_se)


def estimate_store(store: Store, model: str | None = None) -> Estimates:
    """Every act and stance share of the store's posts, prediction-powered where codes exist.

    Raises:
        StoreError: the store has no post labels.
    """
    return estimates_from(load_truth(store, model))


def estimates_from(truth: Truth) -> Estimates:
    """Every act and stance share of ``truth``'s posts (see :func:`estimate_store`)."""
    acts: dict[str, ShareEstimate] = {a: share_estimate(truth, "act", a) for a in ACTS}
    stance: dict[str, ShareEstimate] = {s: share_estimate(truth, "stance", s) for s in STANCES}
    return Estimates(truth.model, len(truth.ids), truth.n_coded, acts, stance, notes(truth))


def notes(truth: Truth) -> list[str]:
    """What a reader must know about how the codes were used."""
    out = []
    if truth.n_coded == 0:
        out.append("No hand codes: every interval covers sampling error only and takes the classifier to be right. "
                   "Fix: draw a sample with `heard sample`, code it (`heard code`), then estimate again.")
    elif truth.n_coded < MIN_CODED:
        out.append(f"Only {truth.n_coded} coded posts (fewer than {MIN_CODED}): the figures are the model's own.")
    if truth.undrawn:
        out.append(f"{truth.undrawn} coded posts were not drawn by `heard sample`; they are treated as a simple "
                   "random sample of the corpus.")
    if truth.unlabelled:
        out.append(f"{truth.unlabelled} coded posts have no label from {truth.model} and are left out.")
    return out
