"""Narrative lint, run by ``reportgen check``: what hand-written text around the numbers gets wrong.

Rules (each finding has file:line:col, a message and a suggested fix):

``typed-number``   (warning) a number with a unit typed where a metric of the release says it: cite it.
``verdict-word``   (error) PASS, meets, exceeds, production ready, validated, ✅ … on a line with a figure
                   that is projected, missing, failed or invalid.
``placeholder``    ``[ACTUAL]``, ``[PASSED/FAILED]``, ``TBD``, ``XX``, ``TODO``, template syntax that was not
                   rendered: an error in a final release, a warning in a draft.
``mojibake``       UTF-8 read with the wrong code page (:mod:`reportgen.mojibake`): error in a final
                   release, warning in a draft.

A line is silenced for one or more rules by ``<!-- reportgen: allow RULE[, RULE] -->`` on it (an HTML
comment: invisible on the page). Prose only: code blocks, code spans and citations are never read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from reportgen import named_files, units
from reportgen.citations import CITATION, find
from reportgen.errors import CitationError, Position
from reportgen.mojibake import find_mojibake
from reportgen.project import MANIFEST, Project
from reportgen.prose import Origin, prose_ranges
from reportgen.schemas.report import Narrative, ReleaseResult

RULES = ("typed-number", "verdict-word", "placeholder", "mojibake")
SILENCE = re.compile(r"<!--\s*reportgen:\s*allow\s+(?P<rules>[a-z\-, ]+?)\s*-->")

# A number with a unit: "45 ms", "88.54%", "72,000 events/sec", "1.5s". Not part of a version (v1.2.0,
# 3.11.7) or of a word (p95, k6), and not a range's first half is taken alone ("88-104 RPS" gives 104).
NUMBER = re.compile(
    r"(?<![\w./])(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?!\.\d)(?P<plus>\+)?"
    r"\s?(?P<unit>%|[A-Za-zµμ]+(?:/[A-Za-z]+)?)(?![\w/])"
)
#: What people type for units reportgen knows by another symbol.
UNIT_ALIASES = {
    "RPS": "rps",
    "req/sec": "req/s",
    "requests/sec": "req/s",
    "requests/s": "req/s",
    "events/sec": "events/s",
    "ops/sec": "ops/s",
    "sec": "s",
    "secs": "s",
    "msec": "ms",
    "mins": "min",
    "minute": "min",
    "second": "s",
}
VERDICT_WORD = re.compile(
    r"(?<!\w)(?:PASS(?:ED)?|TARGET MET|(?i:meets|met|exceeds|exceeded|validated|production[ -]ready"
    r"|ready for production|within target))(?!\w)|✅|✔️?"
)
PLACEHOLDER = re.compile(
    r"\[(?:[A-Z][A-Z0-9 _]*(?:/[A-Z][A-Z0-9 _]*)*|✅/❌|❌/✅)\]"  # [ACTUAL], [PASSED/FAILED], [✅/❌]
    r"|(?<!\w)(?:TBD|TODO|XX+|X\.XX)(?!\w)"
    r"|\{%.*?%\}|\{#.*?#\}"  # template syntax that no citation renders
)
#: A figure is "not a pass" when its metric is projected or missing, or its target did not pass.
NOT_PASSING = {"projected", "missing", "fail", "invalid", "unverified"}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # "error" | "warning"
    position: Position
    message: str
    fix: str
    release: str | None = None  # None for a hand-written site_docs/ page

    def __str__(self) -> str:
        return (
            f"{self.severity}: {self.position}: [{self.rule}] {self.message}. Fix: {self.fix}. "
            f"(To silence this line: <!-- reportgen: allow {self.rule} -->)"
        )


@dataclass(frozen=True)
class Figure:
    """A metric of the release as the lint sees it: value in its unit, provenance, its target's verdict."""

    id: str
    value: float | None
    unit: str
    provenance: str
    verdict: str | None
    target: str | None


def _figures(result: ReleaseResult) -> list[Figure]:
    verdicts = {t.target.metric: (t.verdict, t.key) for t in result.targets}
    return [Figure(m.id, m.value, m.unit, m.provenance, *verdicts.get(m.id, (None, None))) for m in result.metrics]


def _silenced(text: str, offset: int) -> set[str]:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    line = text[start : end if end >= 0 else len(text)]
    return {rule.strip() for match in SILENCE.finditer(line) for rule in match.group("rules").split(",")}


def _prose(text: str) -> list[tuple[int, int]]:
    """Prose ranges with citations cut out, so nothing inside ``{{ }}`` is read as typed text."""
    ranges: list[tuple[int, int]] = []
    for start, end in prose_ranges(text):
        at = start
        for match in CITATION.finditer(text, start, end):
            ranges.append((at, match.start()))
            at = match.end()
        ranges.append((at, end))
    return [(s, e) for s, e in ranges if e > s]


def _matches(text: str, pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
    for start, end in _prose(text):
        yield from pattern.finditer(text, start, end)


def _quantity(match: re.Match[str]) -> tuple[float, str] | None:
    symbol = UNIT_ALIASES.get(match.group("unit"), match.group("unit"))
    if not units.is_unit(symbol) or units.unit(symbol).dimension == "none":
        return None
    return float(match.group("number").replace(",", "")), units.unit(symbol).symbol


def _decimals(number: str) -> int:
    return len(number.split(".")[1]) if "." in number else 0


def _same(typed: float, decimals: int, unit: str, figure: Figure) -> bool:
    """The typed number is the figure, as a person would round it (to the decimals typed, or within 1 %)."""
    if figure.value is None or units.unit(figure.unit).dimension != units.unit(unit).dimension:
        return False
    value = units.convert(figure.value, figure.unit, unit)
    return round(value, decimals) == typed or abs(value - typed) <= 0.01 * abs(value)


def _citation(figure: Figure) -> str:
    return f'{{{{ metric("{figure.id}") }}}}'


def _typed_numbers(text: str, figures: Sequence[Figure]) -> Iterator[tuple[re.Match[str], Figure | None]]:
    """Each typed number with a unit, with the figure of the release it restates (None when none does)."""
    for match in _matches(text, NUMBER):
        quantity = _quantity(match)
        if quantity is None:
            continue
        typed, unit = quantity
        decimals = _decimals(match.group("number"))
        same = [f for f in figures if _same(typed, decimals, unit, f)]
        yield match, (same[0] if same else None)


def _not_passing(figure: Figure) -> str | None:
    """Why a figure is no ground for a verdict word, or None when it passes."""
    if figure.provenance in ("projected", "missing"):
        return f"{figure.provenance}"
    if figure.verdict in NOT_PASSING:
        return f"its target {figure.target!r} is {figure.verdict.upper()}" if figure.verdict else None
    return None


def _cited(text: str, origin: Origin, figures: Sequence[Figure]) -> Iterator[tuple[int, Figure]]:
    """(offset, figure) of each citation of this release's metrics or targets."""
    by_metric = {f.id: f for f in figures}
    by_target = {f.target: f for f in figures if f.target}
    try:
        found = find(text, origin)
    except CitationError:
        return
    for citation in found:
        if citation.release is not None:
            continue
        figure = by_target.get(citation.id) if citation.kind == "verdict" else by_metric.get(citation.id)
        if figure is not None:
            yield citation.start, figure


def _line_of(text: str, offset: int) -> tuple[int, int]:
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return start, end if end >= 0 else len(text)


def narrative_findings(text: Narrative, result: ReleaseResult) -> list[Finding]:
    """typed-number and verdict-word findings in one narrative text of ``result``."""
    origin, body, figures = text.origin(), text.body, _figures(result)
    findings: list[Finding] = []
    not_passing: dict[tuple[int, int], list[tuple[str, str, Figure]]] = {}  # line span → (what, why, figure)
    for match, figure in _typed_numbers(body, figures):
        if figure is None:
            continue
        typed = match.group(0)
        shown = units.format_value(figure.value, figure.unit)
        if "typed-number" not in _silenced(body, match.start()):
            findings.append(
                Finding(
                    "typed-number",
                    "warning",
                    origin.position(body, match.start()),
                    f"{typed!r} is typed by hand, and metric {figure.id!r} of this release says {shown}",
                    f"cite it: {_citation(figure)}",
                )
            )
        why = _not_passing(figure)
        if why:
            not_passing.setdefault(_line_of(body, match.start()), []).append((repr(typed), why, figure))
    for offset, figure in _cited(body, origin, figures):
        why = _not_passing(figure)
        if why:
            not_passing.setdefault(_line_of(body, offset), []).append((f"the figure of {figure.id!r}", why, figure))
    reported: set[tuple[int, int]] = set()  # one finding per line, at its first verdict word
    for match in _matches(body, VERDICT_WORD):
        line = _line_of(body, match.start())
        reasons = not_passing.get(line)
        if not reasons or line in reported or "verdict-word" in _silenced(body, match.start()):
            continue
        reported.add(line)
        what, why, figure = reasons[0]
        verdict = f'{{{{ verdict("{figure.target}") }}}}' if figure.target else _citation(figure)
        findings.append(
            Finding(
                "verdict-word",
                "error",
                origin.position(body, match.start()),
                f"{match.group(0)!r} next to {what}, which is {why}: a figure that is not a pass is never called one",
                f"drop the word and let the computed verdict speak: {verdict}",
            )
        )
    return findings


def file_findings(text: str, origin: Origin, final: bool, code_too: bool = False) -> list[Finding]:
    """placeholder and mojibake findings in a whole file (release.yaml, a section file, a site_docs page)."""
    severity = "error" if final else "warning"
    findings: list[Finding] = []
    ranges = [(0, len(text))] if code_too else _prose(text)
    for found in find_mojibake(text):
        offset = _offset(text, found.line, found.column)
        shown_as_code = not any(start <= offset < end for start, end in ranges)
        if not shown_as_code and "mojibake" not in _silenced(text, offset):
            findings.append(
                Finding(
                    "mojibake",
                    severity,
                    origin.position(text, offset),
                    f"{found.damaged!r} is mojibake (UTF-8 read as {found.encoding})",
                    f"write {found.repaired!r} and save the file as UTF-8",
                )
            )
    for start, end in ranges:
        for match in PLACEHOLDER.finditer(text, start, end):
            if "placeholder" in _silenced(text, match.start()):
                continue
            findings.append(
                Finding(
                    "placeholder",
                    severity,
                    origin.position(text, match.start()),
                    f"placeholder {match.group(0)!r} left in " + ("a final release" if final else "a draft"),
                    'cite the figure ({{ metric("…") }}) or delete the placeholder',
                )
            )
    return findings


def _offset(text: str, line: int, column: int) -> int:
    at = 0
    for _ in range(line - 1):
        at = text.index("\n", at) + 1
    return at + column - 1


def lint_release(result: ReleaseResult, manifest_path: Path) -> list[Finding]:
    """Every finding for one release: its manifest, its section files and its narrative."""
    final = result.manifest.status == "final"
    findings = file_findings(named_files.read_text(manifest_path, "utf-8-sig"), Origin(str(manifest_path)), final, True)
    sources = {str(manifest_path)}
    for text in result.narrative:
        if text.source not in sources:
            sources.add(text.source)
            findings += file_findings(named_files.read_text(Path(text.source), "utf-8-sig"), Origin(text.source), final)
        findings += narrative_findings(text, result)
    return sorted((replace(f, release=result.id) for f in findings), key=_order)


def lint(project: Project, results: Sequence[ReleaseResult]) -> list[Finding]:
    """What ``reportgen check`` reports: every checked release's findings, then the hand-written pages'."""
    from reportgen.build import hand_written_pages  # the build owns which pages are hand-written

    findings: list[Finding] = []
    for result in results:
        findings += lint_release(result, project.release_dir(result.id) / MANIFEST)
    return findings + lint_pages(hand_written_pages(project))


def lint_pages(pages: Iterable[Path]) -> list[Finding]:
    """Placeholder and mojibake findings in hand-written site_docs/ pages (published: errors)."""
    findings: list[Finding] = []
    for page in pages:
        findings += file_findings(named_files.read_text(page), Origin(str(page)), final=True)
    return sorted(findings, key=_order)


def _order(finding: Finding) -> tuple[str, int, int]:
    return (str(finding.position.path), finding.position.line or 0, finding.position.column or 0)
