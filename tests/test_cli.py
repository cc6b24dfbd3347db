"""The command line: every command listed, exit codes 0/1/2, and the files init/new/schema write."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen import __version__
from reportgen.adapters import extract
from reportgen.cli import main
from tests.support.project import BASE_MANIFEST, K6_EXPORT, make_project

K6_STREAM = K6_EXPORT.parent / "stream.ndjson.gz"  # extract --json prints ~200 KB for it

COMMANDS = ("init", "new", "check", "build", "serve", "extract", "schema")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "reportgen.cli", *args], capture_output=True, text=True, check=False)


def test_help_lists_every_command_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    """`reportgen --help` names every command, each with a one-line description."""
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for command in COMMANDS:
        line = next((line for line in out.splitlines() if line.strip().startswith(command + " ")), None)
        assert line is not None and len(line.split(None, 1)[1]) > 10, f"{command} missing from --help:\n{out}"


def test_version_is_printed() -> None:
    """`reportgen --version` prints the package version."""
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"reportgen {__version__}"


def test_check_exits_0_when_every_must_target_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A release whose must-targets all pass on measured evidence exits 0 and prints PASS."""
    root = make_project(tmp_path)
    assert main(["-C", str(root), "check"]) == 0
    out = capsys.readouterr().out
    assert "v1.0.0 (2026-10-01): PASS" in out
    assert "243.3 ms [measured]" in out


def test_check_exits_1_when_a_target_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A failing measured target exits 1, and the table says FAIL with the computed value."""
    manifest = BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01").replace("300 ms", "0.2 s")
    root = make_project(tmp_path, {"v1.0.0": manifest})
    assert main(["-C", str(root), "check"]) == 1
    out = capsys.readouterr().out
    assert "0.2433 s [measured]" in out and "FAIL" in out


def test_check_exits_1_when_a_target_is_only_projected(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A projected must-target makes check exit 1: a projection never passes."""
    manifest = BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01") + (
        "  - {metric: capacity, comparator: '>=', threshold: 1000 req/s}\n"
    )
    manifest = manifest.replace(
        "targets:",
        "  - id: capacity\n    projected: {value: 5000 req/s, method: vendor benchmark, basis: datasheet}\ntargets:",
    )
    root = make_project(tmp_path, {"v1.0.0": manifest})
    assert main(["-C", str(root), "check"]) == 1
    assert "UNVERIFIED" in capsys.readouterr().out


def test_check_exits_2_on_invalid_input_without_traceback(tmp_path: Path) -> None:
    """Invalid input exits 2 with a one-line message, never a traceback (run as a real subprocess)."""
    manifest = BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01").replace("300 ms", "fast")
    root = make_project(tmp_path, {"v1.0.0": manifest})
    result = run("-C", str(root), "check")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert 'targets[0].threshold: expected a number with a unit, got "fast"' in result.stderr


def test_check_json_reports_verdicts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`check --json` gives each target's verdict, value, unit and provenance for scripts."""
    root = make_project(tmp_path)
    main(["-C", str(root), "check", "--json"])
    data = json.loads(capsys.readouterr().out)
    target = data[0]["targets"][0]
    assert (target["id"], target["verdict"], target["provenance"], target["unit"]) == (
        "p95_slow",
        "pass",
        "measured",
        "ms",
    )
    assert data[0]["evidence_digest"].startswith("sha256:")


def test_outside_a_report_repository_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Running check where there is no mkdocs.yml + results/ says so and how to fix it, exit 2."""
    assert main(["-C", str(tmp_path), "check"]) == 2
    assert "run `reportgen init DIR`" in capsys.readouterr().err


def test_extract_json_items_have_the_documented_fields(capsys: pytest.CaptureFixture[str]) -> None:
    """`extract --json` prints an array whose items have metric, stat, value, unit, labels and selector."""
    assert main(["extract", str(K6_EXPORT), "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    assert items
    for item in items:
        assert {"metric", "stat", "value", "unit", "labels", "selector"} <= item.keys()
        assert isinstance(item["labels"], dict)
    p95 = next(i for i in items if i["metric"] == "http_req_duration" and i["stat"] == "p95" and i["labels"] == {})
    assert p95["unit"] == "ms" and p95["selector"].startswith("json:/metrics/http_req_duration")


def test_extract_unknown_file_lists_adapters_tried(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A file no adapter accepts gets a message listing the adapters tried and how to pin one, exit 2."""
    odd = tmp_path / "notes.txt"
    odd.write_text("just some notes\n")
    assert main(["extract", str(odd)]) == 2
    err = capsys.readouterr().err
    assert "no adapter recognises this file" in err and "k6-summary-export" in err and "format:" in err


def test_init_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """init writes a repository once, and refuses to overwrite existing files the second time."""
    assert main(["init", str(tmp_path / "r")]) == 0
    assert (tmp_path / "r/mkdocs.yml").is_file() and (tmp_path / "r/.github/workflows/report.yml").is_file()
    assert main(["init", str(tmp_path / "r")]) == 2
    assert "would overwrite" in capsys.readouterr().err


def test_new_from_an_older_release_copies_targets_and_keeps_comments(tmp_path: Path) -> None:
    """`new --from` copies scenarios, metrics and targets, sets the baseline, keeps comments, drops waivers."""
    manifest = "# Team note for v1.0.0: keep this comment\n" + BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01")
    manifest += "waivers:\n  - {target: p95_slow, reason: known, approver: QA}\n"
    root = make_project(tmp_path, {"v1.0.0": manifest})
    assert main(["-C", str(root), "new", "v1.1.0", "--from", "v1.0.0"]) == 0
    text = (root / "results/v1.1.0/release.yaml").read_text()
    assert "# Team note for v1.1.0: keep this comment" in text
    assert "release: v1.1.0" in text and "baseline: v1.0.0" in text and "status: draft" in text
    assert "p95_slow" in text and "waivers" not in text
    assert 'comparator: "<="' in text  # quotes kept
    assert (
        "    measured: {artifact: k6/summary-export.json, metric: http_req_duration, stat: p95, labels: {name: slow}}"
        in text
    )
    assert text.index("status: draft") < text.index("baseline: v1.0.0") < text.index("scenarios:")


def test_new_refuses_an_existing_release(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`new` never overwrites a release manifest."""
    root = make_project(tmp_path)
    assert main(["-C", str(root), "new", "v1.0.0"]) == 2
    assert "already exists" in capsys.readouterr().err


def test_schema_is_a_json_schema_of_the_manifest(tmp_path: Path) -> None:
    """`schema -o FILE` writes a JSON Schema whose properties are the manifest's fields."""
    out = tmp_path / "release.schema.json"
    assert main(["schema", "-o", str(out)]) == 0
    schema = json.loads(out.read_text())
    assert {"release", "title", "date", "metrics", "targets", "waivers", "sections"} <= schema["properties"].keys()
    assert schema["$schema"].endswith("2020-12/schema")


def test_a_fresh_repository_builds_as_it_is(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`init` then `build` works with no release yet, and the home page says how to start one."""
    assert main(["init", str(tmp_path / "r")]) == 0
    assert main(["-C", str(tmp_path / "r"), "build"]) == 0
    assert "No releases yet. Start one with `reportgen new v1.0.0`" in (tmp_path / "r/site_docs/index.md").read_text()
    assert (tmp_path / "r/site/index.html").is_file()
    assert main(["-C", str(tmp_path / "r"), "check"]) == 1  # checking nothing is not a pass
    assert "no releases in results/ yet" in capsys.readouterr().err


def test_extract_filters_by_metric_and_label(capsys: pytest.CaptureFixture[str]) -> None:
    """--metric and --label narrow extract's output to one slice, written as release.yaml writes labels."""
    assert main(["extract", str(K6_EXPORT), "--metric", "http_req_duration", "--label", "name=slow"]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("http_req_duration")]
    assert lines and all(line.endswith("{name: slow}") for line in lines)


def test_extract_piped_into_head_ends_quietly() -> None:
    """Closing the pipe early (`| head -1`) on output larger than a pipe buffer is not an error: no traceback."""
    result = subprocess.run(
        f"{sys.executable} -m reportgen.cli extract --json {K6_STREAM} | head -1",
        shell=True,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr


def test_a_release_started_with_new_from_checks_as_missing_not_invalid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Right after `new --from`, the draft has no artifacts yet: its targets are missing (exit 1), never an error."""
    root = make_project(tmp_path)
    assert main(["-C", str(root), "new", "v1.1.0", "--from", "v1.0.0"]) == 0
    capsys.readouterr()
    assert main(["-C", str(root), "check", "v1.1.0"]) == 1
    captured = capsys.readouterr()
    assert "v1.1.0" in captured.out and "UNVERIFIED" in captured.out and "MISSING" in captured.out
    assert "release.yaml:11:9: artifact 'k6/summary-export.json' is not there yet" in captured.err
    assert main(["-C", str(root), "build"]) == 0


def test_the_schema_accepts_every_example_manifest_and_rejects_a_broken_one(tmp_path: Path) -> None:
    """Editors validating with `reportgen schema` agree with reportgen: the examples pass, a wrong type does not."""
    import jsonschema
    from ruamel.yaml import YAML

    out = tmp_path / "release.schema.json"
    assert main(["schema", "-o", str(out)]) == 0
    validator = jsonschema.Draft202012Validator(json.loads(out.read_text()))
    root = Path(__file__).resolve().parent.parent
    manifests = sorted((root / "results").glob("*/release.yaml"))
    assert manifests
    for manifest in manifests:
        data = json.loads(json.dumps(YAML(typ="safe").load(manifest.read_text()), default=str))
        assert not [e.message for e in validator.iter_errors(data)], manifest
    data["targets"][0]["severity"] = "sometimes"
    assert list(validator.iter_errors(data))


def test_file_system_refusals_are_messages_not_tracebacks(tmp_path: Path) -> None:
    """init under a file and build into a path under a file exit 2 with the path and the system's reason."""
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    result = run("init", str(blocker / "sub"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"error: {blocker / 'sub'}" in result.stderr and "Not a directory" in result.stderr
    root = make_project(tmp_path)
    result = run("-C", str(root), "build", "--site-dir", str(blocker / "site"))
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr


def test_serve_on_a_busy_port_says_so(tmp_path: Path) -> None:
    """serve on a port already taken exits 2 naming the address and how to pick another, before it builds anything."""
    import socket

    root = make_project(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "reportgen.cli", "-C", str(root), "serve", "-a", f"127.0.0.1:{port}"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert f"127.0.0.1:{port}" in result.stderr and "-a 127.0.0.1:PORT" in result.stderr
    assert not (root / "site_docs" / "releases").exists()  # said at once, not after analysing every release


def test_extract_series_lists_time_series(capsys: pytest.CaptureFixture[str]) -> None:
    """`extract --series --json` gives the per-second series a stream holds, with (time, value) points."""
    assert main(["extract", "--series", "--json", str(K6_STREAM)]) == 0
    series = json.loads(capsys.readouterr().out)
    requests = next(s for s in series if s["metric"] == "http_reqs" and s["stat"] == "count")
    assert len(requests["points"]) >= 20 and all(len(point) == 2 for point in requests["points"])
    total = next(
        m for m in extract(K6_STREAM).measurements if (m.metric, m.stat, m.labels) == ("http_reqs", "count", {})
    )
    assert sum(value for _, value in requests["points"]) == pytest.approx(total.value)
