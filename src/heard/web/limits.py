"""A per-client token bucket: ``rate`` requests a second on average, bursts up to ``burst``.

Example:
    >>> bucket = RateLimiter(rate=1.0, burst=2, clock=lambda: 0.0)
    >>> [bucket.take("a") for _ in range(3)]
    [0.0, 0.0, 1.0]
    >>> bucket.take("b")
    0.0
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_CLIENTS = 10_000
"""Buckets kept at most; full buckets are forgotten first, so memory stays bounded under many clients."""


@dataclass(frozen=True)
class Limits:
    """The server's limits.

    Attributes:
        rate: ``/v1`` requests per second each client may make on average (0: no limit).
        burst: requests a client may make at once before the rate applies.
        max_body: largest request body in bytes.
        max_posts: most posts in one ``POST /v1/classify``.
        max_explain: most posts in one ``POST /v1/classify?explain=true``.
        max_text: most characters in one post text (``heard classify``'s limit per line).
        max_waiting: classification requests that may wait for the classifier before new ones get 429.
        max_page: most posts in one page of ``GET /v1/posts``.
    """

    rate: float = 30.0
    burst: int = 60
    max_body: int = 10_000_000
    max_posts: int = 1_000
    max_explain: int = 1_000
    max_text: int = 100_000
    max_waiting: int = 32
    max_page: int = 500


class RateLimiter:
    """Token buckets by client key; thread-safe.

    Args:
        rate: tokens added per second.
        burst: bucket size.
        clock: monotonic seconds (for tests).
    """

    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """Take one token for ``client``: 0.0 when allowed, else the seconds until a token is free."""
        if self.rate <= 0:
            return 0.0
        now = self._clock()
        with self._lock:
            tokens, seen = self._buckets.get(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - seen) * self.rate)
            if tokens >= 1.0:
                self._remember(client, tokens - 1.0, now)
                return 0.0
            self._remember(client, tokens, now)
            return (1.0 - tokens) / self.rate

    def _remember(self, client: str, tokens: float, now: float) -> None:
        if client not in self._buckets and len(self._buckets) >= MAX_CLIENTS:
            full = [k for k, (t, s) in self._buckets.items() if t + (now - s) * self.rate >= self.burst]
            for key in full or list(self._buckets)[: MAX_CLIENTS // 10]:
                del self._buckets[key]
        self._buckets[client] = (tokens, now)
