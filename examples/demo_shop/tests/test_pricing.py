"""demo-shop's pricing rules."""

from __future__ import annotations

from demo_shop.pricing import Line, bulk_discount, bundle_discount, generated_cart, total_cents


def test_bulk_discount_starts_at_ten_items() -> None:
    """Five percent off applies from ten of the same product, not before."""
    assert bulk_discount(Line(1, 1000, 9)) == 0
    assert bulk_discount(Line(1, 1000, 10)) == 500


def test_bundle_discount_counts_neighbouring_products() -> None:
    """Each pair of lines with neighbouring product ids earns one bundle discount."""
    lines = [Line(1, 100, 1), Line(2, 100, 1), Line(3, 100, 1), Line(10, 100, 1)]
    assert bundle_discount(lines) == 2 * 150


def test_total_never_goes_below_zero() -> None:
    """Discounts larger than the cart make it free, not negative."""
    lines = [Line(1, 1, 1), Line(2, 1, 1)]
    assert total_cents(lines, with_bundles=True) == 0


def test_generated_cart_is_reproducible() -> None:
    """The benchmark cart is the same on every run."""
    assert generated_cart(50) == generated_cart(50)
