"""The report's numbers as one JSON-ready dict (``heard report --format json``).

Everything the HTML says is here, except example posts: corpus and thread
counts, acts, reception per discloser group, the timeline, the backlash
onset, frames, cues, "what about" phrases, the three claims, and the
thresholds they were measured with. Times are ISO 8601 UTC strings;
undefined numbers are ``null``.

Example:
    >>> numbers = report_numbers(store)                      # doctest: +SKIP
    >>> numbers["claims"][0]["question"]                     # doctest: +SKIP
    "Are men's testimonies met with more silencing than women's?"
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

import numpy as np

from heard import threads
from heard.estimate.report import Correction, correct
from heard.intervals import DRAWS, LEVEL, SEED
from heard.records import ACTS, STANCES
from heard.report.claims import claim_texts
from heard.store import Store
from heard.threads.analysis import Findings, analyse
from heard.threads.derailing import MIN_PHRASE_POSTS
from heard.threads.timeline import BIN_WIDTHS, MAX_BINS, to_datetime

SCHEMA = 1
"""Version of this dict's layout; bumped when a key changes meaning."""


def _time(value: datetime | None) -> str | None:
    return value.isoformat() + "Z" if value is not None else None


def thresholds() -> dict[str, Any]:
    """Every threshold and setting the numbers depend on."""
    return {
        "onset_threshold": threads.ONSET_THRESHOLD,
        "onset_min_posts": threads.ONSET_MIN_POSTS,
        "min_testimonies_per_group": threads.MIN_TESTIMONIES,
        "min_derails": threads.MIN_DERAILS,
        "min_threads_per_group": threads.MIN_THREADS,
        "min_phrase_posts": MIN_PHRASE_POSTS,
        "bootstrap_draws": DRAWS,
        "interval_level": LEVEL,
        "bootstrap_seed": SEED,
        "bin_widths": [name for name, _ in BIN_WIDTHS],
        "max_bins": MAX_BINS,
    }


def _timeline(findings: Findings) -> dict[str, Any]:
    tl = findings.timeline
    names = list(ACTS) + ["unlabelled"]
    bins = []
    labelled = tl.labelled
    for i, start in enumerate(np.datetime_as_string(tl.starts, unit="s").tolist()):
        bins.append({
            "start": start + "Z",
            "acts": {names[j]: int(tl.acts[i, j]) for j in range(len(names))},
            "stances": {s: int(tl.stances[i, j]) for j, s in enumerate(STANCES)},
            "labelled": int(labelled[i]),
            "hostile": int(tl.hostile[i]),
            "supportive": int(tl.supportive[i]),
        })
    return {"unit": tl.unit, "undated_posts": tl.undated, "bins": bins}


def numbers_from(findings: Findings, correction: Correction | None = None) -> dict[str, Any]:
    """The JSON-ready numbers of ``findings`` (see the module docs); ``correction``: the
    classifier-error part (hand codes, agreement, corrected shares), ``None`` when not measured."""
    corpus = findings.corpus
    dated = corpus.time[: corpus.posts]
    dated = dated[np.isfinite(dated)]
    onset = findings.onset
    return {
        "schema": SCHEMA,
        "model": findings.model,
        "corpus": {
            "posts": corpus.posts,
            "texts_read": findings.texts,
            "labelled_posts": int((corpus.act[: corpus.posts] >= 0).sum()),
            "dated_posts": int(dated.size),
            "first_post": _time(to_datetime(float(dated.min()))) if dated.size else None,
            "last_post": _time(to_datetime(float(dated.max()))) if dated.size else None,
        },
        "threads": asdict(corpus.stats),
        "acts": dict(findings.acts),
        "reception": [
            {
                "discloser": g.discloser, "testimonies": g.testimonies, "answered": g.answered, "replies": g.replies,
                "enough_data": g.enough_data,
                **{name: getattr(g, name).to_dict() for name in (
                    "supportive", "hostile", "silencing", "derailing", "disbelief", "abusive", "any_hostile",
                    "any_silencing", "hours_to_supportive", "hours_to_hostile")},
            }
            for g in findings.groups
        ],
        "timeline": _timeline(findings),
        "backlash_onset": {
            "threshold": onset.threshold, "min_posts": onset.min_posts,
            "first_testimony": _time(onset.first_testimony), "bin_start": _time(onset.bin_start),
            "at": _time(onset.at), "hours_after_first_testimony": onset.hours_after_first_testimony,
            "hostile_share": onset.hostile_share, "bin_posts": onset.bin_posts,
        },
        "frames": {
            "derails": findings.frames.derails, "threads": findings.frames.threads,
            "centres_men": findings.frames.centres_men.to_dict(),
            "counts": [{"frame": c.frame, "posts": c.posts, "share": c.share.to_dict()} for c in findings.frames.counts],
        },
        "cues": [{"cue": c.label, "kind": c.kind, "posts": c.posts, "derailing": c.derailing,
                  "first_seen": _time(c.first_seen)} for c in findings.cues],
        "what_about": [{"phrase": p.phrase, "posts": p.posts, "derailing": p.derailing} for p in findings.phrases],
        "claims": [c.to_dict() for c in claim_texts(findings.claims)],
        "thresholds": thresholds(),
        "classifier_error": correction.to_dict() if correction is not None else {
            "n_coded": 0, "includes_classifier_error": False, "claims": {},
            "notes": ["No hand codes: every interval covers sampling error only. Fix: `heard sample`, code, report again."]},
    }


def report_numbers(store: Store, model: str | None = None) -> dict[str, Any]:
    """Measure ``store`` and return the report's numbers as a JSON-ready dict.

    Args:
        store: an open store (read-only is enough).
        model: label model; default: the one with most post labels.

    Raises:
        StoreError: the store has no posts or no labels.
        StoreError: ``model`` has no labels in the store.
    """
    findings = analyse(store, model)
    return numbers_from(findings, correct(store, findings))
