"""Synthetic posts for benchmarks: varied lengths and registers, generated from
word lists written here (no real post text)."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path

OPENERS = ["me too", "i believe you", "not all men", "what about", "honestly", "this is why", "as a guy", "breaking:",
           "nobody asked", "why didn't she", "thank you for", "the company said", "lol", "@someone", "we need"]
WORDS = ["she", "he", "they", "it", "was", "at", "work", "school", "party", "night", "coach", "boss",
         "manager", "friend", "uncle", "never", "told", "anyone", "years", "later", "believe", "support",
         "stand", "with", "hashtag", "women", "men", "survivors", "accountability", "police", "report",
         "lie", "attention", "culture", "system", "change", "policy", "fired", "resign", "the", "a", "and",
         "but", "so", "because", "when", "then", "after", "before", "today", "again"]


def post_text(rng: random.Random) -> str:
    """One post: a short reply, a tweet, or now and then a long comment."""
    roll = rng.random()
    length = rng.randint(3, 12) if roll < 0.45 else rng.randint(12, 45) if roll < 0.9 else rng.randint(60, 160)
    words = [rng.choice(OPENERS)] + rng.choices(WORDS, k=length)
    text = " ".join(words)
    if rng.random() < 0.2:
        text += " #MeToo"
    return text[0].upper() + text[1:] + rng.choice([".", "!", "?", "", " 😡", " 💜"])


def posts(n: int, seed: int = 0, thread_size: int = 10) -> Iterator[dict[str, object]]:
    """``n`` posts in threads of ``thread_size`` (root first, replies to earlier posts)."""
    rng = random.Random(seed)
    for i in range(n):
        offset = i % thread_size
        parent = None if offset == 0 else f"p{i - offset + rng.randrange(offset)}"
        yield {
            "id": f"p{i}",
            "text": post_text(rng),
            "author": f"user{rng.randrange(max(1, n // 20))}",
            "created_at": f"2026-03-{1 + (i // 50_000) % 28:02d}T{(i // 2_000) % 24:02d}:{i % 60:02d}:00Z",
            "parent_id": parent,
        }


def write_jsonl(path: Path, n: int, seed: int = 0) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for post in posts(n, seed):
            fh.write(json.dumps(post) + "\n")
    return path
