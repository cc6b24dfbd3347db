"""The demo-shop HTTP service (aiohttp), listening on 127.0.0.1 only.

    python -m demo_shop.server --release v1.1.0 --port 8080

Every handler sleeps for a latency drawn from the release's profile (``releases.py``) from one seeded
random generator, so a release's behaviour is the same on every run up to the order requests arrive in.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
from collections.abc import Sequence

from aiohttp import web

from demo_shop.catalog import Product, build_catalogue, build_index, index_search, scan_search
from demo_shop.pricing import Line, total_cents
from demo_shop.releases import Latency, Release, release

LISTEN_HOST = "127.0.0.1"
PAGE_SIZE = 20
DEMO_PASSWORD = "demo"

RELEASE_KEY = web.AppKey("release", Release)
RNG_KEY = web.AppKey("rng", random.Random)
PRODUCTS_KEY = web.AppKey("products", dict)
INDEX_KEY = web.AppKey("index", dict)
ORDERS_KEY = web.AppKey("orders", itertools.count)


async def _pause(request: web.Request, latency: Latency) -> None:
    low, mode, high = latency
    await asyncio.sleep(request.app[RNG_KEY].triangular(low, high, mode) / 1000)


async def _json_body(request: web.Request) -> dict[str, object]:
    try:
        body = await request.json()
    except ValueError:
        raise web.HTTPBadRequest(text="body must be JSON") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="body must be a JSON object")
    return body


def _product(request: web.Request, raw_id: object) -> Product:
    try:
        return request.app[PRODUCTS_KEY][int(str(raw_id))]
    except (KeyError, ValueError):
        raise web.HTTPNotFound(text=f"no product {raw_id}") from None


def _quantity(raw: object) -> int:
    if not isinstance(raw, int) or not 1 <= raw <= 99:
        raise web.HTTPBadRequest(text="quantity must be an integer from 1 to 99")
    return raw


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "release": request.app[RELEASE_KEY].version})


async def list_products(request: web.Request) -> web.Response:
    await _pause(request, request.app[RELEASE_KEY].list_products)
    page = max(int(request.query.get("page", "1")), 1)
    products = list(request.app[PRODUCTS_KEY].values())[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return web.json_response({"page": page, "products": [p.as_json() for p in products]})


async def get_product(request: web.Request) -> web.Response:
    await _pause(request, request.app[RELEASE_KEY].get_product)
    return web.json_response(_product(request, request.match_info["id"]).as_json())


async def search(request: web.Request) -> web.Response:
    shop = request.app[RELEASE_KEY]
    await _pause(request, shop.search)
    query = request.query.get("q", "")
    products = request.app[PRODUCTS_KEY]
    found = index_search(products, request.app[INDEX_KEY], query) if shop.search_index else scan_search(products, query)
    return web.json_response({"query": query, "products": [p.as_json() for p in found]})


async def login(request: web.Request) -> web.Response:
    shop = request.app[RELEASE_KEY]
    body = await _json_body(request)
    if request.app[RNG_KEY].random() < shop.login_unavailable_share:
        # v1.2.0's bug: the session store's connection pool is exhausted, so the answer is fast and wrong.
        await _pause(request, (1, 2, 4))
        raise web.HTTPServiceUnavailable(text="session store unavailable")
    await _pause(request, shop.login)
    if body.get("password") != DEMO_PASSWORD:
        raise web.HTTPUnauthorized(text="wrong user or password")
    return web.json_response({"token": f"token-{body.get('user', 'guest')}"})


async def add_to_cart(request: web.Request) -> web.Response:
    await _pause(request, request.app[RELEASE_KEY].add_to_cart)
    body = await _json_body(request)
    product = _product(request, body.get("product_id"))
    quantity = _quantity(body.get("quantity", 1))
    return web.json_response({"product": product.as_json(), "quantity": quantity})


async def checkout(request: web.Request) -> web.Response:
    shop = request.app[RELEASE_KEY]
    await _pause(request, shop.checkout)
    body = await _json_body(request)
    items = body.get("items")
    if not isinstance(items, list) or not items:
        raise web.HTTPBadRequest(text="items must be a non-empty list")
    lines = []
    for item in items:
        product = _product(request, item.get("product_id") if isinstance(item, dict) else None)
        lines.append(Line(product.id, product.price_cents, _quantity(item.get("quantity", 1))))
    order = next(request.app[ORDERS_KEY])
    return web.json_response({"order": order, "total_cents": total_cents(lines, shop.bundle_discounts)})


def create_app(version: str, seed: int = 1) -> web.Application:
    """The application for one release; ``seed`` fixes its random latencies and faults."""
    app = web.Application()
    app[RELEASE_KEY] = release(version)
    app[RNG_KEY] = random.Random(f"{version}/{seed}")
    app[PRODUCTS_KEY] = build_catalogue()
    app[INDEX_KEY] = build_index(app[PRODUCTS_KEY])
    app[ORDERS_KEY] = itertools.count(1)
    app.router.add_get("/healthz", health)
    app.router.add_get("/api/products", list_products)
    app.router.add_get("/api/products/{id}", get_product)
    app.router.add_get("/api/search", search)
    app.router.add_post("/api/login", login)
    app.router.add_post("/api/cart", add_to_cart)
    app.router.add_post("/api/checkout", checkout)
    return app


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run demo-shop as one of its releases on 127.0.0.1.")
    parser.add_argument("--release", required=True, help="v1.0.0, v1.1.0 or v1.2.0")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    web.run_app(create_app(args.release, args.seed), host=LISTEN_HOST, port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
