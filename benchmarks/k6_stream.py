"""How fast reportgen reduces a k6 `--out json` stream, as ratios against baselines measured in the same run.

Baselines: `wc -l` (reading the bytes at all) and DuckDB computing grouped percentiles over the same file.
The input is the real k6 1.1.0 stream of tests/fixtures (23,807 lines), its Point lines repeated to the
requested size. Run: `.venv/bin/python benchmarks/k6_stream.py [--copies N]`.
"""

from __future__ import annotations

import argparse
import gzip
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "tests/fixtures/real/k6/v1.1.0-groups-thresholds/stream.ndjson.gz"


def make_input(folder: Path, copies: int) -> Path:
    lines = gzip.decompress(SOURCE.read_bytes()).decode().splitlines(keepends=True)
    declarations = [line for line in lines if '"type":"Metric"' in line]
    points = [line for line in lines if '"type":"Point"' in line]
    path = folder / "stream.ndjson"
    with path.open("w") as out:
        out.writelines(declarations)
        for _ in range(copies):
            out.writelines(points)
    return path


def timed(run: Callable[[], object], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def duckdb_percentiles(path: Path) -> None:
    import duckdb

    duckdb.sql(
        f"""
        SELECT metric, data.tags.name AS name, count(*), avg(data.value),
               quantile_cont(data.value, [0.5, 0.9, 0.95, 0.99])
        FROM read_ndjson_auto('{path}') WHERE type = 'Point'
        GROUP BY GROUPING SETS ((metric), (metric, data.tags.name))
        """
    ).fetchall()


def reportgen_reduce(path: Path) -> None:
    from reportgen.adapters.k6_stream import K6JsonStream

    K6JsonStream().read(path)


def peak_rss_mib(path: Path) -> float:
    """Peak resident memory of reportgen's reduction, run alone in a child process."""
    code = f"from reportgen.adapters.k6_stream import K6JsonStream; K6JsonStream().read(__import__('pathlib').Path({str(path)!r}))"
    subprocess.run([sys.executable, "-c", code], check=True)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=20, help="how many times to repeat the fixture's points")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = make_input(Path(folder), args.copies)
        size_mib = path.stat().st_size / 2**20
        lines = int(
            subprocess.run(["wc", "-l", str(path)], capture_output=True, text=True, check=True).stdout.split()[0]
        )
        wc = timed(lambda: subprocess.run(["wc", "-l", str(path)], capture_output=True, check=True))
        duck = timed(lambda: duckdb_percentiles(path))
        ours = timed(lambda: reportgen_reduce(path), repeat=1)
        rss = peak_rss_mib(path)
    print(f"input: {lines:,} lines, {size_mib:,.1f} MiB (k6 1.1.0 fixture points x {args.copies})")
    print(f"wc -l          {wc:8.3f} s")
    print(f"duckdb         {duck:8.3f} s")
    print(f"reportgen      {ours:8.3f} s   peak RSS {rss:,.0f} MiB ({rss / size_mib:.1f}x the input)")
    print(f"ratio reportgen / duckdb = {ours / duck:.1f}x   reportgen / wc -l = {ours / wc:.0f}x")


if __name__ == "__main__":
    main()
