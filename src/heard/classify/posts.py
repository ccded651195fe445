"""From unit labels to one post label: the one place heard does it.

``heard classify``, :meth:`Classifier.label_posts` and ``heard label`` (the
store's post labels) all call :func:`post_label`.

Example:
    >>> from heard.records import Label
    >>> own = Label("testimony", "support", False, "own", None, "woman", (), {"testimony": 0.9, "other": 0.1})
    >>> quoted = Label("disbelief", "oppose", False, "quoted", None, None, (), {"disbelief": 0.8, "other": 0.2})
    >>> post_label([own, quoted]).act
    'testimony'
"""

from __future__ import annotations

from collections.abc import Sequence

from heard.records import ACTS, STANCES, Act, Label

ACT_THRESHOLD = 0.5
"""A post of several units takes an act other than ``other`` when some own unit
gives it at least this probability."""


def post_label(units: Sequence[Label]) -> Label:
    """The label of a post from its units' labels, in reading order.

    A post of one unit takes that unit's label; longer posts are combined
    (:func:`combine`).

    Raises:
        ValueError: ``units`` is empty (every post has at least one unit).
    """
    if not units:
        raise ValueError("expected at least one unit label, found none")
    return units[0] if len(units) == 1 else combine(units)


def combine(labels: Sequence[Label]) -> Label:
    """One label for a post from its units' labels.

    Quoted units describe someone else's words, so only the author's own units
    decide (all units when every unit is quoted). For each act the strongest
    unit counts; the post takes the most probable act other than ``other`` when
    some unit gives it at least 0.5, else ``other``. Stance is the mean, abuse
    and centres the union over own units.
    """
    own = [lb for lb in labels if lb.voice == "own"] or list(labels)
    best: dict[Act, float] = {a: max(lb.scores.get(a, 0.0) for lb in own) for a in ACTS}
    candidates: dict[Act, float] = {a: p for a, p in best.items() if a != "other" and p >= ACT_THRESHOLD}
    act: Act = max(candidates, key=lambda a: candidates[a]) if candidates else "other"
    carrier = max(own, key=lambda lb: lb.scores.get(act, 0.0))
    total = sum(best.values()) or 1.0
    stances = [lb.stance for lb in own]
    stance = max(STANCES, key=stances.count)
    return Label(
        act=act,
        stance=stance,
        abusive=any(lb.abusive for lb in own),
        voice="own" if any(lb.voice == "own" for lb in labels) else "quoted",
        frame=carrier.frame if act == "derailing" else None,
        discloser=carrier.discloser if act == "testimony" else None,
        centres=tuple(sorted({c for lb in own for c in lb.centres})),
        scores={a: p / total for a, p in best.items()},
    )
