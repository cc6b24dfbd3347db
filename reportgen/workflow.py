"""The GitHub Actions files ``reportgen init`` writes: the workflow, and the constraints file it installs with.

Both are computed from the reportgen that runs ``init``: the workflow installs exactly that version, from
where it came (a git URL and commit when it was installed from git, else this project's PyPI distribution,
never the unrelated ``reportgen`` on PyPI), with every dependency pinned to the version installed here, so a
user's CI keeps building after a dependency (Material for MkDocs reaches end of life on 2027-05-05) moves.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import PackageNotFoundError, distribution
from importlib.resources import files

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from reportgen import __version__

#: This project's distribution name: ``reportgen`` on PyPI is an unrelated 2018 package (no ``reportgen`` command).
DISTRIBUTION = "release-reportgen"
WORKFLOW = ".github/workflows/report.yml"
CONSTRAINTS = ".github/constraints.txt"
_TEMPLATE = files("reportgen").joinpath("scaffold_templates", "report.yml")


def install_spec() -> str:
    """What pip installs in CI: this exact reportgen, from the source this one was installed from."""
    try:
        direct = distribution(DISTRIBUTION).read_text("direct_url.json")
    except PackageNotFoundError:
        direct = None
    origin = json.loads(direct) if direct else {}
    vcs = origin.get("vcs_info") or {}
    if vcs.get("vcs") == "git" and vcs.get("commit_id"):
        return f"{DISTRIBUTION} @ git+{origin['url']}@{vcs['commit_id']}"
    return f"{DISTRIBUTION}=={__version__}"


def pinned_dependencies(name: str = DISTRIBUTION) -> dict[str, str]:
    """Every runtime dependency of ``name``, transitively, with the version installed here (markers evaluated)."""
    environment = {k: str(v) for k, v in default_environment().items()}
    pins: dict[str, str] = {}
    pending = [name]
    while pending:
        try:
            dist = distribution(pending.pop())
        except PackageNotFoundError:
            continue  # a dependency not installed here is not pinned (pip resolves it in CI)
        for text in dist.requires or []:
            requirement = Requirement(text)
            if requirement.marker is not None and not requirement.marker.evaluate({**environment, "extra": ""}):
                continue  # an extra, or another platform's dependency
            key = canonicalize_name(requirement.name)
            if key in pins or key == canonicalize_name(name):
                continue
            try:
                pins[key] = distribution(requirement.name).version
            except PackageNotFoundError:
                continue
            pending.append(requirement.name)
    return dict(sorted(pins.items()))


def constraints_text() -> str:
    lines = [
        f"# Written by reportgen {__version__} init: the versions it was generated with, so CI installs the same.",
        "# The workflow passes this file to pip with -c. Update it deliberately (re-run `reportgen init` elsewhere",
        "# and copy the file, or edit a pin and run the workflow).",
        *(f"{name}=={version}" for name, version in pinned_dependencies().items()),
    ]
    return "\n".join(lines) + "\n"


def workflow_text(install: str | None = None) -> str:
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    text = _TEMPLATE.read_text(encoding="utf-8")
    for key, value in {"VERSION": __version__, "INSTALL": install or install_spec(), "PYTHON": python}.items():
        text = text.replace(f"@{key}@", value)
    return text


def scaffold_files(install: str | None = None) -> dict[str, bytes]:
    """The files ``init`` adds for GitHub Actions, by path in the new repository."""
    return {WORKFLOW: workflow_text(install).encode(), CONSTRAINTS: constraints_text().encode()}
