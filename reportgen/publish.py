"""``reportgen deploy``: one mike version per release on the gh-pages branch, aliases as copies.

Each version holds the site as of its release: that release and every older one, built by the same stages
and the same engine call as ``reportgen build`` (so the newest version is byte for byte ``site/``). mike
commits it; reportgen decides what mike is asked: an alias such as ``latest`` only ever moves forward in
release order, the default version is the first alias (or the newest version), and one deploy at a time
runs in a checkout (a lock in .git/), since two mike deploys at once both succeed and one is lost.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen import write
from reportgen.analyse import analyse
from reportgen.build import mkdocs_build, stage_docs
from reportgen.errors import ProjectError, PublishError
from reportgen.project import Project
from reportgen.schemas.report import ReleaseResult

LOCK = "reportgen-deploy.lock"
DEFAULT_BRANCH = "gh-pages"
DEFAULT_REMOTE = "origin"


@dataclass(frozen=True)
class Published:
    """One version on the branch, as ``deploy --list`` shows it."""

    version: str
    title: str
    aliases: tuple[str, ...]
    verdict: str | None
    default: bool


@dataclass(frozen=True)
class Deployed:
    """What one deploy did."""

    release: str
    branch: str
    aliases: tuple[str, ...]
    #: alias → the newer version that keeps it
    kept: dict[str, str] = field(default_factory=dict)
    changed: bool = True
    default: str | None = None
    pushed: str | None = None


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)


def git_dir(root: Path) -> Path:
    done = _git(root, "rev-parse", "--absolute-git-dir")
    if done.returncode != 0:
        raise PublishError(
            f"{root}: not a git repository; deploy commits the site to a branch of it "
            "(run `git init`, commit results/ and mkdocs.yml, then deploy)"
        )
    return Path(done.stdout.strip())


@contextlib.contextmanager
def deploy_lock(folder: Path) -> Iterator[None]:
    """Hold ``folder``/reportgen-deploy.lock for the whole deploy, or refuse at once if another holds it.

    An advisory ``flock``: the kernel releases it when the holder exits, even when killed, so a crash
    never leaves a checkout locked. The file itself stays (removing it would race a waiting deploy)."""
    path = folder / LOCK
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
        os.close(fd)
        raise PublishError(
            f"{path}: another `reportgen deploy` is running in this checkout (pid {holder}); "
            "wait for it to finish, then deploy again"
        ) from None
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)


def as_of(results: list[ReleaseResult], release: str) -> list[ReleaseResult]:
    """``release`` and every release before it (``results`` is newest first, as :func:`analyse` returns it)."""
    ids = [r.id for r in results]
    if release not in ids:
        raise ProjectError(f"no release {release!r} in results/; releases: {', '.join(ids) or 'none'}")
    return results[ids.index(release) :]


def build_as_of(project: Project, results: list[ReleaseResult], site: Path) -> None:
    """Build the site of ``results`` into ``site`` from a staged copy of site_docs/, which is then dropped:
    the checkout's site_docs/ and site/ stay as they are."""
    staging = stage_docs(project, results)
    try:
        mkdocs_build(project, results, site, staging)
    finally:
        write.discard(staging)


def stable_versions_json(data: bytes) -> bytes:
    """mike's versions.json with each version's aliases sorted: mike lists them from a Python set, whose order
    changes with the process's hash seed, so a redeploy of the same aliases could write other bytes."""
    versions = json.loads(data)
    for version in versions:
        version["aliases"] = sorted(version.get("aliases", []))
    return (json.dumps(versions, indent=2) + "\n").encode()


@contextlib.contextmanager
def _stable_versions_file() -> Iterator[None]:
    """While mike commits, its versions.json goes through :func:`stable_versions_json`, in the same commit."""
    from mike import commands, git_utils

    original = commands.versions_to_file_info

    def stable(versions: Any, deploy_prefix: str = "") -> Any:
        info = original(versions, deploy_prefix)
        return git_utils.FileInfo(info.path, stable_versions_json(info.data), info.mode)

    commands.versions_to_file_info = stable
    try:
        yield
    finally:
        commands.versions_to_file_info = original


def _order(results: list[ReleaseResult]) -> dict[str, int]:
    """Release id → rank, 0 the newest."""
    return {r.id: rank for rank, r in enumerate(results)}


def _moves(
    versions: Any, release: str, aliases: Sequence[str], rank: dict[str, int]
) -> tuple[list[str], dict[str, str]]:
    """Which aliases this deploy takes, and which stay on a newer version (an older release never takes them)."""
    take: list[str] = []
    kept: dict[str, str] = {}
    for alias in aliases:
        found = versions.find(alias)  # mike's Versions: (version,) or (version, alias) or None
        holder = found[0] if found else None
        if holder and holder != release and rank.get(holder, len(rank)) < rank[release]:
            kept[alias] = holder
        else:
            take.append(alias)
    return take, kept


def _sync(remote: str, branch: str) -> None:
    """Fetch the remote's branch (if it has one) and fast-forward ours; a diverged branch is refused."""
    from mike import git_utils

    fetched = subprocess.run(
        ["git", "fetch", "--quiet", remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if fetched.returncode != 0 and "couldn't find remote ref" not in fetched.stderr:
        raise PublishError(f"git fetch {remote} {branch} failed: {fetched.stderr.strip()}")
    try:
        git_utils.update_from_upstream(remote, branch)
    except git_utils.GitError as exc:
        raise PublishError(f"{branch}: {exc}; reconcile the branches with git, then deploy again") from None


def _default_of(branch: str) -> str | None:
    """The version or alias the branch's root index.html redirects to (mike's set-default)."""
    from mike import git_utils

    try:
        text = git_utils.read_file(branch, "index.html", universal_newlines=True)
    except git_utils.GitError:
        return None
    match = re.search(r'url=([^"/]+)/?"', text)
    return match.group(1) if match else None


def deploy(
    project: Project,
    release: str,
    *,
    aliases: Sequence[str] = ("latest",),
    title: str | None = None,
    branch: str = DEFAULT_BRANCH,
    remote: str = DEFAULT_REMOTE,
    push: bool = False,
) -> Deployed:
    """Build the site as of ``release`` and commit it to ``branch`` as mike version ``release``."""
    from mike import commands, git_utils, jsonpath

    with contextlib.chdir(project.root), deploy_lock(git_dir(project.root)), _stable_versions_file():
        results = analyse(project)
        subset = as_of(results, release)
        if push:
            _sync(remote, branch)
        versions = commands.list_versions(branch)
        take, kept = _moves(versions, release, aliases, _order(results))
        verdict = subset[0].verdict
        with tempfile.TemporaryDirectory(prefix="reportgen-deploy-") as tmp:
            site = Path(tmp) / "site"
            build_as_of(project, subset, site)
            message = f"reportgen: deploy {release} ({verdict})" + (f" as {', '.join(take)}" if take else "")
            changed = True
            try:
                with commands.deploy(
                    {"site_dir": str(site), "use_directory_urls": True},
                    release,
                    title,
                    take,
                    update_aliases=True,
                    alias_type=commands.AliasType.copy,
                    branch=branch,
                    message=message,
                    set_props=[(jsonpath.parse("verdict"), verdict)],
                ):
                    pass
            except git_utils.GitEmptyCommit:
                changed = False  # the same bytes are already published: nothing to commit
            except (git_utils.GitError, ValueError) as exc:
                raise PublishError(f"mike could not deploy {release} to {branch}: {exc}") from None
        default = _set_default(branch, aliases, results)
        changed = changed or default[1]
        pushed = None
        if push:
            try:
                git_utils.push_branch(remote, branch)
            except git_utils.GitError as exc:
                raise PublishError(str(exc)) from None
            pushed = remote
        return Deployed(release, branch, tuple(take), kept, changed, default[0], pushed)


def _set_default(branch: str, aliases: Sequence[str], results: list[ReleaseResult]) -> tuple[str | None, bool]:
    """Point the branch's root at the first alias, or else the newest published version; say if it changed."""
    from mike import commands, git_utils

    versions = commands.list_versions(branch)
    rank = _order(results)
    published = sorted((str(v.version) for v in versions), key=lambda v: rank.get(v, len(rank)))
    wanted = next((a for a in aliases if versions.find(a)), published[0] if published else None)
    if wanted is None or _default_of(branch) == wanted:
        return wanted, False
    try:
        commands.set_default(wanted, branch=branch, message=f"reportgen: default version {wanted}")
    except git_utils.GitEmptyCommit:
        return wanted, False
    return wanted, True


def published(project: Project, branch: str = DEFAULT_BRANCH) -> list[Published]:
    """Every version on ``branch``, newest first as mike orders them."""
    from mike import commands

    with contextlib.chdir(project.root):
        git_dir(project.root)
        versions = commands.list_versions(branch)
        default = _default_of(branch)
    return [
        Published(
            version=str(v.version),
            title=v.title,
            aliases=tuple(sorted(v.aliases)),
            verdict=(v.properties or {}).get("verdict"),
            default=default is not None and (default == str(v.version) or default in v.aliases),
        )
        for v in versions
    ]
