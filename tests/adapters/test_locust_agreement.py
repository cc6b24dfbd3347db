"""Agreement with the real Locust: run it against the loopback target and hold reportgen's figures to Locust's own.

Two oracles, both Locust's code, neither reportgen's:

1. Locust's own ``_stats.csv`` of the same run. Locust rewrites it once a second and writes ``--json-file`` at
   shutdown with no last CSV write, so normally the CSV lags (docs/FORMATS.md §2.3), and under machine load a fixed
   quiet tail vanished (``-t`` fires early by Locust's start-up time, see the locustfile). The locustfile (locustfiles/quiet_tail.py) sends traffic for 3 s, parks every
   user, and ends the run itself once the CSV's Aggregated row holds the final count (``-t`` is only a cap): the
   test first checks that (same Aggregated count), then requires every figure reportgen derives from the JSON to
   equal the cell Locust computed and printed with ``repr`` (so exact). Rates are the one documented exception:
   Locust divides by (last request − stats start) and the stats start is not in the JSON; the locustfile logs a
   ``MARK`` event at ``test_start``, the moment Locust clears the stats, so the earliest entry start reportgen
   uses is the stats start to within a millisecond however late the first user's request comes.
2. Locust's ``StatsEntry`` arithmetic applied to the JSON itself, in a separate Python process (importing Locust
   monkey-patches the interpreter with gevent): ``StatsEntry.unserialize`` per entry, ``extend`` into a total, then
   Locust's own ``median_response_time``, ``get_response_time_percentile``, ``avg_response_time``, ``fail_ratio``,
   ``avg_content_length`` and ``total_rps``. This one is exact for every figure, rates and the Aggregated avg
   included, because it sees exactly the data reportgen sees.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reportgen.adapters import extract
from reportgen.estimators import percentile_name
from reportgen.schemas.measurement import Measurement

pytestmark = pytest.mark.tools

LOCUSTFILE = Path(__file__).parent / "locustfiles" / "quiet_tail.py"
LOCUST = Path(sys.executable).parent / "locust"

#: Runs in a child interpreter: Locust's own StatsEntry math over the --json-file entries.
LOCUST_ORACLE = r"""
import json, sys
from locust.stats import PERCENTILES_TO_REPORT, RequestStats, StatsEntry

stats = RequestStats(use_response_times_cache=False)
total = StatsEntry(stats, "Aggregated", "")
stats.total = total
rows = []
for raw in json.load(open(sys.argv[1])):
    raw["response_times"] = {int(k): v for k, v in raw["response_times"].items()}
    entry = StatsEntry.unserialize(raw, stats)
    total.extend(entry)
    rows.append(entry)
out = []
for entry in [*rows, total]:
    out.append({
        "labels": {} if entry is total else {"name": entry.name, "method": entry.method},
        "requests count": entry.num_requests,
        "failures count": entry.num_failures,
        "failures ratio": entry.fail_ratio,
        "requests rate": entry.total_rps,
        "failures rate": entry.total_fail_per_sec,
        "response_time avg": entry.avg_response_time,
        "response_time min": entry.min_response_time,
        "response_time max": entry.max_response_time,
        "response_time med": entry.median_response_time,
        "content_size avg": entry.avg_content_length,
        "percentiles": {str(p): entry.get_response_time_percentile(p) for p in PERCENTILES_TO_REPORT},
    })
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def locust_run(target_server: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One bounded headless Locust run (5 users, traffic for 3 s, ended once the CSV is final, 30 s at most)."""
    folder = tmp_path_factory.mktemp("locust")
    command = [
        str(LOCUST),
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "-u",
        "5",
        "-r",
        "5",
        "-t",
        "30s",
        "--host",
        target_server,
        "--csv",
        "run",
        "--json-file",
        "run",
        "--only-summary",
        "--exit-code-on-error",
        "0",
    ]
    env = {**os.environ, "REPORTGEN_LOCUST_ACTIVE_SECONDS": "3"}
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return folder


def figures(path: Path) -> dict[tuple[str, str, tuple[tuple[str, str], ...]], Measurement]:
    return {m.key(): m for m in extract(path).measurements}


def identity(name: str, labels: dict[str, str]) -> tuple[str, str, tuple[tuple[str, str], ...]]:
    metric, stat = name.split()
    return (metric, stat, tuple(sorted(labels.items())))


def test_csv_and_json_saw_the_same_requests(locust_run: Path) -> None:
    """Precondition of the CSV oracle: after the quiet tail the CSV's Aggregated count equals the JSON's."""
    from_csv, from_json = figures(locust_run / "run_stats.csv"), figures(locust_run / "run.json")
    total = identity("requests count", {})
    assert from_csv[total].value == from_json[total].value
    assert from_csv[total].value is not None and from_csv[total].value > 50


def test_json_figures_equal_locusts_csv_cells(locust_run: Path) -> None:
    """Every endpoint and Aggregated: counts, ratio, min, max, median, percentiles, content size from --json equal Locust's CSV exactly."""
    from_csv, from_json = figures(locust_run / "run_stats.csv"), figures(locust_run / "run.json")
    assert set(from_csv) == set(from_json)
    for key, cell in from_csv.items():
        derived = from_json[key].value
        metric, stat, labels = key
        if stat == "rate":
            # Locust's span starts at the stats start (not in the JSON), just before the MARK entry starts.
            assert cell.value is not None and cell.value <= derived <= cell.value * 1.05, key
        elif (metric, stat, labels) == ("response_time", "avg", ()):
            assert derived == pytest.approx(cell.value, rel=1e-12)  # Locust sums per request, reportgen per entry
        else:
            assert derived == cell.value, key


def test_json_figures_equal_locusts_own_statsentry_math(locust_run: Path) -> None:
    """Locust's StatsEntry, fed the same JSON, computes bit-identical figures for every endpoint and Aggregated."""
    done = subprocess.run(
        [sys.executable, "-c", LOCUST_ORACLE, str(locust_run / "run.json")],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    from_json = figures(locust_run / "run.json")
    checked = 0
    for entry in json.loads(done.stdout):
        labels = entry.pop("labels")
        for share, value in entry.pop("percentiles").items():
            stat = "p50" if float(share) == 0.5 else percentile_name(float(share))
            assert from_json[("response_time", stat, tuple(sorted(labels.items())))].value == value, (labels, stat)
            checked += 1
        for name, value in entry.items():
            assert from_json[identity(name, labels)].value == value, (labels, name)
            checked += 1
    assert checked >= 8 * 21


def test_failures_and_exceptions_files_agree_with_the_stats_file(locust_run: Path) -> None:
    """The failures file sums to each endpoint's Failure Count, and task exceptions are counted apart from failures."""
    stats = figures(locust_run / "run_stats.csv")
    failures = extract(locust_run / "run_failures.csv").measurements
    per_endpoint: dict[tuple[str, str], float] = {}
    for m in failures:
        if m.labels:
            endpoint = (m.labels["method"], m.labels["name"])
            per_endpoint[endpoint] = per_endpoint.get(endpoint, 0) + (m.value or 0)
    for (method, name), count in per_endpoint.items():
        assert stats[identity("failures count", {"name": name, "method": method})].value == count
    exceptions = figures(locust_run / "run_exceptions.csv")
    total = exceptions[identity("exceptions count", {})].value
    assert total is not None and total > 0
    assert stats[identity("failures count", {})].value == sum(per_endpoint.values())


def test_history_ends_at_the_run_user_count(locust_run: Path) -> None:
    """The history file's users max is the -u 5 of the command."""
    assert figures(locust_run / "run_stats_history.csv")[identity("users max", {})].value == 5
