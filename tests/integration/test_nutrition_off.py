"""Open Food Facts through the real SDK against a real local HTTP server (tests/support/off_server.py):
recorded responses, cache-first lookups, and every failure mode the issue lists (down, 429, 503, an HTML
page with 200, timeout), each answered with a clear message and, when there is one, the cached copy."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import cv2
import numpy as np
import pytest
from support.off_server import OffServer

from agent.tools.base import Attachment, ToolContext, ToolError, load_tools
from nutrition.barcode import render_ean13
from nutrition.off import OffClient, OffUnavailable
from nutrition.products import ProductUnavailable, lookup_barcode
from nutrition.ratelimit import reset_buckets
from powerforge.config import override_settings
from storage import nutrition as repo

pytestmark = pytest.mark.integration

# Our own recorded-style fixtures (shapes of real OFF records): a clean 2025 product, a 2017 drink with
# kJ only and string values, a product without nutrition facts, and one with sugars above carbohydrates.
BREAD = {
    "code": "3029330003533",
    "product_name": "Crousti Moelleux Complet Sans Sucre Ajouté",
    "brands": "Jacquet",
    "quantity": "730 g",
    "serving_size": "60.8 g (1 tranche)",
    "serving_quantity": 60.8,
    "nutrition_data_per": "100g",
    "nutriments": {
        "energy-kcal_100g": 246,
        "energy-kj_100g": 1038,
        "proteins_100g": 9.5,
        "carbohydrates_100g": 41,
        "fat_100g": 3.4,
        "fiber_100g": 6.7,
        "sugars_100g": 3.6,
        "saturated-fat_100g": 0.3,
        "salt_100g": 1.1,
        "sodium_100g": 0.44,
    },
    "ingredients_text": "a large field the client does not ask for",
}
FANTA = {
    "code": "5449000011527",
    "product_name": "Fanta Orange",
    "brands": "Fanta",
    "quantity": "33 cl",
    "serving_size": "330 ml (une boîte)",
    "serving_quantity": 330,
    "nutrition_data_per": "100g",
    "nutriments": {
        "energy_100g": "113",
        "energy_unit": "kcal",
        "carbohydrates_100g": 6.5,
        "sugars_100g": 6.5,
        "proteins_100g": "0",
        "fat_100g": "0",
        "salt_100g": "0",
    },
}
EMPTY = {"code": "96385074", "product_name": "Mystery snack", "nutriments": {}}
ODD = {
    "code": "4006381333931",
    "product_name": "Sweet thing",
    "nutriments": {
        "energy-kcal_100g": "120",
        "carbohydrates_100g": "10,0",
        "sugars_100g": "25",
        "proteins_100g": "1",
        "fat_100g": "0,5",
    },
}


@pytest.fixture
def off(settings):
    reset_buckets()
    server = OffServer()
    for p in (BREAD, FANTA, EMPTY, ODD):
        server.add_product(p)
    server.start()
    s = settings.model_copy(update={"off_base_url": server.base_url, "off_timeout_s": 1.0})
    override_settings(s)
    yield server, s
    server.stop()
    reset_buckets()


def client(s, **kw):
    return OffClient.from_settings(s, **kw)


def test_product_through_the_sdk_with_our_user_agent_and_fields(off):
    server, s = off
    product = client(s).product("3029330003533")
    assert product["product_name"].startswith("Crousti")
    assert "ingredients_text" not in product  # fields= cut the payload
    hit = server.hits[-1]
    assert hit.path == "/api/v2/product/3029330003533"
    assert hit.user_agent == "PowerForge/0.1 (self-hosted)"
    assert "nutriments" in hit.query["fields"][0]
    assert client(s).product("0000000000000") is None


def test_lookup_is_cache_first(off, engine):
    server, s = off
    first = lookup_barcode("3029330003533", s, engine)
    assert first.source == "network" and first.food.per100.kcal == 246
    calls = server.count("/api/")
    second = lookup_barcode("3029330003533", s, engine)
    assert second.source == "cache" and server.count("/api/") == calls
    # UPC-A and EAN-13 spellings share one cache row
    assert lookup_barcode("3029330003533", s, engine).code == "3029330003533"
    assert repo.count_cached_products(engine) == 1


def test_unknown_product_is_remembered_for_a_day(off, engine):
    server, s = off
    assert lookup_barcode("4012345678901", s, engine).food is None
    calls = server.count("/api/")
    assert lookup_barcode("4012345678901", s, engine).food is None
    assert server.count("/api/") == calls
    later = datetime.now(UTC) + timedelta(days=2)
    lookup_barcode("4012345678901", s, engine, now=later)
    assert server.count("/api/") == calls + 1


def test_invalid_check_digit_never_reaches_the_server(off, engine):
    server, s = off
    from nutrition.barcode import BarcodeError

    with pytest.raises(BarcodeError, match="check digit"):
        lookup_barcode("3029330003534", s, engine)
    assert server.count() == 0


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("429", "asked us to slow down (HTTP 429)"),
        ("503", "temporarily unavailable (HTTP 503)"),
        ("html", "web page instead of data"),
        ("garbage", "web page instead of data"),
        ("reset", "can't be reached"),
        ("slow", "didn't answer within 1 s"),
    ],
)
def test_failures_give_a_clear_message_or_the_cached_copy(off, engine, mode, message):
    server, s = off
    fetched = lookup_barcode("5449000011527", s, engine)  # cached while the server is fine
    assert fetched.source == "network"
    server.mode, server.slow_s = mode, 3.0
    stale_time = datetime.now(UTC) + timedelta(days=s.off_cache_days + 1)
    t0 = time.monotonic()
    stale = lookup_barcode("5449000011527", s, engine, now=stale_time)
    assert time.monotonic() - t0 < 2.5  # the timeout holds (1 s here, at most 5 s in production)
    assert stale.source == "stale-cache" and stale.food.name == "Fanta Orange"
    assert message in stale.notes[0] and "copy saved on" in stale.notes[0]
    reset_buckets()  # a 429/503 pauses the bucket; the next check is about the message, not the pause
    with pytest.raises(ProductUnavailable, match="no saved copy"):
        lookup_barcode("3029330003533", s, engine)


def test_server_down(off, engine):
    server, s = off
    server.stop()
    with pytest.raises(ProductUnavailable, match="can't be reached"):
        lookup_barcode("3029330003533", s, engine)


def test_429_pauses_further_calls(off):
    server, s = off
    server.mode, server.retry_after = "429", "30"
    c = client(s, max_wait_s=0.2)
    with pytest.raises(OffUnavailable, match="HTTP 429"):
        c.product("3029330003533")
    server.mode = "ok"
    with pytest.raises(OffUnavailable, match="paused"):
        c.product("3029330003533")
    assert server.count("/api/") == 1  # the pause kept us off the server


def test_a_burst_never_exceeds_the_budget(off):
    server, s = off
    c = client(s, products_per_min=60, max_wait_s=0.3)  # capacity 7, then ~0.9 calls a second
    answered = refused = 0
    for _ in range(20):
        try:
            c.product("3029330003533")
            answered += 1
        except OffUnavailable as e:
            assert "paused" in str(e)
            refused += 1
    assert server.count("/api/") == answered <= c.products.max_per_minute
    assert refused >= 20 - 8


def test_products_normalised_and_flagged(off, engine):
    _server, s = off
    fanta = lookup_barcode("5449000011527", s, engine).food
    assert fanta.basis == "ml" and fanta.per100.kcal == pytest.approx(113 / 4.184)
    assert "kcal_from_kj" in fanta.flags
    empty = lookup_barcode("96385074", s, engine).food
    assert empty.flags == ("no_nutrition_data",) and empty.confidence == 0
    odd = lookup_barcode("4006381333931", s, engine).food
    assert "sugars_above_carbs" in odd.flags and odd.per100.carbs_g == 10.0


def test_search_uses_the_search_endpoint(off):
    server, s = off
    results = client(s).search("fanta")
    assert [p["code"] for p in results] == ["5449000011527"]
    assert server.hits[-1].path == "/cgi/search.pl" and server.hits[-1].query["search_terms"] == ["fanta"]


# --- through the chat tools -----------------------------------------------------------------------------
@pytest.fixture
def ctx(off, engine, account):
    _server, s = off
    return ToolContext(account_id=account.id, settings=s, engine=engine, now=datetime(2026, 11, 24, 12, 30, tzinfo=UTC))


def test_barcode_photo_to_logged_product(ctx, tmp_path):
    tools = load_tools()
    scene = np.full((720, 960, 3), 200, np.uint8)
    code_img = render_ean13("3029330003533", module_px=3, height_px=140)
    scene[250 : 250 + code_img.shape[0], 200 : 200 + code_img.shape[1]] = code_img
    photo = tmp_path / "IMG_0001.jpg"
    cv2.imwrite(str(photo), cv2.GaussianBlur(scene, (3, 3), 0))
    att = Attachment(
        upload_id="u", filename=photo.name, mime="image/jpeg", path=str(photo), size_bytes=photo.stat().st_size
    )
    args = tools["food_barcode"].match("", [att])
    assert args is not None
    ctx.attachments = [att]
    out = tools["food_barcode"].run(ctx, args)
    assert out.data["code"] == "3029330003533" and out.data["found"]
    assert "Jacquet" in out.markdown and "Is this it?" in out.markdown
    assert repo.list_entries(ctx.account_id, ctx.now.date(), engine=ctx.engine) == []
    two = next(a for a in out.actions if a.args["amount"] == "1 serving")
    logged = tools[two.tool].run(ctx, tools[two.tool].args_model(**two.args))
    assert logged.data["logged"][0]["kcal"] == pytest.approx(246 * 0.608, abs=0.01)


def test_barcode_tool_when_off_is_down_and_nothing_is_cached(ctx, off):
    server, _s = off
    server.stop()
    tools = load_tools()
    with pytest.raises(ToolError, match=r"can't be reached.*custom food"):
        tools["food_barcode"].run(ctx, tools["food_barcode"].args_model(code="3029330003533"))


def test_typed_barcode_with_an_amount_offers_it_first(ctx):
    tools = load_tools()
    args = tools["food_barcode"].match("5449000011527 330 ml", [])
    out = tools["food_barcode"].run(ctx, args)
    first = out.actions[0]
    assert first.args["amount"] == "330 ml" and "330 ml" in first.label
    logged = tools["log_food"].run(ctx, tools["log_food"].args_model(**first.args))
    assert logged.data["logged"][0]["quantity"] == 330
    assert logged.data["logged"][0]["kcal"] == pytest.approx(113 / 4.184 * 3.3, abs=0.01)


# --- the recorded real responses (../shared/data/off), served by the same local server ----------------------
def test_recorded_real_products(shared_data, settings, engine):
    reset_buckets()
    server = OffServer()
    assert server.load_recorded(shared_data / "off" / "products") >= 3
    with server:
        s = settings.model_copy(update={"off_base_url": server.base_url, "off_timeout_s": 2.0})
        for code, kcal in (("3029330003533", 246), ("7622210288257", 375), ("5449000011527", 113 / 4.184)):
            found = lookup_barcode(code, s, engine)
            assert found.food is not None and found.food.per100.kcal == pytest.approx(kcal)
        body = json.loads((shared_data / "off" / "errors" / "server_api_v2_product_not_found_http404.json").read_text())
        assert body.get("status") in (0, "failure", None) or "not found" in json.dumps(body).lower()
        assert lookup_barcode("0000000000000", s, engine).food is None
