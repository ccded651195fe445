"""Cue features: a few dozen phrase patterns the heads see beside the embedding.

Cues are not rules: each is one input feature whose weight is learned from
the training data, and they name *why* a prediction leaned one way when
``heard explain`` shows them.

Example:
    >>> fired("I believe her, but #NotAllMen")
    ['believe', 'not_all_men', 'but_turn', 'hashtag']
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("me_too", re.compile(r"(^|[^\w#])me\s*too\b|#metoo\b")),
    ("first_person_past", re.compile(r"\b(i was|i got|he|she|they)\b.{0,40}\b(raped|assaulted|groped|touched|harass\w*|abused|molested|forced|followed|grabbed|drugged|coerced|stalked)")),
    ("i_never_told", re.compile(r"\b(never told|first time (i'?ve|i have) said|took me \w+ years|i froze|i was (\d+|a kid|a child|young))")),
    # Self-descriptions that state the discloser's gender: "as a man", "I was a twelve-year-old boy",
    # "dad here", "(24M)".
    ("self_male", re.compile(r"\b(as a (man|guy|dude|boy|male)|i'?m a (man|guy|dude|male|father|dad|husband|son|brother)\b"
                             r"|i was a ([\w-]+ ){0,2}(boy|man|lad)\b|(guy|dude|man|dad) here\b|(male|men) survivors?\b)"
                             r"|[\[(]\d{2} ?m[\])]|\b\d{2} ?m here\b")),
    ("self_female", re.compile(r"\b(as a (woman|girl|female)|i'?m a (woman|girl|mother|mom|mum|wife|daughter|sister|grandmother)\b"
                               r"|i was a ([\w-]+ ){0,2}(girl|woman)\b|(girl|woman|gal|mom|mum) here\b)"
                               r"|[\[(]\d{2} ?f[\])]|\b\d{2} ?f here\b")),
    ("self_nonbinary", re.compile(r"\b(non-?binary|enby|agender|genderqueer|genderfluid|trans (man|woman|guy|girl)|i'?m trans|as a trans|they/them)\b")),
    ("believe", re.compile(r"\bi? ?believe (you|her|him|them|survivors)\b|#believe(women|survivors)")),
    ("thanks_support", re.compile(r"\b(thank you for (sharing|speaking)|sending (love|hugs)|you are not alone|you'?re not alone|stand(ing)? with|proud of you|so sorry (this|that) happened|hotline|helpline)\b")),
    ("not_all_men", re.compile(r"not all men|#notallmen|not every (man|guy)|i'?ve never (done|touched|harassed)")),
    ("what_about", re.compile(r"\bwhat about\b|where'?s the (outrage|hashtag)|why (is|isn'?t) (no one|nobody) talking about")),
    ("women_too", re.compile(r"\bwomen (do it|can be|are just as|abuse|rape|lie) |\bmen (have it|suffer) (just as|too)|#(himtoo|mentoo)\b")),
    ("all_lives", re.compile(r"all lives matter|everyone suffers|(human|people) issue,? not a (gender|women'?s)|it happens to everyone")),
    ("afraid_now", re.compile(r"\b(can'?t|cannot) (even )?(talk|hug|compliment|joke)|afraid to (talk|be alone|hire|mentor)|walking on eggshells")),
    ("but_turn", re.compile(r"\b(but|however|although)\b")),
    ("shut_up", re.compile(r"\b(shut up|be quiet|nobody (asked|cares)|sit (this|it) out|log off|stop (whining|crying|complaining|playing the victim)|get over it|man up|grow up|sob story|not about you|attention (seeking|whore)|keep it to yourself)\b")),
    ("ridicule", re.compile(r"\b(whiny|whining|pathetic|fragile|snowflake|drama queen|hysterical|cry ?baby|soft|weak)\b")),
    ("tone", re.compile(r"\b(calm down|stop (screaming|shouting|yelling)|if you (were|was) (nicer|calmer)|tone it down|be civil|when you can be civil"
                        r"|less (angry|hysterical|aggressive|emotional|shrill)|without the (hostility|anger|attitude|shouting)|(ask|said it) nicely)\b")),
    ("lie_claims", re.compile(r"\b(lying|liar|lies|made (it|this) up|false (accusation|claim|allegation)s?|fake|hoax|witch ?hunt|for (attention|money|clout|fame)|book deal|gold ?digg\w*|regret)\b")),
    ("why_didnt", re.compile(r"why (didn'?t|did ?n'?t|did) (she|he|they|you) (report|go to the police|leave|say|wait)|wait(ed)? (\d+|twenty|ten|years)|(what|why) (was she|were you) (wearing|drinking|doing)")),
    ("blame", re.compile(r"\b(asked for it|what (she|you|they) (wore|were wearing)|shouldn'?t have (been|gone|worn)|dressed like|drunk|her (own )?fault"
                         r"|dress(ed)? (modestly|provocatively|like that)|(clothes|outfits?|skirts?) (were|was) (sending|asking|inviting))\b")),
    ("sarcastic_doubt", re.compile(r"\b(what a coincidence|how convenient|conveniently|funny how|suddenly remember\w*|follow the money"
                                   r"|right (as|before|when) (her|his|their) (book|movie|film|podcast|album|campaign|show|tour)|sure,? jan)\b")),
    ("just_flirting", re.compile(r"\b(just (a|flirting|a joke|a compliment)|compliment|harmless (fun|joke))\b")),
    ("bystander", re.compile(r"\b(bystanders?|witness(es)?|if you saw|step in|said nothing|looked away|stayed silent|knew and (did|said) nothing|you knew)\b")),
    ("hypothetical", re.compile(r"\b(hypothetically|if (a|some) (stranger|guy|man|woman|someone) ever|what would (i|you) do if|if (it|that|this) ever happen\w*)\b")),
    ("accountable", re.compile(r"\b(accountab\w*|held responsible|consequences|resign|fired|prosecut\w*|lock (him|them) up|jail|reform|policy|policies|law|funding|ndas?|investigat\w*|systemic|system|culture|patriarchy|institution\w*|complicit|call (out|it out)|speak up|step up)\b")),
    ("talk_about_talk", re.compile(r"\b(derail\w*|silenc\w*|victim[- ]blam\w*|false equivalen\w*|backlash|tone polic\w*|gaslight\w*|whatabout\w*|centering|centring|this is why (people|women|survivors|men) (don'?t|stop|never))\b")),
    ("quote_marks", re.compile(r"[\"\u201c\u201d]|(^|\s)'[^']{4,}'")),
    ("reply_address", re.compile(r"^\s*@\w+|\byou\b")),
    ("news", re.compile(r"\b(reported|according to|said (on|in) a statement|announced|spokes(person|man|woman)|court|lawsuit|charged|allegations?|breaking|survey|study|percent|%)\b")),
    ("hashtag", re.compile(r"#\w+")),
    ("url", re.compile(r"https?://|www\.")),
    ("profanity", re.compile(r"\b(fuck\w*|shit\w*|damn|hell|crap|bloody|wtf)\b")),
    ("insult", re.compile(r"\b(bitch\w*|cunt|whore|slut|idiot|moron|retard\w*|stupid|dumb|loser|pig|scum|trash|garbage|incel|simp|feminazi|creep|piece of shit)\b")),
    ("threat", re.compile(r"\b(kill|die|hang|shoot|beat|rape) (you|her|them|yourself)\b|\bhope (you|she) (get|gets|die)")),
    ("question", re.compile(r"\?\s*$")),
    ("caps", re.compile(r"\b[A-Z]{4,}\b")),
)
_CASED = frozenset({"caps"})
"""Cues that look at the original letters; all others see the lower-cased text."""
"""(name, pattern) for every cue, in feature order."""

NAMES: tuple[str, ...] = tuple(name for name, _ in CUES)

FINGERPRINT: str = hashlib.sha256("\x1f".join(f"{n}={p.pattern}" for n, p in CUES).encode()).hexdigest()[:12]
"""Changes with any cue's name or pattern: heads record it, since their weights fit these exact features."""


def fired(text: str) -> list[str]:
    """Names of the cues present in ``text``, in cue order."""
    lower = text.lower()
    return [name for name, pattern in CUES if pattern.search(text if name in _CASED else lower)]


def cue_matrix(texts: Sequence[str]) -> np.ndarray:
    """A (len(texts), len(CUES)) float32 matrix of 0/1 cue features, plus a length feature.

    The last column is log(1 + words) / 5, so heads can tell a bare "me too"
    from a long account.
    """
    out = np.zeros((len(texts), len(CUES) + 1), dtype=np.float32)
    for row, text in enumerate(texts):
        lower = text.lower()
        for col, (name, pattern) in enumerate(CUES):
            if pattern.search(text if name in _CASED else lower):
                out[row, col] = 1.0
        out[row, -1] = np.log1p(len(text.split())) / 5.0
    return out
