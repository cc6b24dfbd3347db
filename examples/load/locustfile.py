"""Locust load test for demo-shop: the same endpoints as shop.js, grouped by the same names.

locust -f examples/load/locustfile.py --headless -u 4 -r 4 -t 15s --host http://127.0.0.1:8080
"""

from __future__ import annotations

import random

from locust import HttpUser, between, task

SEARCH_TERMS = ("red", "mug", "steel lamp", "classic chair", "smart speaker", "soft pillow")
PRODUCT_COUNT = 200


class Shopper(HttpUser):
    """Mostly browses; now and then logs in and buys one product."""

    wait_time = between(0.1, 0.3)

    @task(4)
    def list_products(self) -> None:
        self.client.get(f"/api/products?page={random.randint(1, 10)}", name="products")

    @task(4)
    def view_product(self) -> None:
        self.client.get(f"/api/products/{random.randint(1, PRODUCT_COUNT)}", name="product")

    @task(3)
    def search(self) -> None:
        self.client.get("/api/search", params={"q": random.choice(SEARCH_TERMS)}, name="search")

    @task(1)
    def buy(self) -> None:
        login = self.client.post("/api/login", json={"user": "locust", "password": "demo"}, name="login")
        if not login.ok:
            return  # a buyer who cannot log in leaves the shop
        item = {"product_id": random.randint(1, PRODUCT_COUNT), "quantity": random.randint(1, 3)}
        self.client.post("/api/cart", json=item, name="cart")
        self.client.post("/api/checkout", json={"items": [item]}, name="checkout")
