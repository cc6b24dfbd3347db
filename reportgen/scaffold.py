"""``reportgen init`` and ``reportgen new``: files a user starts from."""

from __future__ import annotations

import datetime as dt
import io
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from reportgen import write
from reportgen.errors import ProjectError
from reportgen.load import read_yaml, round_trip_yaml
from reportgen.project import MANIFEST, Project

_SCAFFOLD = files("reportgen").joinpath("scaffold")


def _scaffold_files() -> dict[str, bytes]:
    found: dict[str, bytes] = {}

    def walk(node: Traversable, prefix: str) -> None:
        for child in node.iterdir():
            name = child.name.replace("dot-", ".", 1) if child.name.startswith("dot-") else child.name
            if child.is_dir():
                walk(child, f"{prefix}{name}/")
            else:
                found[f"{prefix}{name}"] = child.read_bytes()

    walk(_SCAFFOLD, "")
    return found


def init(folder: Path, install: str | None = None) -> list[str]:
    """Write a new report repository into ``folder``; refuse to overwrite any existing file.

    ``install`` is what its CI workflow pip-installs (default: this reportgen, see :mod:`reportgen.workflow`)."""
    from reportgen.workflow import scaffold_files

    scaffold = _scaffold_files() | scaffold_files(install)
    clashes = sorted(p for p in scaffold if (folder / p).exists())
    if clashes:
        raise ProjectError(f"{folder}: would overwrite {', '.join(clashes)}; choose an empty folder")
    for relative, content in sorted(scaffold.items()):
        write.write_file(folder / relative, content)
    return sorted(scaffold)


_NEW = """\
# Release manifest: what {release} promised and where its raw results are.
# Validate and complete it in your editor with the JSON Schema from `reportgen schema`.
release: {release}
title: {release}
date: {date}
status: draft
environment:
  components: []
  tools: {{}}
scenarios: []
metrics: []
targets: []
"""


def _retitle_header(text: str, older: str, release: str) -> str:
    """The comment lines above the first field still name the older release: name the new one."""
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        if not line.startswith("#"):
            break
        lines[index] = line.replace(older, release)
    return "".join(lines)


def new_release(project: Project, release: str, older: str | None, today: dt.date) -> Path:
    """Create results/RELEASE/release.yaml, copying scenarios, metrics and targets from ``older``."""
    target = project.release_dir(release) / MANIFEST
    if target.exists():
        raise ProjectError(f"{target}: already exists; edit it, or pick another release name")
    if older is None:
        write.write_file(target, _NEW.format(release=release, date=today.isoformat()).encode())
        return target
    source = project.release_dir(older) / MANIFEST
    if not source.is_file():
        raise ProjectError(f"{source}: no such release to copy from; releases: {', '.join(project.release_ids())}")
    tree = read_yaml(source).tree  # the same checks and messages as for any manifest
    tree["release"] = release
    tree["title"] = str(tree.get("title", older)).replace(older, release)
    tree["date"] = today
    tree["status"] = "draft"
    if "baseline" in tree:
        tree["baseline"] = older
    else:
        tree.insert(list(tree).index("status") + 1, "baseline", older)
    # Waivers, narrative and sign-offs belong to the release they were written for.
    for key in ("waivers", "sections", "summary"):
        tree.pop(key, None)
    out = io.StringIO()
    round_trip_yaml().dump(tree, out)
    write.write_file(target, _retitle_header(out.getvalue(), older, release).encode())
    return target
