"""Analysed releases → page models and claims. Pure: no I/O, same input gives the same output."""

from __future__ import annotations

from reportgen import chart_pages, units
from reportgen.approval import decision_text
from reportgen.artifact_tables import artifact_table, tool_verdict_rows
from reportgen.charts import release_charts
from reportgen.compare import compare
from reportgen.compare_stats import decimals
from reportgen.comparison import change_text, verdict_word
from reportgen.errors import BuildError
from reportgen.evaluate import counts_text
from reportgen.figures import anchor, from_metric, in_unit
from reportgen.raw_copies import raw_copy
from reportgen.release_list import home_links, release_lists
from reportgen.samples import SampleSource
from reportgen.schemas.page import (
    ArtifactRow,
    AttachmentRow,
    Citable,
    ComparisonLine,
    Figure,
    HomePage,
    RelativeRow,
    ReleasePage,
    ReleaseSummary,
    SignOffRow,
    TargetRow,
    TrendRow,
)
from reportgen.schemas.report import ComparisonRow, ReleaseResult, TargetResult
from reportgen.signoffs import evidence_state, signature_state
from reportgen.trends import trend_path


def size_text(size: int) -> str:
    """``1.5 KiB``: binary units, one decimal above bytes."""
    if size < 1024:
        return f"{size:,} B"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB"):
        value /= 1024
        if value < 1024 or unit == "GiB":
            break
    return f"{value:,.1f} {unit}"


def _sentence(text: str) -> str:
    return text.rstrip().rstrip(".") + "."


def _footnotes(figures: list[Figure]) -> list[tuple[str, str]]:
    notes: dict[str, str] = {}
    for figure in figures:
        if figure.provenance != "projected":
            continue
        if figure.projection is not None:
            p = figure.projection
            computed = f" Computed from {figure.expression}." if figure.expression else ""
            text = f"Projected, not measured.{computed} Method: {_sentence(p.method)} Basis: {_sentence(p.basis)}"
            if p.low is not None or p.high is not None:
                low = units.format_value(p.low, p.unit) if p.low is not None else "?"
                high = units.format_value(p.high, p.unit) if p.high is not None else "?"
                text += f" Range: {low} to {high}."
            if figure.carried_from:
                text += f" Carried over from {figure.carried_from}, not re-estimated."
        else:
            text = f"Projected: {_sentence(figure.note or '')}"
        notes.setdefault(figure.id, text)
    return list(notes.items())


def _relative_row(t: TargetResult, base_figures: dict[str, Figure]) -> RelativeRow | None:
    """The baseline side of a relative target, as its row shows it (the baseline figure links to its evidence)."""
    found = t.relative
    if found is None:
        return None
    row = found.comparison
    figure = base_figures.get(found.baseline_metric)
    if figure is not None and row is not None:
        figure = in_unit(figure, row.unit, figure.id)
    text = change_text(row) if row is not None else None
    return RelativeRow(
        rule=found.rule,
        baseline=figure,
        change=text.delta if text else "—",
        interval=text.interval if text else "—",
        noise=verdict_word(row) if row is not None else "no baseline value",
    )


def _interval(t: TargetResult) -> str:
    """``290 to 320 ms``: the value's own 95 % interval, with the precision its width allows."""
    if t.low is None or t.high is None or t.low == t.high:
        return ""  # no spread at all (a 0 % failure share in every sample) is no interval worth showing
    unit = "%" if units.unit(t.unit).dimension == "ratio" else t.unit
    factor = units.convert(1.0, t.unit, unit)
    low, high = t.low * factor, t.high * factor
    places = decimals((high - low) / 2, (t.value or 0.0) * factor)
    suffix = "" if unit in ("", "count") else (" %" if unit == "%" else f" {unit}")
    return f"{low:,.{places}f} to {high:,.{places}f}{suffix}"


def release_page(
    result: ReleaseResult,
    baseline: ReleaseResult | None,
    samples: SampleSource | None = None,
    comparison_rows: list[ComparisonRow] | None = None,
) -> ReleasePage:
    """The page model of one release; with ``samples`` (raw values read once per build) changes are tested for
    noise and distributions drawn. ``comparison_rows``: what :func:`reportgen.compare.compare` gave for this
    release and baseline, when the caller has it already."""
    manifest = result.manifest
    described = {m.id: m.description for m in manifest.metrics if m.description}
    metric_figures = {
        m.id: from_metric(m).model_copy(update={"description": described.get(m.id)}) for m in result.metrics
    }
    artifact_descriptions = {ref.path: ref.description for _, ref in manifest.all_artifacts() if ref.description}
    base_figures = {m.id: from_metric(m) for m in baseline.metrics} if baseline is not None else {}
    targets = [
        TargetRow(
            key=t.key,
            title=t.title,
            severity=t.target.severity,
            threshold=t.rule,
            figure=in_unit(metric_figures[t.target.metric], t.unit, anchor("target", t.key)),
            metric_figure_id=metric_figures[t.target.metric].id,
            verdict=t.verdict,
            reason=t.reason,
            projected_to_miss=t.projected_to_miss,
            # Tripped or unchecked guards are already the reason; list the ones that held, as evidence they were checked.
            guards=[f"{g.description}: held ({g.detail})" for g in t.guards if g.ok],
            relative=_relative_row(t, base_figures),
            interval=_interval(t),
            marginal=t.marginal,
        )
        for t in result.targets
    ]
    tables = [table for a in result.artifacts if (table := artifact_table(a)) is not None]
    comparison: list[ComparisonLine] = []
    deltas: dict[str, ComparisonLine] = {}
    if baseline is not None:
        # Baseline figures keep their own ids: they link to the baseline release's evidence page.
        for row in compare(result, baseline, samples) if comparison_rows is None else comparison_rows:
            text = change_text(row)
            delta = text.delta
            if (carried := metric_figures[row.metric].carried_from) is not None:
                delta += f" (carried over from {carried}, not re-estimated)"
            line = ComparisonLine(
                title=row.title,
                baseline=in_unit(base_figures[row.metric], row.unit, base_figures[row.metric].id),
                current=metric_figures[row.metric],
                delta=delta,
                delta_percent=text.percent,
                direction=row.direction,
                interval=text.interval,
                samples=text.samples,
                better=row.better or "—",
                change=verdict_word(row),
                note=row.untested_because or "",
            )
            comparison.append(line)
            deltas[row.metric] = line
    signoffs = [
        SignOffRow(
            role=s.signoff.role,
            name=s.signoff.name,
            decision=decision_text(s),
            date=s.signoff.date.isoformat(),
            state=evidence_state(s),
            signature=signature_state(s),
            comment=s.signoff.comment or "",
        )
        for s in result.signoffs
    ]
    artifacts = [
        ArtifactRow(
            path=a.path,
            link=raw_copy(a.path, a.size).name,
            scenario=a.scenario or "—",
            adapter=f"{a.extraction.adapter} v{a.extraction.adapter_version}",
            sha256=a.sha256,
            size=size_text(a.size),
            measurements=len(a.extraction.measurements),
            description=artifact_descriptions.get(a.path),
        )
        for a in result.artifacts
    ]
    # In page order, so footnotes number as a reader meets them; baseline figures belong to the baseline's page.
    figures: list[Figure] = [t.figure for t in targets] + list(metric_figures.values())
    figures += [c for table in tables for _, cells in table.rows for c in cells if c is not None]
    env = manifest.environment
    glance, chart_groups = release_charts(result, samples)
    return ReleasePage(
        id=manifest.release,
        title=manifest.title,
        date=manifest.date.isoformat(),
        status=manifest.status,
        baseline=manifest.baseline,
        baseline_link=f"../{manifest.baseline}/index.md" if baseline else None,
        verdict=result.verdict,
        counts=result.counts,
        counts_text=counts_text(result.targets),
        evidence_digest=result.evidence_digest,
        summary=manifest.summary,
        targets=targets,
        metrics=list(metric_figures.values()),
        scenarios=[s.model_dump(mode="json") for s in manifest.scenarios],
        environment=env.model_dump(mode="json"),
        tables=tables,
        tool_verdicts=tool_verdict_rows(result.artifacts),
        comparison=comparison,
        glance=glance,
        chart_groups=chart_pages.placed(chart_groups),
        sections=[(n.title, n.body) for n in result.narrative if n.title is not None],
        signoffs=signoffs,
        artifacts=artifacts,
        warnings=[f"{f.message} [{f.id}]" for f in result.loud],
        acknowledged=[(f.id, f.message, f.acknowledged) for f in result.findings if f.acknowledged],
        footnotes=_footnotes(figures),
        figures=_unique(figures),
        citable=Citable(
            release=manifest.release,
            baseline=manifest.baseline,
            metrics=metric_figures,
            targets={t.key: t for t in targets},
            deltas=deltas,
        ),
        narrative=result.narrative,
        attachments=[
            AttachmentRow(
                title=a.title,
                path=a.path,
                link=raw_copy(a.path, a.size).name,
                description=a.description or "",
                sha256=a.sha256,
                size=size_text(a.size),
            )
            for a in result.attachments
        ],
    )


def _unique(figures: list[Figure]) -> list[Figure]:
    """Each figure once. Ids are unique by construction (:func:`reportgen.figures.anchor`); two different
    figures under one id would lose one of them from the evidence page and claims.json, so it is refused."""
    seen: dict[str, Figure] = {}
    for figure in figures:
        first = seen.setdefault(figure.id, figure)
        if first != figure:
            raise BuildError(
                f'two figures share the evidence id "{figure.id}": "{first.label}" and "{figure.label}"; '
                "rename one of them"
            )
    return list(seen.values())


def _signoff_state(result: ReleaseResult) -> str:
    if not result.signoffs:
        return "unsigned"
    signatures = {s.signature for s in result.signoffs}
    if "bad signature" in signatures:
        return "bad signature"
    if any(s.stale for s in result.signoffs):
        return "stale"
    decisions = ", ".join(sorted({decision_text(s) for s in result.signoffs}))
    if signatures == {"verified"}:
        return f"{decisions} (signatures verified)"
    return decisions + (" (a signature is unverifiable)" if "unverifiable" in signatures else "")


#: Release columns of the home page's "Metrics across releases" table (the newest, oldest first): the table
#: stays the same size however many releases there are; each metric's trend pages draw all of them.
HOME_TREND_RELEASES = 6


def home_page(results: list[ReleaseResult]) -> HomePage:
    """The newest releases, newest first (older ones on pages of their own, :mod:`reportgen.release_list`); a
    trend table of every metric over the newest :data:`HOME_TREND_RELEASES` releases, oldest first."""
    summaries = [
        ReleaseSummary(
            id=r.id,
            title=r.manifest.title,
            date=r.manifest.date.isoformat(),
            status=r.manifest.status,
            verdict=r.verdict,
            counts=r.counts,
            counts_text=counts_text(r.targets),
            signoff_state=_signoff_state(r),
            link=f"{r.id}/index.md",
        )
        for r in results
    ]
    chronological = list(reversed(results[:HOME_TREND_RELEASES]))
    metric_ids: dict[str, str] = {}
    titles: dict[str, str] = {}
    for r in chronological:
        for m in r.metrics:
            metric_ids.setdefault(m.id, m.unit)
            titles[m.id] = m.title  # the newest release's title wins
    trends: list[TrendRow] = []
    for metric_id, unit in metric_ids.items():
        cells: list[Figure | None] = []
        for r in chronological:
            found = next((m for m in r.metrics if m.id == metric_id), None)
            if found is None or units.unit(found.unit).dimension != units.unit(unit).dimension:
                cells.append(None)
                continue
            figure = from_metric(found)
            cells.append(in_unit(figure, unit, figure.id))
        trends.append(
            TrendRow(metric=metric_id, title=titles[metric_id], trend=trend_path(metric_id), unit=unit, cells=cells)
        )
    newest, archive = release_lists(summaries)
    older, oldest = home_links(archive)
    return HomePage(
        releases=newest,
        older=older,
        oldest=oldest,
        archive=archive,
        trend_releases=[r.id for r in chronological],
        trends=trends,
        release_count=len(results),
    )
