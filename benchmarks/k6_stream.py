"""How fast reportgen reduces a k6 stream (`--out json` NDJSON or `--out csv`, plain or gzip), as ratios against
baselines measured in the same run, on the same file.

Baselines: `wc -l` (reading the bytes at all) and DuckDB itself computing count, avg, min, max and five exact
percentiles for every metric and every single breakdown tag in one GROUPING SETS query over the file. reportgen
computes more than that (sums in file order, k6's percentile expression, rates, gauges, checks, submetrics,
per-second series, run facts), all of it from the same one read.

The input is the real k6 1.1.0 stream of tests/fixtures (Point lines with their tags), repeated with its times
moved forward each copy until the file reaches the requested size. Each command runs in its own process, reportgen
from bytecode as when installed (benchmarks/_measure.py); times are the best of --repeat runs and peak memory is
the child's maximum resident set.

Run: `.venv/bin/python benchmarks/k6_stream.py [--size-mib 200] [--format ndjson|csv] [--gzip] [--check]`
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from _measure import (
    ROOT,
    best,
    count_lines,
    files_and_small,
    machine,
    print_beside_target,
    print_comparison,
    python,
    row,
)

from reportgen.adapters._duckdb import DEFAULT_MEMORY

SOURCE = ROOT / "tests/fixtures/real/k6/v1.1.0-groups-thresholds/stream.ndjson.gz"
BREAKDOWN = ("name", "status", "scenario", "group", "expected_response")
MEMORY_TARGET = 400 * 10**6  # bytes: issue 18's peak on a 2 GB stream

DUCKDB_NDJSON = """
import sys, duckdb
duckdb.sql("SET enable_progress_bar = false")
tags = ", ".join(f'"{t}" VARCHAR' for t in sys.argv[2].split(","))
columns = {"type": "VARCHAR", "metric": "VARCHAR", "data": f"STRUCT(value DOUBLE, tags STRUCT({tags}))"}
source = f"read_json('{sys.argv[1]}', format='newline_delimited', columns={columns})"
sets = ", ".join(["(metric)"] + [f'(metric, t."{t}")' for t in sys.argv[2].split(",")])
rows = duckdb.sql(f'''
    SELECT metric, count(*), avg(v), min(v), max(v), quantile_cont(v, [0.5, 0.9, 0.95, 0.99, 0.999])
    FROM (SELECT metric, data.value AS v, data.tags AS t FROM {source} WHERE type = 'Point')
    GROUP BY GROUPING SETS ({sets})''').fetchall()
print(len(rows))
"""

DUCKDB_CSV = """
import sys, duckdb
duckdb.sql("SET enable_progress_bar = false")
source = f"read_csv('{sys.argv[1]}', header=true, all_varchar=true)"
tags = sys.argv[2].split(",")
sets = ", ".join(["(metric_name)"] + [f'(metric_name, "{t}")' for t in tags])
rows = duckdb.sql(f'''
    SELECT metric_name, count(*), avg(v), min(v), max(v), quantile_cont(v, [0.5, 0.9, 0.95, 0.99, 0.999])
    FROM (SELECT *, CAST(metric_value AS DOUBLE) AS v FROM {source})
    GROUP BY GROUPING SETS ({sets})''').fetchall()
print(len(rows))
"""

#: DuckDB's own query for the statistics and groups reportgen reports, done DuckDB's way (its sum, its
#: quantile_cont, its timestamp parsing): every breakdown tag, each check, per second (requests and p95 latency),
#: with count, sum, min, max, non-zero count (rates), last value in time (gauges), first and last time.
SAME_STATISTICS = """
import sys, duckdb
duckdb.sql("SET enable_progress_bar = false")
limited = len(sys.argv) > 3  # a memory_limit (reportgen's, for --memory): what DuckDB does within that budget
if limited:
    duckdb.sql(f"SET memory_limit = '{sys.argv[3]}'")
tags = sys.argv[2].split(",")
STATS = "count(*), sum(v), min(v), max(v), count(*) FILTER (WHERE v <> 0), arg_max(v, ts), min(ts), max(ts), "
STATS += "quantile_cont(v, [0.5, 0.9, 0.95, 0.99, 0.999])"
SECOND = "CASE WHEN metric IN ('http_reqs', 'http_req_duration') THEN date_trunc('second', ts) END"
if sys.argv[1].endswith((".csv", ".csv.gz")):
    source = f"read_csv('{sys.argv[1]}', header=true, all_varchar=true)"
    points = f"SELECT *, metric_name AS metric, CAST(metric_value AS DOUBLE) AS v, "
    points += f"to_timestamp(CAST(timestamp AS BIGINT)) AS ts FROM {source}"
else:
    struct = ", ".join(f'"{t}" VARCHAR' for t in tags + ["check"])
    data = f'STRUCT("time" TIMESTAMPTZ, value DOUBLE, tags STRUCT({struct}))'
    columns = {"type": "VARCHAR", "metric": "VARCHAR", "data": data}
    source = f"read_json('{sys.argv[1]}', format='newline_delimited', columns={columns})"
    picked = ", ".join(f'data.tags."{t}" AS "{t}"' for t in tags + ["check"])
    points = f"SELECT metric, data.value AS v, data.time AS ts, {picked} FROM {source} WHERE type = 'Point'"
sets = ["(metric)", *(f'(metric, "{t}")' for t in tags), '(metric, "check", "group")', "(metric, sec)"]
query = f"SELECT metric, {STATS} FROM (SELECT *, {SECOND} AS sec FROM ({points})) "
query += f"GROUP BY GROUPING SETS ({', '.join(sets)})"
try:
    print(len(duckdb.sql(query).fetchall()))
except duckdb.OutOfMemoryException:
    if not limited:
        raise
    print("out-of-memory")
"""

REPORTGEN = """
import sys
from pathlib import Path
from reportgen.adapters import extract
extraction = extract(Path(sys.argv[1]))
print(extraction.adapter, len(extraction.measurements))
"""

LINE_READER = """
import sys, json
from pathlib import Path
from reportgen.adapters import k6_stream as k6
csv = ".csv" in sys.argv[1]
collector, warnings = (k6.read_csv_stream if csv else k6.read_ndjson)(Path(sys.argv[1]))
extraction = k6._extraction("line reader", collector, warnings)
print(json.dumps([m.model_dump() for m in extraction.measurements] + [s.model_dump() for s in extraction.series]))
"""

SQL_READER = LINE_READER.replace(
    """collector, warnings = (k6.read_csv_stream if csv else k6.read_ndjson)(Path(sys.argv[1]))
extraction = k6._extraction("line reader", collector, warnings)""",
    """rows = k6._csv_rows if csv else k6._ndjson_rows
extraction = k6.reduce_with_duckdb("line reader", Path(sys.argv[1]), rows, (), ())""",
)


def _points() -> tuple[list[str], list[dict[str, object]]]:
    lines = gzip.decompress(SOURCE.read_bytes()).decode().splitlines(keepends=True)
    declarations = [line for line in lines if '"type":"Metric"' in line]
    points = [json.loads(line) for line in lines if '"type":"Point"' in line]
    return declarations, points


def _shifted(time: str, seconds: int, cache: dict[tuple[str, int], str]) -> str:
    """``time`` moved ``seconds`` forward; the whole-second part is cached (consecutive points share it)."""
    whole, rest = time[:19], time[19:]
    key = (whole, seconds)
    if key not in cache:
        moved = datetime.fromisoformat(whole + "+00:00").timestamp() + seconds
        cache[key] = datetime.fromtimestamp(moved, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return cache[key] + rest


def _copies(points: list[dict[str, object]]) -> Iterator[tuple[int, list[dict[str, object]]]]:
    times = [p["data"]["time"] for p in points]  # type: ignore[index]
    first = datetime.fromisoformat(str(min(times))[:19] + "+00:00").timestamp()
    last = datetime.fromisoformat(str(max(times))[:19] + "+00:00").timestamp()
    span = int(last - first) + 1
    copy = 0
    while True:
        yield copy * span, points
        copy += 1


def make_ndjson(path: Path, size_mib: float) -> None:
    declarations, points = _points()
    cache: dict[tuple[str, int], str] = {}
    with path.open("w") as out:
        out.writelines(declarations)
        for shift, batch in _copies(points):
            for point in batch:
                data = point["data"]
                line = json.dumps(
                    {**point, "data": {**data, "time": _shifted(data["time"], shift, cache)}},  # type: ignore[dict-item]
                    separators=(",", ":"),
                )
                out.write(line + "\n")
            if out.tell() >= size_mib * 2**20:
                return


def make_csv(path: Path, size_mib: float) -> None:
    """The same points as k6 --out csv writes them: the standard tag columns, extra_tags, metadata."""
    _, points = _points()
    columns = ["check", "error", "error_code", "expected_response", "group", "method", "name", "proto", "scenario"]
    columns += ["service", "status", "subproto", "tls_version", "url"]
    with path.open("w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["metric_name", "timestamp", "metric_value", *columns, "extra_tags", "metadata"])
        for shift, batch in _copies(points):
            buffer = io.StringIO()
            rows = csv.writer(buffer, lineterminator="\n")
            for point in batch:
                data = point["data"]
                tags = data.get("tags") or {}  # type: ignore[union-attr]
                stamp = int(datetime.fromisoformat(str(data["time"])[:19] + "+00:00").timestamp()) + shift  # type: ignore[index]
                value = f"{data['value']:.6f}"  # type: ignore[index]
                rows.writerow([point["metric"], stamp, value, *(tags.get(c, "") for c in columns), "", ""])
            out.write(buffer.getvalue())
            if out.tell() >= size_mib * 2**20:
                return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mib", type=float, default=200, help="size of the uncompressed stream")
    parser.add_argument("--format", choices=("ndjson", "csv"), default="ndjson")
    parser.add_argument("--gzip", action="store_true", help="also measure the stream gzipped (-1)")
    parser.add_argument("--repeat", type=int, default=2, help="runs per command; the fastest counts")
    parser.add_argument("--check", action="store_true", help="also run the line reader and compare every figure")
    parser.add_argument(
        "--memory", action="store_true", help="only reportgen's own peak memory (one run), against the 400 MB target"
    )
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="reportgen-bench-") as folder:
        make = make_ndjson if args.format == "ndjson" else make_csv
        pairs = files_and_small(Path(folder), f"stream.{args.format}", make, args.size_mib, args.gzip)
        for path, small in pairs:
            _compare(path, pairs[0][0].stat().st_size / 2**20, args, small)


def _compare(path: Path, size_mib: float, args: argparse.Namespace, small: Path) -> None:
    on_disk = path.stat().st_size / 2**20
    gz = path.suffix == ".gz"
    if args.memory:
        ours = best(python(REPORTGEN, str(path)), 1)
        verdict = "under" if ours.peak_mib * 2**20 < MEMORY_TARGET else "OVER"
        print(f"\n{path.name}: {on_disk:,.0f} MiB on disk, {size_mib:,.0f} MiB of text")
        print(row("reportgen", ours, size_mib))
        print(f"peak memory of the reducing process: {ours.peak_mib:.0f} MiB, {verdict} the 400 MB target")
        limit = os.environ.get("REPORTGEN_DUCKDB_MEMORY", DEFAULT_MEMORY)
        duck = best(python(SAME_STATISTICS, str(path), ",".join(BREAKDOWN), limit), 1)
        print(row(f"DuckDB at {limit}", duck, size_mib))
        outcome = "ran out of memory" if "out-of-memory" in duck.stdout else "finished"
        print(f"DuckDB's own same-statistics query at reportgen's memory_limit ({limit}): {outcome}")
        return
    wc = count_lines(path, args.repeat)
    tags = ",".join(BREAKDOWN)
    duck = best(python(DUCKDB_NDJSON if args.format == "ndjson" else DUCKDB_CSV, str(path), tags), args.repeat)
    same = best(python(SAME_STATISTICS, str(path), tags), args.repeat)
    ours = best(python(REPORTGEN, str(path)), args.repeat)
    print(
        f"\n{path.name}: {int(wc.stdout.split()[0]):,} lines, {size_mib:,.0f} MiB of text"
        + (f" ({on_disk:,.0f} MiB gzipped)" if gz else "")
        + f"; reportgen read it with {ours.stdout.split()[0]} ({ours.stdout.split()[1]} measurements)"
    )
    print_comparison(ours, duck, wc, size_mib, aim=" (aim <= 3x)", same=same)
    print_beside_target(ours, same, (REPORTGEN, SAME_STATISTICS), (path, small), [tags], args.repeat)
    if args.check:
        line = best(python(LINE_READER, str(path)), 1)
        sql = best(python(SQL_READER, str(path)), 1)
        same = "identical" if line.stdout == sql.stdout else "DIFFERENT"
        print(row("line reader (before)", line, size_mib, duck))
        print(f"every figure and series of the SQL path vs the line reader: {same}")


if __name__ == "__main__":
    main()
