"""Open Food Facts request rate under a burst, counted at a real local HTTP server.

200 product lookups (distinct barcodes, so the cache cannot help) and 20 text searches are fired at
once from 8 threads through `OffClient` (the official SDK behind our token buckets, with the default
budgets: 80 products and 8 searches a minute, against the published 100 and 10). The server records
every request; we report the most requests it saw in any 60-second window. Baseline measured in the
same run: the same burst through the bare SDK, no limiter — what OFF would see without us.

The limited run waits for tokens, so it takes about 2.7 minutes at the real limits:

    uv run python bench/food_off_burst.py [--products 200] [--searches 20]
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from openfoodfacts import API
from support.off_server import OffServer

from nutrition.barcode import check_digit
from nutrition.off import OffClient
from nutrition.ratelimit import reset_buckets

PUBLISHED = {"products": 100, "searches": 10}


def codes(n: int) -> list[str]:
    out = []
    for i in range(n):
        body = f"200{i:09d}"
        out.append(body + str(check_digit(body)))
    return out


def burst(product_calls: list, search_calls: list, threads: int = 8) -> float:
    """Run both kinds at once, each in its own pool (a waiting search must not hold up product lookups)."""
    t0 = time.monotonic()
    with ThreadPoolExecutor(threads) as products, ThreadPoolExecutor(2) as searches:
        futures = [products.submit(c) for c in product_calls] + [searches.submit(c) for c in search_calls]
        for f in futures:
            f.result()
    return time.monotonic() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--products", type=int, default=200)
    ap.add_argument("--searches", type=int, default=20)
    args = ap.parse_args()
    barcodes = codes(args.products)
    rows = []

    with OffServer() as server:  # baseline: the bare SDK, no limiter
        api = API(user_agent="PowerForge/0.1 (bench)", timeout=5, version="v2")
        api.product.base_url = server.base_url
        took = burst(
            [lambda c=c: api.product.get(c, fields=["code"]) for c in barcodes],
            [lambda i=i: api.product.text_search(f"query {i}", page_size=5) for i in range(args.searches)],
        )
        rows.append(("bare SDK (baseline)", server, took))

    reset_buckets()
    with OffServer() as server:
        client = OffClient(base_url=server.base_url, max_wait_s=3600)  # default budgets: 80 and 8 a minute
        took = burst(
            [lambda c=c: client.product(c) for c in barcodes],
            [lambda i=i: client.search(f"query {i}", page_size=5) for i in range(args.searches)],
        )
        rows.append(("OffClient with token buckets", server, took))

    print(
        f"Burst: {args.products} product lookups + {args.searches} searches from 8 + 2 threads, counted at the server\n"
    )
    print("| client                        | duration s | products max/60 s | searches max/60 s | within limits |")
    print("|-------------------------------|------------|-------------------|-------------------|---------------|")
    base_p = rows[0][1].max_per_window("/api/")
    for name, srv, took in rows:
        p = srv.max_per_window("/api/")
        s = srv.max_per_window("/cgi/search.pl")
        ok = p <= PUBLISHED["products"] and s <= PUBLISHED["searches"]
        ratio = f"{p} ({p / base_p:.2f}x)"
        print(f"| {name:29} | {took:10.1f} | {ratio:17} | {s:17d} | {'yes' if ok else 'NO':13} |")
    print(
        f"\nPublished limits: {PUBLISHED['products']} products/min, {PUBLISHED['searches']} searches/min. "
        "Client budgets: products capacity 10 + 70/min refill, searches 1 + 7/min."
    )


if __name__ == "__main__":
    main()
