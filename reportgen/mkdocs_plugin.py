"""The MkDocs side of "text is text": the ``reportgen`` plugin (``plugins: [search, reportgen]``).

MkDocs and Material treat a page title as HTML, and reportgen writes titles as escaped text
(:func:`reportgen.markup.text`). Material's ``<title>`` element, though, is written as
``page.title | striptags``, and Jinja's ``striptags`` *unescapes* character references: a release
titled ``</title><script>…`` would become live markup in every page's head. This plugin makes
``striptags`` return escaped text, which is what both places it is used in Material need.
``reportgen build`` adds the plugin when mkdocs.yml does not list it; ``reportgen init`` lists it.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape
from mkdocs.plugins import BasePlugin

NAME = "reportgen"


def striptags_escaped(value: Any) -> Markup:
    """Jinja's ``striptags`` (tags removed, references decoded, whitespace collapsed), then escaped again."""
    return escape(Markup(str(value)).striptags())


class ReportgenPlugin(BasePlugin):  # type: ignore[type-arg,no-untyped-call]
    def on_env(self, env: Any, /, *, config: Any, files: Any) -> Any:
        env.filters["striptags"] = striptags_escaped
        return env


def ensure(config: Any) -> None:
    """Add the plugin to a loaded MkDocs config that does not list it (projects made before it existed)."""
    if NAME not in config.plugins:
        plugin = ReportgenPlugin()
        plugin.load_config({})
        config.plugins[NAME] = plugin
