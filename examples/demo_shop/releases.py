"""What each demo-shop release does differently: the only place the story across releases is written down.

Latencies are (low, mode, high) in milliseconds of a triangular distribution; the server sleeps that long.
"""

from __future__ import annotations

from dataclasses import dataclass

Latency = tuple[float, float, float]


@dataclass(frozen=True)
class Release:
    """Behaviour of one release of demo-shop."""

    version: str
    list_products: Latency
    get_product: Latency
    search: Latency
    add_to_cart: Latency
    checkout: Latency
    login: Latency
    #: Share of logins answered 503 (a connection-pool bug shipped in v1.2.0).
    login_unavailable_share: float
    #: True from v1.1.0: search uses an inverted index instead of scanning every product.
    search_index: bool
    #: True from v1.2.0: bundle discounts compare every pair of cart lines (slow for big carts).
    bundle_discounts: bool


RELEASES: dict[str, Release] = {
    "v1.0.0": Release(
        version="v1.0.0",
        list_products=(8, 12, 20),
        get_product=(3, 4, 8),
        search=(120, 160, 220),
        add_to_cart=(10, 14, 25),
        checkout=(60, 75, 110),
        login=(20, 28, 45),
        login_unavailable_share=0.0,
        search_index=False,
        bundle_discounts=False,
    ),
    "v1.1.0": Release(
        version="v1.1.0",
        list_products=(8, 12, 20),
        get_product=(3, 4, 8),
        search=(15, 22, 40),
        add_to_cart=(10, 14, 25),
        checkout=(60, 80, 115),
        login=(20, 28, 45),
        login_unavailable_share=0.0,
        search_index=True,
        bundle_discounts=False,
    ),
    "v1.2.0": Release(
        version="v1.2.0",
        list_products=(8, 12, 20),
        get_product=(3, 4, 8),
        search=(15, 22, 40),
        add_to_cart=(10, 14, 25),
        checkout=(210, 250, 320),
        login=(20, 28, 45),
        login_unavailable_share=0.4,
        search_index=True,
        bundle_discounts=True,
    ),
}


def release(version: str) -> Release:
    """The release called ``version``; a clear error for an unknown one."""
    try:
        return RELEASES[version]
    except KeyError:
        raise SystemExit(f"unknown release {version!r}; known: {', '.join(RELEASES)}") from None
