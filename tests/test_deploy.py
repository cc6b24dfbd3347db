"""`reportgen deploy` with the real mike against a local bare git remote."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen.cli import main
from reportgen.publish import deploy_lock, git_dir
from tests.support.project import make_project, tree_digest
from tests.test_site import TWO_RELEASES


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def git_repo(root: Path, remote: Path | None = None) -> Path:
    """Commit ``root`` as a repository (with a bare ``remote`` as origin, when given)."""
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Report Bot")
    git(root, "config", "user.email", "bot@example.invalid")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "reports")
    if remote is not None:
        git(remote.parent, "init", "-q", "--bare", remote.name)
        git(root, "remote", "add", "origin", str(remote))
    return root


def published_tree(repo: Path, ref: str, prefix: str) -> dict[str, str]:
    """Path under ``prefix`` → SHA-256 of every file of ``ref`` (a branch of ``repo``)."""
    listing = git(repo, "ls-tree", "-r", "--full-tree", ref, prefix + "/")
    out: dict[str, str] = {}
    for line in listing.splitlines():
        meta, path = line.split("\t", 1)
        mode, _, blob = meta.split()
        assert mode != "120000", f"{path} is a symlink: GitHub Pages rejects them"
        data = subprocess.run(["git", "cat-file", "blob", blob], cwd=repo, check=True, capture_output=True).stdout
        out[path.removeprefix(prefix + "/")] = hashlib.sha256(data).hexdigest()
    return out


def versions(repo: Path, ref: str = "gh-pages") -> dict[str, list[str]]:
    return {v["version"]: v["aliases"] for v in json.loads(git(repo, "show", f"{ref}:versions.json"))}


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A two-release repository whose releases were deployed oldest first and pushed to a bare remote."""
    tmp = tmp_path_factory.mktemp("deploy")
    root = git_repo(make_project(tmp, TWO_RELEASES), tmp / "remote.git")
    assert main(["-C", str(root), "deploy", "v1.0.0", "--push"]) == 0
    assert main(["-C", str(root), "deploy", "v1.1.0", "--push"]) == 0
    return root, tmp / "remote.git"


def test_each_release_is_a_version_and_latest_follows_the_newest(deployed: tuple[Path, Path]) -> None:
    """The remote's versions.json lists one version per release, latest on the newest, as a copy not a symlink."""
    root, remote = deployed
    assert versions(remote) == {"v1.1.0": ["latest"], "v1.0.0": []}
    assert not (root / "site").exists() and not (root / "site_docs/releases").exists()  # the checkout is untouched
    assert published_tree(remote, "gh-pages", "latest") == published_tree(remote, "gh-pages", "v1.1.0")
    assert 'url=latest/"' in git(remote, "show", "gh-pages:index.html")  # the default version
    assert git(remote, "show", "gh-pages:.nojekyll") == ""


def test_a_version_holds_the_site_as_of_its_release(deployed: tuple[Path, Path]) -> None:
    """v1.0.0's version has v1.0.0's report and not v1.1.0's, which did not exist yet."""
    _, remote = deployed
    old = published_tree(remote, "gh-pages", "v1.0.0")
    assert "releases/v1.0.0/index.html" in old and "releases/v1.0.0/artifacts/k6/summary-export.json" in old
    assert not any(path.startswith("releases/v1.1.0/") for path in old)


def test_the_newest_version_is_byte_for_byte_what_build_writes(deployed: tuple[Path, Path]) -> None:
    """The newest deployed version equals `reportgen build`'s site/ file for file (same engine, same epoch)."""
    root, remote = deployed
    assert main(["-C", str(root), "build"]) == 0
    assert published_tree(remote, "gh-pages", "v1.1.0") == tree_digest(root / "site")


def test_deploying_again_changes_nothing(deployed: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """A second deploy of a published release makes no commit and says so."""
    root, remote = deployed
    head = git(remote, "rev-parse", "gh-pages")
    assert main(["-C", str(root), "deploy", "v1.1.0", "--push"]) == 0
    assert "nothing changed" in capsys.readouterr().out
    assert git(remote, "rev-parse", "gh-pages") == head


def test_an_older_release_never_takes_latest(deployed: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """Redeploying v1.0.0 with --alias latest leaves latest on v1.1.0 and says which version keeps it."""
    root, remote = deployed
    assert main(["-C", str(root), "deploy", "v1.0.0", "--alias", "latest", "--push"]) == 0
    assert "latest stays on v1.1.0" in capsys.readouterr().out
    assert versions(remote) == {"v1.1.0": ["latest"], "v1.0.0": []}


def test_list_shows_versions_aliases_verdicts_and_default(
    deployed: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """`deploy --list` prints each published version newest first with its aliases, verdict and the default."""
    root, _ = deployed
    assert main(["-C", str(root), "deploy", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["v1.1.0 [latest] FAIL  (default)", "v1.0.0 PASS"]


def test_a_second_deploy_at_once_is_refused(deployed: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """While one deploy holds the checkout's lock, another exits 2 naming the lock and touches nothing."""
    root, _ = deployed
    head = git(root, "rev-parse", "gh-pages")
    with deploy_lock(git_dir(root)):
        assert main(["-C", str(root), "deploy", "v1.1.0"]) == 2
    err = capsys.readouterr().err
    assert "another `reportgen deploy` is running" in err and "reportgen-deploy.lock" in err
    assert git(root, "rev-parse", "gh-pages") == head


def test_a_deploy_in_another_process_blocks_this_one(
    deployed: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """A lock held by another process (as a running deploy holds it) refuses this deploy, naming that pid."""
    root, _ = deployed
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from reportgen.publish import deploy_lock\n"
            "with deploy_lock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)",
            str(git_dir(root)),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert main(["-C", str(root), "deploy", "v1.1.0"]) == 2
        assert f"pid {holder.pid}" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait(timeout=10)
        if holder.stdout is not None:
            holder.stdout.close()
    assert main(["-C", str(root), "deploy", "v1.1.0"]) == 0  # released when its holder died


def test_deploy_outside_git_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Deploying from a folder that is not a git repository exits 2 with how to make it one."""
    root = make_project(tmp_path)
    assert main(["-C", str(root), "deploy", "v1.0.0"]) == 2
    assert "not a git repository" in capsys.readouterr().err


def test_an_unknown_release_is_named(deployed: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    """Deploying a release that is not in results/ exits 2 and lists the releases there are."""
    root, _ = deployed
    assert main(["-C", str(root), "deploy", "v9.9.9"]) == 2
    err = capsys.readouterr().err
    assert "v9.9.9" in err and "v1.0.0" in err


def _set_order(seed: int) -> list[str]:
    """The order a Python process with hash seed ``seed`` lists the set {latest, stable} in (as mike would)."""
    script = "print(','.join({'latest', 'stable'}))"
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    done = subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True, text=True)
    return done.stdout.strip().split(",")


def _deploy_with_seed(root: Path, seed: int, *args: str) -> str:
    script = "import sys; from reportgen.cli import main; raise SystemExit(main(sys.argv[1:]))"
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    done = subprocess.run(
        [sys.executable, "-c", script, "-C", str(root), "deploy", *args], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_two_aliases_deployed_twice_give_the_same_bytes(tmp_path: Path) -> None:
    """A version with two aliases, deployed again by a process that orders sets otherwise, leaves gh-pages
    byte-identical (no commit): versions.json lists aliases sorted, not in mike's set order."""
    seeds = [0, *(s for s in range(1, 40) if _set_order(s) != _set_order(0))][:2]
    assert len(seeds) == 2  # two processes that list mike's alias set in different orders
    root = git_repo(make_project(tmp_path))
    _deploy_with_seed(root, seeds[0], "v1.0.0", "--alias", "latest", "--alias", "stable")
    head, tree = git(root, "rev-parse", "gh-pages"), git(root, "rev-parse", "gh-pages^{tree}")
    assert "nothing changed" in _deploy_with_seed(root, seeds[1], "v1.0.0", "--alias", "latest", "--alias", "stable")
    assert git(root, "rev-parse", "gh-pages") == head and git(root, "rev-parse", "gh-pages^{tree}") == tree
    assert versions(root) == {"v1.0.0": ["latest", "stable"]}
