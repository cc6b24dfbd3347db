"""Links to page sources inside raw HTML, resolved the way MkDocs resolves Markdown links.

The Markdown fields of a release (summary, section bodies, scenario descriptions, environment notes) reach
the page as sanitised HTML, and a citation in them is a link in that HTML. MkDocs rewrites a Markdown link
to ``evidence.md#x`` into the URL the page is served at, but never touches raw HTML, so reportgen writes
those links to the page *source* (``evidence.md#x``) and this module, called by reportgen's MkDocs plugin on
each rendered page, turns them into the served URL with MkDocs' own logic: ``evidence/#x`` in a site built
with directory URLs, ``evidence.html#x`` in a bundle opened from disk (``use_directory_urls: false``).
"""

from __future__ import annotations

import html
import posixpath
import re
from typing import Any
from urllib.parse import unquote, urlsplit

#: The href of an <a> tag (never text: in rendered HTML a "<" of text is always written &lt;).
_ANCHOR_HREF = re.compile(r'(<a\b(?:[^>"]|"[^"]*")*?\shref=")([^"]*)(")')


def served_url(href: str, page: Any, files: Any) -> str | None:
    """The URL, relative to ``page`` (a MkDocs Page), that MkDocs serves the page source ``href`` at, or None
    when ``href`` names no Markdown page of the site (another host, an anchor, a file, a page not there)."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.endswith(".md") or parts.path.startswith("/"):
        return None
    folder = posixpath.dirname(page.file.src_uri)
    target = files.get_file_from_path(posixpath.normpath(posixpath.join(folder, unquote(parts.path))))
    if target is None:
        return None
    url: str = target.url_relative_to(page.file)  # MkDocs is untyped here: Any under mypy strict
    return url + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")


def resolve(content: str, page: Any, files: Any) -> str:
    """``content`` (a page's HTML) with every link to a page source replaced by the URL it is served at."""

    def link(match: re.Match[str]) -> str:
        url = served_url(html.unescape(match.group(2)), page, files)
        return match.group(0) if url is None else match.group(1) + html.escape(url) + match.group(3)

    return _ANCHOR_HREF.sub(link, content)
