"""One thread as a reply tree, with how the replies treated each testimony in it.

:func:`reply_tree` takes the posts of one thread (as
:func:`heard.store.reads.thread_records` reads them) and returns the tree
(each post's children, earliest first) and, for every post labelled
``testimony``, the reception of its **direct replies by other authors**:
counts per act and the supportive and hostile ones, by the same rule as the
report (:class:`heard.threads.corpus.Corpus`): hostile is derailing,
silencing, disbelief, or abusive whatever the act; supportive is solidarity
or pushback, and not abusive.

Example:
    >>> from heard.store.reads import PostRecord
    >>> def post(i, parent, act, author):
    ...     return PostRecord(i, "", author, None, parent, None, "x", act, None, False, None, None, (), None)
    >>> tree = reply_tree([post("t", None, "testimony", "a"), post("r", "t", "derailing", "b")], "t")
    >>> tree.children["t"], tree.reception["t"].hostile
    (['r'], 1)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from heard.records import ACTS, HOSTILE_ACTS, SUPPORTIVE_ACTS
from heard.store.reads import PostRecord


@dataclass(frozen=True)
class Reception:
    """How the direct replies from other authors treated one testimony.

    Attributes:
        replies: direct replies by someone other than the discloser.
        own_replies: the discloser's own direct follow-ups (not reception).
        acts: replies per act (every act present, zeros included); unlabelled replies are not counted.
        supportive: supportive replies.
        hostile: hostile replies.
        abusive: abusive replies.
    """

    replies: int
    own_replies: int
    acts: dict[str, int] = field(default_factory=dict)
    supportive: int = 0
    hostile: int = 0
    abusive: int = 0

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready dict."""
        return {"replies": self.replies, "own_replies": self.own_replies, "acts": dict(self.acts),
                "supportive": self.supportive, "hostile": self.hostile, "abusive": self.abusive}


@dataclass(frozen=True)
class ReplyTree:
    """A thread's posts by id, each one's children (earliest first), and the reception of each testimony.

    Attributes:
        root: the root post id.
        posts: the posts by id.
        children: child ids of each post id (posts without replies are absent).
        reception: the reception of each testimony, by post id.
    """

    root: str
    posts: dict[str, PostRecord]
    children: dict[str, list[str]]
    reception: dict[str, Reception]


def is_hostile(post: PostRecord) -> bool:
    """Derailing, silencing or disbelief, or abusive whatever the act (unlabelled: no)."""
    return post.act is not None and (post.act in HOSTILE_ACTS or bool(post.abusive))


def is_supportive(post: PostRecord) -> bool:
    """Solidarity or pushback, and not abusive."""
    return post.act in SUPPORTIVE_ACTS and not post.abusive


def reply_tree(posts: Sequence[PostRecord], root: str) -> ReplyTree:
    """The reply tree of ``posts`` (in the order given) under ``root``, with each testimony's reception."""
    by_id = {p.id: p for p in posts}
    children: dict[str, list[str]] = {}
    for p in posts:
        if p.parent_id is not None and p.parent_id in by_id and p.id != root:
            children.setdefault(p.parent_id, []).append(p.id)
    reception: dict[str, Reception] = {}
    for p in posts:
        if p.act != "testimony":
            continue
        replies = [by_id[c] for c in children.get(p.id, [])]
        others = [r for r in replies if r.author is None or r.author != p.author]
        labelled = [r for r in others if r.act is not None]
        acts: dict[str, int] = dict.fromkeys(ACTS, 0)
        for r in labelled:
            acts[str(r.act)] += 1
        reception[p.id] = Reception(
            replies=len(others), own_replies=len(replies) - len(others), acts=acts,
            supportive=sum(is_supportive(r) for r in labelled), hostile=sum(is_hostile(r) for r in labelled),
            abusive=sum(bool(r.abusive) for r in labelled),
        )
    return ReplyTree(root, by_id, children, reception)
