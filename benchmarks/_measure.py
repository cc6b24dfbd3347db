"""Run a command in a child process and measure its wall time and peak resident memory (from wait4's rusage).

Every benchmark measures reportgen and its baselines this way, in the same run, so the printed ratios compare
like with like on whatever else the machine is doing at the time.

Children run from bytecode, as an installed reportgen does (pip compiles every module it installs): reportgen is
compiled once (``compileall``, into its ``__pycache__`` folders, which git ignores) before the first child, and
children run without ``PYTHONDONTWRITEBYTECODE`` even when the shell sets it. Compiled from source instead, every
child paid about 0.09 s of cpu that no user pays (the baselines' DuckDB is installed, hence already compiled).
"""

from __future__ import annotations

import gzip
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Run:
    seconds: float  # wall time
    cpu: float  # user + system time of the child: what the work cost, whatever else the machine runs
    peak_mib: float
    stdout: str


#: Appended to every child Python: its own peak resident set (VmHWM), written where the parent asks. wait4's
#: ru_maxrss would also count what the child inherited from this (large) benchmark process before exec.
_REPORT_PEAK = """
import atexit, os
def _report_peak():
    status = open("/proc/self/status").read()
    peak = status.split("VmHWM:")[1].split()[0]
    open(os.environ["REPORTGEN_BENCH_PEAK"], "w").write(peak)
atexit.register(_report_peak)
"""


def _child_environment() -> dict[str, str]:
    """This environment without PYTHONDONTWRITEBYTECODE, reportgen compiled (see the module's docstring)."""
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    _compile_reportgen()
    return environment


@cache
def _compile_reportgen() -> None:
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "reportgen")], check=True)


def measure(argv: list[str], *, shell: bool = False, env: dict[str, str] | None = None) -> Run:
    """One run of ``argv``: wall seconds and the child's own peak RSS (MiB). A failing command stops the benchmark."""
    with tempfile.NamedTemporaryFile(prefix="reportgen-peak-") as peak_file:
        environment = {**_child_environment(), **(env or {}), "REPORTGEN_BENCH_PEAK": peak_file.name}
        start = time.perf_counter()
        process = subprocess.Popen(
            " ".join(argv) if shell else argv,
            shell=shell,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=environment,
        )
        assert process.stdout is not None
        out = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise SystemExit(f"{argv[0]} failed with exit code {process.returncode}")
        reported = Path(peak_file.name).read_text().strip()
    peak_mib = int(reported) / 1024 if reported else usage.ru_maxrss / 1024  # wc -l: no report, and tiny
    return Run(seconds, usage.ru_utime + usage.ru_stime, peak_mib, out)


def best(argv: list[str], repeat: int, **options: object) -> Run:
    """The fastest of ``repeat`` runs (the least disturbed by other work), with the largest peak memory seen."""
    runs = [measure(argv, **options) for _ in range(repeat)]  # type: ignore[arg-type]
    fastest = min(runs, key=lambda r: r.seconds)
    return Run(fastest.seconds, min(r.cpu for r in runs), max(r.peak_mib for r in runs), fastest.stdout)


def python(code: str, *args: str) -> list[str]:
    """A child Python (this interpreter) running ``code`` with ``args`` in sys.argv[1:], reporting its own peak."""
    return [sys.executable, "-c", _REPORT_PEAK + code, *args]


def machine() -> str:
    """What the figures were measured on: CPU model, cores, memory, load at the start."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    load = os.getloadavg()[0]
    return f"{model}, {os.cpu_count()} cores, {memory:.0f} GiB, {platform.system()}, load {load:.1f} at start"


HEADER = f"{'':<26} {'wall':>9} {'cpu':>9} {'MiB/s':>8} {'peak':>9}   vs baseline (wall, cpu)"


def row(label: str, run: Run, size_mib: float, baseline: Run | None = None) -> str:
    """One line of a result table: times, throughput (by wall time), peak memory and both ratios."""
    rate = size_mib / run.seconds if run.seconds else float("inf")
    ratio = f"   {run.seconds / baseline.seconds:5.2f}x {run.cpu / baseline.cpu:5.2f}x" if baseline else ""
    return f"{label:<26} {run.seconds:7.2f} s {run.cpu:7.2f} s {rate:8.1f} {run.peak_mib:5.0f} MiB{ratio}"


def count_lines(path: Path, repeat: int) -> Run:
    """The `wc -l` baseline over the file's text (through `gzip -dc` for a .gz file)."""
    gz = path.suffix == ".gz"
    argv = ["gzip", "-dc", str(path), "|", "wc", "-l"] if gz else ["wc", "-l", str(path)]
    return best(argv, repeat, shell=gz)


def print_comparison(ours: Run, duck: Run, wc: Run, size_mib: float, aim: str = "", same: Run | None = None) -> None:
    """The timed rows and the ratios against DuckDB and wc -l, measured in the same run. ``same``: DuckDB's own
    query for the statistics and groups reportgen reports, the target's baseline; ``duck`` computes fewer (count,
    avg, min, max and percentiles per metric and tag), kept to compare with earlier rounds."""
    baseline = same or duck
    print(HEADER)
    print(row("wc -l", wc, size_mib, baseline))
    print(row("DuckDB GROUPING SETS", duck, size_mib, baseline))
    if same:
        print(row("DuckDB, same statistics", same, size_mib, baseline))
    print(row("reportgen", ours, size_mib, baseline))
    versus = f"{ours.seconds / baseline.seconds:.2f}x / {ours.cpu / baseline.cpu:.2f}x (target <= 1.25x)"
    if same:
        versus += (
            f", reportgen / DuckDB GROUPING SETS = {ours.seconds / duck.seconds:.2f}x / {ours.cpu / duck.cpu:.2f}x"
        )
    print(
        f"ratios (wall / cpu): reportgen / {'DuckDB, same statistics' if same else 'DuckDB'} = {versus}, "
        f"reportgen / wc -l = {ours.seconds / wc.seconds:.1f}x / {ours.cpu / wc.cpu:.1f}x{aim}; peak {ours.peak_mib:.0f} MiB"
    )


def with_gzip_copy(plain: Path, also_gzip: bool) -> list[Path]:
    """The generated file, and beside it a gzip copy of it when asked (level 1: what a run's pipeline would write)."""
    if not also_gzip:
        return [plain]
    packed = plain.with_name(plain.name + ".gz")
    with plain.open("rb") as source, gzip.open(packed, "wb", compresslevel=1) as target:
        shutil.copyfileobj(source, target, 1 << 20)
    return [plain, packed]


#: Size of the small file of the same kind whose times are the fixed cost (:func:`print_beside_target`).
SMALL_MIB = 1.0


def files_and_small(
    folder: Path, name: str, make: Callable[[Path, float], None], size_mib: float, also_gzip: bool
) -> list[tuple[Path, Path]]:
    """The generated file of ``size_mib`` (and its gzip copy when asked), each with a :data:`SMALL_MIB` file of the
    same kind beside it (made by the same ``make``), whose times are the commands' fixed cost."""
    plain, small = folder / name, folder / f"small-{name}"
    make(plain, size_mib)
    make(small, SMALL_MIB)
    return list(zip(with_gzip_copy(plain, also_gzip), with_gzip_copy(small, also_gzip), strict=True))


def _print_above_fixed_cost(ours: Run, same: Run, small_ours: Run, small_same: Run, small_mib: float) -> None:
    """What each command's time is above its fixed cost (its time on a :data:`SMALL_MIB` file of the same kind, of
    ``small_mib`` of text: interpreter, imports, connection), and the ratio of those: how reportgen's time grows
    with the file against DuckDB's. Shown beside the target's ratio, which counts the fixed costs, never instead of
    it."""

    above = [ours.seconds - small_ours.seconds, ours.cpu - small_ours.cpu]
    above_same = [same.seconds - small_same.seconds, same.cpu - small_same.cpu]
    ratios = (
        f"{above[0] / above_same[0]:.2f}x / {above[1] / above_same[1]:.2f}x"
        if min(above + above_same) > 0
        else "none: the file is too small for its time to stand above the fixed cost"
    )
    print(
        f"fixed cost (a {small_mib:.1f} MiB file of the same kind): reportgen {small_ours.seconds:.2f} s / "
        f"{small_ours.cpu:.2f} s, DuckDB, same statistics {small_same.seconds:.2f} s / {small_same.cpu:.2f} s; "
        f"above it (wall / cpu): reportgen / DuckDB = {ratios}"
    )


#: Runs benchmark scripts one after another in ONE child process: each once on a small file first (imports, the
#: first connection), then each ``repeat`` times in turn on the file, keeping each script's best wall and cpu time.
_WARM = """
import contextlib, io, json, sys, time
codes, warm_argvs, argvs, repeat = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3]), int(sys.argv[4])
def run(code, argv):
    sys.argv = ["-c", *argv]
    wall, cpu = time.perf_counter(), time.process_time()
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, "<benchmark>", "exec"), {"__name__": "__main__"})
    return [time.perf_counter() - wall, time.process_time() - cpu]
for code, argv in zip(codes, warm_argvs):
    run(code, argv)
best = [[float("inf"), float("inf")] for _ in codes]
for _ in range(repeat):
    for index, (code, argv) in enumerate(zip(codes, argvs)):
        best[index] = [min(pair) for pair in zip(best[index], run(code, argv))]
print(json.dumps(best))
"""


def _print_warm(ours: tuple[str, list[str], list[str]], same: tuple[str, list[str], list[str]], repeat: int) -> None:
    """reportgen's script and DuckDB's same-statistics script (each: code, arguments for the small file, arguments
    for the file) run in turn in one process, warmed on the small file first: what each costs per artifact when a
    build reduces many in one process, the interpreter, imports and connection paid once. Beside the target's ratio
    (separate processes, every cost counted), never instead of it."""
    codes, warm_argvs, argvs = zip(ours, same, strict=True)
    run = measure(python(_WARM, json.dumps(codes), json.dumps(warm_argvs), json.dumps(argvs), str(repeat)))
    (wall, cpu), (same_wall, same_cpu) = json.loads(run.stdout)
    print(
        f"warm, one process (a build's artifacts after the first): reportgen {wall:.2f} s / {cpu:.2f} s, "
        f"DuckDB, same statistics {same_wall:.2f} s / {same_cpu:.2f} s; reportgen / DuckDB = "
        f"{wall / same_wall:.2f}x / {cpu / same_cpu:.2f}x"
    )


def print_beside_target(
    ours: Run, same: Run, scripts: tuple[str, str], files: tuple[Path, Path], same_args: list[str], repeat: int
) -> None:
    """The two lines both stream benchmarks print after the target's ratio: the fixed cost and the ratio above it,
    and the warm ratio. ``scripts``: reportgen's and DuckDB's same-statistics child code, each taking a file (and
    DuckDB's ``same_args`` after it); ``files``: the measured file and its :data:`SMALL_MIB` twin; ``ours`` and
    ``same``: their runs on the measured file."""
    reportgen, duckdb = scripts
    path, small = (str(file) for file in files)
    small_ours = best(python(reportgen, small), repeat)
    small_same = best(python(duckdb, small, *same_args), repeat)
    # A generator writes whole copies of its source: the k6 stream's one copy is about 6 MiB, not SMALL_MIB.
    small_mib = Path(small.removesuffix(".gz")).stat().st_size / 2**20
    _print_above_fixed_cost(ours, same, small_ours, small_same, small_mib)
    _print_warm((reportgen, [small], [path]), (duckdb, [small, *same_args], [path, *same_args]), repeat)
