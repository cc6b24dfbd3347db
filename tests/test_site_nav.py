"""The sidebar's releases: a bounded window by id as written, in release order (real MkDocs + Material builds)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from reportgen.engine import run
from reportgen.site_nav import DEFAULT_NAV_RELEASES, releases_in_order

CONFIG = """site_name: nav test
docs_dir: docs
theme:
  name: material
  font: false
  features: [navigation.indexes, navigation.sections]
plugins:
  - search
  - reportgen{options}
"""


def make_site(root: Path, releases: list[tuple[str, str]], options: str = "") -> Path:
    """A docs tree laid out as reportgen writes it, with ``releases`` (id, ISO date) in releases/index.json."""
    docs = root / "docs"
    (docs / "releases").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(CONFIG.format(options=options))
    (docs / "index.md").write_text("# Home\n")
    (docs / "releases" / "index.md").write_text("# Releases\n")
    entries = [{"id": release, "date": date} for release, date in reversed(releases)]  # newest first, as built
    (docs / "releases" / "index.json").write_text(json.dumps({"releases": entries}))
    for release, _ in releases:
        (docs / "releases" / release).mkdir()
        (docs / "releases" / release / "index.md").write_text(f"# Product {release} release validation\n")
        (docs / "releases" / release / "evidence.md").write_text(f"# Evidence: {release}\n")
    run(root / "mkdocs.yml", root / "site")
    return root / "site"


def sidebar_releases(page: Path) -> list[str]:
    """The release folder titles of the primary sidebar, in order."""
    text = page.read_text()
    primary = text[text.index('md-nav--primary"') : text.index("md-sidebar--secondary")]
    titles = re.findall(r'<span class="md-ellipsis">\s*(.*?)\s*</span>', primary)
    return [t for t in titles if re.fullmatch(r"v[0-9.]+", t, flags=re.IGNORECASE)]


def test_release_folders_appear_by_id_as_written_in_release_order(tmp_path: Path) -> None:
    """v1.10.0 follows v1.9.0 (version order on the same date) and no id is capitalised."""
    site = make_site(tmp_path, [("v1.10.0", "2026-01-01"), ("v1.9.0", "2026-01-01"), ("v1.2.0", "2025-06-01")])
    assert sidebar_releases(site / "index.html") == ["v1.2.0", "v1.9.0", "v1.10.0"]


def test_manifest_dates_order_releases_before_versions() -> None:
    """A release dated later comes later even when its version is smaller (a hotfix of an old line)."""
    index = {"releases": [{"id": "v2.0.0", "date": "2026-01-01"}, {"id": "v1.9.1", "date": "2026-02-01"}]}
    assert releases_in_order(json.dumps(index).encode()) == ["v2.0.0", "v1.9.1"]


def test_the_sidebar_lists_only_the_newest_releases(tmp_path: Path) -> None:
    """With more releases than the window, the sidebar keeps the newest ones; the others are still built."""
    releases = [(f"v1.{n}.0", f"2026-01-{n:02d}") for n in range(1, 16)]
    site = make_site(tmp_path, releases)
    shown = sidebar_releases(site / "releases" / "v1.15.0" / "index.html")
    assert shown == [release for release, _ in releases[-DEFAULT_NAV_RELEASES:]]
    assert (site / "releases" / "v1.1.0" / "index.html").is_file()
    assert "v1.1.0" not in sidebar_releases(site / "releases" / "v1.1.0" / "index.html")


def test_a_release_page_does_not_grow_with_the_number_of_releases(tmp_path: Path) -> None:
    """The newest release's page is the same bytes with 12 or 60 older releases behind the window."""
    newest = [(f"v2.{n}.0", f"2026-02-{n:02d}") for n in range(1, 11)]
    small = make_site(tmp_path / "small", [(f"v1.{n}.0", "2025-01-01") for n in range(2)] + newest)
    large = make_site(tmp_path / "large", [(f"v1.{n}.0", "2025-01-01") for n in range(50)] + newest)
    page = Path("releases/v2.10.0/index.html")
    assert (small / page).read_bytes() == (large / page).read_bytes()


def test_the_window_size_is_an_option(tmp_path: Path) -> None:
    """``nav_releases: 2`` keeps two releases in the sidebar; 0 keeps none."""
    releases = [(f"v1.{n}.0", f"2026-01-{n:02d}") for n in range(1, 5)]
    two = make_site(tmp_path / "two", releases, options=":\n      nav_releases: 2")
    assert sidebar_releases(two / "index.html") == ["v1.3.0", "v1.4.0"]
    none = make_site(tmp_path / "none", releases, options=":\n      nav_releases: 0")
    assert sidebar_releases(none / "index.html") == []
