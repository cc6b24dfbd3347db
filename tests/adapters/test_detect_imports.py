"""What detect() costs: every adapter is loaded to sniff any file, so none may bring a heavy reader with it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "real"

_IMPORTED = """
import json, sys
from pathlib import Path
from reportgen.adapters import detect, extract
print(detect(Path(sys.argv[1])).name)
before = [name for name in ("duckdb", "numpy") if name in sys.modules]
extract(Path(sys.argv[1]))
print(json.dumps([before, [name for name in ("duckdb", "numpy") if name in sys.modules]]))
"""


def _imported(path: Path) -> tuple[str, list[str], list[str]]:
    out = subprocess.run(
        [sys.executable, "-c", _IMPORTED, str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()
    before, after = json.loads(out[1])
    return out[0], before, after


def test_detect_imports_neither_duckdb_nor_numpy() -> None:
    """Sniffing a file loads every adapter but imports neither DuckDB nor numpy (0.1 s of cpu each), and a
    JUnit file read in full imports neither either: only the stream readers that use them import them."""
    name, before, after = _imported(FIXTURES / "junit" / "pytest-9.2-xunit1-xunit2" / "junit-xunit2.xml")
    assert (name, before, after) == ("junit-xml", [], [])


def test_a_k6_stream_imports_duckdb_when_it_reads() -> None:
    """The k6 stream adapter imports DuckDB (and numpy, for its sorted values) when it reads, not when it sniffs."""
    name, before, after = _imported(FIXTURES / "k6" / "v1.1.0-groups-thresholds" / "stream.ndjson.gz")
    assert (name, before, after) == ("k6-json-stream", [], ["duckdb", "numpy"])


def test_detect_does_not_import_isal() -> None:
    """ISA-L (about 20 ms of cpu) is imported when a gzip file is inflated fast, not by every process that loads
    the adapters to sniff a file."""
    script = "import sys\nfrom pathlib import Path\nfrom reportgen.adapters import detect\n"
    script += "detect(Path(sys.argv[1]))\nprint('isal' in sys.modules)"
    junit = FIXTURES / "junit" / "pytest-9.2-xunit1-xunit2" / "junit-xunit2.xml"
    done = subprocess.run([sys.executable, "-c", script, str(junit)], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


_THREADS_AFTER_NUMPY = """
import os
import reportgen, numpy
print(len(os.listdir("/proc/self/task")), os.environ["OPENBLAS_NUM_THREADS"])
"""


def _threads_after_numpy(environment: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _THREADS_AFTER_NUMPY], capture_output=True, text=True, check=True, env=environment
    )
    return done.stdout.strip()


def test_numpy_loads_in_a_reportgen_process_without_blas_threads() -> None:
    """numpy loaded after reportgen starts no OpenBLAS threads (they cost about 0.1 s of cpu a process, and
    reportgen calls no BLAS routine), and a setting the environment already has is kept."""
    environment = {name: value for name, value in os.environ.items() if name != "OPENBLAS_NUM_THREADS"}
    assert _threads_after_numpy(environment) == "1 1"
    assert _threads_after_numpy({**environment, "OPENBLAS_NUM_THREADS": "3"}).split()[1] == "3"
