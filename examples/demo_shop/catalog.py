"""The product catalogue: generated from a fixed seed so every release sells the same things."""

from __future__ import annotations

import random
from dataclasses import dataclass

_ADJECTIVES = ("red", "blue", "green", "wooden", "steel", "tiny", "large", "soft", "classic", "smart")
_NOUNS = ("chair", "lamp", "mug", "kettle", "backpack", "notebook", "clock", "pillow", "bottle", "speaker")
CATALOGUE_SEED = 20260901
PRODUCT_COUNT = 200


@dataclass(frozen=True)
class Product:
    id: int
    name: str
    price_cents: int

    def as_json(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "price_cents": self.price_cents}


def build_catalogue() -> dict[int, Product]:
    """Every product by id, the same on every run."""
    rng = random.Random(CATALOGUE_SEED)
    products = {}
    for product_id in range(1, PRODUCT_COUNT + 1):
        name = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
        products[product_id] = Product(product_id, name, rng.randrange(299, 19999))
    return products


def scan_search(products: dict[int, Product], query: str) -> list[Product]:
    """v1.0.0 search: look at every product name."""
    words = query.lower().split()
    return [p for p in products.values() if all(w in p.name for w in words)]


def build_index(products: dict[int, Product]) -> dict[str, set[int]]:
    """v1.1.0 search index: word → ids of the products whose name has that word."""
    index: dict[str, set[int]] = {}
    for product in products.values():
        for word in product.name.split():
            index.setdefault(word, set()).add(product.id)
    return index


def index_search(products: dict[int, Product], index: dict[str, set[int]], query: str) -> list[Product]:
    """Search by intersecting the index entries of every query word (whole words only)."""
    words = query.lower().split()
    if not words:
        return []
    ids = set.intersection(*(index.get(w, set()) for w in words))
    return [products[i] for i in sorted(ids)]
