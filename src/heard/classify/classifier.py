"""The classifier: encoder + heads -> codebook labels for units and whole posts.

Example:
    >>> clf = Classifier.load()                                   # doctest: +SKIP
    >>> clf.label_posts(["Me too. I was fourteen."])[0].act       # doctest: +SKIP
    'testimony'
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar, cast

import numpy as np

from heard.classify import cues
from heard.classify.heads import Example, Heads
from heard.classify.posts import post_label
from heard.encode import Encoder, load_encoder
from heard.encode.load import bundled_encoder_for
from heard.errors import ModelError
from heard.records import ACTS, Act, Centre, Discloser, Frame, Label, Stance, Voice
from heard.segment import segment_text
from heard.segment.segmenter import voice_of

log = logging.getLogger(__name__)
T = TypeVar("T")

_CENTRE_THRESHOLD = 0.5
CONTEXT_CHARS = 280
"""How much of a context (parent post, thread title) a ``prepend`` model reads:
its start, so the unit itself is never cut by the encoder's token limit."""
CONTEXT_MODES = ("ignore", "prepend")
# A text with nothing in it says nothing: no model output is needed to know that.
_EMPTY = Label("other", "neutral", False, "own", None, None, (), {a: float(a == "other") for a in ACTS})
POSTS_PER_BATCH = 1024
"""Posts segmented and embedded together: large enough that the encoder's
length-sorted batches waste little padding, 256 measured ~15% slower."""
CACHED_UNITS = 65_536
"""Unit labels a classifier with a batch-independent encoder remembers, so a text
repeated (retweets, copy-paste campaigns) is encoded once per process; about 1 KB each."""


@dataclass(frozen=True)
class Explanation:
    """Why a text got its label: the label, the cues found, the nearest training units."""

    text_chars: int
    label: Label
    cues: tuple[str, ...]
    cue_weights: dict[str, float]
    neighbours: tuple[tuple[float, Example], ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "label": self.label.to_dict(),
            "cues": list(self.cues),
            "cue_weights": {k: round(v, 3) for k, v in self.cue_weights.items()},
            "neighbours": [
                {"similarity": round(s, 3), "text": e.text, "act": e.act, "stance": e.stance, "abusive": e.abusive}
                for s, e in self.neighbours
            ],
        }


class Classifier:
    """Labels units and posts by the codebook.

    Args:
        encoder: sentence encoder (the heads must have been trained on it).
        heads: trained heads.
    """

    def __init__(self, encoder: Encoder, heads: Heads) -> None:
        if encoder.dim != heads.neighbours.shape[1]:
            raise ModelError(
                f"expected an encoder of dimension {heads.neighbours.shape[1]} for these heads "
                f"(trained on {heads.encoder}), found {encoder.name} of dimension {encoder.dim}. "
                "Fix: retrain the heads on this encoder with `heard train --encoder PATH`"
            )
        self.encoder = encoder
        self.heads = heads
        mode = str(heads.training.get("context", "ignore"))
        if mode not in CONTEXT_MODES:
            raise ModelError(f"expected the heads' training.context in {', '.join(CONTEXT_MODES)}, found {mode!r}. "
                             "Fix: retrain the heads with `heard train`")
        self.context_mode = mode
        """How the model reads a post's ``context``: ``ignore`` it (heard's bundled heads:
        measured, it did not help; docs/model.md) or ``prepend`` its start to every unit."""
        # Labels of units seen before, for an encoder that gives a text the same vector
        # whatever its batch mates. With one that does not (dynamic int8 activations),
        # leaving a repeat out of a batch would move its mates' vectors, and labels would
        # change with the mix of texts in a file: every unit is then encoded as it comes.
        self._seen = _LabelCache(CACHED_UNITS) if getattr(encoder, "batch_independent", False) else None

    @classmethod
    def load(cls, heads: str | Path | None = None, encoder: str | Path | None = None, *, threads: int | None = None,
             device: str = "cpu") -> Classifier:
        """The bundled classifier, or one from the given folders.

        Without ``encoder``, the bundled encoder the heads were trained on is
        used (the tuned one for heard's own heads). ``threads`` and ``device``
        go to :func:`heard.encode.load_encoder`.

        Raises:
            ModelError: no ``encoder`` given and the heads were trained on an
                encoder heard does not bundle.
        """
        loaded = Heads.load(heads)
        if encoder is None:
            encoder = bundled_encoder_for(loaded.encoder)
            if encoder is None:
                raise ModelError(
                    f"{heads or 'bundled heads'}: expected heads trained on a bundled encoder, found heads trained "
                    f"on {loaded.encoder}. Fix: pass that encoder's folder (--encoder / Classifier.load(encoder=...))"
                )
        log.info("heads %s loaded from %s", loaded.version, heads or "the bundled folder")
        return cls(load_encoder(encoder, threads=threads, device=device), loaded)

    @property
    def version(self) -> str:
        """Labels in the store are keyed by this: heads and encoder versions together
        (and ``+prepend-context`` for a model that reads contexts)."""
        suffix = "" if self.context_mode == "ignore" else f"+{self.context_mode}-context"
        return f"{self.heads.version}+{self.encoder.name}{suffix}"

    # -- units --------------------------------------------------------------------
    def _finish(self, batch: _Todo, embedding: Future[np.ndarray]) -> list[Label]:
        """Unit labels for ``batch`` once its embeddings are ready.

        The cue patterns are matched while the encoder (outside the GIL) still
        works on the batch."""
        cue_rows = cues.cue_matrix(batch.texts)
        X = Heads.features(embedding.result(), batch.texts, cue_rows)
        head_p = {name: head.predict_proba(X) for name, head in self.heads.heads.items()}
        centre_p = {name: head.predict_proba(X)[:, 1] for name, head in self.heads.centres.items()}
        return [
            self._label_at(i, batch.voices[i], head_p, centre_p) if batch.texts[i].strip() else _EMPTY
            for i in range(len(batch.texts))
        ]

    def label_units(self, texts: Sequence[str], voices: Sequence[Voice] | None = None) -> list[Label]:
        """One label per unit text (no segmentation), in order."""
        if not texts:
            return []
        texts = list(texts)
        voices = list(voices) if voices is not None else [voice_of(t) for t in texts]
        with ThreadPoolExecutor(1, thread_name_prefix="heard-classify") as pool:
            return self._finish(_Todo(texts, voices, [], texts), pool.submit(self.encoder.encode, texts))

    def _label_at(self, i: int, voice: Voice, head_p: dict[str, np.ndarray], centre_p: dict[str, np.ndarray]) -> Label:
        # The heads' classes are codebook values (Heads.load checks the folder was
        # written by heard train), so the casts below narrow str to the Literal types.
        def top(name: str) -> str:
            head = self.heads.heads[name]
            return head.classes[int(head_p[name][i].argmax())]

        act_head = self.heads.heads["act"]
        scores: dict[str, float] = dict.fromkeys(ACTS, 0.0)
        for j, cls in enumerate(act_head.classes):
            scores[cls] = float(head_p["act"][i, j])
        act = cast(Act, top("act"))
        return Label(
            act=act,
            stance=cast(Stance, top("stance")),
            abusive=top("abusive") == "true",
            voice=voice,
            frame=cast(Frame, top("frame")) if act == "derailing" and "frame" in self.heads.heads else None,
            discloser=cast(Discloser, top("discloser")) if act == "testimony" and "discloser" in self.heads.heads else None,
            centres=tuple(cast(Centre, g) for g, p in centre_p.items() if p[i] >= _CENTRE_THRESHOLD),
            scores=scores,
        )

    # -- posts ----------------------------------------------------------------------
    def label_posts(self, texts: Sequence[str], batch_size: int = POSTS_PER_BATCH,
                    contexts: Sequence[str | None] | None = None) -> list[Label]:
        """One label per post. Each post is segmented as ingest segments it and its
        units' labels become one (:func:`heard.classify.posts.post_label`).
        ``contexts``: see :meth:`iter_labels`, one per text.

        Raises:
            ValueError: ``contexts`` is not as long as ``texts``."""
        if contexts is not None and len(contexts) != len(texts):
            raise ValueError(f"expected one context per text ({len(texts)}), found {len(contexts)}")
        return list(self.iter_labels(texts, batch_size, contexts))

    def iter_labels(self, texts: Iterable[str], batch_size: int = POSTS_PER_BATCH,
                    contexts: Iterable[str | None] | None = None) -> Iterator[Label]:
        """Labels for a stream of posts, in order, as :meth:`label_posts` gives them.

        ``contexts``, one per post (``None`` where there is none), are what each
        post answers: the parent post or the thread's title. The model reads them
        as :attr:`context_mode` says (the start of the context before each unit,
        for ``prepend``; not at all, for ``ignore``).

        Reads ``batch_size`` posts ahead: while the encoder embeds one batch,
        the previous one is finished (cues, heads, combining) and handed out,
        so the cores never wait for Python. Memory holds two batches at most.

        Example:
            >>> clf = Classifier.load()                                            # doctest: +SKIP
            >>> [lb.act for lb in clf.iter_labels(iter(["me too", "not all men"]))]  # doctest: +SKIP
            ['testimony', 'derailing']
        """
        seen = self._seen
        with ThreadPoolExecutor(1, thread_name_prefix="heard-classify") as pool:
            ahead: tuple[_Units, Future[np.ndarray]] | None = None
            reads = contexts is not None and self.context_mode == "prepend"
            posts: Iterable[tuple[str, str | None]] = zip(texts, contexts) if reads and contexts is not None else ((t, None) for t in texts)
            for chunk in _batches(posts, batch_size):
                units = _Units.of([t for t, _ in chunk], seen, [c for _, c in chunk] if reads else None)
                running = pool.submit(self.encoder.encode, units.todo.read)
                if ahead is not None:
                    yield from self._posts(*ahead, seen)
                ahead = (units, running)
            if ahead is not None:
                yield from self._posts(*ahead, seen)

    def _posts(self, units: _Units, embedding: Future[np.ndarray], seen: _LabelCache | None) -> Iterator[Label]:
        """Post labels of a batch: its new units labelled, the rest from ``seen``."""
        new = self._finish(units.todo, embedding) if units.todo.texts else []
        if seen is None:  # every unit was encoded, in order
            return units.posts(new)
        seen.update(zip(units.todo.keys, new))
        known = {**units.known, **dict(zip(units.todo.keys, new))}
        return units.posts([known[key] for key in units.keys])

    # -- explanations -------------------------------------------------------------------
    def explain(self, text: str, k: int = 3) -> Explanation:
        """Label ``text`` and say why: cues present (with their learned weight
        toward the predicted act) and the ``k`` nearest training units."""
        label = self.label_posts([text])[0]
        embedding = self.encoder.encode([text])[0]
        sims = self.heads.neighbours.astype(np.float32) @ embedding
        nearest = np.argsort(-sims)[:k]
        act_head = self.heads.heads["act"]
        col = act_head.classes.index(label.act) if label.act in act_head.classes else 0
        offset = embedding.shape[0]
        found = cues.fired(text)
        weights = {name: float(act_head.weight[offset + cues.NAMES.index(name), col]) for name in found}
        return Explanation(
            len(text),
            label,
            tuple(found),
            weights,
            tuple((float(sims[i]), self.heads.examples[i]) for i in nearest),
        )


@functools.lru_cache(maxsize=1)
def default_classifier() -> Classifier:
    """heard's bundled classifier, loaded once per process."""
    return Classifier.load()


def classify_texts(texts: Iterable[str], classifier: Classifier | None = None) -> list[Label]:
    """One label per text, in order: each text is a post, segmented and labelled as
    ``heard classify`` and ``heard label`` do.

    Args:
        texts: the posts' texts.
        classifier: default: heard's bundled classifier (loaded once per process).

    Example:
        >>> [lb.act for lb in classify_texts(["Me too. I was fourteen.", "Not all men."])]  # doctest: +SKIP
        ['testimony', 'derailing']
    """
    return (classifier or default_classifier()).label_posts(list(texts))


_Key = tuple[str, str, str]
"""(voice, unit text, the context the encoder reads with it)."""
"""(voice, text): a unit's label depends on nothing else."""


class _LabelCache:
    """Unit labels by (voice, text), the oldest forgotten first beyond ``size``."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.labels: dict[_Key, Label] = {}

    def get(self, key: _Key) -> Label | None:
        return self.labels.get(key)

    def update(self, items: Iterable[tuple[_Key, Label]]) -> None:
        for key, label in items:
            self.labels[key] = label
        while len(self.labels) > self.size:
            del self.labels[next(iter(self.labels))]


@dataclass
class _Todo:
    """The distinct units of a batch not labelled before: what the encoder gets."""

    texts: list[str]
    voices: list[Voice]
    keys: list[_Key]
    read: list[str]
    """What the encoder reads: the unit, or the start of its post's context and the unit."""


@dataclass
class _Units:
    """The units of a batch of posts: each unit's key, each post's span of units,
    the distinct new units to label (``todo``) and the labels already known."""

    keys: list[_Key]
    spans: list[tuple[int, int]]
    todo: _Todo
    known: dict[_Key, Label]

    @classmethod
    def of(cls, posts: Sequence[str], seen: _LabelCache | None = None, contexts: Sequence[str | None] | None = None) -> _Units:
        """Units by heard's one segmentation rule (:func:`heard.segment.segment_text`),
        the same that ingest applies. With ``seen``, a unit text repeated in the batch or
        found in ``seen`` is labelled once; without, every unit is labelled in order.
        With ``contexts`` (``prepend`` models), each unit is read after the start of its
        post's context, and a repeat is one only under the same context."""
        batch = cls([], [], _Todo([], [], [], []), {})
        queued: set[_Key] = set()
        for n, text in enumerate(posts):
            units = segment_text(text)
            begin = len(batch.keys)
            context = contexts[n] if contexts is not None else None
            head = " ".join(context.split())[:CONTEXT_CHARS] if context and context.strip() else ""
            for unit in units:
                key = (unit.voice, unit.text, head)
                batch.keys.append(key)
                if seen is not None and (key in queued or key in batch.known):
                    continue
                label = seen.get(key) if seen is not None else None
                if label is not None:
                    batch.known[key] = label
                    continue
                queued.add(key)
                batch.todo.texts.append(unit.text)
                batch.todo.voices.append(unit.voice)
                batch.todo.keys.append(key)
                batch.todo.read.append(f"{head} \u2192 {unit.text}" if head else unit.text)
            batch.spans.append((begin, len(batch.keys)))
        return batch

    def posts(self, labels: list[Label]) -> Iterator[Label]:
        """One label per post from its units' labels."""
        for a, b in self.spans:
            yield post_label(labels[a:b])


def _batches(texts: Iterable[T], size: int) -> Iterator[list[T]]:
    if size < 1:
        raise ValueError(f"batch_size must be at least 1, got {size}")
    batch: list[T] = []
    for text in texts:
        batch.append(text)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
