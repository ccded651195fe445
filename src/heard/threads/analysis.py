"""Everything the report measures, in one pass over the store.

Example:
    >>> with Store.open("corpus.duckdb", read_only=True) as store:   # doctest: +SKIP
    ...     findings = analyse(store)
    ...     [c.enough_data for c in findings.claims]
    [True, True, False]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from heard.records import ACTS
from heard.store import Store, reads
from heard.threads.claims import AccountabilityClaim, DerailTimingClaim, SilencingClaim, answer_claims
from heard.threads.corpus import Corpus, load_corpus
from heard.threads.derailing import CueCount, Frames, Phrase, count_cues, derail_frames, what_about_phrases
from heard.threads.reception import GroupReception, ReceptionTable, by_discloser, measure_reception
from heard.threads.timeline import Onset, Timeline, backlash_onset, build_timeline


@dataclass(frozen=True)
class Findings:
    """What one report says about one store and label model.

    Attributes:
        corpus: posts, trees and labels as arrays.
        acts: labelled posts per act, in ``ACTS`` order.
        reception: per-testimony reception.
        groups: reception per discloser group.
        timeline: posts per time bin.
        onset: the backlash onset.
        frames: derailing frames.
        cues: counter-hashtags and cue phrases.
        phrases: commonest "what about …" continuations.
        claims: the numbers behind claims a, b and c.
        texts: whether post texts were read; without them (labels from Parquet without
            ``--posts``) ``cues`` and ``phrases`` are empty, not zero.
    """

    corpus: Corpus
    acts: tuple[tuple[str, int], ...]
    reception: ReceptionTable
    groups: tuple[GroupReception, ...]
    timeline: Timeline
    onset: Onset
    frames: Frames
    cues: tuple[CueCount, ...]
    phrases: tuple[Phrase, ...]
    claims: tuple[SilencingClaim, DerailTimingClaim, AccountabilityClaim]
    texts: bool = True

    @property
    def model(self) -> str:
        """The label model reported on."""
        return self.corpus.model


def analyse(store: Store, model: str | None = None, progress: Callable[[str], None] | None = None) -> Findings:
    """Build threads, measure reception, the timeline and derailing, and what the claims rest on.

    Args:
        store: an open store (read-only is enough).
        model: label model; default: the one with most post labels.
        progress: called with a short message at each step (never post text).

    Raises:
        StoreError: the store has no posts or no labels.
        StoreError: ``model`` has no labels in the store.
    """
    say = progress or (lambda _message: None)
    say("reading posts and labels")
    corpus = load_corpus(store, model)
    say(f"built {corpus.stats.threads:,} threads from {corpus.posts:,} posts")
    counts = np.bincount(corpus.act[corpus.act >= 0].astype(np.int64), minlength=len(ACTS))
    acts = tuple((a, int(counts[i])) for i, a in enumerate(ACTS))
    say("measuring the reception of testimonies")
    reception = measure_reception(corpus)
    groups = by_discloser(reception)
    say("binning posts over time")
    timeline = build_timeline(corpus)
    onset = backlash_onset(corpus, timeline)
    say("counting derailing frames and cue phrases")
    frames = derail_frames(corpus)
    texts = reads.has_texts(store)
    cues = count_cues(store, corpus.model) if texts else ()
    phrases = what_about_phrases(store, corpus.model) if texts else ()
    say("answering the three claims")
    claims = answer_claims(corpus, reception, groups, frames, onset)
    return Findings(corpus, acts, reception, groups, timeline, onset, frames, cues, phrases, claims, texts)
