"""Release ids name folders of results/ and of the site: the names reportgen itself writes beside them, and names
no clone on macOS or Windows could hold, are refused (tests/hostile/ids/release-*.yaml run the refusals end to end)."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportgen.errors import ProjectError
from reportgen.project import GENERATED_NAMES, check_release_id, release_id_problem
from reportgen.site_nav import OLDER_FOLDER, TRENDS_FOLDER


def test_the_folders_of_trend_and_older_pages_are_reserved() -> None:
    """The folders the trend pages and the pages of older releases are written to cannot be release ids."""
    assert {TRENDS_FOLDER, OLDER_FOLDER} <= GENERATED_NAMES
    assert release_id_problem(TRENDS_FOLDER) and release_id_problem(OLDER_FOLDER)


def test_every_name_a_build_writes_beside_the_releases_is_reserved(example_site: Path) -> None:
    """Each entry a build writes into site_docs/releases/ and site/releases/ is a release folder or a reserved name."""
    releases = {p.name for p in (example_site / "results").iterdir() if (p / "release.yaml").is_file()}
    for folder in (example_site / "site_docs" / "releases", example_site / "site" / "releases"):
        others = {p.name for p in folder.iterdir() if not p.name.startswith(".")} - releases  # no id starts so
        assert others, folder  # the list, the trend pages and the stylesheet are there
        assert {name.split(".")[0] for name in others} <= GENERATED_NAMES, folder


@pytest.mark.parametrize("release", ["v1.2.0", "2026-12-01", "rc_1", "trends-2", "console", "com10", "v1..2"])
def test_ordinary_ids_stay_valid(release: str) -> None:
    """Ids that only resemble a reserved name are kept."""
    assert check_release_id(release) == release


@pytest.mark.parametrize(
    "release", ["trends", "Trends", "older", "index.json", "assets", "CON", "nul.txt", "lpt1", "Com3.v2", "v1."]
)
def test_reserved_ids_are_refused_saying_why(release: str, tmp_path: Path) -> None:
    """A reserved id is refused, naming the folder under results/ it would be."""
    with pytest.raises(ProjectError, match=str(tmp_path / release).replace(".", r"\.")):
        check_release_id(release, tmp_path)
