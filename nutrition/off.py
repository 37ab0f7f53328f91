"""Open Food Facts client: the official SDK, our User-Agent, a ≤ 5 s timeout, client-side rate limits.

Only two calls are made: a product read by barcode (v2, `fields=` to keep the payload small) and a
text search (v1 `search.pl`, never as-you-type). The SDK never retries; neither do we: a failure
becomes `OffUnavailable` with a sentence the person can read, and the caller falls back to the cache.
`base_url` is configurable so tests and self-hosted mirrors point the real SDK at another server.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import requests
from openfoodfacts import API

from nutrition.normalise import FIELDS_WANTED
from nutrition.ratelimit import RateLimited, TokenBucket, bucket_for

MAX_TIMEOUT_S = 5.0


class OffUnavailable(Exception):
    """Open Food Facts could not answer (down, slow, rate-limited, broken reply); message is for people."""


@dataclass
class OffClient:
    base_url: str = "https://world.openfoodfacts.org"
    user_agent: str = "PowerForge/0.1 (self-hosted)"
    timeout_s: float = 5.0
    products_per_min: int = 80
    searches_per_min: int = 8
    max_wait_s: float = 3.0  # how long a chat request may wait for a rate-limit token

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.timeout_s = min(float(self.timeout_s), MAX_TIMEOUT_S)
        self._api = API(user_agent=self.user_agent, timeout=self.timeout_s, version="v2")  # type: ignore[arg-type]
        # The SDK builds https://<country>.openfoodfacts.org; its resource keeps the base as an attribute.
        self._api.product.base_url = self.base_url
        self.products: TokenBucket = bucket_for(self.base_url, "product", self.products_per_min)
        self.searches: TokenBucket = bucket_for(self.base_url, "search", self.searches_per_min)

    @classmethod
    def from_settings(cls, settings: Any, **overrides: Any) -> OffClient:
        values = {
            "base_url": settings.off_base_url,
            "user_agent": settings.off_user_agent,
            "timeout_s": settings.off_timeout_s,
            "products_per_min": settings.off_products_per_min,
            "searches_per_min": settings.off_searches_per_min,
        }
        return cls(**(values | overrides))

    def product(self, code: str) -> dict[str, Any] | None:
        """The product for a normalised barcode, None when OFF does not know it."""
        try:
            self.products.acquire(self.max_wait_s, "product")
        except RateLimited as e:
            raise OffUnavailable(str(e)) from e
        try:
            found = self._api.product.get(code, fields=FIELDS_WANTED)
        except Exception as e:  # the SDK surfaces requests' and json's errors unchanged
            raise self._explain(e, self.products) from e
        if found is not None and not isinstance(found, dict):
            raise OffUnavailable("Open Food Facts sent an answer I can't read.")
        return found

    def search(self, query: str, page_size: int = 10) -> list[dict[str, Any]]:
        """Products matching words (one request; 10/min is the published limit, so never per keystroke)."""
        try:
            self.searches.acquire(self.max_wait_s, "search")
        except RateLimited as e:
            raise OffUnavailable(str(e)) from e
        try:
            payload = self._api.product.text_search(query, page=1, page_size=page_size)
        except Exception as e:
            raise self._explain(e, self.searches) from e
        products = payload.get("products") if isinstance(payload, dict) else None
        return [p for p in products or [] if isinstance(p, dict)]

    def _explain(self, error: Exception, bucket: TokenBucket) -> OffUnavailable:
        if isinstance(error, requests.Timeout):
            return OffUnavailable(f"Open Food Facts didn't answer within {self.timeout_s:g} s.")
        if isinstance(error, requests.ConnectionError):
            return OffUnavailable("Open Food Facts can't be reached right now (no connection).")
        if isinstance(error, requests.HTTPError) and error.response is not None:
            status = error.response.status_code
            if status in (429, 503):
                retry = _retry_after(error.response.headers.get("Retry-After"), 60.0 if status == 429 else 30.0)
                bucket.pause(retry)
                why = "asked us to slow down" if status == 429 else "is temporarily unavailable"
                return OffUnavailable(
                    f"Open Food Facts {why} (HTTP {status}); I'll wait {retry:.0f} s before asking again."
                )
            return OffUnavailable(f"Open Food Facts answered with an error (HTTP {status}).")
        if isinstance(error, (json.JSONDecodeError, requests.JSONDecodeError, ValueError, KeyError, TypeError)):
            return OffUnavailable("Open Food Facts sent a web page instead of data (maintenance?).")
        if isinstance(error, requests.RequestException):
            return OffUnavailable(f"Open Food Facts request failed ({type(error).__name__}).")
        return OffUnavailable(f"Open Food Facts lookup failed ({type(error).__name__}).")


def _retry_after(header: str | None, default: float) -> float:
    try:
        return max(1.0, min(600.0, float(header))) if header else default
    except ValueError:
        return default
