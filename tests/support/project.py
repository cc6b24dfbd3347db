"""Build small report repositories in a temporary folder, from real fixture artifacts."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import textwrap
from pathlib import Path
from typing import Any

import pytest

from reportgen import build, page_conversions, site_increment, theme_bytecode
from reportgen.cache import FOLDER
from reportgen.project import Project
from reportgen.scaffold import init

ROOT = Path(__file__).resolve().parents[2]
K6_EXPORT = ROOT / "tests/fixtures/real/k6/v1.1.0-groups-thresholds/summary-export.json"
K6_STREAM = K6_EXPORT.parent / "stream.ndjson.gz"

#: A manifest over the real k6 1.1.0 summary export: p95 {name:slow} = 243.3 ms, failure rate 4.65 %.
BASE_MANIFEST = """\
release: {release}
title: Demo {release}
date: {date}
status: final
scenarios:
  - id: browse
    title: Browse the catalogue
    tool: k6
    artifacts:
      - path: k6/summary-export.json
        format: k6-summary-export
metrics:
  - id: p95_slow
    title: p95 of /slow
    measured: {{artifact: k6/summary-export.json, metric: http_req_duration, stat: p95, labels: {{name: slow}}}}
  - id: error_rate
    title: Failed requests
    measured: {{artifact: k6/summary-export.json, metric: http_req_failed, stat: rate}}
targets:
  - metric: p95_slow
    comparator: "<="
    threshold: 300 ms
"""


def make_project(tmp: Path, manifests: dict[str, str] | None = None) -> Path:
    """A scaffolded repository with one release per manifest (release id → YAML text), each with the k6 export."""
    root = tmp / "repo"
    init(root)
    return add_releases(root, manifests)


def add_releases(root: Path, manifests: dict[str, str] | None = None) -> Path:
    """Into the repository ``root``: one release per manifest, each with the k6 export."""
    for release, text in (manifests or {"v1.0.0": BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01")}).items():
        folder = root / "results" / release
        (folder / "k6").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(K6_EXPORT, folder / "k6" / "summary-export.json")
        (folder / "release.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def stream_project(tmp: Path, metrics_yaml: str) -> Path:
    """A one-release repository whose manifest also lists the k6 1.1.0 NDJSON stream, with ``metrics_yaml``
    (list items under ``metrics:``) appended to the base metrics and no targets."""
    manifest = (
        BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01")
        .replace(
            "        format: k6-summary-export\n", "        format: k6-summary-export\n      - k6/stream.ndjson.gz\n"
        )
        .split("targets:")[0]
        + metrics_yaml
    )
    root = make_project(tmp, {"v1.0.0": manifest})
    shutil.copyfile(K6_STREAM, root / "results/v1.0.0/k6/stream.ndjson.gz")
    return root


def many_releases(tmp: Path, count: int) -> Path:
    """A repository of ``count`` releases ``v1.0.0`` … (one day apart), each the baseline of the next."""
    return make_project(tmp, release_manifests(count))


def release_manifests(count: int) -> dict[str, str]:
    """The manifests of :func:`many_releases` (release id → YAML text), oldest first."""
    ids = [f"v1.{index}.0" for index in range(count)]
    manifests = {}
    for index, release in enumerate(ids):
        text = BASE_MANIFEST.format(release=release, date=(dt.date(2026, 1, 1) + dt.timedelta(days=index)).isoformat())
        baseline = f"baseline: {ids[index - 1]}\n" if index else ""
        manifests[release] = text.replace("status: final\n", f"status: final\n{baseline}")
    return manifests


#: The real k6 run of two scenarios (names nope, all 404; report; status), with k6's default summaryTrendStats.
TWO_SCENARIOS = ROOT / "tests/fixtures/real/k6/two-scenarios"


def two_scenarios_manifest(artifacts: list[str], metrics: str, targets: str, tail: str = "") -> str:
    """A v1.0.0 manifest with one k6 scenario ``run`` over ``artifacts`` (YAML list items without their dash),
    then ``metrics`` and ``targets`` (YAML list items, indented two spaces) and ``tail`` (e.g. waivers)."""
    listed = "\n".join(f"      - {artifact}" for artifact in artifacts)
    return (
        "release: v1.0.0\ntitle: Demo\ndate: 2026-10-01\nstatus: final\n"
        f"scenarios:\n  - id: run\n    title: Two scenarios\n    tool: k6\n    artifacts:\n{listed}\n"
        f"metrics:\n{metrics}\ntargets:\n{targets}\n{tail}"
    )


def two_scenarios_project(
    tmp: Path, manifest: str, files: tuple[str, ...] = ("summary-export.json", "stream.ndjson.gz")
) -> Path:
    """A scaffolded repository whose release v1.0.0 holds ``files`` of the two-scenarios run under k6/."""
    root = tmp / "repo"
    init(root)
    folder = root / "results/v1.0.0/k6"
    folder.mkdir(parents=True)
    for name in files:
        shutil.copyfile(TWO_SCENARIOS / name, folder / name)
    (root / "results/v1.0.0/release.yaml").write_text(manifest, encoding="utf-8")
    return root


def tree_digest(folder: Path) -> dict[str, str]:
    """Each file under ``folder`` (its path relative to it) → the SHA-256 of its bytes: two trees compare equal when
    they hold the same bytes under the same names."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def cold_site_digest(project: Project) -> dict[str, str]:
    """The site a build gives with no record of an earlier one (the incremental build's copy of the last site is
    dropped first, and so are the kept page conversions and compiled templates), as :func:`tree_digest`."""
    shutil.rmtree(project.root / FOLDER / "site")
    for kept in (page_conversions.SUBFOLDER, theme_bytecode.SUBFOLDER):
        shutil.rmtree(project.root / FOLDER / kept, ignore_errors=True)
    build.build(project)
    return tree_digest(project.site)


def pages_built(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """From now on, each page MkDocs builds (its source path), in order, as the incremental build records it."""
    pages: list[str] = []
    real = site_increment.SiteIncrement.page_built

    def spy(self: site_increment.SiteIncrement, page: Any, search: Any) -> None:
        pages.append(page.file.src_uri)
        real(self, page, search)

    monkeypatch.setattr(site_increment.SiteIncrement, "page_built", spy)
    return pages
