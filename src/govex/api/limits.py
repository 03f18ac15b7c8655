"""In-memory rate limits: failed authentications per client address and per key id, requests per key.

Fixed windows for failures (a count per key over `window_s`; once at the limit, refused until the
window ends, so `Retry-After` is exact) and a token bucket for request rates. Both live in one
process and are cheap dict reads; tables are pruned of expired entries when they grow, so a flood
of distinct addresses or ids cannot grow memory without bound.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

PRUNE_AT = 10_000


@dataclass(frozen=True)
class LimitSettings:
    """Caps and rates the guard applies before any parsing; 0 disables a rate."""

    max_body_bytes: int = 1 << 20
    max_header_bytes: int = 16 << 10
    max_headers: int = 64
    failures_per_address: int = 20      # failed authentications per client address per window
    failures_per_key: int = 50          # failed authentications per key id per window
    failure_window_s: float = 60.0
    requests_per_key_per_s: float = 0.0  # 0: no per-key request limit


class FailureWindow:
    """At most `limit` failures per key in a fixed window of `window_s` seconds."""

    def __init__(self, limit: int, window_s: float):
        self.limit, self.window_s = limit, window_s
        self._counts: dict[str, list[float]] = {}  # key -> [window start, failures]

    def retry_after(self, key: str, now: float) -> int | None:
        """Seconds until `key` may try again, or None when it is not blocked."""
        entry = self._counts.get(key)
        if self.limit <= 0 or entry is None or now - entry[0] >= self.window_s or entry[1] < self.limit:
            return None
        return max(1, math.ceil(entry[0] + self.window_s - now))

    def fail(self, key: str, now: float) -> None:
        entry = self._counts.get(key)
        if entry is None or now - entry[0] >= self.window_s:
            if len(self._counts) >= PRUNE_AT:
                self._prune(now)
            self._counts[key] = [now, 1]
        else:
            entry[1] += 1

    def _prune(self, now: float) -> None:
        self._counts = {k: v for k, v in self._counts.items() if now - v[0] < self.window_s}
        if len(self._counts) >= PRUNE_AT:  # all live: keep the most recent half rather than grow
            recent = sorted(self._counts.items(), key=lambda kv: kv[1][0])[PRUNE_AT // 2:]
            self._counts = dict(recent)


class TokenBucket:
    """`rate` requests per second per key, with bursts up to one second's worth (at least one request)."""

    def __init__(self, rate: float):
        self.rate, self.capacity = rate, max(1.0, rate)
        self._buckets: dict[str, list[float]] = {}  # key -> [tokens, last refill]

    def retry_after(self, key: str, now: float) -> int | None:
        """Take one token for `key`; None when granted, else whole seconds until the next token."""
        if self.rate <= 0:
            return None
        tokens, last = self._buckets.get(key, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        if tokens >= 1:
            self._buckets[key] = [tokens - 1, now]
            return None
        self._buckets[key] = [tokens, now]
        return max(1, math.ceil((1 - tokens) / self.rate))
