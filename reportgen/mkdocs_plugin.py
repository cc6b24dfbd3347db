"""The MkDocs side of "text is text": the ``reportgen`` plugin (``plugins: [search, reportgen]``).

MkDocs and Material treat a page title as HTML, and reportgen writes titles as escaped text
(:func:`reportgen.markup.text`). Material's ``<title>`` element, though, is written as
``page.title | striptags``, and Jinja's ``striptags`` *unescapes* character references: a release
titled ``</title><script>…`` would become live markup in every page's head. This plugin makes
``striptags`` return escaped text, which is what both places it is used in Material need.

It also turns off Material's ``content.tooltips`` feature. Material (9.8) builds those tooltips by
appending the ``title`` attribute to ``innerHTML``: every escaped figure hover (a projection's basis,
an artifact's path) and every ``abbr`` title becomes live markup again, and for a navigation entry
cut short with an ellipsis it copies the entry's rendered text into ``title`` first, so no escaping of
ours can keep that text text. Without the feature the browser shows ``title`` itself, as text.
``reportgen build`` adds the plugin when mkdocs.yml does not list it; ``reportgen init`` lists it.

It also resolves links to page sources (``evidence.md#x``) inside raw HTML, which MkDocs leaves as
written: the sanitised Markdown fields and the citations in them (:mod:`reportgen.page_links`), so they
work in a served site and in a bundle opened from disk alike.

It also keeps the sidebar's list of releases bounded and in release order (:mod:`reportgen.site_nav`;
option ``nav_releases``), and keeps the inline chart SVGs of reportgen's pages out of MkDocs' Markdown and
search passes, putting the same bytes back into the finished pages, and the numbers under each chart out of
Markdown's HTML parser (:mod:`reportgen.svg_lift`). For an
incremental build (:mod:`reportgen.site_increment`) it tells MkDocs which pages to build and puts back what
the pages it skips would have given.
"""

from __future__ import annotations

import logging
from typing import Any

from markupsafe import Markup, escape
from mkdocs.config import config_options
from mkdocs.plugins import BasePlugin, event_priority

from reportgen import page_links
from reportgen.claims import INDEX
from reportgen.site_increment import SiteIncrement, search_plugin, supported
from reportgen.site_nav import DEFAULT_NAV_RELEASES, releases_in_order, window_releases
from reportgen.svg_lift import lift, lift_blocks, restore, restore_blocks
from reportgen.theme_bytecode import keep_compiled

NAME = "reportgen"
#: Material features that turn text back into markup (see the module docstring); never enabled in a build.
UNSAFE_FEATURES = ("content.tooltips",)
_LOG = logging.getLogger(f"mkdocs.plugins.{NAME}")
#: The alias ``reportgen deploy`` gives the newest release unless told otherwise.
DEFAULT_ALIAS = "latest"
#: The folder of site_docs/ reportgen writes (Project.generated), as MkDocs names it.
GENERATED = "releases"


def striptags_escaped(value: Any) -> Markup:
    """Jinja's ``striptags`` (tags removed, references decoded, whitespace collapsed), then escaped again."""
    return escape(Markup(str(value)).striptags())


def drop_unsafe_features(config: Any) -> None:
    """Remove UNSAFE_FEATURES from a loaded config's theme, saying so (mkdocs.yml itself is not changed)."""
    features = config.theme.get("features") or []
    for feature in UNSAFE_FEATURES:
        if feature in features:
            features.remove(feature)
            _LOG.info(f"theme feature {feature} is off: Material shows its tooltips as HTML, not text")


def version_folders(config: Any, files: Any) -> list[str]:
    """The folders a page of this site sits in when ``reportgen deploy`` published it with mike: the build's newest
    release (deploy builds a version as of its release, which is then the newest) or the default alias (a copy).
    overrides/main.html asks for mike's versions.json only from inside one, so a site never deployed, served from
    any path, requests nothing that is not there. A few names, however many releases there are."""
    index = files.get_file_from_path(f"{GENERATED}/{INDEX}")
    releases = releases_in_order(index.content_bytes) if index is not None else []
    default = (config.extra.get("version") or {}).get("default") or []
    aliases = [default] if isinstance(default, str) else [str(alias) for alias in default]
    return sorted({releases[-1], *aliases, DEFAULT_ALIAS}) if releases else []


class ReportgenPlugin(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    config_scheme = (("nav_releases", config_options.Type(int, default=DEFAULT_NAV_RELEASES)),)

    #: Set by reportgen.engine for an incremental build (reportgen.site_increment), with what it overrode.
    increment: SiteIncrement | None = None
    settings: str = ""
    _files: Any = None
    _nav: Any = None

    def __init__(self) -> None:
        super().__init__()
        #: Chart SVG lines lifted out of each page's Markdown until its HTML is written, by page source path.
        self._lifted: dict[str, list[str]] = {}
        #: The blocks of chart numbers lifted out of each page's Markdown until Markdown made its HTML.
        self._blocks: dict[str, list[str]] = {}

    def on_config(self, config: Any, /) -> Any:
        drop_unsafe_features(config)
        return config

    def on_files(self, files: Any, /, *, config: Any) -> Any:
        self._files = files
        if self.increment is not None:
            self.increment.plan(files, config, self.settings)
        return files

    def on_nav(self, nav: Any, /, *, config: Any, files: Any) -> Any:
        index = files.get_file_from_path(f"{GENERATED}/{INDEX}")
        order = releases_in_order(index.content_bytes) if index is not None else []  # none before a build
        self._nav = window_releases(nav, GENERATED, order, self.config["nav_releases"]) if order else nav
        return self._nav

    def on_page_content(self, html: str, /, *, page: Any, config: Any, files: Any) -> str:
        blocks = self._blocks.pop(page.file.src_uri, [])
        if blocks:  # before anything else reads the HTML: search, links and the theme see what Markdown gave
            html = restore_blocks(html, blocks, page.file.src_uri)
        # Links in the sanitised HTML of Markdown fields name page sources; MkDocs leaves raw HTML alone.
        return page_links.resolve(html, page, files)

    def on_env(self, env: Any, /, *, config: Any, files: Any) -> Any:
        env.filters["striptags"] = striptags_escaped
        env.globals["reportgen_version_folders"] = version_folders(config, files)
        if self.increment is not None:
            if supported(config):  # the theme's templates compiled once (every page the build writes uses them)
                keep_compiled(env, self.increment.cache, self.settings)
            self.increment.restore(files, self._nav, config)
        return env

    def on_page_markdown(self, markdown: str, /, *, page: Any, config: Any, files: Any) -> str:
        if not page.file.src_uri.startswith(f"{GENERATED}/"):
            return markdown  # only reportgen's own pages: a hand-written SVG line stays Markdown's to parse
        markdown, charts = lift(markdown)
        if charts:
            self._lifted[page.file.src_uri] = charts
        markdown, blocks = lift_blocks(markdown)
        if blocks:
            self._blocks[page.file.src_uri] = blocks
        return markdown

    def lifted(self, src_uri: str) -> list[str] | None:
        """The chart SVG lines lifted out of a page's Markdown (for :mod:`reportgen.mkdocs_pool`'s workers)."""
        return self._lifted.get(src_uri)

    def keep_lifted(self, src_uri: str, charts: list[str]) -> None:
        """Keep the chart SVG lines a worker lifted out of a page's Markdown, for its finished HTML."""
        self._lifted[src_uri] = charts

    def on_post_page(self, output: str, /, *, page: Any, config: Any) -> str:
        charts = self._lifted.pop(page.file.src_uri, [])
        return restore(output, charts, page.file.src_uri) if charts else output

    @event_priority(-100)  # after the search plugin indexed the page
    def on_page_context(self, context: Any, /, *, page: Any, config: Any, nav: Any) -> Any:
        if self.increment is not None:
            self.increment.page_built(page, search_plugin(config))
        return context

    @event_priority(100)  # before the search plugin writes its index
    def on_post_build(self, *, config: Any) -> None:
        if self.increment is not None:
            self.increment.finish(self._files, search_plugin(config))


def ensure(config: Any) -> None:
    """Add the plugin to a loaded MkDocs config that does not list it (projects made before it existed)."""
    if NAME not in config.plugins:
        plugin = ReportgenPlugin()
        plugin.load_config({})
        config.plugins[NAME] = plugin
