"""MkDocs, incrementally: rebuild only the pages whose Markdown changed, into a hard-linked copy of the last site.

MkDocs' own ``--dirty`` decides by file times and then leaves the nav, the search index and cross-page
anchor checks as the changed pages alone see them ("inaccurate navigation", in its words). Here a build
decides by content and keeps everything a cold build gives, byte for byte:

- :meth:`SiteIncrement.plan` (plugin ``on_files``): a page is rebuilt when its Markdown's SHA-256 differs from
  the last build's, a static file when its bytes differ from the copy in the site; **every** page is rebuilt
  when anything site-wide changed (mkdocs.yml, the theme and its overrides, versions, reportgen's code, the
  build date, the set of files). Each file that will be written is unlinked first, so MkDocs never writes
  through a hard link into the previous site (which stays intact until the swap), and so is every output
  that is not a file's (sitemap, 404 page, search index): MkDocs writes those on every build.
- :meth:`SiteIncrement.restore` (``on_env``): a page not rebuilt gets back what other pages show of it: its
  title (the nav, previous/next links), front matter and anchors (link checks). When the nav then differs
  from the last build's, :class:`NavChanged` asks for a cold build.
- :meth:`SiteIncrement.finish` (``on_post_build``, before the search plugin writes): the search index is
  put together from each page's entries, the rebuilt pages' new ones and the others' recorded ones, in
  the order a cold build adds them.

The record of a build (per page: source SHA-256, title, front matter, anchors, search entries; the site's
files with size and time) is kept in ``.reportgen-cache/site/``; a site whose files differ from the record
(touched by hand, or built by something else) is built cold. Only plugins whose state this knows may run
(Material's ``search``, ``reportgen``); with any other, builds are cold.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from reportgen import write
from reportgen.cache import FOLDER, LAYOUT, ExtractionCache, code_digest, used

#: Plugins whose effect on the output a partial build keeps exact.
KNOWN_PLUGINS = {"material/search": "material.plugins.search.plugin", "reportgen": "reportgen.mkdocs_plugin"}


class NavChanged(Exception):
    """The nav (titles, order) differs from the last build's: every page must be built again."""


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def outputs(site: Path) -> dict[str, list[int]]:
    """Every file of a built site: relative path → [size, mtime in ns]."""
    found = {}
    for path in sorted(site.rglob("*")):
        if path.is_file() and not path.is_symlink():
            stat = path.stat()
            found[path.relative_to(site).as_posix()] = [stat.st_size, stat.st_mtime_ns]
    return found


def record_path(root: Path, site: Path) -> Path | None:
    """Where the record of the site at ``site`` is kept (None when the cache is off)."""
    if ExtractionCache.of(root) is None:
        return None
    return root / FOLDER / "site" / f"{_sha(str(site).encode())[:32]}.json"


def load(path: Path | None, site: Path) -> dict[str, Any] | None:
    """The record of the last build of ``site`` if the site is still exactly what that build left, else None."""
    if path is None or not site.is_dir():
        return None
    try:
        record: dict[str, Any] = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if record.get("layout") != LAYOUT or record.get("outputs") != outputs(site):
        return None
    used(path)
    return record


def save(path: Path | None, site: Path, state: SiteIncrement, inputs: str | None = None) -> None:
    """Keep the record of the build that just wrote ``site`` (nothing, if a page's front matter is not JSON), with
    the key of its inputs (:mod:`reportgen.site_key`; None: the next build runs MkDocs whatever it finds)."""
    if path is None:
        return
    if state.unrecordable:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        return
    record: dict[str, Any] = {"layout": LAYOUT, "signature": state.signature, "nav": state.nav, "pages": state.pages}
    record |= {"inputs": inputs, "outputs": outputs(site)}
    with contextlib.suppress(OSError):
        write.write_file(path, json.dumps(record, default=str).encode())  # key order kept: the search index keeps it


def _installed_packages() -> list[Path]:
    """The folders of the installed MkDocs and Material, whose versions the signature names."""
    found = []
    for name in ("mkdocs", "material"):
        spec = importlib.util.find_spec(name)
        found += [Path(p).resolve() for p in (spec.submodule_search_locations or [])] if spec else []
    return found


def _theme_digest(config: Any) -> str:
    """The theme's folders (overrides, and Material's templates unless they are the installed package's, named
    by its version: 14 500 files of icons to stat on every build) by name, size and time of each file."""
    digest = hashlib.sha256()
    installed = _installed_packages()
    for folder in config.theme.dirs:
        if any(Path(folder).resolve().is_relative_to(package) for package in installed):
            digest.update(f"{folder}\0installed\n".encode())
            continue
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


#: The front matter keys Material's nav shows of a page (partials/nav-item.html, tabs-item.html).
_NAV_META = ("icon", "subtitle", "status")


def _nav(items: Any, shown_index_titles: bool, depth: int = 0) -> list[list[Any]]:
    """What the nav shows of each item. Under Material's ``navigation.indexes`` a section's index page is shown
    by the section's title, so its own title is left out (unless ``navigation.footer`` shows it as a neighbour)."""
    found: list[list[Any]] = []
    index = None
    if depth > 0 and not shown_index_titles:
        index = next((i for i in items if getattr(i, "is_index", False)), None)
    for item in items:
        title = None if item is index else str(item.title)
        meta = {k: v for k, v in (getattr(item, "meta", None) or {}).items() if k in _NAV_META}
        found.append([depth, type(item).__name__, title, getattr(item, "url", None), meta])
        if item.children:
            found += _nav(item.children, shown_index_titles, depth + 1)
    return found


def _same_after_json(value: Any) -> bool:
    try:
        return bool(json.loads(json.dumps(value)) == value)
    except (TypeError, ValueError):
        return False


@dataclass
class SiteIncrement:
    """One build's plan and record. ``previous``: the last build's record (None: a cold build)."""

    previous: dict[str, Any] | None
    #: The cache folder, where pages' conversions (:mod:`reportgen.page_conversions`) and the theme's compiled
    #: templates (:mod:`reportgen.theme_bytecode`) are kept; None: nothing is kept.
    cache: Path | None = None
    signature: str = ""
    nav: list[list[Any]] = field(default_factory=list)
    pages: dict[str, dict[str, Any]] = field(default_factory=dict)
    rebuilt: set[str] = field(default_factory=set)
    unrecordable: bool = False
    _search_mark: int = 0

    @property
    def dirty(self) -> bool:
        """Whether MkDocs runs with ``dirty`` (only files this plan marks are built)."""
        return self.previous is not None

    def plan(self, files: Any, config: Any, settings: str) -> None:
        """Decide what to build (``settings``: what the caller changed in mkdocs.yml, as text) and unlink it."""
        listing = sorted(f"{f.src_uri}\0{f.dest_uri}" for f in files)
        parts = [
            LAYOUT,
            code_digest(),
            settings,
            str(config.site_url),
            os.environ.get("SOURCE_DATE_EPOCH", ""),
            f"mkdocs {version('mkdocs')} material {version('mkdocs-material')} markdown {version('markdown')}",
            _theme_digest(config),
            *listing,
        ]
        self.signature = _sha("\n".join(parts).encode())
        previous = self.previous
        same_site = previous is not None and previous.get("signature") == self.signature
        site = Path(config.site_dir)
        kept: set[str] = set()
        for file in files:
            if file.is_documentation_page():
                source = _sha(file.content_bytes)
                self.pages[file.src_uri] = {"sha": source}
                old = previous["pages"].get(file.src_uri) if same_site and previous else None
                modified = old is None or old.get("sha") != source
            else:
                modified = not self._same_bytes(file, site / file.dest_uri)
            if modified:
                self.rebuilt.add(file.src_uri)
            else:
                kept.add(file.dest_uri)
            file.is_modified = lambda modified=modified: modified
        if self.dirty:
            # The staging copy holds the files of the site the record lists (load() checked them; hard links keep
            # size and time), so the record names them without walking the copy again.
            assert previous is not None
            stale = [p for p in previous["outputs"] if p not in kept]
            write.unlink(site, stale)  # never written through: the previous site keeps its bytes

    @staticmethod
    def _same_bytes(file: Any, copy: Path) -> bool:
        if not copy.is_file():
            return False
        if file.abs_src_path is None or getattr(file, "_content", None) is not None:
            return False  # a file made in memory by a plugin: always written
        source = Path(file.abs_src_path)
        if source.stat().st_size != copy.stat().st_size:
            return False
        return source.read_bytes() == copy.read_bytes()

    def restore(self, files: Any, nav: Any, config: Any) -> None:
        """Give pages not rebuilt their title, front matter and anchors; record every page's; check the nav."""
        previous = self.previous
        for file in files.documentation_pages():
            page = file.page
            entry = self.pages[file.src_uri]
            if file.src_uri not in self.rebuilt and previous is not None:
                old = previous["pages"][file.src_uri]
                page.title = old["title"]
                page.meta = old["meta"]
                page.present_anchor_ids = set(old["anchors"])
                entry.update(old)
            else:
                if not _same_after_json(page.meta):
                    self.unrecordable = True  # front matter JSON cannot hold: the next build is cold
                anchors = sorted(page.present_anchor_ids or ())
                entry.update(title=page.title, meta=page.meta, anchors=anchors, search=[])
        features = config.theme.get("features") or []
        shown = "navigation.indexes" not in features or "navigation.footer" in features
        self.nav = _nav(nav.items, shown)
        skipped = any(f.src_uri not in self.rebuilt for f in files.documentation_pages())
        if skipped and previous is not None and previous.get("nav") != json.loads(json.dumps(self.nav, default=str)):
            raise NavChanged

    def page_built(self, page: Any, search: Any) -> None:
        """After the search plugin indexed ``page``: its entries, for the next build."""
        if search is None:
            return
        entries = search.search_index.entries
        self.pages[page.file.src_uri]["search"] = json.loads(json.dumps(entries[self._search_mark :], default=str))
        self._search_mark = len(entries)

    def finish(self, files: Any, search: Any) -> None:
        """The search index of every page, in the order a cold build adds them."""
        if search is None or not self.dirty:
            return
        search.search_index.entries = [
            entry for file in files.documentation_pages() for entry in self.pages[file.src_uri]["search"]
        ]


def supported(config: Any) -> bool:
    """Whether every plugin of ``config`` is one whose output a partial build keeps exact."""
    return all(KNOWN_PLUGINS.get(name) == type(plugin).__module__ for name, plugin in config.plugins.items())


def search_plugin(config: Any) -> Any:
    """Material's search plugin of ``config`` (MkDocs names it ``material/search`` under Material), or None."""
    return config.plugins.get("material/search")
