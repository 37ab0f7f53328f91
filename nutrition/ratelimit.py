"""Client-side token buckets that keep Open Food Facts calls under the published limits.

OFF allows 100 product reads and 10 searches per minute per client and may ban an IP that exceeds
them. A bucket of capacity C refilled at r per second lets through at most C + 60·r calls in any
60-second window, so the defaults (capacity 10 + 70/min for products, 1 + 7/min for searches) stay
below 100 and 10 even under a burst. Callers wait up to `max_wait_s` for a token, then get a clear
"try again in N s" instead of a call. A 429 or 503 from the server empties the bucket and pauses it
for the Retry-After the server asked for.

The buckets live in process memory, one per (base URL, kind): the app runs one web process today;
several processes would each need a share of the budget (or a shared store).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

_EPS = 1e-9  # float refills land a hair under 1 token after an exact wait


class RateLimited(Exception):
    """No token within the allowed wait; `retry_in_s` says when one will be free."""

    def __init__(self, kind: str, retry_in_s: float):
        self.kind = kind
        self.retry_in_s = retry_in_s
        super().__init__(
            f"Open Food Facts {kind} lookups are paused for {retry_in_s:.0f} s to stay under their rate limit."
        )


@dataclass
class TokenBucket:
    """`capacity` tokens, refilled continuously at `per_minute` / 60 per second."""

    per_minute: float
    capacity: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _tokens: float = field(init=False)
    _stamp: float = field(init=False)
    _paused_until: float = field(init=False, default=0.0)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.per_minute <= 0 or self.capacity < 1:
            raise ValueError("A bucket needs a positive rate and room for at least one token.")
        self._tokens = self.capacity
        self._stamp = self.clock()

    @property
    def max_per_minute(self) -> float:
        """The most calls any 60-second window can see: the burst plus a minute of refill."""
        return self.capacity + self.per_minute

    def _refill(self, now: float) -> None:
        start = max(self._stamp, self._paused_until)  # nothing accumulates during a pause
        if now > start:
            self._tokens = min(self.capacity, self._tokens + (now - start) * self.per_minute / 60.0)
        self._stamp = max(now, self._stamp)

    def _wait_needed(self, now: float) -> float:
        if self._tokens >= 1 - _EPS and now >= self._paused_until:
            return 0.0
        resume = max(now, self._paused_until)
        return (resume - now) + max(0.0, 1 - self._tokens) * 60.0 / self.per_minute

    def try_acquire(self) -> float:
        """Take a token now and return 0, or return the seconds until one is free (nothing taken)."""
        with self._lock:
            now = self.clock()
            self._refill(now)
            wait = self._wait_needed(now)
            if wait <= 0:
                self._tokens -= 1
            return wait

    def acquire(self, max_wait_s: float, kind: str = "product") -> None:
        """Take a token, waiting up to `max_wait_s`; raises RateLimited when that is not enough."""
        deadline = self.clock() + max_wait_s
        while True:
            wait = self.try_acquire()
            if wait <= 0:
                return
            if self.clock() + wait > deadline:
                raise RateLimited(kind, wait)
            self.sleep(min(wait, max(0.0, deadline - self.clock())))

    def pause(self, seconds: float) -> None:
        """The server said slow down: no calls for `seconds`, and start again from an empty bucket."""
        with self._lock:
            now = self.clock()
            self._paused_until = max(self._paused_until, now + seconds)
            self._tokens = 0.0
            self._stamp = now


_BUCKETS: dict[tuple[str, str], TokenBucket] = {}
_BUCKETS_LOCK = threading.Lock()


def bucket_for(base_url: str, kind: str, per_minute: float) -> TokenBucket:
    """The shared bucket for one server and kind ('product' or 'search'), created on first use."""
    per_minute = float(per_minute)
    capacity = max(1.0, min(10.0, per_minute // 8))
    with _BUCKETS_LOCK:
        bucket = _BUCKETS.get((base_url, kind))
        if bucket is None or bucket.per_minute != per_minute - capacity:
            bucket = TokenBucket(per_minute=per_minute - capacity, capacity=capacity)
            _BUCKETS[(base_url, kind)] = bucket
        return bucket


def reset_buckets() -> None:
    """Forget all buckets (tests that need a fresh budget)."""
    with _BUCKETS_LOCK:
        _BUCKETS.clear()
