"""``reportgen init`` and ``reportgen new``: files a user starts from."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from reportgen import write
from reportgen.errors import OutputPathError, ProjectError
from reportgen.load import _plain, read_yaml, round_trip_yaml
from reportgen.outputs import refuse_protected
from reportgen.project import MANIFEST, Project, find_project
from reportgen.schemas.manifest import Projection

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

    _refuse_inside_a_repository(folder)
    scaffold = _scaffold_files() | scaffold_files(install)
    clashes = sorted(p for p in scaffold if (folder / p).exists())
    if clashes:
        raise ProjectError(f"{folder}: would overwrite {', '.join(clashes)}; choose an empty folder")
    for relative, content in sorted(scaffold.items()):
        write.write_file(folder / relative, content)
    return sorted(scaffold)


def _refuse_inside_a_repository(folder: Path) -> None:
    """A new repository is never written into git's own folder, into a file, or into the evidence, sources or
    templates of the report repository around it (nothing would be overwritten there, but all of it would be
    changed by a command whose job is not to change it)."""
    target = folder.resolve()
    if target.exists() and not target.is_dir():
        raise ProjectError(f"{folder}: is a file, not a folder; choose an empty folder")
    if ".git" in target.parts:
        raise OutputPathError(
            f"{folder}: refusing to write a report repository inside a .git folder; choose an empty folder"
        )
    try:
        around = find_project(target.parent)
    except ProjectError:
        return
    refuse_protected(around, target, folder, "report repository")


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


@dataclass(frozen=True)
class NewRelease:
    """What ``new`` wrote, and for ``--from`` what it copied, carried over and left behind."""

    path: Path
    copied: list[str] = field(default_factory=list)
    carried: list[str] = field(default_factory=list)  # metric ids whose typed projection was copied unchanged
    dropped: list[str] = field(default_factory=list)


#: Top-level fields that belong to the release they were written for, never copied by ``new --from``.
_NOT_COPIED = ("waivers", "sections", "summary", "acknowledge")


def _mark_carried(tree: Any, older: str) -> list[str]:
    """Add ``carried_over`` to every typed projection, so the new release says it was not re-estimated."""
    carried: list[str] = []
    for metric in tree.get("metrics") or []:
        projected = metric.get("projected") if isinstance(metric, dict) else None
        if not isinstance(projected, dict) or "from" in projected:
            continue  # projected.from recomputes by itself from the new release's measurements
        fingerprint = Projection.model_validate(_plain(projected)).fingerprint()
        previous = projected.get("carried_over")
        release = (
            previous.get("release")
            if isinstance(previous, dict) and previous.get("fingerprint") == fingerprint
            else older
        )
        mark = CommentedMap([("release", release), ("fingerprint", fingerprint)])
        mark.fa.set_flow_style()
        projected["carried_over"] = mark
        carried.append(str(metric.get("id")))
    return carried


def new_release(project: Project, release: str, older: str | None, today: dt.date) -> NewRelease:
    """Create results/RELEASE/release.yaml, copying scenarios, metrics and targets from ``older``."""
    target = project.release_dir(release) / MANIFEST
    if target.exists():
        raise ProjectError(f"{target}: already exists; edit it, or pick another release name")
    if older is None:
        write.write_file(target, _NEW.format(release=release, date=today.isoformat()).encode())
        return NewRelease(target)
    source = project.release_dir(older) / MANIFEST
    if not source.is_file():
        raise ProjectError(f"{source}: no such release to copy from; releases: {', '.join(project.release_ids())}")
    text = source.read_text(encoding="utf-8")
    tree = read_yaml(source).tree  # the same checks and messages as for any manifest
    tree["release"] = release
    tree["title"] = str(tree.get("title", older)).replace(older, release)
    tree["date"] = today
    tree["status"] = "draft"
    if "baseline" in tree:
        tree["baseline"] = older
    else:
        tree.insert(list(tree).index("status") + 1, "baseline", older)
    dropped = [key for key in _NOT_COPIED if tree.pop(key, None) is not None]
    carried = _mark_carried(tree, older)
    copied = [f"{len(tree[key])} {key}" for key in ("scenarios", "metrics", "targets") if tree.get(key)]
    copied += [key for key in ("environment", "artifacts") if tree.get(key)]
    out = io.StringIO()
    _same_layout(text).dump(tree, out)
    write.write_file(target, _retitle_header(out.getvalue(), older, release).encode())
    return NewRelease(target, copied, carried, dropped)


def _same_layout(text: str) -> YAML:
    """The round-trip writer, indenting as the source does (4-space mappings, sequences flush with their key)."""
    from ruamel.yaml.util import load_yaml_guess_indent

    _, sequence, offset = load_yaml_guess_indent(text)
    yaml = round_trip_yaml()
    yaml.indent(mapping=_mapping_indent(text), sequence=sequence or 4, offset=offset or 0)
    return yaml


_KEY_OPENING_BLOCK = re.compile(r"^(?P<indent> *)[^\s#-][^:#]*:\s*(#.*)?$")


def _mapping_indent(text: str) -> int:
    """How far a nested mapping is indented under its key (ruamel guesses sequences only); 2 if none is nested."""
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    for line, following in itertools.pairwise(lines):
        opening = _KEY_OPENING_BLOCK.match(line)
        if opening is None or following.lstrip().startswith("-"):
            continue
        depth = len(following) - len(following.lstrip(" ")) - len(opening.group("indent"))
        if depth > 0:
            return depth
    return 2
