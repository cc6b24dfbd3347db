"""``reportgen serve``: regenerate site_docs/ when results or templates change; MkDocs serves and live-reloads."""

from __future__ import annotations

import logging
import socket
import sys
import threading
import time
from pathlib import Path

from reportgen.analyse import analyse
from reportgen.build import write_docs
from reportgen.errors import ReportgenError
from reportgen.project import Project


def _snapshot(folders: list[Path]) -> dict[str, float]:
    state: dict[str, float] = {}
    for folder in folders:
        if folder.is_dir():
            for path in folder.rglob("*"):
                if path.is_file():
                    state[str(path)] = path.stat().st_mtime
    return state


def _regenerate(project: Project) -> None:
    try:
        write_docs(project, analyse(project))
        print("reportgen: site_docs/releases/ regenerated", file=sys.stderr)
    except ReportgenError as exc:
        # Keep serving the last good pages; say what is wrong.
        print(f"reportgen: error: {exc}", file=sys.stderr)


def _watch(project: Project, stop: threading.Event, interval: float = 1.0) -> None:
    folders = [project.results, project.templates]
    last = _snapshot(folders)
    while not stop.wait(interval):
        now = _snapshot(folders)
        if now != last:
            last = now
            _regenerate(project)


class _AnnounceUrl(logging.Handler):
    """MkDocs logs "Serving on URL" (with site_url's path) at INFO, which nobody sees: say it on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        _, found, url = record.getMessage().partition("Serving on ")  # after MkDocs' "[12:00:00] " time stamp
        if found:
            print(f"reportgen: serving on {url} (Ctrl-C to stop)", file=sys.stderr, flush=True)


def claim_address(dev_addr: str) -> None:
    """OSError (EADDRINUSE) when ``dev_addr`` (``HOST:PORT``, IPv6 hosts in brackets) is taken. Bound the way
    MkDocs' server binds it (address reuse on, so a port left in TIME_WAIT counts as free), then let go; an address
    that does not parse is left for MkDocs to refuse in its own words."""
    host, _, port = dev_addr.rpartition(":")
    if not port.isdigit() or int(port) > 65535:
        return
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host.strip("[]") or None, int(port), type=socket.SOCK_STREAM
        )[0]
    except (socket.gaierror, UnicodeError, OverflowError):
        return
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(address)


def serve(project: Project, dev_addr: str) -> None:
    from mkdocs.commands.serve import serve as mkdocs_serve

    livereload = logging.getLogger("mkdocs.livereload")
    livereload.setLevel(logging.INFO)
    livereload.addHandler(_AnnounceUrl())
    claim_address(dev_addr)  # before the first build: a taken port is said at once, not after minutes of analysis
    write_docs(project, analyse(project))
    stop = threading.Event()
    watcher = threading.Thread(target=_watch, args=(project, stop), daemon=True)
    watcher.start()
    try:
        mkdocs_serve(config_file=str(project.mkdocs_yml), dev_addr=dev_addr, livereload=True)
    finally:
        stop.set()
        time.sleep(0)
