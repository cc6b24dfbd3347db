"""How fast reportgen reduces a JMeter CSV JTL, as ratios against baselines measured in the same run, on the same file.

Baselines: `wc -l`, and DuckDB itself computing count, avg, min, max and four exact percentiles per label, per
label and success, and for the whole run in one GROUPING SETS query. reportgen computes the HTML dashboard's
figures (errors, throughput, byte rates, latency and connect means, LEGACY percentiles over the last 20,000
samples of each series, errors per response code, per-second series) from the same one read.

The input is a JTL as JMeter 5 writes it with a header row: 12 labels with their own latency profiles, a
Transaction Controller over three of them, 2 % failures with their response codes. Each command runs in its own
process; times are the best of --repeat runs and peak memory is the child's maximum resident set.

Run: `.venv/bin/python benchmarks/jmeter_jtl.py [--size-mib 200] [--gzip] [--check]`
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path

from _measure import best, count_lines, files_and_small, machine, print_beside_target, print_comparison, python, row

COLUMNS = (
    "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,"
    "sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect"
)
LABELS = [("home", 35), ("search", 80), ("item", 45), ("cart", 60), ("checkout", 240), ("login", 120)]
LABELS += [("logout", 20), ("profile", 55), ("orders", 150), ("reviews", 70), ("static", 8), ("api-health", 4)]
IN_TRANSACTION = ("cart", "checkout", "login")

DUCKDB = """
import sys, duckdb
duckdb.sql("SET enable_progress_bar = false")
rows = duckdb.sql(f'''
    SELECT label, success, count(*), avg(elapsed), min(elapsed), max(elapsed),
           quantile_cont(elapsed, [0.5, 0.9, 0.95, 0.99])
    FROM read_csv('{sys.argv[1]}', header = true)
    GROUP BY GROUPING SETS ((label), (label, success), ())''').fetchall()
print(len(rows))
"""

#: DuckDB's own query for the statistics and groups reportgen reports, done DuckDB's way (percentiles over all
#: samples rather than the dashboard's last 20,000): per label, label and success, the run and its successes, errors
#: per response code and per second, with errors, time span, elapsed, latency, connect and byte sums.
SAME_STATISTICS = """
import sys, duckdb
duckdb.sql("SET enable_progress_bar = false")
stats = "count(*), count(*) FILTER (WHERE NOT success), min(timeStamp), max(timeStamp + elapsed), sum(elapsed), "
stats += "min(elapsed), max(elapsed), sum(Latency), sum(Connect), sum(bytes), sum(sentBytes), "
stats += "quantile_cont(elapsed, [0.5, 0.9, 0.95, 0.99])"
sets = "(label), (label, success), (), (success), (responseCode, success), (second)"
query = f"SELECT label, success, responseCode, second, {stats} "
query += f"FROM (SELECT *, timeStamp // 1000 AS second FROM read_csv('{sys.argv[1]}', header = true)) "
query += f"GROUP BY GROUPING SETS ({sets})"
print(len(duckdb.sql(query).fetchall()))
"""

REPORTGEN = """
import sys
from pathlib import Path
from reportgen.adapters import extract
extraction = extract(Path(sys.argv[1]), "jmeter-csv")
print(extraction.adapter, len(extraction.measurements))
"""

LINE_READER = """
import sys, json
from pathlib import Path
from reportgen.adapters import jmeter
path = Path(sys.argv[1])
info, warnings = {"tool": "Apache JMeter", "format": "CSV JTL"}, []
samples = [r.sample() for r in jmeter._csv_rows(path, info, warnings)]
extraction = jmeter._extraction("x", samples, info, warnings, path)
print(json.dumps([m.model_dump() for m in extraction.measurements] + [s.model_dump() for s in extraction.series]))
"""

SQL_READER = LINE_READER.replace(
    """info, warnings = {"tool": "Apache JMeter", "format": "CSV JTL"}, []
samples = [r.sample() for r in jmeter._csv_rows(path, info, warnings)]
extraction = jmeter._extraction("x", samples, info, warnings, path)""",
    """extraction = jmeter._reduce_with_duckdb("x", path)""",
)


def make_jtl(path: Path, size_mib: float, seed: int = 18) -> None:
    """A JTL of about ``size_mib``: 10 threads running the labels in turn, a transaction after every 3."""
    chance = random.Random(seed)
    now = 1_795_378_189_730
    with path.open("w") as out:
        out.write(COLUMNS + "\n")
        lines: list[str] = []
        while True:
            for thread in range(1, 11):
                transaction = 0
                for label, typical in LABELS:
                    elapsed = max(1, int(chance.lognormvariate(0, 0.5) * typical))
                    failed = chance.random() < 0.02
                    code, message = ("500", "Internal Server Error") if failed else ("200", "OK")
                    connect = chance.randint(0, 3)
                    lines.append(
                        f"{now},{elapsed},{label},{code},{message},shoppers 1-{thread},text,{str(not failed).lower()},"
                        f",{chance.randint(200, 20000)},{chance.randint(100, 600)},10,10,"
                        f"http://127.0.0.1:18500/{label},{max(1, elapsed - 1)},0,{connect}\n"
                    )
                    if label in IN_TRANSACTION:
                        transaction += elapsed
                    now += chance.randint(0, 3)
                lines.append(
                    f'{now},{transaction},purchase,200,"Number of samples in transaction : 3, number of failing '
                    f'samples : 0",shoppers 1-{thread},,true,,0,0,10,10,null,0,0,0\n'
                )
            if len(lines) >= 10_000:
                out.writelines(lines)
                lines.clear()
                if out.tell() >= size_mib * 2**20:
                    return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size-mib", type=float, default=200, help="size of the uncompressed JTL")
    parser.add_argument("--gzip", action="store_true", help="also measure the JTL gzipped (-1)")
    parser.add_argument("--repeat", type=int, default=2, help="runs per command; the fastest counts")
    parser.add_argument("--check", action="store_true", help="also run the line reader and compare every figure")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="reportgen-bench-") as folder:
        pairs = files_and_small(Path(folder), "results.csv", make_jtl, args.size_mib, args.gzip)
        for path, small in pairs:
            _compare(path, pairs[0][0].stat().st_size / 2**20, args, small)


def _compare(path: Path, size_mib: float, args: argparse.Namespace, small: Path) -> None:
    gz = path.suffix == ".gz"
    wc = count_lines(path, args.repeat)
    duck = best(python(DUCKDB, str(path)), args.repeat)
    same = best(python(SAME_STATISTICS, str(path)), args.repeat)
    ours = best(python(REPORTGEN, str(path)), args.repeat)
    on_disk = path.stat().st_size / 2**20
    print(
        f"\n{path.name}: {int(wc.stdout.split()[0]):,} lines, {size_mib:,.0f} MiB of text"
        + (f" ({on_disk:,.0f} MiB gzipped)" if gz else "")
        + f"; reportgen: {ours.stdout.split()[1]} measurements"
    )
    print_comparison(ours, duck, wc, size_mib, same=same)
    print_beside_target(ours, same, (REPORTGEN, SAME_STATISTICS), (path, small), [], args.repeat)
    if args.check:
        line = best(python(LINE_READER, str(path)), 1)
        sql = best(python(SQL_READER, str(path)), 1)
        print(row("line reader (before)", line, size_mib, duck))
        print(
            f"every figure and series of the SQL path vs the line reader: {'identical' if line.stdout == sql.stdout else 'DIFFERENT'}"
        )


if __name__ == "__main__":
    main()
