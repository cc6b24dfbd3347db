"""Where a command may write: the one rule every output path of every command goes through.

A command that *replaces a folder* (``build --site-dir``, and any bundle, PDF or deploy output) calls
:func:`guard_output_dir` before anything is read or written; one that *writes a file* (``schema -o``)
calls :func:`guard_output_file`. The rule: reportgen never deletes or changes what it did not write.

- A folder may be replaced only if it is absent, empty, or holds :data:`MARKER`, the file reportgen
  puts into every folder it builds (or is a site built before the marker existed).
- Never the report repository itself or a folder above it, never results/, site_docs/, templates/,
  mkdocs.yml or .git, nor anything inside or around them; never a file where a folder is meant.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from reportgen import named_files
from reportgen.errors import OutputPathError
from reportgen.project import Project

#: Written into the top of every folder reportgen builds (site/, bundles): proof that a later build may replace it.
MARKER = ".reportgen-output"
MARKER_TEXT = b"reportgen built this folder and replaces all of it on every build; do not keep your own files here.\n"

#: A site built by reportgen before the marker existed has these files.
_LEGACY_SIGNATURE = ("releases/assets/reportgen.css", "sitemap.xml")

_ADVICE = "name a new or empty folder, or one an earlier reportgen build wrote"
_FILE_ADVICE = "name a new file outside the repository's protected parts"


def _protected(project: Project) -> dict[Path, str]:
    """What in the repository no output may be, contain or sit inside, with how to call it in a message."""
    return {
        project.results: "results/ (the raw evidence)",
        project.docs: "site_docs/ (the MkDocs sources)",
        project.templates: "templates/",
        project.mkdocs_yml: "the MkDocs config",
        project.root / ".git": "the git repository",
    }


def _within(inner: Path, outer: Path) -> bool:
    return inner == outer or outer in inner.parents


def refuse_protected(project: Project | None, target: Path, shown: Path, what: str, advice: str = _ADVICE) -> None:
    """:class:`OutputPathError` if writing the ``what`` at ``target`` (shown as ``shown``) would replace, or write
    into, the repository itself or its protected parts (results/, site_docs/, templates/, mkdocs.yml, .git);
    the message ends with ``advice`` (what to name instead: a folder, or a file)."""
    if project is None:
        return
    root = project.root.resolve()
    if _within(root, target):
        where = "is the report repository" if target == root else "is a folder above the report repository"
        raise OutputPathError(f"{shown}: refusing to write the {what} here: it {where} ({root}); {advice}")
    for path, name in _protected(project).items():
        path = path.resolve()
        if _within(path, target):
            relation = "is" if path == target else "contains"
        elif _within(target, path):
            relation = "is inside"
        else:
            continue
        raise OutputPathError(f"{shown}: refusing to write the {what} here: it {relation} {name}; {advice}")


def is_marked(folder: Path) -> bool:
    """True if reportgen built ``folder`` (its marker, or the files of a site from before the marker)."""
    if (folder / MARKER).is_file():
        return True
    return all((folder / name).is_file() for name in _LEGACY_SIGNATURE)


def guard_output_dir(project: Project | None, path: Path, *, what: str = "site") -> Path:
    """The absolute folder to replace with the ``what`` (e.g. "site", "bundle"), or :class:`OutputPathError`.

    Call it before reading inputs, so a refused command changes nothing. Symlinks are resolved: the rule
    applies to the folder that would really be replaced, and that real path is returned.
    """
    target = path.resolve()
    refuse_protected(project, target, path, what)
    if target.exists() and not target.is_dir():
        raise OutputPathError(f"{path}: refusing to write the {what} here: it is a file, not a folder; {_ADVICE}")
    if target.is_dir():
        present = sorted(p.name for p in target.iterdir())
        if present and not is_marked(target):
            listed = ", ".join(present[:5]) + (" …" if len(present) > 5 else "")
            raise OutputPathError(
                f"{path}: refusing to replace this folder with the {what}: it holds files reportgen did not write "
                f"({listed}) and no {MARKER} marker; {_ADVICE}, or delete it yourself"
            )
    return target


def guard_output_file(
    project: Project | None, path: Path, *, what: str, ours: Callable[[Path], bool] | None = None
) -> Path:
    """The absolute file to write the ``what`` to, or :class:`OutputPathError`.

    An existing file is replaced only if ``ours`` says reportgen wrote it (without ``ours``: never).
    """
    target = path.resolve()
    refuse_protected(project, target, path, what, _FILE_ADVICE)
    if (reason := named_files.not_a_file(target)) is not None:
        raise OutputPathError(f"{path}: refusing to write the {what} here: it {reason}")
    if target.exists() and not (ours is not None and ours(target)):
        raise OutputPathError(
            f"{path}: refusing to overwrite this file with the {what}: reportgen did not write it; "
            "name a new file, or delete it yourself"
        )
    return target


def is_json_schema(path: Path) -> bool:
    """True if ``path`` holds a JSON Schema document (what ``reportgen schema -o`` writes)."""
    try:
        data = json.loads(named_files.read_bytes(path))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and str(data.get("$schema", "")).startswith("https://json-schema.org/")
