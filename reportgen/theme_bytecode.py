"""The theme's Jinja templates compiled once, not on every MkDocs run.

MkDocs makes a new Jinja environment for the theme on every build, and Jinja compiles every template it loads
(Material's ``main.html``, ``base.html``, ``404.html`` and their partials: about 0.9 s of cpu for its 115), on a
rebuild with one page to write as on a cold one. Jinja's bytecode cache keeps the compiled code; a template is
looked up by its name and file (Jinja's key), and Jinja itself rejects what was compiled from other bytes (the
source's checksum) or by another Jinja or Python (its header). What else compiled code can depend on (the
environment's settings and extensions, and filters folded into constants) comes from the code of MkDocs, Material,
reportgen and their plugins and from mkdocs.yml, so the entry's name hashes those too: reportgen's code digest,
every installed distribution's version and mkdocs.yml's text with the settings reportgen overrides.

Entries are ``.reportgen-cache/jinja/xx/<sha256>``, marked used when read (pruned as every cache entry is), and
only for an incremental build of a site whose plugins' state is known (:func:`reportgen.site_increment.supported`).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from pathlib import Path
from typing import Any

from jinja2.bccache import Bucket, BytecodeCache

from reportgen import write
from reportgen.cache import LAYOUT, code_digest, used
from reportgen.input_cache import UNREADABLE
from reportgen.site_key import installed

#: The cache folder's subfolder the compiled templates are kept in.
SUBFOLDER = "jinja"


class ThemeBytecode(BytecodeCache):
    """Compiled templates in ``folder``, for the environment of a build whose code and settings are ``context``."""

    def __init__(self, folder: Path, context: str) -> None:
        self.folder, self.context = folder, context

    @classmethod
    def of(cls, cache: Path, settings: str) -> ThemeBytecode:
        """The compiled templates kept under the cache folder ``cache``, for a build asked for ``settings``."""
        parts = [LAYOUT, code_digest(), installed(), settings]
        return cls(cache / SUBFOLDER, hashlib.sha256("\0".join(parts).encode()).hexdigest())

    def _path(self, bucket: Bucket) -> Path:
        key = hashlib.sha256(f"{self.context}\0{bucket.key}\0{bucket.checksum}".encode()).hexdigest()
        return self.folder / key[:2] / key

    def load_bytecode(self, bucket: Bucket) -> None:
        path = self._path(bucket)
        try:
            data = path.read_bytes()
        except OSError:
            return  # compiled now, and kept
        try:
            bucket.load_bytecode(io.BytesIO(data))  # a foreign entry (other Jinja, Python, bytes) leaves it empty
        except UNREADABLE:
            bucket.reset()  # damaged: compiled again and rewritten
        if bucket.code is not None:
            used(path)

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError, TypeError, ValueError):  # a read-only checkout: compiled on every run
            write.write_file(self._path(bucket), bucket.bytecode_to_string())


def keep_compiled(env: Any, cache: Path | None, settings: str) -> None:
    """Let the Jinja environment ``env`` keep its compiled templates under ``cache`` (None: nothing is kept)."""
    if cache is not None:
        env.bytecode_cache = ThemeBytecode.of(cache, settings)
