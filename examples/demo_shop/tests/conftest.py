"""Fixtures for demo-shop's tests: the release under test comes from DEMO_SHOP_RELEASE (default v1.0.0)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from demo_shop.releases import Release, release
from demo_shop.server import create_app

Call = Callable[[Callable[[TestClient[Any, Any]], Awaitable[Any]]], Any]


@pytest.fixture(scope="session")
def shop_release() -> Release:
    return release(os.environ.get("DEMO_SHOP_RELEASE", "v1.0.0"))


@pytest.fixture
def with_client(shop_release: Release) -> Iterator[Call]:
    """Runs a coroutine against a real demo-shop server on 127.0.0.1 (an ephemeral port) and returns its result."""

    def call(scenario: Callable[[TestClient[Any, Any]], Awaitable[Any]]) -> Any:
        async def run() -> Any:
            async with TestClient(TestServer(create_app(shop_release.version), host="127.0.0.1")) as client:
                return await scenario(client)

        return asyncio.run(run())

    yield call
