"""Probability samples of posts to hand-code, with each post's inclusion probability.

Uniform (the default): every post has the same chance ``n / N``. Stratified by
the model's predicted act: each act is a stratum, drawn without replacement,
with ``n`` shared in proportion to the square root of the strata's sizes (at
least :data:`MIN_PER_STRATUM` each where the stratum has them), so rare acts
get more posts than a uniform draw would give them; a post's inclusion
probability is ``n_h / N_h`` of its stratum, and estimates weight it by the
inverse, which undoes the oversampling.

Example:
    >>> allocate({"other": 900, "silencing": 100}, 100)
    {'other': 75, 'silencing': 25}
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from heard.errors import InputError, StoreError
from heard.store import Store
from heard.store import codes as code_store
from heard.store.output import output_file

MIN_PER_STRATUM = 10
"""Fewest posts drawn from a stratum (or all of it, when smaller)."""


@dataclass(frozen=True)
class SampleResult:
    """A draw: how many posts, from how many, by stratum, and where they were written."""

    drawn: int
    posts: int
    strata: dict[str, tuple[int, int]]
    output: Path
    seed: int


def allocate(sizes: dict[str, int], n: int) -> dict[str, int]:
    """Share ``n`` draws among strata: in proportion to sqrt(size), at least
    :data:`MIN_PER_STRATUM` where possible, never more than a stratum holds.

    Example:
        >>> allocate({"a": 5, "b": 5}, 20)
        {'a': 5, 'b': 5}
    """
    names = sorted(k for k, v in sizes.items() if v > 0)
    total = sum(sizes[k] for k in names)
    n = min(n, total)
    take = {k: min(sizes[k], MIN_PER_STRATUM, n // max(len(names), 1)) for k in names}
    while sum(take.values()) < n:
        room = [k for k in names if take[k] < sizes[k]]
        root = np.array([np.sqrt(sizes[k]) for k in room])
        target = (n * root / root.sum()) if room else root
        # Give the next draw to the stratum furthest below its square-root share.
        gaps = [target[i] - take[k] for i, k in enumerate(room)]
        take[room[int(np.argmax(gaps))]] += 1
    return take


def draw(ids: list[str], strata: list[str], n: int, seed: int) -> list[code_store.Draw]:
    """Draw ``n`` of ``ids`` (one stratum label each; all the same for uniform), without replacement.

    Example:
        >>> [d.inclusion for d in draw(["a", "b", "c", "d"], ["all"] * 4, 2, seed=0)]
        [0.5, 0.5]
    """
    rng = np.random.default_rng(seed)
    groups: dict[str, list[str]] = {}
    for post_id, stratum in zip(ids, strata):
        groups.setdefault(stratum, []).append(post_id)
    take = allocate({k: len(v) for k, v in groups.items()}, n)
    out = []
    for stratum in sorted(groups):
        members = sorted(groups[stratum])
        k = take.get(stratum, 0)
        for i in sorted(rng.choice(len(members), size=k, replace=False).tolist()):
            out.append(code_store.Draw(members[i], k / len(members), stratum))
    return out


def draw_sample(store: Store, n: int, output: Path, *, seed: int = 0, stratify: str | None = None,
                model: str | None = None) -> SampleResult:
    """Draw ``n`` posts, record their inclusion probabilities in the store (replacing an earlier
    draw) and write them to ``output`` as JSONL ``{"id", "text", "stratum", "inclusion"}``,
    ready for ``heard code`` or another coding tool.

    Raises:
        InputError: ``n`` is not positive, or ``stratify`` is not ``act``.
        ConfigError: ``output`` is a folder, or its folder is missing or cannot be written (checked before the draw).
        StoreError: the store has no posts (or, stratified, no labels).
    """
    from heard.estimate.corrected import pick_model

    if n <= 0:
        raise InputError("-n", "expected a positive number of posts to draw", f"found {n}", "pass -n 300 or another count")
    if stratify not in (None, "act"):
        raise InputError("--stratify", "expected 'act'", f"found {stratify!r}", "pass --stratify act or leave it out")
    output_file(output, "the sample")
    if stratify == "act":
        model = pick_model(store, model)
        labelled, act, _ = code_store.predicted(store, model)
        ids = [str(i) for i in labelled.to_pylist()]
        strata = [str(a) for a in act.tolist()]
    else:
        ids = code_store.all_post_ids(store)
        strata = ["all"] * len(ids)
        model = None
    if not ids:
        raise StoreError("expected a store with posts, found none. Fix: run `heard ingest FILE --db STORE` first")
    draws = draw(ids, strata, n, seed)
    texts = code_store.post_texts(store, [d.post_id for d in draws])
    tmp = output.with_name(output.name + ".part")
    try:
        with tmp.open("w", encoding="utf-8") as fh:
            for d in draws:
                fh.write(json.dumps({"id": d.post_id, "text": texts[d.post_id], "stratum": d.stratum,
                                     "inclusion": round(d.inclusion, 6)}, ensure_ascii=False) + "\n")
        code_store.replace_sample(store, draws, seed=seed, model=model)
        tmp.replace(output)
    finally:
        tmp.unlink(missing_ok=True)
    counts: dict[str, tuple[int, int]] = {}
    for stratum in sorted(set(strata)):
        counts[stratum] = (sum(d.stratum == stratum for d in draws), strata.count(stratum))
    return SampleResult(len(draws), len(ids), counts, output, seed)
