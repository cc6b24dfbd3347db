"""Debian's Chromium for the browser tests, found and launched one way, and built sites served on 127.0.0.1 only.

Where no chromium is installed the browser tests skip, except under CI (``CI`` or ``REPORTGEN_REQUIRE_BROWSER``
set), where they must run: there the run stops instead. Never ``playwright install``: Playwright drives Debian's binary
through ``executable_path``.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

#: No sandbox (root in a container), and nothing Chromium would fetch from another host on its own.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def browser_required() -> bool:
    """Whether browser tests must run here (CI), so that a missing chromium fails the run instead of skipping."""
    return bool(os.environ.get("REPORTGEN_REQUIRE_BROWSER") or os.environ.get("CI"))


#: Why browser tests skip on a machine without chromium (outside CI).
NO_CHROMIUM = "no chromium on this machine (apt-get install chromium)"

#: Why a run that must drive a browser stops on a machine without chromium.
CHROMIUM_REQUIRED = "browser tests must run here, but no chromium is installed (apt-get install chromium)"


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_folder(folder: Path, port: int = 0) -> Iterator[str]:
    """``folder`` over HTTP on 127.0.0.1 (``port`` 0: a free one) while the block runs; yields ``http://127.0.0.1:PORT``."""
    server = ThreadingHTTPServer(("127.0.0.1", port), functools.partial(_Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
