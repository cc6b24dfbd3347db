"""Whether site/ is already what MkDocs would build from this build's inputs, so that MkDocs need not run.

:func:`inputs_key` hashes every input of the MkDocs step:

- every file of the folder MkDocs builds from (the staging copy of site_docs/ with the new releases/), by
  name and bytes;
- mkdocs.yml as MkDocs reads it (``!ENV`` values and ``INHERIT``\\ ed files resolved), the settings reportgen
  overrides, the engine, and the site folder;
- the bytes of every file under the theme's ``custom_dir`` and of every ``hooks`` file;
- the build date (``SOURCE_DATE_EPOCH``), reportgen's code digest, and the name and version of every installed
  distribution (MkDocs, Material, Markdown and its extensions, Pygments, plugins).

The key is kept in the record of the last build (:mod:`reportgen.site_increment`), which also lists every file
of site/ with its size and mtime. MkDocs is skipped only when the key is the same and site/ is still exactly
what that build left; anything else runs MkDocs (incrementally where it can). A project whose mkdocs.yml names
a plugin other than search and reportgen, or ``pymdownx.snippets`` (which reads files outside site_docs/),
always runs MkDocs: what those read is not known here.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Mapping
from importlib.metadata import distributions
from pathlib import Path
from typing import Any

from reportgen.cache import LAYOUT, code_digest
from reportgen.engine import read_config
from reportgen.errors import InputError, ProjectError
from reportgen.input_cache import hash_file

#: Plugins whose inputs are the docs folder and mkdocs.yml alone.
_KNOWN_PLUGINS = frozenset({"search", "material/search", "reportgen"})
#: Markdown extensions that read files from outside the docs folder.
READS_FILES = frozenset({"pymdownx.snippets"})


@functools.cache
def installed() -> str:
    """Every installed distribution and its version, one a line."""
    found = {(d.metadata["Name"] or "").lower(): d.version for d in distributions()}
    return "\n".join(f"{name} {version}" for name, version in sorted(found.items()))


def names(entries: Any) -> set[str]:
    """The names in a mkdocs.yml list of plugins or extensions (each a name, or a one-key mapping of settings)."""
    if isinstance(entries, dict):
        return {str(k) for k in entries}
    if not isinstance(entries, list):
        return set()
    return {str(next(iter(e))) if isinstance(e, dict) and e else str(e) for e in entries}


def _tree(folder: Path) -> list[str]:
    """Each file under ``folder``: relative path and SHA-256 of its bytes (symlinks followed), sorted."""
    lines = []
    for current, folders, files in os.walk(folder, followlinks=True):
        folders.sort()
        for name in sorted(files):
            path = Path(current, name)
            lines.append(f"{path.relative_to(folder).as_posix()}\0{hash_file(path)[0]}")
    return lines


def inputs_key(
    config_file: Path, docs_dir: Path, site_dir: Path, engine: str, overrides: Mapping[str, Any] | None = None
) -> str | None:
    """The key of every input of an MkDocs build of ``docs_dir`` into ``site_dir``; None when they are not all
    known (a plugin or an extension that reads other files) or cannot be read: then MkDocs runs, and says what
    is wrong in its own words."""
    try:
        return _key(read_config(config_file), config_file.parent, docs_dir, site_dir, engine, overrides or {})
    except (OSError, InputError, ProjectError):
        return None


def _key(
    config: dict[str, Any], base: Path, docs_dir: Path, site_dir: Path, engine: str, overrides: Mapping[str, Any]
) -> str | None:
    if not names(config.get("plugins", ["search"])) <= _KNOWN_PLUGINS:
        return None
    if names(config.get("markdown_extensions")) & READS_FILES:
        return None
    digest = hashlib.sha256()

    def part(label: str, text: str) -> None:
        digest.update(f"\0{label}\0{len(text)}\0{text}".encode())

    part("layout", LAYOUT)
    part("code", code_digest())
    part("installed", installed())
    part("engine", engine)
    part("site", str(site_dir.absolute()))
    part("date", os.environ.get("SOURCE_DATE_EPOCH", ""))
    part("config", json.dumps(config, sort_keys=True, default=str))
    part("overrides", json.dumps({k: v for k, v in overrides.items() if k != "docs_dir"}, default=str))
    theme = config.get("theme")
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    if custom:
        part("theme", "\n".join(_tree(base / str(custom))))
    for hook in config.get("hooks") or []:
        part("hook", f"{hook}\0{hash_file(base / str(hook))[0]}")
    for line in _tree(docs_dir):
        part("docs", line)
    return digest.hexdigest()
