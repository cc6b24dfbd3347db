"""A bounded fuzz run of every adapter's parser: mutated real files raise reportgen's own errors, nothing else.

Seconds per adapter: REPORTGEN_FUZZ_SECONDS (default 0.3, so `make test` stays fast; e.g. 60 for a long run),
seed: REPORTGEN_FUZZ_SEED (default 13). The run is a subprocess with its address space capped, so a parser that
balloons fails with a MemoryError instead of taking the machine's memory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.hostile.test_bounds import ROOT, _cap_memory


def test_mutated_real_files_raise_only_reportgen_errors() -> None:
    """No mutation of a real artifact makes any adapter raise anything but a ReportgenError."""
    seconds = float(os.environ.get("REPORTGEN_FUZZ_SECONDS", "0.3"))
    seed = os.environ.get("REPORTGEN_FUZZ_SEED", "13")
    done = subprocess.run(
        [sys.executable, "-m", "tests.hostile.fuzz_adapters", str(seconds), seed],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120 + 40 * seconds,
        check=False,
        preexec_fn=_cap_memory,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    failures = [json.loads(line) for line in done.stdout.splitlines()]
    assert not failures, "\n".join(
        f"{f['adapter']} (pinned {f['pinned']}): {f['error']} at {f['at']}" for f in failures
    )
