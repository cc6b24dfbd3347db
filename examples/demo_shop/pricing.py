"""Cart pricing, and a CLI that prices a generated cart (the command hyperfine times).

python -m demo_shop.pricing --release v1.2.0 --items 1000
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Sequence
from dataclasses import dataclass

from demo_shop.releases import release

BULK_QUANTITY = 10
BULK_DISCOUNT = 0.05
BUNDLE_DISCOUNT_CENTS = 150


@dataclass(frozen=True)
class Line:
    product_id: int
    unit_cents: int
    quantity: int


def bulk_discount(line: Line) -> int:
    """5 % off a line of ten or more of the same product."""
    gross = line.unit_cents * line.quantity
    return round(gross * BULK_DISCOUNT) if line.quantity >= BULK_QUANTITY else 0


def bundle_discount(lines: Sequence[Line]) -> int:
    """v1.2.0: a fixed discount for every pair of lines whose product ids are neighbours.

    Written as a comparison of every pair, which is what makes checkout of big carts slow in v1.2.0.
    """
    pairs = 0
    for i, first in enumerate(lines):
        for second in lines[i + 1 :]:
            if abs(first.product_id - second.product_id) == 1:
                pairs += 1
    return pairs * BUNDLE_DISCOUNT_CENTS


def total_cents(lines: Sequence[Line], with_bundles: bool) -> int:
    """What the customer pays for ``lines``, never below zero."""
    gross = sum(line.unit_cents * line.quantity for line in lines)
    discount = sum(bulk_discount(line) for line in lines)
    if with_bundles:
        discount += bundle_discount(lines)
    return max(gross - discount, 0)


def generated_cart(items: int, seed: int = 7) -> list[Line]:
    """A reproducible cart of ``items`` lines."""
    rng = random.Random(seed)
    return [Line(rng.randrange(1, 5000), rng.randrange(199, 9999), rng.randrange(1, 15)) for _ in range(items)]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Price a generated cart the way one demo-shop release does.")
    parser.add_argument("--release", default="v1.0.0")
    parser.add_argument("--items", type=int, default=1000)
    args = parser.parse_args(argv)
    with_bundles = release(args.release).bundle_discounts
    print(total_cents(generated_cart(args.items), with_bundles))


if __name__ == "__main__":
    main()
