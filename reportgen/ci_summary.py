"""``check --summary FILE``: the checked releases as Markdown for a CI job page (``$GITHUB_STEP_SUMMARY``)
or a pull-request comment. Pure: every value, delta and verdict comes from the analysis, none is typed.

Text from manifests is text: it is escaped so that no Markdown or HTML in a title becomes markup.
"""

from __future__ import annotations

import re

from reportgen import units
from reportgen.comparison import change_text, verdict_word
from reportgen.gate import Gate
from reportgen.schemas.report import ComparisonRow, ReleaseResult, TargetResult

#: The first bytes of every summary: how a later check knows it may replace the file.
HEADING = "# reportgen check: "

#: The verdict words of the site, each with a mark that reads without colour; a projection never gets a tick.
MARKS = {
    "pass": "✅ PASS",
    "fail": "❌ FAIL",
    "invalid": "⛔ INVALID",
    "missing": "❔ MISSING",
    "unverified": "🔶 UNVERIFIED",
    "waived": "➖ WAIVED",
    "no targets": "➖ NO TARGETS",
}

#: What can start markup inside a line (links, emphasis, code, tables, strikethrough, images, attributes).
_PUNCTUATION = re.compile(r"([\\`*_{}\[\]()#!|~])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def text(value: str) -> str:
    """``value`` as literal Markdown text: ``& < >`` as entities (so no renderer sees HTML), markup punctuation
    backslash-escaped, line breaks and control characters as spaces."""
    plain = "".join(_HTML.get(c, c) for c in _CONTROL.sub(" ", value))
    return _PUNCTUATION.sub(r"\\\1", plain).strip()


def release_url(site_url: str | None, release: str, versioned: bool) -> str | None:
    """Where the release page is published: in its own mike version when the site is versioned."""
    if not site_url:
        return None
    base = site_url if site_url.endswith("/") else site_url + "/"
    return f"{base}{release}/releases/{release}/" if versioned else f"{base}releases/{release}/"


def _change(row: ComparisonRow | None) -> str:
    """The signed change and what the noise test says of it: improved / regressed / no significant change with
    its 95 % interval, or "not tested for noise" where a side has only a summary. Never a bare direction word."""
    if row is None or row.delta is None:
        return "—"
    change = change_text(row)
    percent = "" if change.percent == "—" else f" ({change.percent})"
    word = verdict_word(row)
    if row.low is None or row.high is None or word.startswith("not tested"):
        return f"{text(change.delta)}{percent} · {text(word)}"
    if word == "n/a":  # significant, but nothing says which way is better
        word = "changed beyond noise"
    return f"{text(change.delta)}{percent} · **{text(word)}** (95 % interval {text(change.interval)})"


def _row(target: TargetResult, comparison: dict[str, ComparisonRow]) -> str:
    value = units.format_value(target.value, target.unit)
    cells = [
        f"{text(target.title)} (`{target.key.replace('`', '')}`)",
        target.target.severity,
        f"{text(value)} · {target.provenance}",
        text(target.rule),
        f"**{MARKS[target.verdict]}**" + (" marginal" if target.marginal else ""),
        _change(comparison.get(target.target.metric)),
    ]
    return "| " + " | ".join(cells) + " |"


def release_summary(
    result: ReleaseResult,
    release_gate: Gate,
    baseline: ReleaseResult | None,
    comparison: list[ComparisonRow],
    url: str | None,
) -> list[str]:
    """One release's section; ``comparison`` holds its rows against ``baseline``, already tested for noise."""
    counts = ", ".join(f"{n} {v}" for v, n in result.counts.items() if n) or "no targets"
    lines = [
        f"## {text(result.id)}: {MARKS[result.verdict]}",
        "",
        f"{text(result.manifest.title)} · {result.manifest.date} · {result.manifest.status} · {counts}"
        + (f" · [release page]({url})" if url else ""),
        "",
    ]
    if release_gate.reasons:
        lines += ["Not passing:", "", *(f"- {text(reason)}" for reason in release_gate.reasons), ""]
    if result.targets:
        by_metric = {row.metric: row for row in comparison}
        against = f"vs {text(baseline.id)}" if baseline else "vs baseline"
        lines += [
            f"| target | severity | value | threshold | verdict | {against} |",
            "| --- | --- | --- | --- | --- | --- |",
            *(_row(t, by_metric) for t in result.targets),
            "",
        ]
        lines += [f"- `{t.key.replace('`', '')}`: {text(t.reason)}" for t in result.targets if t.verdict != "pass"]
        lines.append("")
    if result.warnings:
        lines += [f"{len(result.warnings)} warning(s); `reportgen check` prints them.", ""]
    return lines


def summary_markdown(
    results: list[ReleaseResult],
    gates: list[Gate],
    baselines: dict[str, ReleaseResult],
    comparisons: dict[str, list[ComparisonRow]],
    site_url: str | None,
    versioned: bool,
) -> str:
    """The whole summary: one section per checked release, newest first (``comparisons``: release id → its rows
    against its baseline, as :func:`reportgen.compare.compare` gives them)."""
    ok = bool(gates) and all(g.ok for g in gates)
    lines = [f"{HEADING}{'passes' if ok else 'does not pass'}", ""]
    for result, release_gate in zip(results, gates, strict=True):
        baseline = baselines.get(result.manifest.baseline) if result.manifest.baseline else None
        url = release_url(site_url, result.id, versioned)
        lines += release_summary(result, release_gate, baseline, comparisons.get(result.id, []), url)
    return "\n".join(lines).rstrip("\n") + "\n"
