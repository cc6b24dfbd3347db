"""Distinct things never share an id: evidence anchors and claims ids are unique by construction."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from reportgen.cli import main
from reportgen.figures import anchor
from tests.support.project import BASE_MANIFEST, K6_EXPORT, make_project
from tests.test_site import TWO_RELEASES

#: Names that one slug would merge: by case, by punctuation, by script.
COLLIDING = [("a b", "a-b"), ("a.b", "a-b"), ("a_b", "a__b"), ("Search", "search"), ("поиск", "検索"), ("_a", "a")]
#: Names that look alike or fold together: NFC / NFD, ß / SS, a zero-width space, a Cyrillic "а" for a Latin "a".
LOOKALIKE = [("caf\u00e9", "cafe\u0301"), ("Straße", "STRASSE"), ("search", "sea\u200brch"), ("search", "se\u0430rch")]


@pytest.mark.parametrize(("first", "second"), COLLIDING + LOOKALIKE)
def test_names_a_slug_would_merge_get_distinct_anchors(first: str, second: str) -> None:
    """Two names that differ only by case, punctuation, script, normalisation or an invisible character get
    different anchors."""
    assert anchor("target", first) != anchor("target", second)


def test_anchors_are_stable_and_readable() -> None:
    """Plain lowercase ids keep their readable anchor; others keep it as a prefix before a fixed digest."""
    assert anchor("metric", "p95_slow") == "metric-p95-slow"
    assert anchor("target", "Search") == anchor("target", "Search")
    assert anchor("target", "Search").startswith("target-search-")
    assert anchor("t", "поиск") != "t" and anchor("t", "検索").startswith("t-")


def _claims(root: Path, release: str) -> list[dict[str, object]]:
    document = json.loads((root / f"site/releases/{release}/claims.json").read_text(encoding="utf-8"))
    items: list[dict[str, object]] = document["claims"] if isinstance(document, dict) else document
    return items


def _check_counts(root: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, int]]:
    capsys.readouterr()
    main(["-C", str(root), "check", "--json"])
    reports = json.loads(capsys.readouterr().out)
    return {r["release"]: {k: v for k, v in r["counts"].items() if v} for r in reports}


def _claim_counts(root: Path, release: str) -> dict[str, int]:
    return dict(Counter(str(c["verdict"]) for c in _claims(root, release) if "verdict" in c))


COLLIDING_TARGETS = BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01").replace(
    'targets:\n  - metric: p95_slow\n    comparator: "<="\n    threshold: 300 ms\n',
    "targets:\n"
    "  - {id: a.b, metric: p95_slow, comparator: '<=', threshold: 200 ms}\n"
    "  - {id: a-b, metric: p95_slow, comparator: '<=', threshold: 300 ms}\n"
    "  - {id: Search, metric: p95_slow, comparator: '<=', threshold: 200 ms}\n"
    "  - {id: search, metric: p95_slow, comparator: '<=', threshold: 300 ms}\n",
)


def test_targets_differing_by_punctuation_or_case_each_keep_their_claim(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Targets a.b (fail) and a-b (pass), Search and search: claims.json holds all four, none merged."""
    root = make_project(tmp_path, {"v1.0.0": COLLIDING_TARGETS})
    assert main(["-C", str(root), "build"]) == 0
    targets = [c for c in _claims(root, "v1.0.0") if "verdict" in c]
    assert len(targets) == 4 and len({c["id"] for c in targets}) == 4
    assert _claim_counts(root, "v1.0.0") == {"fail": 2, "pass": 2} == _check_counts(root, capsys)["v1.0.0"]
    evidence = (root / "site_docs/releases/v1.0.0/evidence.md").read_text(encoding="utf-8")
    for claim in targets:
        assert f'<span id="{claim["id"]}"></span>' in evidence


def test_endpoints_in_other_scripts_get_rows_and_anchors_of_their_own(tmp_path: Path) -> None:
    """k6 endpoints named поиск and 検索 (one slug: empty) get separate figures, each with its own anchor."""
    root = make_project(tmp_path)
    export = K6_EXPORT.read_text().replace("{name:slow}", "{name:поиск}").replace("{name:items}", "{name:検索}")
    (root / "results/v1.0.0/k6/summary-export.json").write_text(export, encoding="utf-8")
    manifest = root / "results/v1.0.0/release.yaml"
    manifest.write_text(manifest.read_text().replace("{name: slow}", "{name: поиск}"), encoding="utf-8")
    assert main(["-C", str(root), "build"]) == 0  # strict MkDocs: every link finds its anchor
    ids = [str(c["id"]) for c in _claims(root, "v1.0.0")]
    assert len(ids) == len(set(ids))
    p95 = [i for i in ids if i.startswith("t-k6-summary-export-json-http-req-duration-p95")]
    assert len(p95) == 3  # the total, поиск and 検索


@pytest.mark.parametrize("manifests", [TWO_RELEASES, {"v1.0.0": COLLIDING_TARGETS}], ids=["two-releases", "colliding"])
def test_claims_verdict_counts_equal_checks(
    manifests: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """For every release, the verdicts in claims.json count exactly what `check --json` counts."""
    root = make_project(tmp_path, manifests)
    assert main(["-C", str(root), "build"]) == 0
    checked = _check_counts(root, capsys)
    for release in manifests:
        assert _claim_counts(root, release) == checked[release], release


LOCUST_HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,"
    "Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\n"
)


def test_lookalike_endpoints_keep_their_own_rows_claims_and_verdicts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Endpoints whose names differ only by NFC/NFD, case folding, a zero-width space or a confusable letter are
    distinct rows and claims with unique page ids, a target on each is judged on its own row, and claims.json
    counts the verdicts `check --json` counts."""
    names = list(dict.fromkeys(name for pair in LOOKALIKE for name in pair))
    rows = "".join(
        f"GET,{name},100,0,3,3,1,30,10,5,0,3,3,4,4,5,{10 + i},6,7,30,30,30\n" for i, name in enumerate(names)
    )
    metrics = "".join(
        f"  - id: p95_{i}\n    title: p95 {i}\n    measured: {{artifact: locust/run_stats.csv, metric: response_time, "
        f'stat: p95, labels: {{method: GET, name: "{name.encode("unicode_escape").decode()}"}}}}\n'
        for i, name in enumerate(names)
    )
    # Every other endpoint passes: p95 is 10 + i ms against a threshold of 10 + i ms (even i) or 9 + i ms (odd i).
    targets = "".join(
        f"  - {{metric: p95_{i}, comparator: '<=', threshold: {10 + i - i % 2} ms}}\n" for i in range(len(names))
    )
    manifest = (
        "release: v1\ntitle: t\ndate: 2026-10-01\nstatus: final\nscenarios:\n  - id: browse\n    title: Browse\n"
        "    tool: locust\n    artifacts: [{path: locust/run_stats.csv, format: locust-stats-csv}]\n"
        f"metrics:\n{metrics}targets:\n{targets}"
    )
    root = make_project(tmp_path, {})
    folder = root / "results/v1"
    (folder / "locust").mkdir(parents=True)
    (folder / "locust/run_stats.csv").write_text(LOCUST_HEADER + rows, encoding="utf-8")
    (folder / "release.yaml").write_text(manifest, encoding="utf-8")
    assert main(["-C", str(root), "build"]) == 0
    claims = _claims(root, "v1")
    ids = [str(c["id"]) for c in claims]
    assert len(ids) == len(set(ids))
    assert len([i for i in ids if i.startswith("t-locust-run-stats-csv-response-time-p95-get")]) == len(names)
    failing = len(names) // 2
    expected = {"pass": len(names) - failing, "fail": failing}
    assert _claim_counts(root, "v1") == expected == _check_counts(root, capsys)["v1"]
    for page in ("index.html", "evidence/index.html"):
        html = (root / f"site/releases/v1/{page}").read_text(encoding="utf-8")
        page_ids = re.findall(r'\sid="([^"]*)"', html)
        assert len(page_ids) == len(set(page_ids)), page
