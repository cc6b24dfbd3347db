"""A site built from hostile names in a real headless Chromium: no dialog opens, nothing requests another host."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from reportgen.cli import main
from tests.support import hostile
from tests.support.browser import serve_folder

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser  # conftest: Debian's chromium, or a skip (a failure under CI)


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The hostile repository (tests.support.hostile) built by the real MkDocs, served on 127.0.0.1 only."""
    root = hostile.make_hostile_project(tmp_path_factory.mktemp("browser-hostile"))
    assert main(["-C", str(root), "build"]) == 0
    with serve_folder(root / "site") as url:
        yield url


def test_hostile_pages_open_no_dialog_and_request_no_other_host(browser: Browser, hostile_url: str) -> None:
    """Release, evidence and home pages of hostile names, hovered and searched: no alert, only 127.0.0.1."""
    dialogs: list[str] = []
    hosts: set[str] = set()
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.on("request", lambda request: hosts.add(urlsplit(request.url).hostname or request.url))
        for path in ("/", "/releases/v1.0.0/", "/releases/v1.0.0/evidence/"):
            page.goto(hostile_url + path, wait_until="networkidle")
            # Figures (titles carry projection bases and paths), then the navigation (long entries get
            # an ellipsis, which Material's tooltips turned into a title): hovered, nothing may run.
            for link in page.locator("article.md-content__inner a, .md-nav__link").all()[:60]:
                if link.is_visible():
                    link.hover()
        page.goto(hostile_url + "/releases/v1.0.0/", wait_until="networkidle")
        page.locator(".md-search__input").first.click()
        page.keyboard.type("onerror")
        page.wait_for_timeout(1_000)
        assert "[x](javascript:alert(1))" in page.locator("article.md-content__inner").inner_text()
        assert page.locator(".md-search-result__item").count() > 0  # the hostile text was searched and shown
    finally:
        context.close()
    assert dialogs == []
    assert hosts == {"127.0.0.1"}
