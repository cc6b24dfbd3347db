"""MkDocs pages' conversions kept between builds, so a build that must write every page again converts only the
pages whose Markdown changed and puts the others through the theme alone.

Adding a release changes every page of the site: each page's sidebar lists the newest releases, and each names the
newest release among its version folders (overrides/main.html), so no page can be kept as it was built
(:mod:`reportgen.site_increment`). But what MkDocs does first with a page, and what costs most (its Markdown
converted to HTML, ``_populate_page``, and the search plugin's reading of that HTML, see :mod:`reportgen.mkdocs_pool`),
reads neither the nav nor the build date: only the page's Markdown, the config, the code of reportgen, MkDocs and
the Markdown extensions, and the site's files, through the look-ups of the files its links name (MkDocs' links and
reportgen's, :mod:`reportgen.page_links`, both ask ``Files.get_file_from_path``).

So a conversion is kept (in ``.reportgen-cache/converted/``) as the answer a page worker gives
(:mod:`reportgen.mkdocs_answers`: what the conversion changed on the page, the chart SVGs reportgen's plugin lifted
out, the page's search entries), with every path its links looked up and what each found (the file's URL and
whether it is excluded, or nothing). The key hashes the page's path, URL and Markdown bytes, what the build was
asked for (mkdocs.yml's text and the settings reportgen overrides), the config values a conversion reads (as
resolved: ``!ENV`` and ``INHERIT`` included), every plugin's settings, reportgen's code digest and every installed
distribution's version. An entry is used only while each of its look-ups finds the same now: a link to a page that
did not exist is converted again once it does.

Kept only for ``reportgen build``'s incremental builds, with plugins whose per-page state is known
(:func:`reportgen.site_increment.supported`) and no Markdown extension that reads other files
(:data:`reportgen.site_key.READS_FILES`), and only conversions that logged nothing (a strict build fails on a
warning, and a kept conversion would not say an info line again).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from reportgen import write
from reportgen.cache import FOLDER, LAYOUT, ExtractionCache, code_digest, used
from reportgen.input_cache import UNREADABLE
from reportgen.site_increment import supported
from reportgen.site_key import READS_FILES, installed, names

#: The cache folder's subfolder the conversions are kept in.
SUBFOLDER = "converted"
#: A look-up's finding: the file's URL and whether it is excluded from the site, or None (no such file).
Found = tuple[str, bool] | None
#: The config values a page's conversion reads.
_READ = ("site_url", "use_directory_urls", "markdown_extensions", "mdx_configs", "validation")
#: The first bytes of an entry: the length of its pickled look-ups, which are read before the answer.
_HEAD = 8


def folder(root: Path) -> Path | None:
    """The cache folder of the repository at ``root``, where MkDocs' builds keep what they keep; None when the
    cache is off."""
    return None if ExtractionCache.of(root) is None else root / FOLDER


def _found(file: Any) -> Found:
    return None if file is None else (str(file.url), bool(file.inclusion.is_excluded()))


@contextmanager
def recording(files: Any) -> Iterator[dict[str, Found]]:
    """While active, every path looked up in ``files`` and what it found (``files`` is MkDocs' Files)."""
    seen: dict[str, Found] = {}
    real: Callable[[str], Any] = files.get_file_from_path

    def look_up(path: str) -> Any:
        file = real(path)
        seen.setdefault(path, _found(file))
        return file

    files.get_file_from_path = look_up
    try:
        yield seen
    finally:
        del files.get_file_from_path  # the method again


class Conversions:
    """The kept conversions of one MkDocs build's pages."""

    def __init__(self, folder: Path, context: str) -> None:
        self.folder, self.context = folder, context

    @classmethod
    def of(cls, config: Any) -> Conversions | None:
        """The conversions of an incremental build of ``config`` with the cache on; None otherwise."""
        plugin = config.plugins.get("reportgen")
        increment = getattr(plugin, "increment", None)
        cache = getattr(increment, "cache", None)
        if cache is None or not supported(config) or names(config["markdown_extensions"]) & READS_FILES:
            return None
        read = {name: config[name] for name in _READ}
        settings = {name: dict(p.config) for name, p in config.plugins.items()}
        parts = [LAYOUT, code_digest(), installed(), plugin.settings, json.dumps([read, settings], default=str)]
        return cls(cache / SUBFOLDER, hashlib.sha256("\0".join(parts).encode()).hexdigest())

    def _path(self, file: Any) -> Path:
        digest = hashlib.sha256(f"{self.context}\0{file.src_uri}\0{file.url}\0".encode())
        digest.update(file.content_bytes)
        key = digest.hexdigest()
        return self.folder / key[:2] / f"{key}.pickle"

    def valid(self, file: Any, files: Any) -> Path | None:
        """Where the page's kept conversion is, if every look-up it made finds the same in ``files``; else None."""
        path = self._path(file)
        try:
            with path.open("rb") as stream:
                size = int.from_bytes(stream.read(_HEAD), "little")
                lookups = pickle.loads(stream.read(size))
            if not isinstance(lookups, dict):
                return None
        except UNREADABLE:
            return None  # absent, damaged or from other code: converted again and rewritten
        if any(_found(files.get_file_from_path(p)) != found for p, found in lookups.items()):
            return None
        return path

    @staticmethod
    def answer(path: Path) -> bytes | None:
        """The answer kept at ``path`` (which :meth:`valid` gave), marked used; None if it is gone."""
        try:
            data = path.read_bytes()
        except OSError:
            return None
        used(path)
        return data[_HEAD + int.from_bytes(data[:_HEAD], "little") :]

    def put(self, file: Any, answer: bytes, lookups: dict[str, Found]) -> None:
        head = pickle.dumps(lookups, protocol=pickle.HIGHEST_PROTOCOL)
        with contextlib.suppress(OSError):  # a read-only checkout still builds, only without the cache
            write.write_file(self._path(file), len(head).to_bytes(_HEAD, "little") + head + answer)
