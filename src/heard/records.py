"""Records that cross module boundaries: posts, units and labels.

Example:
    >>> p = Post(id="t1", text="me too", platform="jsonl")
    >>> p.thread_root is None
    True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, get_args

Act = Literal["testimony", "solidarity", "accountability", "pushback", "derailing", "silencing", "disbelief", "other"]
"""What a unit does (CODEBOOK.md, ``act``)."""
Stance = Literal["support", "oppose", "neutral"]
"""Toward survivors speaking out and the movement (``stance``)."""
Voice = Literal["own", "quoted"]
"""The author's own words, or someone else's reproduced (``voice``)."""
Frame = Literal["whatabout", "not_all_men", "false_equivalence", "universalising", "recentring"]
"""How a derail derails (``frame``, only for ``derailing``)."""
Discloser = Literal["woman", "man", "other", "unstated"]
"""Who discloses, from the text's own words (``discloser``, only for ``testimony``)."""
Centre = Literal["women", "men", "male_survivors", "survivors", "perpetrators", "system"]
"""Whom a unit is about (``centres``, zero or more)."""

ACTS: tuple[Act, ...] = get_args(Act)
"""The eight acts, in the codebook's order."""

PRECEDENCE: tuple[Act, ...] = (
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

STANCES: tuple[Stance, ...] = get_args(Stance)
VOICES: tuple[Voice, ...] = get_args(Voice)
FRAMES: tuple[Frame, ...] = get_args(Frame)
DISCLOSERS: tuple[Discloser, ...] = get_args(Discloser)
CENTRES: tuple[Centre, ...] = get_args(Centre)
SUPPORTIVE_ACTS: frozenset[Act] = frozenset({"solidarity", "pushback"})
HOSTILE_ACTS: frozenset[Act] = frozenset({"derailing", "silencing", "disbelief"})


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
    voice: Voice
    start: int
    end: int
    hash: str


@dataclass(frozen=True)
class Label:
    """What a unit does, by the codebook, with the act probabilities."""

    act: Act
    stance: Stance
    abusive: bool
    voice: Voice
    frame: Frame | None
    discloser: Discloser | None
    centres: tuple[Centre, ...]
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
