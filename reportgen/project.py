"""Where things are in a report repository, and which releases it holds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from reportgen.errors import ProjectError

MANIFEST = "release.yaml"
SIGNOFFS = "signoffs.yaml"

#: A release id is one folder name under results/: never '..', a '/' or an absolute path. Same as the schema's.
RELEASE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")

#: What reportgen writes beside the release folders of site_docs/releases/ and site/releases/ (the list and its
#: index.json, the trend pages, the pages of older releases, the stylesheet), each also as ``NAME.anything``: a
#: release so named would overwrite those pages or be overwritten by them. Compared without case, as a
#: case-insensitive file system (macOS, Windows) compares them. tests/test_release_ids.py checks the list against
#: what a build writes.
GENERATED_NAMES = frozenset({"assets", "index", "older", "trends"})

#: Names Windows reserves for devices in every folder, with any extension: a clone there cannot hold such a folder.
WINDOWS_DEVICE = re.compile(r"(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?", re.IGNORECASE)


def release_id_problem(release: str) -> str | None:
    """Why ``release`` cannot name a folder of results/ (and of the site), or None when it can."""
    if not RELEASE_ID.fullmatch(release) or len(release) > 100:
        return (
            "not a release id; use up to 100 letters, digits, '.', '_' and '-', starting with a letter or digit "
            "(a release is one folder of results/)"
        )
    if release.endswith("."):
        return "a release id cannot end in '.' (Windows drops it, so the folder would not be found there)"
    if release.split(".")[0].lower() in GENERATED_NAMES:
        return (
            f"reportgen writes its own pages as releases/{release.split('.')[0].lower()} beside the release folders, "
            "so no release can be called that; choose another id (rename the folder and its release: field)"
        )
    if WINDOWS_DEVICE.fullmatch(release):
        return "Windows reserves that name for a device, so a clone there could not hold the folder; rename it"
    return None


def check_release_id(release: str, results: Path | None = None) -> str:
    """``release`` if it is a safe folder name for results/RELEASE, else ProjectError (naming the folder under
    ``results`` when the id is made of safe characters, so the message says which folder to rename)."""
    if (problem := release_id_problem(release)) is not None:
        named = results / release if results is not None and RELEASE_ID.fullmatch(release) else repr(release)
        raise ProjectError(f"{named}: {problem}")
    return release


def outside(folder: Path, relative: str) -> Path | None:
    """Where ``folder/relative`` really is when a symlink leads it out of ``folder``; None while it stays inside."""
    base, real = folder.resolve(), (folder / relative).resolve()
    return None if base == real or base in real.parents else real


@dataclass(frozen=True)
class Project:
    root: Path

    @property
    def results(self) -> Path:
        return self.root / "results"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def docs(self) -> Path:
        return self.root / "site_docs"

    @property
    def generated(self) -> Path:
        """The part of site_docs/ reportgen owns; hand-written pages live beside it."""
        return self.docs / "releases"

    @property
    def site(self) -> Path:
        return self.root / "site"

    @property
    def mkdocs_yml(self) -> Path:
        return self.root / "mkdocs.yml"

    def release_dir(self, release: str) -> Path:
        return self.results / check_release_id(release, self.results)

    def release_ids(self) -> list[str]:
        """Every folder of results/ that holds a release.yaml, by name."""
        if not self.results.is_dir():
            raise ProjectError(
                f"{self.results}: no results/ folder; run `reportgen init` or cd into a report repository"
            )
        releases = sorted(p.parent.name for p in self.results.glob(f"*/{MANIFEST}"))
        by_folded: dict[str, list[str]] = {}
        for release in releases:
            by_folded.setdefault(release.casefold(), []).append(release)
        clashes = [names for names in by_folded.values() if len(names) > 1]
        if clashes:
            listed = "; ".join(" and ".join(str(self.results / n) for n in names) for names in clashes)
            raise ProjectError(
                f"{listed}: release folders whose names differ only in case would be one folder on macOS and "
                "Windows (a clone there loses one, and their pages overwrite each other); rename one of them"
            )
        return releases


def find_project(start: Path) -> Project:
    """The nearest folder at or above ``start`` that has mkdocs.yml and results/."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / "mkdocs.yml").is_file() and (folder / "results").is_dir():
            return Project(folder)
    raise ProjectError(
        f"{start}: not inside a report repository (no folder with both mkdocs.yml and results/ above it); "
        "run `reportgen init DIR` to make one"
    )
