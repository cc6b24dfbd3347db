"""``reportgen bundle`` and ``reportgen pdf``: one release's site for people without a server.

The bundle is the site as of the release (as ``deploy`` publishes it) built for file://: plain ``.html``
links (``use_directory_urls: false``), Material's offline plugin (search index inlined), and the
iframe-worker shim served from the bundle itself instead of the CDN the plugin would name, so that search
runs from disk and nothing is requested from another host. No version selector: there is no versions.json
beside a folder on disk. A ``.zip`` of the folder is written beside it, byte-identical for the same inputs.
"""

from __future__ import annotations

import zipfile
from importlib.resources import files
from pathlib import Path
from typing import Any

from reportgen import outputs, write
from reportgen.analyse import analyse
from reportgen.build import mkdocs_build, stage_docs
from reportgen.engine import read_config
from reportgen.project import Project
from reportgen.publish import as_of
from reportgen.schemas.report import ReleaseResult

#: Where the shim lands inside the bundle (and inside the staged docs it is built from).
SHIM = "assets/reportgen-offline/iframe-worker-shim.js"
_SHIM_SOURCE = files("reportgen").joinpath("assets", "iframe-worker-shim.js")


def _offline_settings(project: Project) -> dict[str, Any]:
    """mkdocs.yml's settings replaced for a site on disk: links, the offline plugin, the local shim, no versions."""
    config = read_config(project.mkdocs_yml)
    extra = {k: v for k, v in (config.get("extra") or {}).items() if k != "version"}
    extra["polyfills"] = [SHIM]
    plugins = list(config.get("plugins") or ["search"])
    names = [p if isinstance(p, str) else next(iter(p)) for p in plugins]
    if not {"offline", "material/offline"} & set(names):
        plugins.append("offline")
    return {"use_directory_urls": False, "extra": extra, "plugins": plugins}


def build_offline(project: Project, results: list[ReleaseResult], site: Path) -> Path:
    """The site of ``results`` built for file:// into ``site`` (from a staged copy of site_docs/)."""
    staging = stage_docs(project, results)
    try:
        write.write_file(staging / SHIM, _SHIM_SOURCE.read_bytes())
        return mkdocs_build(project, results, site, staging, overrides=_offline_settings(project))
    finally:
        write.discard(staging)


def is_our_archive(path: Path) -> bool:
    """A zip of a folder reportgen built (it holds that folder's marker), so a later bundle may replace it."""
    try:
        with zipfile.ZipFile(path) as archive:
            return any(name.endswith("/" + outputs.MARKER) for name in archive.namelist())
    except (OSError, zipfile.BadZipFile):
        return False


def default_bundle_dir(project: Project, release: str) -> Path:
    return project.root / "exports" / f"{release}-site"


def bundle(project: Project, release: str, folder: Path | None = None) -> tuple[Path, Path]:
    """Build the offline site of ``release`` into ``folder`` and zip it beside it; returns both paths."""
    target = outputs.guard_output_dir(project, folder or default_bundle_dir(project, release), what="bundle")
    archive = outputs.guard_output_file(
        project, target.with_name(target.name + ".zip"), what="bundle archive", ours=is_our_archive
    )
    subset = as_of(analyse(project), release)
    build_offline(project, subset, target)
    write.write_archive(archive, target, subset[0].manifest.date)
    return target, archive
