"""Reply trees as arrays: roots, depths, cycles cut and orphans attached.

A reply tree is given by one array of parent positions (``-1`` for a root).
Everything here is whole-array numpy work with no recursion, so a chain of
100,000 replies or a million posts costs a few passes over the array:

* **roots and depths** by pointer jumping (each pass doubles how far every
  node has looked up its chain: ``log2(depth)`` passes);
* **cycles** (a parent chain that loops back on itself, which corrupt exports
  produce) are found as the nodes whose chain never reaches a root; each loop
  is cut at its earliest post, which becomes the root of its thread;
* **orphans** (a parent id that is not in the store) are attached to one
  placeholder root per missing parent by :func:`attach_orphans`, so replies
  to the same missing post stay together as one thread.

Example:
    >>> import numpy as np
    >>> forest = build_forest(np.array([-1, 0, 1, 3]))   # post 3 replies to itself
    >>> forest.root.tolist(), forest.depth.tolist(), forest.cycles_cut
    ([0, 0, 0, 3], [0, 1, 2, 0], 1)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Forest:
    """Reply trees over ``N`` nodes (posts first, then placeholder roots).

    Attributes:
        parent: parent position per node after cycles were cut (``-1`` for roots).
        root: position of each node's thread root.
        depth: replies between the node and its root (0 for roots).
        cycles_cut: loops found in the parent links (each cut at its earliest post).
        posts_in_cycles: posts that sat on such a loop.
    """

    parent: np.ndarray
    root: np.ndarray
    depth: np.ndarray
    cycles_cut: int
    posts_in_cycles: int

    @property
    def size(self) -> int:
        """Number of nodes, placeholders included."""
        return int(self.parent.shape[0])


@dataclass(frozen=True)
class ThreadStats:
    """What the thread builder found in a corpus.

    Attributes:
        posts: posts in the store.
        threads: reply trees (a post without replies is a thread of one).
        threads_with_replies: trees with at least one reply.
        largest_thread: posts in the biggest tree.
        max_depth: longest chain of replies below a root.
        orphans: posts whose parent id is not in the store.
        placeholder_roots: missing parents the orphans were attached to (one per id).
        cycles_cut: loops in the parent links, each cut at its earliest post.
        posts_in_cycles: posts that sat on such a loop.
    """

    posts: int
    threads: int
    threads_with_replies: int
    largest_thread: int
    max_depth: int
    orphans: int
    placeholder_roots: int
    cycles_cut: int
    posts_in_cycles: int


def attach_orphans(parent: np.ndarray, missing: np.ndarray, placeholders: int) -> np.ndarray:
    """Point each orphan at its placeholder root, appended after the posts.

    Args:
        parent: parent position per post (``-1`` for roots and for orphans).
        missing: for an orphan, the number (``0..placeholders-1``) of its
            missing parent id; ``-1`` for every other post.
        placeholders: how many distinct missing parent ids there are.

    Returns:
        The parent array over posts plus ``placeholders`` new roots.

    Example:
        >>> attach_orphans(np.array([-1, -1, -1]), np.array([-1, 0, 0]), 1).tolist()
        [-1, 3, 3, -1]
    """
    n = parent.shape[0]
    out = np.full(n + placeholders, -1, dtype=np.int64)
    out[:n] = parent
    orphan = missing >= 0
    out[:n][orphan] = n + missing[orphan]
    return out


def _jump_bound(n: int) -> int:
    # After 2**k >= n jumps every chain has reached its root or entered its loop.
    return max(1, math.ceil(math.log2(max(n, 2)))) + 1


def _cut_cycles(parent: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Cut every loop in ``parent`` at its lowest position; return (parent, loops, nodes on loops)."""
    n = parent.shape[0]
    nodes = np.arange(n, dtype=np.int64)
    anc = np.where(parent >= 0, parent, nodes)
    for _ in range(_jump_bound(n)):
        nxt = anc[anc]
        if np.array_equal(nxt, anc):
            break
        anc = nxt
    stuck = parent[anc] >= 0  # the chain ends on a node that still has a parent: a loop
    if not stuck.any():
        return parent, 0, 0
    # Jumping is a bijection on a loop, so the nodes reached are exactly the loop nodes.
    on_loop = np.unique(anc[stuck])
    position = np.full(n, -1, dtype=np.int64)
    position[on_loop] = np.arange(on_loop.shape[0])
    step = position[parent[on_loop]]
    lowest = on_loop.copy()
    for _ in range(_jump_bound(on_loop.shape[0])):
        lowest = np.minimum(lowest, lowest[step])
        step = step[step]
    cut = on_loop[lowest == on_loop]
    fixed = parent.copy()
    fixed[cut] = -1
    return fixed, int(cut.shape[0]), int(on_loop.shape[0])


def build_forest(parent: np.ndarray) -> Forest:
    """Roots and depths for the reply trees given by ``parent``, loops cut.

    Args:
        parent: parent position per node, ``-1`` for a root. Positions should
            follow time (earliest first) so that a loop is cut at its earliest post.

    Returns:
        A :class:`Forest`.

    Example:
        >>> f = build_forest(np.array([1, 2, 0, -1, 3]))   # 0 -> 1 -> 2 -> 0 loops
        >>> f.root.tolist(), f.cycles_cut, f.posts_in_cycles
        ([0, 0, 0, 3, 3], 1, 3)
    """
    parent = np.asarray(parent, dtype=np.int64)
    n = parent.shape[0]
    parent, loops, on_loops = _cut_cycles(parent)
    nodes = np.arange(n, dtype=np.int64)
    anc = np.where(parent >= 0, parent, nodes)
    dist = (parent >= 0).astype(np.int64)
    # List ranking: dist[i] is the number of links from i to anc[i]; each pass doubles it.
    while True:
        nxt = anc[anc]
        if np.array_equal(nxt, anc):
            break
        dist = dist + dist[anc]
        anc = nxt
    return Forest(parent=parent, root=anc, depth=dist.astype(np.int32), cycles_cut=loops, posts_in_cycles=on_loops)


def subtree_sums(forest: Forest, values: np.ndarray) -> np.ndarray:
    """Sum ``values`` (one row per node) over each node's whole subtree, itself included.

    Works bottom-up one depth level at a time with sorted segment sums, so the
    cost is one pass over the nodes plus a few numpy calls per level.

    Args:
        forest: the trees.
        values: array of shape ``(N,)`` or ``(N, k)``.

    Returns:
        Array of the same shape: totals over each subtree (integers at least 32-bit, so
        0/1 flags may come in as ``int8``).

    Example:
        >>> f = build_forest(np.array([-1, 0, 0, 1]))
        >>> subtree_sums(f, np.ones(4, dtype=np.int64)).tolist()
        [4, 2, 1, 1]
    """
    totals = np.array(values, dtype=np.result_type(values.dtype, np.int32), copy=True)
    has_parent = forest.parent >= 0
    if not has_parent.any():
        return totals
    # Deepest level first; within a level, children of one parent sit together.
    order = np.lexsort((forest.parent, -forest.depth.astype(np.int64)))
    order = order[has_parent[order]]
    depth_sorted = forest.depth[order]
    # Level boundaries in the (descending) depth order.
    breaks = np.flatnonzero(np.diff(depth_sorted)) + 1
    starts = np.concatenate(([0], breaks))
    ends = np.concatenate((breaks, [order.shape[0]]))
    for start, end in zip(starts.tolist(), ends.tolist()):
        level = order[start:end]
        parents = forest.parent[level]
        if level.shape[0] == 1:
            totals[parents[0]] += totals[level[0]]
            continue
        first = np.concatenate(([0], np.flatnonzero(np.diff(parents)) + 1))
        sums = np.add.reduceat(totals[level], first, axis=0)
        totals[parents[first]] += sums
    return totals
