"""Weak supervision: codebook labels derived from public datasets' own labels.

The public sets under ``../shared/data/public`` were labelled for other
questions (sexism, misogyny, counter speech, harassment type). Each has a
mapping below from its labels to the codebook's ``act``, ``stance`` and
``abusive``; a field the source's labels do not determine is ``None`` and
:func:`heard.classify.train.train_heads` leaves that unit out of that head.
``voice`` is ``own``; ``frame``, ``discloser`` and ``centres`` are never
inferred (weak units train the act, stance and abusive heads only).

The texts are read at training time and never written anywhere by heard:
they are not copied into the heads folder (its ``examples.jsonl`` and
``neighbours.npy`` hold heard's own units only) nor into the repository.

Two rules hold for every source:

* **Gold exclusion.** Every row whose ``source:key`` id is in ``exclude_ids``
  (the ids of ``dev.jsonl`` and any other gold file) is dropped, with the key
  written exactly as in those ids; for CONAN a pair is dropped when either its
  hate speech (``conan_hs:``) or its counter narrative (``conan_cn:``) is gold,
  for Hickey a whole row (context, newcomer, reply) when its id is. Texts
  equal to a gold text after normalisation (``exclude_texts``), or containing
  one or contained in one (30 characters or more), are dropped too, whatever
  their source.
* **Topic mask.** ``act`` = ``other`` is only asserted for a text that does not
  touch the codebook's subject (sexual violence, survivors, the movement,
  accusations and belief, telling people to be quiet: :data:`TOPIC`). A sexist
  post about, say, women drivers is ``other`` by the codebook; a sexist post
  about rape accusations may be disbelief, derailing or silencing, which the
  source's label does not tell, so its act is left unknown.

Mappings (``-`` = unknown, left out of that head):

=====================  ===============================================  ============  ========  ========
source (key)            source label                                     act           stance    abusive
=====================  ===============================================  ============  ========  ========
edos (rewire_id)        not sexist                                       other*        neutral*  -
edos                    sexist 1.x threats, 2.x derogation, 3.1 slurs    other*        oppose†   true
edos                    sexist 3.2-3.4, 4.x prejudiced discussion        other*        oppose†   false
ami (id)                misogynous 0                                     other*        neutral*  -
ami                     discredit, dominance, sexual_harassment          other*        oppose†   true
ami                     stereotype                                       other*        oppose†   false
ami                     derailing                                        -             oppose    false
guest (entry_id)        Nonmisogynistic, none of the categories          other*        neutral*  false
guest                   Nonmisogynistic personal attack                  other*        neutral*  true
guest                   Nonmisogynistic counter speech                   -             support   false
guest                   Misogynistic pejorative / personal attack /      other*        oppose†   true
                        threatening treatment
guest                   Misogynistic derogation / disrespectful          other*        oppose†   -
                        treatment
exist (id, English)     non-sexist                                       other*        neutral*  -
exist                   ideological-inequality                           -             oppose    -
exist                   stereotyping-dominance, objectification,         other*        oppose†   -
                        misogyny-non-sexual-violence
exist                   sexual-violence                                  (not used: mixes reports, threats, porn)
safecity (row of        first-person account (me/myself, "I was          testimony     support   false
train.csv;              groped", "my <body part>", "to us")
safecity_dev: and
safecity_test: keys
for the other files)
safecity                no first person at all (third-person report)     other         neutral   false
safecity                first person but only as witness or "my          (not used: ambiguous)
                        friend/daughter", or a subjectless fragment
                        ("Groped by a man on the bus")
hickey24 (id)           context, newcomer and reply texts                other*        -         reply_attack=1: true, else -
conan_hs / conan_cn     Multitarget-CONAN, target WOMEN: hate speech     other*        oppose†   -
(INDEX)
conan                   counter narrative                                pushback if   support   false
                                                                         the HS is
                                                                         about sexual
                                                                         violence,
                                                                         else other
dialoconan              DIALOCONAN, target WOMEN: HS / CN turns          as CONAN      as CONAN  as CONAN
(dialogue-turn)
metooma (key)           oppose_support_label 1 / 0 / -1                  -             support / neutral / oppose
metooma                 hate_speech_label 1                              -             -         true
metooma                 allegation, justification, refutation            (not used: they split across every act)
reddit_gender_2025      (no labels: read only to join heard's codes)     -             -         -
=====================  ===============================================  ============  ========  ========

MeTooMA is not among :data:`WEAK_SOURCES` (see there).

``*``: only when the text does not match :data:`TOPIC`; otherwise ``-``.
``†``: only when the text matches :data:`TOPIC`; otherwise ``-``. Stance is toward survivors
speaking out and the movement; whether sexism that never touches them opposes it is not
something the source's label says (changed 2026-11-26; docs/model.md says what prompted it).

Example:
    >>> units = weak_units(Path("../shared/data/public"), set(), limit_per_source=100)  # doctest: +SKIP
    >>> units[0][0].act, units[0][1]                                                     # doctest: +SKIP
    ('other', 1.0)
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections.abc import Callable, Collection, Iterable, Iterator
from pathlib import Path
from typing import Any

from heard.classify.coded import Coded
from heard.errors import InputError

MAX_CHARS = 600
"""Longer texts are left out: heard segments them into units at prediction
time, and a post-level source label does not say which unit carries it."""

SOURCE_WEIGHTS: dict[str, float] = {
    "edos": 1.0,
    "ami": 1.0,
    "guest": 1.0,
    "exist": 1.0,
    "safecity": 1.0,
    "hickey24": 1.0,
    "conan": 1.0,
    "dialoconan": 1.0,
    "metooma": 1.0,
    "reddit_gender_2025": 1.0,
}
"""Relative trust per source; ``train_heads`` multiplies them by its weak weight."""

_I = re.IGNORECASE

TOPIC = re.compile(
    r"\brap(e|es|ed|ing|ist|ists|ey)\b|sexual(ly)?\s+(assault|harass|abus|violen|misconduct)|harass|assault|molest|grop(e|ed|ing)"
    r"|\babus(e|ed|er|ers|ive)\b|#?\bme\s?too\b|survivor|victim|accus|allegation|alleged|consent|catcall|predator|pervert"
    r"|feminis|feminaz|\bnot all men\b|\bwhat about\b|\bmen (too|as well)\b|believe (her|women|survivors|victims|you)"
    r"|\blie(s|d)?\b|\bliar|\blying\b|false(ly)?\s+(claim|accus|report|allegation|rape)|\bfake\b|attention"
    r"|shut (up|it)|be quiet|\bsilenc|\bwhin(e|y|ing)|hysteric|cry(ing)? wolf|play(s|ing)? the victim"
    r"|\bcops?\b|police|report(ed)? it|stalk|\bcreep",
    _I,
)
"""Texts the codebook's rarer acts are about; for these a source's 'not X' does not make the act ``other``."""

_ME = re.compile(r"\b(me|myself)\b", _I)
_I_WAS = re.compile(
    r"\b(i|we)\s+(was|were|got|had been|have been|felt|am|'m)\s+(\w+\s+){0,3}?"
    r"(touched|groped|harass\w*|follow\w*|stalk\w*|comment\w*|molest\w*|rap\w*|abus\w*|grabbed|teas\w*|flash\w*|"
    r"stared|whistled|catcalled|pinched|ogled|assaulted|misbehaved|chased|called|scared|uncomfortable|eve.?teas\w*)",
    _I,
)
_MY_BODY = re.compile(r"\bmy\s+(body|breasts?|chest|butt|bum|ass|back|hips?|waist|thighs?|legs?|hands?|arms?|shoulders?|hair|dress|clothes|private\w*|bag)\b", _I)
_US = re.compile(r"\b(to|at|with|on|behind|follow\w*|touch\w*|tease\w*|harass\w*)\s+us\b|\bour\s+(dress|bodies|body|clothes)\b", _I)
_SOMEONE_ELSE = re.compile(
    r"\bmy\s+(friend|sister|daughter|mother|mom|cousin|colleague|niece|classmate|neighbou?r|wife|girlfriend|aunt)s?\b|\bi\s+(saw|witnessed|noticed|observed|watched)\b",
    _I,
)
_SUBJECTLESS = re.compile(
    r"^\W*(was\s+|got\s+|been\s+)?(harr?ass?\w*|grop\w*|touch\w*|follow\w*|stalk\w*|molest\w*|comment\w*|stared|teased|"
    r"pinched|flashed|catcalled|whistled|abused|assaulted|rap\w*|eve.?teas\w*)\s+(by|at|upon|on)\b",
    _I,
)
_ANY_FIRST_PERSON = re.compile(r"\b(i|me|my|mine|myself|we|us|our|ours|i'm|i've|i'd|im)\b", _I)
_SV_HS = re.compile(r"\brap(e|es|ed|ing|ist)\b|sexual(ly)?\s+(assault|harass|abus)|harass|assault|abus|#?metoo|victim|consent|accus", _I)


def text_key(text: str) -> str:
    """Lower case, words only: the key for the gold-text exclusion."""
    return " ".join(re.findall(r"\w+", text.lower()))


def _unit(uid: str, text: str, act: str | None, stance: str | None, abusive: bool | None) -> Coded:
    # ``None`` marks a field the source does not determine (see the module docstring);
    # ``train_heads`` skips the unit for that head.
    return Coded(text=text, act=act, stance=stance, abusive=abusive, id=uid)  # type: ignore[arg-type]


def _topic_other(text: str) -> str | None:
    return None if TOPIC.search(text) else "other"


def _topic_neutral(text: str) -> str | None:
    return None if TOPIC.search(text) else "neutral"


def _topic_oppose(text: str) -> str | None:
    # Stance is toward survivors speaking out and the movement (CODEBOOK.md):
    # whether sexism that never touches them opposes it is for the reader to say.
    return "oppose" if TOPIC.search(text) else None


def _rows(path: Path, delimiter: str = ",", encoding: str = "utf-8-sig") -> Iterator[dict[str, str]]:
    csv.field_size_limit(1 << 30)
    try:
        with path.open(newline="", encoding=encoding) as fh:
            yield from csv.DictReader(fh, delimiter=delimiter)
    except UnicodeDecodeError as exc:
        raise InputError(
            str(path), f"expected {encoding} text (the encoding heard knows this public file in)",
            f"found byte 0x{exc.object[exc.start]:02x}, which is not {encoding}",
            "restore the file as published, or leave its folder out of --public",
        ) from None


# -- one reader per source: yields (id, Coded) ---------------------------------------------------
def _edos(root: Path) -> Iterator[Coded]:
    for row in _rows(root / "edos" / "edos_labelled_aggregated.csv"):
        text, vector = row["text"], row["label_vector"]
        uid = f"edos:{row['rewire_id']}"
        if row["label_sexist"] != "sexist":
            yield _unit(uid, text, _topic_other(text), _topic_neutral(text), None)
        else:
            abusive = vector[:1] in ("1", "2") or vector.startswith("3.1")
            yield _unit(uid, text, _topic_other(text), _topic_oppose(text), abusive)


def _ami(root: Path) -> Iterator[Coded]:
    for row in _rows(root / "ami_ibereval2018_en" / "en_AMI_TrainingSet.csv", delimiter=";"):
        text, category = row["tweet"], row["misogyny_category"]
        uid = f"ami:{row['id']}"
        if row["misogynous"] != "1":
            yield _unit(uid, text, _topic_other(text), _topic_neutral(text), None)
        elif category == "derailing":
            # AMI's derailing mixes victim blaming, "women lie" and off-topic slurs: act unknown.
            yield _unit(uid, text, None, "oppose", False)
        elif category == "stereotype":
            yield _unit(uid, text, _topic_other(text), _topic_oppose(text), False)
        else:  # discredit, dominance, sexual_harassment
            yield _unit(uid, text, _topic_other(text), _topic_oppose(text), True)


def _guest(root: Path) -> Iterator[Coded]:
    for row in _rows(root / "online-misogyny-eacl2021" / "final_labels.csv"):
        text, level2, level3 = row["body"], row["level_2"], row["level_3"]
        uid = f"guest:{row['entry_id']}"
        if row["level_1"] == "Nonmisogynistic":
            if level2 == "Counter_speech":
                yield _unit(uid, text, None, "support", False)
            else:
                yield _unit(uid, text, _topic_other(text), _topic_neutral(text), level2 == "Nonmisogynistic_personal_attack")
        elif level2 in ("Misogynistic_pejorative", "Misogynistic_personal_attack") or level3.startswith("Threatening"):
            yield _unit(uid, text, _topic_other(text), _topic_oppose(text), True)
        else:  # Derogation, disrespectful treatment
            yield _unit(uid, text, _topic_other(text), _topic_oppose(text), None)


def _exist(root: Path) -> Iterator[Coded]:
    for name in ("EXIST2021_training.tsv", "EXIST2021_test.tsv"):
        for row in _rows(root / "exist2021" / name, delimiter="\t"):
            if row["language"] != "en":
                continue
            text, task2 = row["text"], row["task2"]
            uid = f"exist:{row['id']}"
            if task2 == "non-sexist":
                yield _unit(uid, text, _topic_other(text), _topic_neutral(text), None)
            elif task2 == "ideological-inequality":
                yield _unit(uid, text, None, "oppose", None)
            elif task2 in ("stereotyping-dominance", "objectification", "misogyny-non-sexual-violence"):
                yield _unit(uid, text, _topic_other(text), _topic_oppose(text), None)
            # sexual-violence: reports, threats and porn spam mixed; not used


def safecity_act(text: str) -> str | None:
    """``testimony`` for a first-person account, ``other`` for a report with no
    first person at all, ``None`` (not used) when the first person is only a
    witness or a relative of the person harassed, or when a subjectless
    fragment ("Groped by a man on the bus") may or may not be the author's own."""
    own = bool(_ME.search(text) or _I_WAS.search(text) or _MY_BODY.search(text) or _US.search(text))
    if own and not _SOMEONE_ELSE.search(text):
        return "testimony"
    if not _ANY_FIRST_PERSON.search(text) and not _SUBJECTLESS.search(text):
        return "other"
    return None


def _safecity(root: Path) -> Iterator[Coded]:
    for split, prefix in (("train", "safecity"), ("dev", "safecity_dev"), ("test", "safecity_test")):
        for index, row in enumerate(_rows(root / "safecity" / "multilabel" / f"{split}.csv")):
            text = row["Description"]
            act = safecity_act(text)
            if act is not None:
                yield _unit(f"{prefix}:{index}", text, act, "support" if act == "testimony" else "neutral", False)


def _hickey24(root: Path) -> Iterator[Coded]:
    for row in _rows(root / "reddit_counterspeech_hickey2024" / "counterspeech_dataset.csv"):
        uid = f"hickey24:{row['id']}"
        for column in ("context", "newcomer", "reply"):
            text = row[column]
            abusive = True if column == "reply" and row["reply_attack"] == "1" else None
            yield _unit(uid, text, _topic_other(text), None, abusive)


def _conan(root: Path) -> Iterator[Coded]:
    for row in _rows(root / "conan" / "Multitarget-CONAN" / "Multitarget-CONAN.csv"):
        if "WOMEN" not in row["TARGET"]:
            continue
        hs, cn, key = row["HATE_SPEECH"], row["COUNTER_NARRATIVE"], row["INDEX"]
        yield _unit(f"conan_hs:{key}", hs, _topic_other(hs), _topic_oppose(hs), None)
        yield _unit(f"conan_cn:{key}", cn, "pushback" if _SV_HS.search(hs) else "other", "support", False)


def _dialoconan(root: Path) -> Iterator[Coded]:
    previous: dict[str, str] = {}
    for row in _rows(root / "conan" / "DIALOCONAN" / "DIALOCONAN.csv"):
        if "WOMEN" not in row["TARGET"]:
            continue
        text, dialogue = row["text"], row["dialogue_id"]
        uid = f"dialoconan:{dialogue}-{row['turn_id']}"
        if row["type"] == "HS":
            previous[dialogue] = text
            yield _unit(uid, text, _topic_other(text), _topic_oppose(text), None)
        else:
            about_sv = bool(_SV_HS.search(previous.get(dialogue, "")))
            yield _unit(uid, text, "pushback" if about_sv else "other", "support", False)


_METOOMA_STANCE = {"1": "support", "-1": "oppose", "0": "neutral"}


def _metooma(root: Path) -> Iterator[Coded]:
    for row in _rows(root / "metooma" / "metooma.csv"):
        text = row["text"]
        abusive = True if row["hate_speech_label"] == "1" else None
        yield _unit(f"metooma:{row['key']}", text, None, _METOOMA_STANCE.get(row["oppose_support_label"]), abusive)


def _reddit_gender(root: Path) -> Iterator[Coded]:
    # No labels of its own: read so that hand codes can be joined to their texts.
    for row in _rows(root / "reddit_gender_2025" / "comments.csv"):
        yield _unit(f"reddit_gender_2025:{row['comment_id']}", row["body"], None, None, None)


READERS: dict[str, Callable[[Path], Iterable[Coded]]] = {
    "edos": _edos,
    "ami": _ami,
    "guest": _guest,
    "exist": _exist,
    "safecity": _safecity,
    "hickey24": _hickey24,
    "conan": _conan,
    "dialoconan": _dialoconan,
    "metooma": _metooma,
    "reddit_gender_2025": _reddit_gender,
}
"""Source name -> reader. A source whose files are missing is skipped."""

WEAK_SOURCES: tuple[str, ...] = ("edos", "ami", "guest", "exist", "safecity", "hickey24", "conan", "dialoconan")
"""Sources whose own labels train by default. MeTooMA's expert labels are read (its
mapping is in the table above) but left out: on the 2,240 MeTooMA tweets heard's coders
coded, its "oppose" tweets were coded oppose 22 times, support 81 and neutral 159, and
its hate-speech tweets abusive 11 times in 205 (``docs/model.md`` has the ablation)."""


_CONTAIN_CHARS = 30


def _contains_gold(key: str, long_gold: list[str]) -> bool:
    """True when ``key`` holds a gold text or a gold text holds ``key`` (both normalised,
    at least 30 characters): catches templated near-copies such as CONAN's."""
    if len(key) < _CONTAIN_CHARS:
        return False
    return any(g in key or key in g for g in long_gold)


def _excluded(uid: str, exclude_ids: Collection[str]) -> bool:
    if uid in exclude_ids:
        return True
    source, _, key = uid.partition(":")
    if source in ("conan_hs", "conan_cn"):  # a pair is gold when either half is
        return f"conan_hs:{key}" in exclude_ids or f"conan_cn:{key}" in exclude_ids
    return False


def weak_units(
    public_dir: Path,
    exclude_ids: set[str],
    limit_per_source: int | None = None,
    *,
    exclude_texts: Collection[str] = (),
    sources: Collection[str] | None = None,
    seed: int = 0,
    stats: dict[str, Any] | None = None,
) -> list[tuple[Coded, float]]:
    """Weakly labelled units from the public datasets, each with its sample weight.

    Args:
        public_dir: the folder holding one sub-folder per public dataset.
        exclude_ids: gold ids (``source:key``) never to train on.
        limit_per_source: keep at most this many units per source (a seeded
            random sample), None for all.
        exclude_texts: gold texts; a unit whose :func:`text_key` equals,
            contains or is contained in one of theirs is dropped too.
        sources: restrict to these source names (default: :data:`WEAK_SOURCES`).
        stats: if given, filled with counts per source (read, excluded, kept, per label).

    Returns:
        ``(unit, weight)`` pairs; fields a source does not determine are ``None``.
    """
    root = Path(public_dir)
    banned_texts = {text_key(t) for t in exclude_texts}
    long_gold = [t for t in banned_texts if len(t) >= _CONTAIN_CHARS]
    seen: set[str] = set()
    out: list[tuple[Coded, float]] = []
    chosen = WEAK_SOURCES if sources is None else sources
    for name, reader in READERS.items():
        if name not in chosen:
            continue
        counts: dict[str, Any] = {"read": 0, "excluded_gold_id": 0, "excluded_gold_text": 0, "too_long_or_empty": 0, "duplicate": 0, "no_label": 0}
        kept: list[Coded] = []
        try:
            for unit in reader(root):
                counts["read"] += 1
                if _excluded(unit.id, exclude_ids):
                    counts["excluded_gold_id"] += 1
                    continue
                text = unit.text.strip()
                if not text or len(text) > MAX_CHARS:
                    counts["too_long_or_empty"] += 1
                    continue
                key = text_key(text)
                if key in banned_texts or _contains_gold(key, long_gold):
                    counts["excluded_gold_text"] += 1
                    continue
                if not key or key in seen:
                    counts["duplicate"] += 1
                    continue
                if unit.act is None and unit.stance is None and unit.abusive is None:
                    counts["no_label"] += 1
                    continue
                seen.add(key)
                kept.append(_unit(unit.id, text, unit.act, unit.stance, unit.abusive))
        except FileNotFoundError:
            counts["missing"] = 1
            kept = []
        if limit_per_source is not None and len(kept) > limit_per_source:
            kept = random.Random(f"{seed}:{name}").sample(kept, limit_per_source)
        counts["kept"] = len(kept)
        for field in ("act", "stance", "abusive"):
            tally: dict[str, int] = {}
            for unit in kept:
                value = json.dumps(getattr(unit, field)) if not isinstance(getattr(unit, field), str) else getattr(unit, field)
                tally[value] = tally.get(value, 0) + 1
            counts[field] = dict(sorted(tally.items()))
        if stats is not None:
            stats[name] = counts
        out.extend((unit, SOURCE_WEIGHTS[name]) for unit in kept)
    return out


def gold_exclusions(folder: Path) -> tuple[set[str], list[str]]:
    """Ids and texts of every gold JSONL file in ``folder`` (e.g. ``../shared/data/labelled``)."""
    ids: set[str] = set()
    texts: list[str] = []
    if folder.is_dir():
        for file in sorted(folder.glob("*.jsonl")):
            with file.open(encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        row = json.loads(line)
                        if row.get("id"):
                            ids.add(str(row["id"]))
                        if isinstance(row.get("text"), str):
                            texts.append(row["text"])
    return ids, texts
