"""Token buckets on a simulated clock: a burst never exceeds the per-minute budget in any window."""

from __future__ import annotations

import bisect

import pytest

from nutrition.ratelimit import RateLimited, TokenBucket, bucket_for, reset_buckets


class Clock:
    def __init__(self):
        self.t = 0.0

    def now(self):
        return self.t

    def sleep(self, s):
        self.t += s


def _max_in_window(stamps, window=60.0):
    return max(bisect.bisect_right(stamps, s + window) - i for i, s in enumerate(stamps))


@pytest.mark.parametrize(("budget", "published"), [(80, 100), (8, 10)])
def test_burst_of_200_stays_under_the_published_limit(budget, published):
    reset_buckets()
    clock = Clock()
    template = bucket_for("http://x", "k", budget)
    bucket = TokenBucket(template.per_minute, template.capacity, clock=clock.now, sleep=clock.sleep)
    stamps = []
    for _ in range(200):
        bucket.acquire(max_wait_s=1e9)
        stamps.append(clock.t)
    assert bucket.max_per_minute == budget
    assert _max_in_window(stamps) <= budget < published


def test_short_wait_raises_with_the_time_to_wait():
    clock = Clock()
    bucket = TokenBucket(60, 2, clock=clock.now, sleep=clock.sleep)
    bucket.acquire(0)
    bucket.acquire(0)
    with pytest.raises(RateLimited) as e:
        bucket.acquire(0.5)
    assert e.value.retry_in_s == pytest.approx(1.0)
    assert "paused" in str(e.value)


def test_pause_after_429_blocks_then_resumes():
    clock = Clock()
    bucket = TokenBucket(60, 5, clock=clock.now, sleep=clock.sleep)
    bucket.pause(30)
    assert bucket.try_acquire() == pytest.approx(31.0)  # the pause, then one token's refill
    clock.t = 31.0
    assert bucket.try_acquire() == 0.0


def test_buckets_are_shared_per_server_and_kind():
    reset_buckets()
    assert bucket_for("http://a", "product", 80) is bucket_for("http://a", "product", 80)
    assert bucket_for("http://a", "product", 80) is not bucket_for("http://a", "search", 8)
    assert bucket_for("http://b", "product", 80) is not bucket_for("http://a", "product", 80)
