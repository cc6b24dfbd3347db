"""The one seam through which a site is built: MkDocs 1.6, or ProperDocs (a maintained MkDocs 1.6 fork).

Every command that builds a site to keep (``build``, ``deploy``, ``bundle``, ``pdf``) calls :func:`run`;
``serve`` uses MkDocs' own live-reload server. The engine is the one named by the caller (``--engine``),
else ``extra.reportgen.engine`` in mkdocs.yml, else MkDocs. Both read the same mkdocs.yml and site_docs/
and write the same bytes for our pages.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from reportgen import named_files
from reportgen.errors import BuildError, ProjectError
from reportgen.site_increment import SiteIncrement, supported

ENGINES = ("mkdocs", "properdocs")
DEFAULT_ENGINE = "mkdocs"


def read_config(config_file: Path) -> dict[str, Any]:
    """mkdocs.yml as a plain mapping, ``!ENV`` and ``!relative`` tags resolved the way MkDocs resolves them."""
    from mkdocs.utils.yaml import yaml_load

    try:
        with named_files.open_file(config_file) as stream:
            loaded = yaml_load(stream)
    except OSError as exc:
        raise ProjectError(f"{config_file}: cannot read: {exc.strerror or exc}") from None
    except Exception as exc:  # noqa: BLE001 - PyYAML's errors have no common public base worth naming
        raise ProjectError(f"{config_file}: not valid YAML: {exc}") from None
    return loaded if isinstance(loaded, dict) else {}


def site_url(config_file: Path) -> str | None:
    """The ``site_url`` mkdocs.yml resolves to (after ``!ENV``), or None when it is unset or empty."""
    value = read_config(config_file).get("site_url")
    return str(value) if value else None


def configured_engine(config_file: Path) -> str:
    """``extra.reportgen.engine`` from mkdocs.yml, or MkDocs."""
    extra = read_config(config_file).get("extra") or {}
    settings = extra.get("reportgen") if isinstance(extra, dict) else None
    chosen = settings.get("engine") if isinstance(settings, dict) else None
    return str(chosen) if chosen else DEFAULT_ENGINE


def _check(engine: str) -> None:
    if engine not in ENGINES:
        raise ProjectError(f"unknown build engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if importlib.util.find_spec(engine) is None:
        raise ProjectError(
            f"build engine {engine!r} is not installed; install it with `pip install {engine}` "
            "or choose another with --engine or extra.reportgen.engine in mkdocs.yml"
        )


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _failed(config_file: Path, engine: str, what: object, messages: list[str]) -> BuildError:
    details = "\n".join(f"  {m}" for m in messages)
    brand = {"mkdocs": "MkDocs", "properdocs": "ProperDocs"}[engine]
    return BuildError(f"{config_file}: {brand} build failed: {what}" + (f"\n{details}" if details else ""))


class _NotDirtyWarning(logging.Filter):
    """MkDocs warns of every ``dirty`` build (its nav would be inaccurate); reportgen's keeps it exact."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("A 'dirty' build is being performed")


def _run_mkdocs(config_file: Path, options: dict[str, Any], increment: SiteIncrement | None = None) -> None:
    # MkDocs and the plugin (which imports it) only here: a rebuild with nothing to build never imports them.
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    from reportgen import mkdocs_plugin, mkdocs_pool

    collector = _Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(collector)
    quiet = _NotDirtyWarning()
    logging.getLogger("mkdocs.commands.build").addFilter(quiet)
    try:
        config = load_config(config_file=str(config_file), **options)
        mkdocs_plugin.ensure(config)
        if increment is not None:
            if not supported(config):
                increment.previous, increment.unrecordable = None, True  # a plugin we do not know: cold
            plugin = config.plugins[mkdocs_plugin.NAME]
            assert isinstance(plugin, mkdocs_plugin.ReportgenPlugin)
            plugin.increment = increment
            # What the build was asked for beyond where it reads and writes (those are new folders every time).
            asked = {k: v for k, v in options.items() if k not in ("site_dir", "docs_dir")}
            plugin.settings = config_file.read_text(encoding="utf-8") + json.dumps(asked, sort_keys=True, default=str)
        with mkdocs_pool.pages_in_processes(config):  # Markdown converted on every core (large sites)
            build(config, dirty=increment is not None and increment.dirty)
    except (MkDocsException, OSError, SystemExit) as exc:
        raise _failed(config_file, "mkdocs", exc, collector.messages) from None
    finally:
        logger.removeHandler(collector)
        logging.getLogger("mkdocs.commands.build").removeFilter(quiet)


def _run_properdocs(config_file: Path, options: dict[str, Any]) -> None:
    """In a child process: importing ProperDocs redirects every later ``mkdocs.*`` import of the process to it.

    Settings are overridden by a temporary config beside mkdocs.yml that INHERITs it (relative paths keep
    their meaning)."""
    overlay = {"INHERIT": config_file.name, **options}
    fd, name = tempfile.mkstemp(prefix=".reportgen-engine-", suffix=".yml", dir=config_file.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            json.dump(overlay, stream, sort_keys=True)  # JSON is YAML
        done = subprocess.run(
            [sys.executable, "-m", "properdocs", "build", "--quiet", "--config-file", name],
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        Path(name).unlink(missing_ok=True)
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise _failed(config_file, "properdocs", f"exit {done.returncode}", lines)


def run(
    config_file: Path,
    site_dir: Path,
    *,
    engine: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    increment: SiteIncrement | None = None,
) -> None:
    """Build strictly into ``site_dir`` (``overrides`` replace mkdocs.yml settings, e.g. ``docs_dir``).

    The caller owns ``site_dir`` (a staging folder); a failed build raises :class:`BuildError` with every
    warning the engine logged. With ``increment`` (MkDocs only), ``site_dir`` holds a hard-linked copy of
    the last build and only what changed is built (:mod:`reportgen.site_increment`)."""
    name = engine or configured_engine(config_file)
    _check(name)
    options = {"site_dir": str(site_dir), "strict": True, **(overrides or {})}
    if name == "properdocs":
        if increment is not None:  # builds cold; cleaning site_dir unlinks the copy's files, never writes through
            increment.previous, increment.unrecordable = None, True
        _run_properdocs(config_file, options)
    else:
        _run_mkdocs(config_file, options, increment)
