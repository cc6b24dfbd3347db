"""A report repository whose every text field, and every name the tools wrote, is hostile text.

The artifacts are real fixtures with one name replaced (the k6 ``name`` tag, Locust's Name column, the
JUnit suite name, the hyperfine command) and saved under hostile file names; nothing else changes.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from xml.sax.saxutils import quoteattr

from reportgen.scaffold import init

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests/fixtures/real"

#: Text that is Markdown, HTML and table syntax at once, a newline, a NUL and a trailing backslash.
HOSTILE = "[x](javascript:alert(1)) <img src=x onerror=alert(1)> <!-- | `tick` *em* {: .c} #h \\"
#: The same for places a tool's own format restricts (a k6 tag value cannot hold a comma or braces).
K6_NAME = "[k6](javascript:alert(1)) <!-- | `t` \\"
LOCUST_NAME = '/q?<script>alert(1)</script>|"x"\nnext'
SUITE_NAME = "suite <!-- [s](javascript:alert(1)) | `s`"
COMMAND = "echo '<img src=x onerror=alert(1)>' | grep `x`"
ARTIFACT_NAMES = {"k6": 'k6/we"ird #1 <!--.json', "locust": "locust/run #2_stats.csv"}


def q(text: str) -> str:
    """A YAML double-quoted scalar holding exactly ``text``. JSON strings are YAML, but JSON writes characters
    beyond U+FFFF as surrogate pairs, which YAML reads as two lone surrogates: those stay raw, and the
    characters YAML itself treats as line breaks or a byte-order mark are escaped."""
    quoted = json.dumps(text, ensure_ascii=False)
    escaped = (*range(0x7F, 0xA0), 0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF)  # what YAML cannot hold raw, or folds
    return quoted.translate({c: f"\\u{c:04x}" for c in escaped})


def field(name: str) -> str:
    """Hostile text tagged with the field it is put in, so each can be found on the page."""
    return f"{HOSTILE} {name}\n\x00end"


#: Plain-text fields of the manifest and sign-offs (where each is put) → the text put there.
FIELDS = [
    "release title",
    "scenario title",
    "scenario tool",
    "metric title",
    "target title",
    "projection method",
    "projection basis",
    "component name",
    "component version",
    "component notes",
    "section title",
    "signoff role",
    "signoff name",
    "signoff comment",
]
#: Markdown fields: sanitised, not literal (the summary and section bodies with a citation put in after).
MARKDOWN_FIELDS = ["scenario description", "environment notes", "summary", "section body"]


def manifest() -> str:
    f = {name: q(field(name)) for name in FIELDS}
    raw = {
        name: f"**{name}** <script>alert(1)</script> [l](javascript:alert(1)) <img src=x onerror=alert(1)>"
        for name in MARKDOWN_FIELDS
    }
    md = {name: q(text) for name, text in raw.items()}
    cites = {name: q(f"{raw[name]} p95 {{{{ metric('p95_hostile') }}}}") for name in ("summary", "section body")}
    k6, locust = (q(p) for p in (ARTIFACT_NAMES["k6"], ARTIFACT_NAMES["locust"]))
    return f"""\
release: v1.0.0
title: {f["release title"]}
date: 2026-10-01
status: final
environment:
  components:
    - {{name: {f["component name"]}, version: {f["component version"]}, notes: {f["component notes"]}}}
  notes: {md["environment notes"]}
scenarios:
  - id: browse
    title: {f["scenario title"]}
    tool: {f["scenario tool"]}
    description: {md["scenario description"]}
    artifacts:
      - {{path: {k6}, format: k6-summary-export}}
      - {{path: {locust}, format: locust-stats-csv}}
      - {{path: junit/junit.xml, format: junit-xml}}
      - {{path: bench/hyperfine.json, format: hyperfine-json}}
metrics:
  - id: p95_hostile
    title: {f["metric title"]}
    measured: {{artifact: {k6}, metric: http_req_duration, stat: p95, labels: {{name: {q(K6_NAME)}}}}}
  - id: capacity
    title: Capacity
    projected: {{value: 2000 req/s, method: {f["projection method"]}, basis: {f["projection basis"]}}}
targets:
  - metric: p95_hostile
    title: {f["target title"]}
    comparator: "<="
    threshold: 300 ms
  - {{metric: capacity, comparator: ">=", threshold: 1000 req/s}}
summary: {cites["summary"]}
sections:
  - title: {f["section title"]}
    body: {cites["section body"]}
"""


def signoffs() -> str:
    return signoffs_with({name: field(name) for name in FIELDS})


def make_hostile_project(tmp: Path) -> Path:
    root = tmp / "repo"
    init(root)
    release = root / "results/v1.0.0"
    files = {
        ARTIFACT_NAMES["k6"]: (REAL / "k6/v1.1.0-groups-thresholds/summary-export.json")
        .read_text()
        .replace("{name:slow}", "{name:" + K6_NAME.replace("\\", "\\\\") + "}"),
        ARTIFACT_NAMES["locust"]: locust_stats(LOCUST_NAME),
        "junit/junit.xml": (REAL / "junit/pytest-9.2-xunit1-xunit2/junit-xunit2.xml")
        .read_text()
        .replace('name="reportgen-fixture"', f"name={quoteattr(SUITE_NAME)}"),
        "bench/hyperfine.json": (REAL / "hyperfine/v1.15.0-basic/hyperfine.json")
        .read_text()
        .replace('"command": "python startup"', f'"command": {json.dumps(COMMAND)}'),
        "release.yaml": manifest(),
        "signoffs.yaml": signoffs(),
    }
    for name, text in files.items():
        path = release / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def manifest_with(texts: dict[str, str]) -> str:
    """A release over one Locust stats file whose plain-text fields (FIELDS) hold ``texts``."""
    t = {name: q(value) for name, value in texts.items()}
    return f"""\
release: v1.0.0
title: {t["release title"]}
date: 2026-10-01
status: final
environment:
  components:
    - {{name: {t["component name"]}, version: {t["component version"]}, notes: {t["component notes"]}}}
scenarios:
  - id: browse
    title: {t["scenario title"]}
    tool: {t["scenario tool"]}
    artifacts:
      - {{path: locust/run_stats.csv, format: locust-stats-csv}}
metrics:
  - id: p95_all
    title: {t["metric title"]}
    measured: {{artifact: locust/run_stats.csv, metric: response_time, stat: p95}}
  - id: capacity
    title: Capacity
    projected: {{value: 2000 req/s, method: {t["projection method"]}, basis: {t["projection basis"]}}}
targets:
  - {{metric: p95_all, title: {t["target title"]}, comparator: "<=", threshold: 300 ms}}
  - {{metric: capacity, comparator: ">=", threshold: 1000 req/s}}
sections:
  - title: {t["section title"]}
    body: Plain words.
"""


def signoffs_with(texts: dict[str, str]) -> str:
    role, name, comment = (q(texts[f"signoff {k}"]) for k in ("role", "name", "comment"))
    return f"signoffs:\n  - {{role: {role}, name: {name}, decision: approve, date: 2026-10-02, comment: {comment}}}\n"


def locust_stats(endpoint: str) -> str:
    """The real Locust stats file with its endpoint "report" renamed (CSV-quoted as Locust writes it)."""
    rows = list(csv.reader(io.StringIO((REAL / "locust/basic/run_stats.csv").read_text())))
    name = rows[0].index("Name")
    for row in rows[1:]:
        if row[name] == "report":
            row[name] = endpoint
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()
