"""Synthetic *labelled* posts as ``heard classify`` writes them with thread columns, for timing
``heard report --parquet`` without labelling millions of posts first (hours on 2 cores).

Post ``i`` goes to part ``i % parts``, so nearly every reply sits in another part than its parent;
a share ``repeat`` of the texts repeats an earlier one. Texts come from word lists written here.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from _synthetic import post_text

ACTS = ("testimony", "solidarity", "accountability", "pushback", "derailing", "silencing", "disbelief", "other")
REPLY_ACTS = np.array([0.03, 0.30, 0.07, 0.05, 0.20, 0.10, 0.10, 0.15])
STANCE = np.array(["support"] * 4 + ["oppose"] * 3 + ["neutral"])
FRAMES = np.array(["whatabout", "not_all_men", "false_equivalence", "universalising", "recentring"])
DISCLOSERS = np.array(["woman", "man", "unstated"])
START = datetime(2026, 3, 1, tzinfo=UTC)


def write_labelled(labels: Path, posts: Path, n: int, parts: int, repeat: float, seed: int = 0) -> None:
    """``n`` labelled posts in ``parts`` files under ``labels`` and their texts (id, text) under ``posts``."""
    rng = np.random.default_rng(seed)
    words = random.Random(seed)
    labels.mkdir(parents=True)
    posts.mkdir(parents=True)
    pool: list[str] = []
    start_us = int(START.timestamp() * 1e6)
    for k in range(parts):
        i = np.arange(k, n, parts, dtype=np.int64)
        m = i.size
        root = (rng.random(m) < 0.25) | (i == 0)
        back = rng.integers(1, 2001, m)
        parent = np.where(root, -1, np.maximum(i - back, 0))
        act = np.where(root, np.where(rng.random(m) < 0.5, 0, 7), rng.choice(8, m, p=REPLY_ACTS))
        names = np.array(ACTS)[act]
        scores = rng.dirichlet(np.ones(8), m) * 0.5
        scores[np.arange(m), act] += 0.5
        centres_of = {0: ["survivors"], 4: ["men"], 1: ["survivors"]}
        centres = [centres_of.get(int(a), []) for a in act]
        ids = np.char.add("p", i.astype(str))
        table = pa.table({
            "id": ids,
            "act": names,
            "stance": STANCE[act],
            "abusive": (rng.random(m) < np.where(act == 5, 0.4, 0.03)),
            "voice": np.full(m, "own"),
            "frame": pa.array(np.where(act == 4, FRAMES[rng.integers(0, 5, m)], None), pa.string()),
            "discloser": pa.array(np.where(act == 0, DISCLOSERS[rng.choice(3, m, p=[0.55, 0.25, 0.2])], None), pa.string()),
            "centres": pa.array(centres, pa.list_(pa.string())),
            "scores": pa.StructArray.from_arrays([np.round(scores[:, j], 4) for j in range(8)], names=list(ACTS)),
            "parent_id": pa.array(np.where(root, None, np.char.add("p", parent.astype(str))), pa.string()),
            "created_at": pa.array(start_us + i * 500_000, pa.timestamp("us", tz="UTC")),
            "author": np.char.add("a_", rng.integers(0, 500_000, m).astype(str)),
        })
        pq.write_table(table, labels / f"part-{k:05d}.parquet", compression="zstd")
        texts = []
        for _ in range(m):
            if pool and words.random() < repeat:
                texts.append(pool[words.randrange(len(pool))])
            else:
                text = post_text(words)
                if len(pool) < 50_000:
                    pool.append(text)
                texts.append(text)
        pq.write_table(pa.table({"id": ids, "text": texts}), posts / f"part-{k:05d}.parquet", compression="zstd")
