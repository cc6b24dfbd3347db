"""Page models: presentation-ready data the templates render. Built by :mod:`reportgen.assemble`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from reportgen.schemas.manifest import Projection
from reportgen.schemas.report import Evidence, Narrative, Provenance


class _Page(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Figure(_Page):
    """One number on a page, with what is needed to badge it and trace it."""

    id: str  # anchor on the evidence page and id in claims.json
    label: str  # what it is, in words
    text: str  # formatted value with unit, or "—"
    value: float | None
    unit: str
    provenance: Provenance
    hover: str  # title text: provenance and where it comes from
    evidence: Evidence | None = None
    projection: Projection | None = None
    expression: str | None = None
    inputs: list[str] = Field(default_factory=list)
    note: str | None = None
    description: str | None = None  # the manifest's own words about the metric
    carried_from: str | None = None  # a projection copied unchanged from this release by `new --from`


class RelativeRow(_Page):
    """The baseline side of a relative target: the rule, the baseline's figure, the change and its noise test."""

    rule: str  # "at least 20 % below v1.1.0's"
    baseline: Figure | None  # links to the baseline's evidence page; None when it has no such figure
    change: str  # "+202 ms", or "—"
    interval: str  # "+186 to +215 ms", or "—"
    noise: str  # the comparison's word: regressed, no significant change, not tested for noise …


class TargetRow(_Page):
    key: str
    title: str
    metric_figure_id: str  # the evidence entry of the metric the target judges
    severity: str
    threshold: str
    figure: Figure
    verdict: str
    reason: str
    guards: list[str]
    projected_to_miss: bool = False
    relative: RelativeRow | None = None
    interval: str = ""  # the value's own 95 % interval, "290 to 320 ms", when raw samples give one
    marginal: bool = False


class Table(_Page):
    """A per-endpoint (or per-suite, per-benchmark) table read from one artifact."""

    title: str
    artifact: str
    columns: list[str]
    rows: list[tuple[str, list[Figure | None]]]
    notes: list[str] = Field(default_factory=list)  # how to read it: percentile rules that differ from exact
    #: Cells of this provenance carry no badge of their own: the caption says it once for the whole table.
    provenance: Provenance = "measured"
    badged: int = 0  # cells of another provenance (a missing value), which keep their own badge


class ToolVerdictRow(_Page):
    """One verdict a tool decided, with every artifact of the run that records it."""

    artifacts: list[str]
    subject: str
    expression: str
    ok: bool


class ComparisonLine(_Page):
    title: str
    baseline: Figure
    current: Figure
    delta: str
    delta_percent: str
    direction: str
    interval: str = "—"  # 95 % interval of the change, when tested for noise
    samples: str = "—"  # sample counts of the two runs, when tested
    better: str = "—"  # "lower" / "higher"
    change: str = "not tested for noise"  # improved / regressed / no significant change / not tested for noise
    note: str = ""  # why a row is not tested


class SignOffRow(_Page):
    role: str
    name: str
    decision: str
    date: str
    state: str  # "current", "stale: evidence changed since signing (…)", "not bound to evidence"
    signature: str  # "verified (signed by …)", "bad signature (…)", "unverifiable (…)", "not signed"
    comment: str


class ArtifactRow(_Page):
    path: str
    link: str
    scenario: str
    adapter: str
    sha256: str
    size: str
    measurements: int
    description: str | None = None


class AttachmentRow(_Page):
    title: str
    path: str
    link: str
    description: str
    sha256: str
    size: str


class Citable(_Page):
    """What one release offers to narrative citations, by the ids its manifest uses."""

    release: str
    baseline: str | None
    metrics: dict[str, Figure]  # metric id → its figure
    targets: dict[str, TargetRow]  # target key → its row (verdict and figure)
    deltas: dict[str, ComparisonLine]  # metric id → its change against the baseline


class ReleaseSummary(_Page):
    id: str
    title: str
    date: str
    status: str
    verdict: str
    counts: dict[str, int]
    counts_text: str = ""  # "3 pass, 2 unverified (1 projected to miss)"
    signoff_state: str
    link: str  # relative to the releases/ folder


class PageLink(_Page):
    """Another page of the same paged list (a metric's trend, the release list), named by the releases on it."""

    label: str
    link: str  # relative to the page it is on (the same folder)


class ReleaseListPage(_Page):
    """One page of the releases older than the home page's list, newest first, with its neighbours."""

    path: str  # relative to the generated folder
    releases: list[ReleaseSummary]
    newest: PageLink | None  # the home page's list
    newer: PageLink | None
    older: PageLink | None
    oldest: PageLink | None


class Chart(_Page):
    """One static chart: inline SVG, its text alternative, its caption and the table of the numbers it draws."""

    id: str
    kind: str
    title: str
    svg: str  # one line of SVG markup, ids prefixed with the chart id; text inside is escaped by the renderer
    alt: str
    caption: str
    columns: list[str]
    rows: list[list[str]]


class ChartGroup(_Page):
    """The charts of one scenario, and a line for each chart its artifacts cannot give."""

    title: str
    charts: list[Chart]
    notes: list[str] = Field(default_factory=list)
    scenario: str | None = None  # the manifest's scenario id (None: artifacts outside a scenario)
    #: The page of its own the charts are drawn on, relative to the release's folder (``charts/shop-k6.md``), when
    #: the release's charts together would make its page too heavy (:mod:`reportgen.chart_pages`); else None.
    page: str | None = None


class ReleasePage(_Page):
    id: str
    title: str
    date: str
    status: str
    baseline: str | None
    baseline_link: str | None
    verdict: str
    counts: dict[str, int]
    counts_text: str
    evidence_digest: str
    summary: str | None
    targets: list[TargetRow]
    metrics: list[Figure]
    scenarios: list[dict[str, object]]
    environment: dict[str, object]
    tables: list[Table]
    tool_verdicts: list[ToolVerdictRow]
    comparison: list[ComparisonLine]
    glance: Chart | None = None  # targets at a glance
    chart_groups: list[ChartGroup] = Field(default_factory=list)  # per scenario
    sections: list[tuple[str, str]]
    signoffs: list[SignOffRow]
    artifacts: list[ArtifactRow]
    warnings: list[str]
    acknowledged: list[tuple[str, str, str]] = Field(default_factory=list)  # (id, warning, reason)
    footnotes: list[tuple[str, str]]
    citable: Citable  # what this release's narrative (and other pages) can cite
    narrative: list[Narrative] = Field(default_factory=list)  # summary and sections as written, with sources
    figures: list[Figure]  # every figure on the page, for the evidence page and claims.json
    attachments: list[AttachmentRow] = Field(default_factory=list)
    #: artifact path → selector → the raw excerpt holding the value, shown under each figure on the evidence page
    excerpts: dict[str, dict[str, str]] = Field(default_factory=dict)


class TrendRow(_Page):
    metric: str
    title: str
    trend: str  # the metric's trend page, relative to the generated folder
    unit: str
    cells: list[Figure | None]


class HomePage(_Page):
    releases: list[ReleaseSummary]  # the newest :data:`reportgen.release_list.HOME_RELEASES`, newest first
    older: PageLink | None = None  # the newest page of older releases (links relative to the generated folder)
    oldest: PageLink | None = None
    archive: list[ReleaseListPage] = Field(default_factory=list)  # the pages of older releases, oldest first
    trend_releases: list[str]  # the newest few, oldest first (the trends page has all)
    trends: list[TrendRow]
    release_count: int


class TrendEntry(_Page):
    """One release on a metric's trend page: its figure (evidence-linked, badged), verdict and noise word."""

    release: str
    release_link: str  # the release page, relative to the trend page
    evidence_link: str  # the release's evidence page, relative to the trend page
    figure: Figure  # in the newest release's unit
    verdict: str  # that release's verdict on the metric (its first target), or "no target"
    change: str | None  # the comparison with the release's baseline: improved / regressed / ...; None without one


class MetricTrend(_Page):
    """One page of a metric's trend: at most :data:`reportgen.trends.TREND_WINDOW` releases, oldest first, with
    links to the neighbouring pages, so no page grows with the number of releases."""

    metric: str
    title: str
    unit: str
    path: str  # relative to the generated folder (releases/)
    up: str  # the trends index, relative to this page
    releases: list[str]  # drawn here, oldest first
    release_count: int  # releases with the metric, on all its pages
    chart: Chart | None  # None: no release on this page has a value to draw
    entries: list[TrendEntry]
    newest: PageLink | None  # None on the newest page itself
    newer: PageLink | None
    older: PageLink | None
    oldest: PageLink | None


class TrendSummary(_Page):
    """One metric on the trends index: its newest figure and verdict, and the link to its trend."""

    metric: str
    title: str
    link: str  # the metric's newest trend page, relative to the trends index
    release_count: int
    first: str
    latest: TrendEntry
    regressions: int  # releases whose comparison with their baseline found this metric significantly regressed


class TrendsPage(_Page):
    """The trends index (every metric, one row each) and every page of every metric's trend."""

    release_count: int
    first: str
    last: str
    metrics: list[TrendSummary]
    pages: list[MetricTrend]
