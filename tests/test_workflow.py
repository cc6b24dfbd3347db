"""The GitHub Actions workflow `reportgen init` writes: parsed, and each `run:` step run in a real shell
against a local bare git remote, for a push to main and for a pull request.

The `uses:` steps are played by the test: actions/checkout is a full clone of the bare remote
(fetch-depth: 0), actions/setup-python a fresh virtual environment that sees this environment's
dependencies (so the install step resolves them from the constraints file without downloading them),
upload-artifact a check that site/ exists. Every `run:` step runs as written, with bash -eo pipefail as
GitHub runs it; the install step installs this checkout (init --install names it) instead of a release.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from reportgen import __version__
from reportgen.cli import main
from reportgen.workflow import CONSTRAINTS, DISTRIBUTION, WORKFLOW, pinned_dependencies
from tests.support.project import add_releases
from tests.test_deploy import git, git_repo, versions
from tests.test_site import TWO_RELEASES

ROOT = Path(__file__).resolve().parent.parent


def load_workflow(repo: Path) -> dict[str, Any]:
    data: dict[str, Any] = YAML(typ="safe").load((repo / WORKFLOW).read_text(encoding="utf-8"))
    return data


def every_key(node: object) -> list[str]:
    if isinstance(node, dict):
        return [k for key, value in node.items() for k in (str(key), *every_key(value))]
    if isinstance(node, list):
        return [k for item in node for k in every_key(item)]
    return []


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wf") / "plain"
    assert main(["init", str(root)]) == 0
    return root


def test_workflow_triggers_permissions_and_concurrency(scaffolded: Path) -> None:
    """Pushes to main and tags deploy, pull requests run, the job may push gh-pages, deploys never overlap."""
    flow = load_workflow(scaffolded)
    on = flow["on"]
    assert on["push"]["branches"] == ["main"] and on["push"]["tags"] and "pull_request" in on
    assert flow["permissions"] == {"contents": "write"}
    assert "report-gh-pages" in flow["concurrency"]["group"]
    checkout = flow["jobs"]["report"]["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@") and checkout["with"]["fetch-depth"] == 0


def test_workflow_hides_no_failure_and_installs_this_project(scaffolded: Path) -> None:
    """No step has continue-on-error; the install names this distribution at this version with the constraints."""
    flow = load_workflow(scaffolded)
    assert "continue-on-error" not in every_key(flow)
    runs = [s.get("run", "") for s in flow["jobs"]["report"]["steps"]]
    install = next(r for r in runs if "pip install" in r)
    assert f'"{DISTRIBUTION}=={__version__}"' in install and f"-c {CONSTRAINTS}" in install
    assert not re.search(r"pip install (-\S+ )*reportgen\b", install)  # the unrelated 2018 package
    assert any("reportgen check --latest --summary" in r for r in runs)


def test_constraints_pin_what_is_installed_here(scaffolded: Path) -> None:
    """The constraints file pins every runtime dependency (MkDocs, Material, mike among them) to this machine's version."""
    pins = dict(
        line.split("==")
        for line in (scaffolded / CONSTRAINTS).read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert pins == pinned_dependencies()
    assert {"mkdocs", "mkdocs-material", "mike", "jinja2"} <= set(pins)


def _dependencies_only(tmp: Path) -> Path:
    """This environment's site-packages without reportgen itself, as a folder of symlinks for a .pth file."""
    site = Path(sysconfig.get_paths()["purelib"])
    farm = tmp / "deps"
    farm.mkdir()
    for entry in site.iterdir():
        name = entry.name.lower().replace("-", "_")
        if name.startswith(("reportgen", "release_reportgen", "__editable__", "_release_reportgen")) or name.endswith(
            ".pth"
        ):
            continue
        (farm / entry.name).symlink_to(entry)
    return farm


def _setup_python(tmp: Path) -> Path:
    """actions/setup-python: a fresh virtual environment (its bin/ goes first on PATH)."""
    venv = tmp / "python"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    purelib = subprocess.run(
        [venv / "bin/python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(purelib) / "reportgen-test-deps.pth").write_text(f"{_dependencies_only(tmp)}\n")
    return venv / "bin"


_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _evaluate(condition: str | None, event: str, outcomes: dict[str, str], failed: bool) -> bool:
    """The few expressions the workflow uses; anything else fails the test, to be taught here."""
    if condition is None:
        return not failed  # success()
    inner = _EXPRESSION.fullmatch(condition.strip())
    assert inner, f"unexpected if: {condition}"
    result = True
    for term in (t.strip() for t in inner.group(1).split("&&")):
        if term == "!cancelled()":
            continue
        if match := re.fullmatch(r"steps\.(\w+)\.outcome == '(\w+)'", term):
            result &= outcomes.get(match.group(1)) == match.group(2)
        elif match := re.fullmatch(r"github\.event_name (==|!=) '(\w+)'", term):
            result &= (event == match.group(2)) == (match.group(1) == "==")
        else:
            raise AssertionError(f"the test does not know the expression {term!r}")
    return result


def _substitute(value: str, context: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        assert match.group(1) in context, f"the test does not know ${{{{ {match.group(1)} }}}}"
        return context[match.group(1)]

    return _EXPRESSION.sub(one, value)


def run_job(checkout: Path, bin_dir: Path, event: str, tmp: Path) -> dict[str, str]:
    """Run the job's steps for ``event`` as GitHub would; returns each step's outcome by name."""
    flow = load_workflow(checkout)
    job = flow["jobs"]["report"]
    context = {
        "github.repository_owner": "example",
        "github.event.repository.name": "reports",
        "inputs.release": "",
    }
    summary = tmp / f"summary-{event}.md"
    summary.write_text("")
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "HOME": str(tmp),
        "GITHUB_EVENT_NAME": event,
        "GITHUB_STEP_SUMMARY": str(summary),
        "CI": "true",
        **{k: _substitute(str(v), context) for k, v in job.get("env", {}).items()},
    }
    outcomes: dict[str, str] = {}
    failed = False
    for index, step in enumerate(job["steps"]):
        name = step.get("id") or step.get("name") or f"step{index}"
        if not _evaluate(step.get("if"), event, outcomes, failed):
            outcomes[name] = "skipped"
            continue
        if "uses" in step:
            if step["uses"].startswith("actions/upload-artifact@"):
                assert (checkout / step["with"]["path"] / "index.html").is_file()
            outcomes[name] = "success"
            continue
        script = tmp / f"step-{event}-{index}.sh"
        script.write_text(_substitute(step["run"], context))
        step_env = env | {k: _substitute(str(v), context) for k, v in step.get("env", {}).items()}
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=checkout,
            env=step_env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        outcomes[name] = "success" if done.returncode == 0 else "failure"
        outcomes[f"{name}:exit"] = str(done.returncode)
        outcomes[f"{name}:output"] = done.stdout + done.stderr
        failed |= done.returncode != 0
    outcomes["summary"] = summary.read_text(encoding="utf-8")
    return outcomes


@pytest.fixture(scope="module")
def remote_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """A repository made by `init --install <this checkout>` with two releases, pushed to a bare remote."""
    tmp = tmp_path_factory.mktemp("wfrun")
    root = tmp / "repo"
    assert main(["init", str(root), "--install", f"{DISTRIBUTION} @ {ROOT.as_uri()}"]) == 0
    add_releases(root, TWO_RELEASES)
    remote = tmp / "remote.git"
    git_repo(root, remote)
    git(root, "push", "-q", "origin", "main")
    return tmp, remote, _setup_python(tmp)


def _checkout(remote: Path, folder: Path) -> Path:
    subprocess.run(
        ["git", "clone", "-q", "-b", "main", str(remote), str(folder)], check=True
    )  # full history: fetch-depth 0
    return folder


def test_a_push_to_main_checks_builds_and_deploys(remote_repo: tuple[Path, Path, Path]) -> None:
    """On a push: install, check (red: v1.1.0 fails, summary written), build and deploy to the remote's gh-pages."""
    tmp, remote, bin_dir = remote_repo
    outcomes = run_job(_checkout(remote, tmp / "push"), bin_dir, "push", tmp)
    assert outcomes["install"] == "success", outcomes.get("install:output")
    assert outcomes["Check the newest release:exit"] == "1"  # the job is red; nothing hides it
    assert outcomes["summary"].startswith("# reportgen check: does not pass")
    assert "(https://example.github.io/reports/v1.1.0/releases/v1.1.0/)" in outcomes["summary"]
    assert outcomes["Build the site"] == "success", outcomes.get("Build the site:output")
    assert outcomes["Upload the site"] == "skipped"
    assert outcomes["Deploy to gh-pages"] == "success", outcomes.get("Deploy to gh-pages:output")
    assert versions(remote) == {"v1.1.0": ["latest"]}
    sitemap = git(remote, "show", "gh-pages:v1.1.0/sitemap.xml")
    assert "https://example.github.io/reports/" in sitemap  # SITE_URL reached MkDocs


def test_a_pull_request_checks_builds_and_uploads_only(remote_repo: tuple[Path, Path, Path]) -> None:
    """On a pull request: check, build and upload the site; nothing is pushed to gh-pages."""
    tmp, remote, bin_dir = remote_repo
    before = git(remote, "for-each-ref")
    outcomes = run_job(_checkout(remote, tmp / "pr"), bin_dir, "pull_request", tmp)
    assert outcomes["install"] == "success", outcomes.get("install:output")
    assert outcomes["Build the site"] == "success" and outcomes["Upload the site"] == "success"
    assert outcomes["Deploy to gh-pages"] == "skipped"
    assert git(remote, "for-each-ref") == before
    assert json.loads(json.dumps(outcomes["summary"]))  # written on pull requests too
