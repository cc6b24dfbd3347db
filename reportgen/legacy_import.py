"""``reportgen import LEGACY.md --release RELEASE``: a hand-written report becomes a starting release.

What it writes, in a new ``results/RELEASE/`` (never over an existing one):

* ``legacy/<name>``: the report, byte for byte, listed under ``attachments:`` (hashed, linked, in the digest);
* ``release.yaml``: title and date from the header, status draft; every number the report states as a
  **projected** metric (method "stated in the legacy report", basis: its section and row), so nothing
  imported can pass until a real artifact backs it; the targets its tables and lists state (metric,
  comparator, threshold) judging those metrics, or a metric declared missing where the report states no
  value; the prose as narrative;
* ``narrative/NN-<section>.md``: each section's prose, mojibake repaired;
* ``narrative/not-imported.md``: what could not be mapped, and every repair made.

Pure apart from :func:`import_legacy`, which reads the report and writes the folder through write.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from reportgen import named_files, units, write
from reportgen.errors import ProjectError
from reportgen.figures import slug
from reportgen.lint import UNIT_ALIASES
from reportgen.load import round_trip_yaml
from reportgen.mojibake import find_mojibake, repair
from reportgen.project import MANIFEST, Project

METHOD = "stated in the legacy report"
_HEADER = re.compile(r"^\s*[*_]{1,2}(?P<key>[^*_:]{1,40}):?[*_]{0,2}:?\s*(?P<value>.*?)[*_]{0,2}\s*$")
_HEADING = re.compile(r"^(?P<level>#{1,2})\s+(?P<title>.+?)\s*#*\s*$")
_ROW = re.compile(r"^\s*\|(?P<cells>.*)\|\s*$")
_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_QUANTITY = re.compile(
    r"(?<![\w.])(?P<approx>~)?(?P<low>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?:\s?[-–]\s?(?P<high>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?))?(?!\.\d)(?P<plus>\+)?"
    r"\s?(?P<unit>%|[A-Za-zµ]+(?:/[A-Za-z]+)?)?(?![\w/])"
)
_COMPARATOR = re.compile(r"(?P<op><=|>=|≤|≥|<|>|=)\s*")
_TARGET_HEADER = re.compile(r"target|goal|threshold|slo|criteri|requirement|expected|limit", re.IGNORECASE)
_EXTRA_UNITS = {"events/second": "events/s", "requests/second": "req/s", "req/second": "req/s", "RPS": "req/s"}
_PLACEHOLDER = re.compile(r"\[[A-Z][A-Z0-9 _/]*\]")
_DATE_FORMATS = ("%Y-%m-%d", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%Y/%m/%d")


@dataclass
class Legacy:
    """What was read from the report, ready to write."""

    title: str
    date: dt.date
    header: list[tuple[str, str]]
    sections: list[tuple[str, str]]  # (title, Markdown)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    targets: list[dict[str, Any]] = field(default_factory=list)
    not_mapped: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)


def _unit(text: str | None) -> str | None:
    if not text:
        return ""
    symbol = _EXTRA_UNITS.get(text, UNIT_ALIASES.get(text, text))
    return units.unit(symbol).symbol if units.is_unit(symbol) and units.unit(symbol).dimension != "none" else None


def _number(text: str) -> float:
    return float(Decimal(text.replace(",", "")))


def _quantity_text(value: float, unit: str) -> str:
    shown = format(Decimal(str(value)).normalize(), "f")
    return f"{shown} {unit}".strip()


def _clean(cell: str) -> str:
    return re.sub(r"[*_`]", "", cell).strip()


def _date(header: list[tuple[str, str]], not_mapped: list[str], today: dt.date) -> dt.date:
    for key, value in header:
        if re.search(r"date|executed|generated|run on", key, re.IGNORECASE):
            for form in _DATE_FORMATS:
                try:
                    return dt.datetime.strptime(value.strip(), form).date()
                except ValueError:
                    continue
            not_mapped.append(f"header {key!r}: {value!r} is not a date; the release date is the import date")
            return today
    not_mapped.append("the header states no date; the release date is the import date")
    return today


def _split(text: str) -> tuple[str, list[tuple[str, str]], list[str]]:
    """(title, sections, header lines): the first H1 is the title; each further H1 or H2 starts a section."""
    title, sections, header = "", [], []
    current: tuple[str, list[str]] | None = None
    for line in text.splitlines():
        heading = _HEADING.match(line)
        if heading and not title and heading.group("level") == "#":
            title = heading.group("title")
            continue
        if heading:
            if current:
                sections.append((current[0], "\n".join(current[1]).strip() + "\n"))
            current = (heading.group("title"), [])
            continue
        if current is None:
            header.append(line)
        else:
            current[1].append(line)
    if current:
        sections.append((current[0], "\n".join(current[1]).strip() + "\n"))
    return title, sections, header


def _header_fields(lines: list[str]) -> list[tuple[str, str]]:
    fields = []
    for line in lines:
        match = _HEADER.match(line)
        if match and match.group("value").strip():
            fields.append((match.group("key").strip(), _clean(match.group("value"))))
    return fields


class _Ids:
    def __init__(self) -> None:
        self.taken: set[str] = set()

    def __call__(self, *parts: str) -> str:
        base = slug(*parts).replace("-", "_")[:60].strip("_") or "stated"
        base = base if not base[0].isdigit() else f"n_{base}"
        candidate, n = base, 2
        while candidate in self.taken:
            candidate, n = f"{base}_{n}", n + 1
        self.taken.add(candidate)
        return candidate


def _projected(ids: _Ids, match: re.Match[str], unit: str, title: str, basis: str) -> dict[str, Any]:
    high = match.group("high")
    value = _number(high or match.group("low"))
    projection: dict[str, Any] = {"value": _quantity_text(value, unit), "method": METHOD, "basis": basis}
    if high:
        projection["low"] = _number(match.group("low"))
        projection["high"] = value
    return {"id": ids(title), "title": title, "projected": projection}


def _target(cell: str) -> tuple[str, str] | None:
    """``< 200ms`` → ("<", "200 ms"); ``≤ 5%`` → ("<=", "5 %"); a cell without a comparator is no target."""
    text = _clean(cell)
    comparator = _COMPARATOR.match(text)
    if comparator is None:
        return None
    quantity = _QUANTITY.match(text, comparator.end())
    unit = _unit(quantity.group("unit")) if quantity else None
    if quantity is None or unit is None or quantity.group("high"):
        return None
    op = {"≤": "<=", "≥": ">=", "=": "=="}.get(comparator.group("op"), comparator.group("op"))
    return op, _quantity_text(_number(quantity.group("low")), unit)


def _tables(section: str, body: str, legacy: Legacy, ids: _Ids) -> set[int]:
    """Read each table of a section; return the line indexes (in body) that were tables."""
    lines, used = body.splitlines(), set[int]()
    index = 0
    while index + 1 < len(lines):
        if not (_ROW.match(lines[index]) and _SEPARATOR.match(lines[index + 1])):
            index += 1
            continue
        header = [_clean(c) for c in _ROW.match(lines[index]).group("cells").split("|")]  # type: ignore[union-attr]
        used.update((index, index + 1))
        index += 2
        while index < len(lines) and (row := _ROW.match(lines[index])):
            used.add(index)
            _row(section, header, [c.strip() for c in row.group("cells").split("|")], legacy, ids)
            index += 1
    return used


def _dimension(quantity: str) -> str:
    symbol = quantity.split(" ", 1)[1] if " " in quantity else ""
    return units.unit(symbol).dimension


def _row(section: str, header: list[str], cells: list[str], legacy: Legacy, ids: _Ids) -> None:
    label = _clean(cells[0]) if cells else ""
    stated: list[dict[str, Any]] = []
    targets: list[tuple[str, str, str, str]] = []
    for column, cell in zip(header[1:], cells[1:], strict=False):
        where = f"§ {section}, row {label!r}, column {column!r}"
        if _TARGET_HEADER.search(column) and (target := _target(cell)) is not None:
            targets.append((*target, column, where))
            continue
        if _PLACEHOLDER.search(cell):
            legacy.not_mapped.append(f"{where}: placeholder {_clean(cell)!r}: no value stated")
            continue
        for match in _QUANTITY.finditer(_clean(cell)):
            unit = _unit(match.group("unit"))
            if unit is None:
                legacy.not_mapped.append(f"{where}: {match.group(0).strip()!r}: unit not known to reportgen")
                continue
            metric = _projected(ids, match, unit, f"{label} ({column})", f"{METHOD}: {where}")
            legacy.metrics.append(metric)
            stated.append(metric)
    for comparator, threshold, column, where in targets:
        # A target judges the row's stated figure of its own kind (a latency goal never judges an error rate).
        same = [m for m in stated if _dimension(m["projected"]["value"]) == _dimension(threshold)]
        if same:
            metric_id = same[0]["id"]
        else:
            metric_id = ids(label if not targets[1:] else f"{label} {column}")
            reason = f"the legacy report states no value for it ({where})"
            unit = threshold.split(" ", 1)[1] if " " in threshold else ""
            legacy.metrics.append({"id": metric_id, "title": label, "unit": unit, "missing": {"reason": reason}})
        legacy.targets.append({"metric": metric_id, "comparator": comparator, "threshold": threshold})


def _prose_numbers(section: str, body: str, skip: set[int], legacy: Legacy, ids: _Ids) -> None:
    for number, line in enumerate(body.splitlines()):
        if number in skip:
            continue
        for match in _QUANTITY.finditer(line):
            unit = _unit(match.group("unit"))
            if not match.group("unit") or unit is None:
                continue  # a bare number in prose (a count, a year, a list index) is no figure
            where = f"§ {section}, line {number + 1} of the section"
            legacy.metrics.append(
                _projected(ids, match, unit, f"{section}: {match.group(0).strip()}", f"{METHOD}: {where}")
            )


def parse(text: str, name: str, today: dt.date) -> Legacy:
    """Read a hand-written report (already decoded) into what the release will hold."""
    repaired = [f"line {m.line}: {m.damaged!r} repaired to {m.repaired!r} ({m.encoding})" for m in find_mojibake(text)]
    title, sections, header_lines = _split(repair(text))
    header = _header_fields(header_lines)
    not_mapped: list[str] = []
    legacy = Legacy(
        title or name, _date(header, not_mapped, today), header, [], not_mapped=not_mapped, repaired=repaired
    )
    ids = _Ids()
    for section, body in sections:
        if "{{" in body or "{%" in body:
            legacy.not_mapped.append(
                f"§ {section}: template braces written as '{{ {{' so they are not read as citations"
            )
            body = body.replace("{{", "{ {").replace("{%", "{ %")
        legacy.sections.append((section, body))
        _prose_numbers(section, body, _tables(section, body, legacy, ids), legacy, ids)
    for key, value in header:
        if re.search(r"status|result|verdict", key, re.IGNORECASE):
            legacy.not_mapped.append(f"header {key!r}: {value!r} not taken: reportgen computes the verdict")
    return legacy


def _flow(mapping: dict[str, Any]) -> CommentedMap:
    node = CommentedMap(mapping)
    node.fa.set_flow_style()
    return node


def _not_imported(legacy: Legacy) -> str:
    lines = ["What `reportgen import` could not map from the legacy report, and what it repaired.", ""]
    lines += [f"- {item}" for item in legacy.not_mapped] or ["- nothing"]
    if legacy.repaired:
        lines += ["", "Mojibake repaired in the imported prose (the attached original is unchanged):", ""]
        lines += [f"- {item}" for item in legacy.repaired]
    return "\n".join(lines) + "\n"


def manifest_text(legacy: Legacy, release: str, attachment: str, sha256: str, files: list[str]) -> str:
    header = "; ".join(f"{key}: {value}" for key, value in legacy.header)
    tree = CommentedMap(
        {
            "release": release,
            "title": legacy.title,
            "date": legacy.date,
            "status": "draft",
            "summary": f"Imported from the hand-written report `{attachment}` (SHA-256 `{sha256}`). Every figure "
            "below is projected: copied from that report, not measured. Its header said: " + (header or "nothing"),
        }
    )
    tree["attachments"] = CommentedSeq(
        [_flow({"path": attachment, "description": "the hand-written report this release was imported from"})]
    )
    tree["metrics"] = CommentedSeq(
        CommentedMap({**m, **{k: _flow(v) for k, v in m.items() if isinstance(v, dict)}}) for m in legacy.metrics
    )
    tree["targets"] = CommentedSeq(_flow(t) for t in legacy.targets)
    titles = [title for title, _ in legacy.sections] + ["Not imported from the legacy report"]
    tree["sections"] = CommentedSeq(_flow({"title": t, "file": f}) for t, f in zip(titles, files, strict=True))
    buffer = io.StringIO()
    round_trip_yaml().dump(tree, buffer)
    return buffer.getvalue()


def import_legacy(project: Project, report: Path, release: str, today: dt.date) -> tuple[Path, Legacy]:
    """Write ``results/RELEASE/`` from a hand-written report; refuse if the release exists."""
    folder = project.release_dir(release)
    if folder.exists():
        raise ProjectError(f"{folder}: already exists; import into a new release id")
    try:
        raw = named_files.read_bytes(report)
        text = raw.decode("utf-8-sig")
    except OSError as exc:
        raise ProjectError(f"{report}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ProjectError(f"{report}: not UTF-8 text; re-save it as UTF-8") from None
    legacy = parse(text, report.stem, today)
    attachment = f"legacy/{report.name}"
    narrative = {
        f"narrative/{n:02d}-{slug(title) or 'section'}.md": body for n, (title, body) in enumerate(legacy.sections, 1)
    }
    narrative[f"narrative/{len(legacy.sections) + 1:02d}-not-imported.md"] = _not_imported(legacy)
    files: dict[str, write.Content] = {name: body.encode() for name, body in narrative.items()}
    files[attachment] = raw
    files[MANIFEST] = manifest_text(
        legacy, release, attachment, hashlib.sha256(raw).hexdigest(), list(narrative)
    ).encode()
    write.replace_tree(folder, files)
    return folder / MANIFEST, legacy
