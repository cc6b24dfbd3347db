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


def check_release_id(release: str) -> str:
    """``release`` if it is a safe folder name for results/RELEASE, else ProjectError."""
    if not RELEASE_ID.fullmatch(release) or len(release) > 100:
        raise ProjectError(
            f"{release!r}: not a release id; use up to 100 letters, digits, '.', '_' and '-', starting with a "
            "letter or digit (a release is one folder of results/)"
        )
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
        return self.results / check_release_id(release)

    def release_ids(self) -> list[str]:
        """Every folder of results/ that holds a release.yaml, by name."""
        if not self.results.is_dir():
            raise ProjectError(
                f"{self.results}: no results/ folder; run `reportgen init` or cd into a report repository"
            )
        return sorted(p.parent.name for p in self.results.glob(f"*/{MANIFEST}"))


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
