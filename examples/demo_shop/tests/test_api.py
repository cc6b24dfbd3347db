"""demo-shop's HTTP API, exercised against a real server for the release under test."""

from __future__ import annotations

from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from demo_shop.catalog import PRODUCT_COUNT
from demo_shop.releases import Release


def test_products_are_listed_a_page_at_a_time(with_client: Any) -> None:
    """The product list returns the first page of twenty products."""

    async def scenario(client: TestClient[Any, Any]) -> Any:
        response = await client.get("/api/products")
        return response.status, await response.json()

    status, body = with_client(scenario)
    assert status == 200
    assert [p["id"] for p in body["products"]] == list(range(1, 21))


def test_unknown_product_is_not_found(with_client: Any) -> None:
    """A product id past the catalogue is a 404."""

    async def scenario(client: TestClient[Any, Any]) -> int:
        return (await client.get(f"/api/products/{PRODUCT_COUNT + 1}")).status

    assert with_client(scenario) == 404


def test_search_finds_products_by_every_word(with_client: Any) -> None:
    """Every search hit has all query words in its name."""

    async def scenario(client: TestClient[Any, Any]) -> Any:
        return await (await client.get("/api/search", params={"q": "red mug"})).json()

    hits = with_client(scenario)["products"]
    assert hits
    assert all("red" in p["name"] and "mug" in p["name"] for p in hits)


def test_search_matches_whole_words_only(
    with_client: Any, shop_release: Release, request: pytest.FixtureRequest
) -> None:
    """A query word must be a whole word of the name ("mu" finds no "mug")."""
    if not shop_release.search_index:
        # Expected to fail, not skipped: the scan of v1.0.0 really does match substrings.
        reason = "v1.0.0 matches substrings; whole-word matching comes with the search index in v1.1.0"
        request.applymarker(pytest.mark.xfail(reason=reason, strict=True))

    async def scenario(client: TestClient[Any, Any]) -> Any:
        return await (await client.get("/api/search", params={"q": "mu"})).json()

    assert with_client(scenario)["products"] == []


def test_login_is_reliable(with_client: Any) -> None:
    """Twenty logins with the right password all succeed."""

    async def scenario(client: TestClient[Any, Any]) -> list[int]:
        payload = {"user": "ada", "password": "demo"}
        return [(await client.post("/api/login", json=payload)).status for _ in range(20)]

    assert with_client(scenario) == [200] * 20


def test_wrong_password_is_refused(with_client: Any, shop_release: Release) -> None:
    """A wrong password is a 401 (when the session store answers at all)."""

    async def scenario(client: TestClient[Any, Any]) -> list[int]:
        payload = {"user": "ada", "password": "nope"}
        return [(await client.post("/api/login", json=payload)).status for _ in range(5)]

    statuses = with_client(scenario)
    assert 401 in statuses
    assert set(statuses) <= {401, 503}


def test_checkout_returns_an_order_with_its_total(with_client: Any) -> None:
    """Checkout of two products returns an order number and a positive total."""

    async def scenario(client: TestClient[Any, Any]) -> Any:
        items = [{"product_id": 3, "quantity": 2}, {"product_id": 4, "quantity": 1}]
        return await (await client.post("/api/checkout", json={"items": items})).json()

    order = with_client(scenario)
    assert order["order"] == 1
    assert order["total_cents"] > 0


def test_checkout_refuses_an_empty_cart(with_client: Any) -> None:
    """An empty cart cannot be checked out."""

    async def scenario(client: TestClient[Any, Any]) -> int:
        return (await client.post("/api/checkout", json={"items": []})).status

    assert with_client(scenario) == 400
