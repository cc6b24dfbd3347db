"""`reportgen serve`: the site is served on 127.0.0.1 and regenerated when results change."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import free_port, wait_for_port
from tests.support.project import make_project


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=5) as response:
        return str(response.read().decode())


def test_serve_regenerates_when_a_manifest_changes(tmp_path: Path) -> None:
    """serve prints its URL, and editing release.yaml while serving changes the served page within seconds."""
    root = make_project(tmp_path)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "reportgen.cli", "-C", str(root), "serve", "-a", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(port, timeout=30)
        url = f"http://127.0.0.1:{port}/releases/v1.0.0/"
        assert "Demo v1.0.0" in fetch(url)
        manifest = root / "results/v1.0.0/release.yaml"
        manifest.write_text(manifest.read_text().replace("title: Demo v1.0.0", "title: Renamed while serving"))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if "Renamed while serving" in fetch(url):
                break
            time.sleep(0.5)
        else:
            raise AssertionError("the served page did not change within 30 s")
    finally:
        server.terminate()
        server.wait(timeout=10)
        assert server.stderr is not None
        stderr = server.stderr.read().decode()
        server.stderr.close()
    assert f"reportgen: serving on http://127.0.0.1:{port}/" in stderr, stderr
