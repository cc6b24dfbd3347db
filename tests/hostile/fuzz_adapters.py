"""Seeded mutation fuzzing of every adapter's parser over real fixture bytes.

``python -m tests.hostile.fuzz_adapters SECONDS SEED`` mutates the head of one real file per adapter (byte
flips, hostile tokens, cut, duplicated and deleted ranges, gzip) for SECONDS per adapter, reads each result
pinned to that adapter and sniffed, and prints one JSON line per input that raised anything other than a
ReportgenError (a bug). Run by tests/hostile/test_fuzz.py under a memory cap; reproduce with the same seed.
"""

from __future__ import annotations

import gzip
import json
import random
import sys
import tempfile
import time
import traceback
from pathlib import Path

from reportgen.adapters import adapters, extract
from reportgen.errors import ReportgenError
from tests.test_extract_formats import FILES, REAL

#: The head of each real file that is mutated: small enough for thousands of reads a second.
HEAD_BYTES = 16 * 1024
TOKENS = [
    b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b'"', b"{", b"}", b"[", b"]", b"<", b">", b"</", b"<!DOCTYPE x>",
    b"\n", b"\r\n", b",", b";", b"\t", b"1e400", b"NaN", b"-Infinity", b"-1", b"0", b"\xe9", b"\xc3", b"&amp;",
    b"<![CDATA[", b"*a", b"&a ", b'"\\u0000"', b"99999999999999999999", b"-0.0", b"null", b"true",
]  # fmt: skip


def seeds() -> dict[str, list[bytes]]:
    """Adapter name → real inputs to mutate (decompressed heads; gatling-stats-json gets other tools' JSON)."""
    found: dict[str, list[bytes]] = {}
    for name, path in FILES.items():
        data = path.read_bytes()
        found[name] = [gzip.decompress(data)[:HEAD_BYTES] if data[:2] == b"\x1f\x8b" else data[:HEAD_BYTES]]
    found["gatling-log"].append((REAL / "gatling/public-binary-log-3.12/simulation.log").read_bytes()[:HEAD_BYTES])
    found["gatling-stats-json"] = [found[n][0] for n in ("k6-summary-export", "locust-json", "generic-json")]
    return {name: found[name] for name in adapters() if name in found}


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to four random edits of ``data``; sometimes gzipped afterwards."""
    out = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(6)
        at = rng.randrange(len(out) + 1)
        if kind == 0 and out:
            out[min(at, len(out) - 1)] = rng.randrange(256)
        elif kind == 1:
            out[at:at] = rng.choice(TOKENS) * rng.choice((1, 1, 2, 50))
        elif kind == 2:
            del out[at : at + rng.randint(1, 64)]
        elif kind == 3:
            out[at:at] = out[max(0, at - rng.randint(1, 256)) : at]
        elif kind == 4:
            del out[at:]
        else:
            out[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
    return gzip.compress(bytes(out), mtime=0) if rng.random() < 0.1 else bytes(out)


def fuzz(seconds: float, seed: int) -> list[dict[str, str]]:
    failures: list[dict[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="reportgen-fuzz-") as folder:
        for name, inputs in seeds().items():
            rng = random.Random(f"{seed}:{name}")
            deadline = time.monotonic() + seconds
            case = 0
            while time.monotonic() < deadline:
                data = mutate(rng.choice(inputs), rng)
                path = Path(folder) / f"{name}-{case}"
                path.write_bytes(data)
                for pinned in (name, None):
                    try:
                        extract(path, pinned)
                    except ReportgenError:
                        pass
                    except Exception as exc:  # noqa: BLE001 - any other exception is the bug this run looks for
                        where = traceback.extract_tb(exc.__traceback__)[-1]
                        failures.append(
                            {
                                "adapter": name,
                                "pinned": str(pinned),
                                "case": str(case),
                                "error": f"{type(exc).__name__}: {exc}"[:300],
                                "at": f"{where.filename}:{where.lineno}",
                                "input": data[:2000].hex(),
                            }
                        )
                path.unlink()
                case += 1
    return failures


if __name__ == "__main__":
    for failure in fuzz(float(sys.argv[1]), int(sys.argv[2])):
        print(json.dumps(failure))
