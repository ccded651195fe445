"""Records that cross module boundaries: posts, units and labels.

Example:
    >>> p = Post(id="t1", text="me too", platform="jsonl")
    >>> p.thread_root is None
    True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

ACTS: tuple[str, ...] = (
    "testimony",
    "solidarity",
    "accountability",
    "pushback",
    "derailing",
    "silencing",
    "disbelief",
    "other",
)
"""The eight acts, in the codebook's order."""

PRECEDENCE: tuple[str, ...] = (
    "testimony",
    "silencing",
    "disbelief",
    "derailing",
    "pushback",
    "accountability",
    "solidarity",
    "other",
)
"""When two acts apply, the earlier one here wins (codebook)."""

STANCES: tuple[str, ...] = ("support", "oppose", "neutral")
VOICES: tuple[str, ...] = ("own", "quoted")
FRAMES: tuple[str, ...] = ("whatabout", "not_all_men", "false_equivalence", "universalising", "recentring")
DISCLOSERS: tuple[str, ...] = ("woman", "man", "other", "unstated")
CENTRES: tuple[str, ...] = ("women", "men", "male_survivors", "survivors", "perpetrators", "system")
SUPPORTIVE_ACTS: frozenset[str] = frozenset({"solidarity", "pushback"})
HOSTILE_ACTS: frozenset[str] = frozenset({"derailing", "silencing", "disbelief"})


@dataclass(frozen=True)
class Post:
    """One post, comment or document as ingested.

    ``author`` is already pseudonymised (keyed hash); ``created_at`` is UTC.
    """

    id: str
    text: str
    platform: str
    author: str | None = None
    created_at: datetime | None = None
    parent_id: str | None = None
    thread_root: str | None = None
    source: str = ""
    meta: str = "{}"


@dataclass(frozen=True)
class Unit:
    """A span of a post that gets one label: the whole short post or one sentence.

    ``hash`` is the content hash of ``text`` that labels are keyed by.
    """

    post_id: str
    seq: int
    text: str
    voice: str
    start: int
    end: int
    hash: str


@dataclass(frozen=True)
class Label:
    """What a unit does, by the codebook, with the act probabilities."""

    act: str
    stance: str
    abusive: bool
    voice: str
    frame: str | None
    discloser: str | None
    centres: tuple[str, ...]
    scores: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        """The classify contract's fields (without ``id``)."""
        return {
            "act": self.act,
            "stance": self.stance,
            "abusive": self.abusive,
            "voice": self.voice,
            "frame": self.frame,
            "discloser": self.discloser,
            "centres": list(self.centres),
            "scores": {k: round(v, 4) for k, v in self.scores.items()},
        }
