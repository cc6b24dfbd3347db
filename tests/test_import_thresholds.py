"""import-thresholds: a k6 script's or summary's thresholds become targets whose verdicts agree with k6's own."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from reportgen.analyse import analyse
from reportgen.cli import main
from reportgen.project import Project
from reportgen.thresholds_import import import_thresholds

K6 = Path(__file__).resolve().parent / "fixtures" / "real" / "k6"
RUNS = ["v1.1.0-groups-thresholds", "v0.57.0-groups-thresholds", "two-scenarios"]

MANIFEST = """\
# Written by hand; the import keeps this comment.
release: v1.0.0
title: Imported thresholds
date: 2026-10-01
status: final
scenarios:
  - id: load
    title: k6 run
    tool: k6
    artifacts:
      - path: k6/summary-export.json   # what k6 --summary-export wrote
"""


def release(tmp_path: Path, run: str, manifest: str = MANIFEST) -> Path:
    root = tmp_path / "repo"
    assert main(["init", str(root)]) == 0
    folder = root / "results/v1.0.0"
    (folder / "k6").mkdir(parents=True)
    shutil.copyfile(K6 / run / "summary-export.json", folder / "k6/summary-export.json")
    (folder / "release.yaml").write_text(manifest, encoding="utf-8")
    return root


@pytest.mark.parametrize("run", RUNS)
@pytest.mark.parametrize("source", ["script.js", "summary-export.json", "handle-summary.json"])
def test_every_threshold_becomes_a_target_that_agrees_with_k6(tmp_path: Path, run: str, source: str) -> None:
    """Each threshold of the real script or summary is a target, and its verdict is PASS exactly when k6 held it."""
    root = release(tmp_path, run)
    imported = import_thresholds(Project(root), K6 / run / source, "v1.0.0")
    crossed = {
        (key, expression): failed
        for key, metric in json.loads((K6 / run / "summary-export.json").read_text())["metrics"].items()
        for expression, failed in (metric.get("thresholds") or {}).items()
    }
    targets = {(t.declared.key, t.declared.expression) for t in imported.targets}
    # two-scenarios ran with k6's default summaryTrendStats: its export has no p99, so p(99)<400 is listed.
    assert len(imported.unsupported) == (1 if run == "two-scenarios" else 0)
    assert all("no k6 artifact of this release holds p99" in line for line in imported.unsupported)
    assert len(targets) + len(imported.unsupported) == len(crossed) and targets <= set(crossed)
    [result] = analyse(Project(root))
    verdicts = {t.key: t.verdict for t in result.targets}
    for target in imported.targets:
        expected = "fail" if crossed[(target.declared.key, target.declared.expression)] else "pass"
        assert verdicts[target.key] == expected, target


def test_units_and_labels_come_from_the_artifact(tmp_path: Path) -> None:
    """A latency threshold is in ms, a rate in %, a unitless trend plain; submetric tags become labels."""
    root = release(tmp_path, "v1.1.0-groups-thresholds")
    import_thresholds(Project(root), K6 / "v1.1.0-groups-thresholds/script.js", "v1.0.0")
    text = (root / "results/v1.0.0/release.yaml").read_text()
    assert (
        "measured: {artifact: k6/summary-export.json, metric: http_req_duration, stat: p95, labels: {name: items}}"
        in text
    )
    assert "threshold: 200 ms" in text
    assert "threshold: 10 %" in text  # rate<0.10
    assert "labels: {group: ::catalog}" in text  # read back as '::catalog' (the verdict test reads it)
    assert "- metric: item_parse_time_med\n    comparator: <\n    threshold: '5'" in text


def test_comments_are_kept_and_a_second_import_changes_nothing(tmp_path: Path) -> None:
    """The import keeps release.yaml's comments; run again, it adds nothing and says what is already there."""
    root = release(tmp_path, "two-scenarios")
    manifest = root / "results/v1.0.0/release.yaml"
    import_thresholds(Project(root), K6 / "two-scenarios/script.js", "v1.0.0")
    first = manifest.read_text()
    assert first.startswith("# Written by hand; the import keeps this comment.\n")
    assert "# what k6 --summary-export wrote" in first
    again = import_thresholds(Project(root), K6 / "two-scenarios/script.js", "v1.0.0")
    assert again.targets == [] and len(again.already) == 2
    assert manifest.read_text() == first


def test_what_cannot_be_mapped_is_listed_not_guessed(tmp_path: Path) -> None:
    """!=, computed values, an object without a literal threshold and a statistic no artifact holds are listed."""
    script = (
        (K6 / "two-scenarios/script.js")
        .read_text()
        .replace(
            "    'http_req_failed': ['rate<0.01'],",
            "    'http_req_failed': [{ threshold: 'rate<0.01', abortOnFail: true }, 'rate!=0.5'],\n"
            "    http_req_waiting: LIMITS.waiting,\n"
            "    'http_req_duration{name:nothere}': ['p(95)<100'],\n"
            "    'http_req_connecting': [{ threshold: limit }],",
        )
    )
    path = tmp_path / "script.js"
    path.write_text(script)
    root = release(tmp_path, "two-scenarios")
    imported = import_thresholds(Project(root), path, "v1.0.0")
    assert sorted(t.declared.expression for t in imported.targets) == ["p(95)<200", "rate<0.01"]
    assert any(t.declared.abort_on_fail for t in imported.targets)
    reasons = "\n".join(imported.unsupported)
    assert "script.js:10: http_req_failed: rate!=0.5: reportgen has no != comparator" in reasons
    assert "script.js:11: http_req_waiting: LIMITS.waiting: computed by the script" in reasons
    assert (
        "http_req_duration{name:nothere}: p(95)<100: no k6 artifact of this release holds p95 of http_req_duration"
        in reasons
    )
    assert "script.js:13: http_req_connecting: {…}: an object without a literal `threshold`" in reasons


def test_the_command_prints_what_it_did(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI adds the targets and prints them; a release with no k6 artifact is an error (exit 2)."""
    root = release(tmp_path, "two-scenarios")
    script = str(K6 / "two-scenarios/script.js")
    assert main(["-C", str(root), "import-thresholds", script, "--release", "v1.0.0"]) == 0
    out = capsys.readouterr().out
    assert "2 targets added" in out and "http_req_failed_rate < 1 % (script.js:10)" in out
    bare = MANIFEST.split("scenarios:")[0]
    (root / "results/v1.0.0/release.yaml").write_text(bare)
    assert main(["-C", str(root), "import-thresholds", script, "--release", "v1.0.0"]) == 2
    assert "declares no k6 artifact" in capsys.readouterr().err
