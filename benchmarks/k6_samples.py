"""How fast reportgen reads a k6 stream's raw samples (every slice's values in file order, what noise tests and
distribution charts use): one DuckDB query against the Python line reader it replaces, on the same file in the
same run, with both results compared array for array.

Both readers run in this process, alternately (line reader, DuckDB, line reader, ...), --repeat times each; the
figure is each one's least CPU time (``time.process_time``: every thread of the process, so DuckDB's threads
count) and wall time. Files: the real k6 streams of tests/fixtures (NDJSON and CSV, gzip), one release's stream
of the site benchmark, and a generated NDJSON stream of --size-mib (the k6_stream benchmark's generator).

Run: `.venv/bin/python benchmarks/k6_samples.py [--size-mib 20] [--repeat 5] [file ...]`
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from _measure import ROOT, machine

sys.path.insert(0, str(ROOT))
from k6_stream import make_ndjson

from reportgen import samples
from reportgen.adapters import _k6_samples_sql, k6_stream
from reportgen.sample_store import Read

FIXTURES = sorted((ROOT / "tests/fixtures/real/k6").glob("*/stream.*.gz"))
SITE_STREAM = ROOT / "results/v1.1.0/k6/stream.ndjson.gz"


def line_reader(path: Path) -> Read:
    """What samples.py read before: the line reader's collector."""
    csv = ".csv" in path.name
    collector = (k6_stream.read_csv_stream if csv else k6_stream.read_ndjson)(path)[0]
    by_metric = {m: {labels: s.values for labels, s in slices.items()} for m, slices in collector.slices.items()}
    vus = collector.slices.get("vus", {}).get(())
    return samples._k6(collector.declarations, by_metric, list(vus.times) if vus is not None else [])


def duckdb(path: Path) -> Read:
    """The DuckDB query (what samples.py reads now)."""
    rows_of = k6_stream._csv_rows if ".csv" in path.name else k6_stream._ndjson_rows
    found = _k6_samples_sql.read(path, rows_of)
    if found is None:
        raise SystemExit(f"{path}: the DuckDB reader declined a clean file")
    return samples._k6(found.declarations, found.slices, found.vus_times)


def identical(a: Read, b: Read) -> bool:
    """The same slices with the same values bit for bit, in the same order, and the same series."""
    if a[0].keys() != b[0].keys() or a[1] != b[1]:
        return False
    return all(a[0][k][0].tobytes() == b[0][k][0].tobytes() and a[0][k][1:] == b[0][k][1:] for k in a[0])


def timed(read: Callable[[Path], Read], path: Path) -> tuple[float, float, Read]:
    cpu, wall = time.process_time(), time.perf_counter()
    found = read(path)
    return time.process_time() - cpu, time.perf_counter() - wall, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mib", type=float, default=20, help="size of the generated NDJSON stream (0: none)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per reader and file; the least time counts")
    parser.add_argument("files", nargs="*", type=Path, help="k6 streams (default: the fixtures and generated one)")
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory(prefix="k6-samples-") as scratch:
        files = args.files or [*FIXTURES, SITE_STREAM]
        if not args.files and args.size_mib > 0:
            generated = Path(scratch) / "generated.ndjson"
            make_ndjson(generated, args.size_mib)
            files.append(generated)
        print(f"{'file':<64} {'MiB':>6} {'values':>9}  {'line reader':>17}  {'DuckDB':>17}  {'cpu ratio':>9}  same")
        total = [0.0, 0.0]
        for path in files:
            slow_runs, fast_runs = [], []
            for _ in range(args.repeat):
                slow_runs.append(timed(line_reader, path))
                fast_runs.append(timed(duckdb, path))
            slow, fast = min(slow_runs), min(fast_runs)
            same = identical(slow[2], fast[2])
            values = sum(len(v) for v, _, _ in fast[2][0].values())
            name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
            print(
                f"{name!s:<64} {path.stat().st_size / 2**20:6.1f} {values:9,}  "
                f"{slow[0]:6.3f} / {slow[1]:6.3f} s  {fast[0]:6.3f} / {fast[1]:6.3f} s  {slow[0] / fast[0]:8.2f}x  "
                f"{'yes' if same else 'NO'}"
            )
            total[0] += slow[0]
            total[1] += fast[0]
            if not same:
                raise SystemExit(f"{path}: the readers' samples differ")
        print(
            f"cpu (user+system, all threads), least of {args.repeat} / wall: line reader / DuckDB = "
            f"{total[0] / total[1]:.2f}x over all files"
        )


if __name__ == "__main__":
    main()
