"""What the pure stages compute: resolved metrics, verdicts, comparisons. Page models are built from these."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, field_serializer

from reportgen.prose import Origin
from reportgen.schemas.manifest import Manifest, Projection, Quantity, SignOff, Target, Waiver
from reportgen.schemas.measurement import Extraction

Provenance = Literal["measured", "derived", "projected", "missing"]
Verdict = Literal["pass", "fail", "unverified", "missing", "invalid", "waived"]
Direction = Literal["improved", "regressed", "unchanged", "changed", "n/a"]
Change = Literal["improved", "regressed", "no significant change", "not tested for noise", "n/a"]
#: "no targets": no must-target decides the release; drawn neutral, never green, never a pass.
ReleaseVerdict = Literal["pass", "fail", "unverified", "waived", "no targets"]
VERDICTS: tuple[Verdict, ...] = ("pass", "fail", "unverified", "missing", "invalid", "waived")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Artifact(_Frozen):
    """A raw file of a release, known by its path and SHA-256, with what its adapter read."""

    path: str  # relative to the release folder, '/'-separated
    scenario: str | None
    sha256: str
    size: int
    extraction: Extraction

    @field_serializer("extraction", mode="wrap")
    def _whole(self, extraction: Extraction, handler: SerializerFunctionWrapHandler) -> object:
        # A kept result's extraction parses its measurements when they are first read (reportgen.result_cache):
        # read them here, since the serializer reads the fields themselves and would leave them out.
        extraction.measurements  # noqa: B018
        return handler(extraction)


class Attachment(_Frozen):
    """A document of a release that is evidence but not a measurement: known by path and SHA-256 only."""

    path: str  # relative to the release folder, '/'-separated
    title: str
    description: str | None
    sha256: str
    size: int


class Evidence(_Frozen):
    """Where a measured figure comes from: enough to find it again by hand."""

    path: str
    sha256: str
    selector: str
    adapter: str
    adapter_version: str
    metric: str
    stat: str
    labels: dict[str, str]
    unit: str
    raw_value: float | None
    estimator: str | None = None


class ResolvedMetric(_Frozen):
    id: str
    title: str
    unit: str
    value: float | None
    provenance: Provenance
    evidence: Evidence | None = None
    projection: Projection | None = None
    expression: str | None = None
    inputs: list[str] = Field(default_factory=list)
    note: str | None = None  # why it is missing, or how a derived projection came about
    carried_from: str | None = None  # a typed projection copied unchanged by `new --from` from this release


class GuardResult(_Frozen):
    description: str
    ok: bool | None  # None: could not be checked on measured data
    detail: str


class RelativeResult(_Frozen):
    """How a relative target's value stands against the baseline's: the comparison row of its metric."""

    rule: str  # "at least 20 % below v1.1.0's", "no worse than v1.1.0 within noise"
    baseline: str | None  # the release id, None when the manifest names no baseline
    baseline_metric: str  # the baseline's metric id (its evidence anchor)
    baseline_provenance: Provenance | None = None  # None: the baseline has no such metric
    threshold: Quantity | None = None  # the rule as an absolute bound (change rules with a baseline value)
    #: The comparison of the metric with the baseline's, exactly as the release page and `compare` show it.
    comparison: ComparisonRow | None = None


class TargetResult(_Frozen):
    target: Target
    key: str
    title: str
    value: float | None  # in the threshold's unit
    unit: str
    provenance: Provenance
    verdict: Verdict
    reason: str
    guards: list[GuardResult] = Field(default_factory=list)
    waiver: Waiver | None = None
    #: Unverified, and the projection would not even meet the threshold: said, never hidden as "unverified".
    projected_to_miss: bool = False
    #: Judged against the baseline (``relative:``): the baseline's value, the change and its interval.
    relative: RelativeResult | None = None
    #: The value's own 95 % interval (a percentile from raw samples), in ``unit``.
    low: float | None = None
    high: float | None = None
    #: The interval straddles the threshold: the verdict is the rule's, but another run could give the other one.
    marginal: bool = False

    @property
    def threshold(self) -> Quantity | None:
        """The bound the value is judged against; for a relative target, the baseline's value moved by the rule
        (None when there is no such number: no baseline value, or "no worse within noise")."""
        return self.relative.threshold if self.relative is not None else self.target.threshold

    @property
    def bound(self) -> tuple[str, Quantity] | None:
        """(comparator, threshold) the value is held to, for charts; None when the rule has no such number."""
        comparator = self.target.relative.comparator if self.target.relative else self.target.comparator
        threshold = self.threshold
        return None if comparator is None or threshold is None else (comparator, threshold)

    @property
    def rule(self) -> str:
        """The rule as people read it: ``< 200 ms``, ``at least 20 % below v1.1.0's (<= 247 ms)``."""
        if self.relative is not None:
            bound = self.relative.threshold
            comparator = self.target.relative.comparator if self.target.relative else None
            return self.relative.rule + (f" ({comparator} {bound})" if bound is not None and comparator else "")
        return f"{self.target.comparator} {self.target.threshold}"


class SignOffState(_Frozen):
    signoff: SignOff
    stale: bool  # signed a different evidence digest than the current one
    bound: bool  # carries an evidence digest at all
    #: The release verdict an approve/conditional sign-off was given despite (None when the release passes).
    despite: ReleaseVerdict | None = None
    changes: list[str] = Field(default_factory=list)  # when stale: which files or manifest fields changed since
    signature: Literal["verified", "bad signature", "unverifiable", "unsigned"] = "unsigned"
    signature_detail: str = ""


class Narrative(_Frozen):
    """Markdown a person wrote (the summary, a section), with where it was written, for citation errors."""

    title: str | None  # None for the summary
    body: str
    source: str  # the file, as messages name it
    line: int  # the line of that file where ``body`` starts
    column: int = 1  # the column of its first character
    indent: int = 0  # the indentation a YAML block scalar strips from its lines

    def origin(self) -> Origin:
        return Origin(self.source, self.line, self.column, self.indent)


class Finding(_Frozen):
    """A warning about a release, with the stable id a manifest acknowledges it by (see reportgen.acknowledge)."""

    id: str
    message: str
    acknowledged: str | None = None  # the manifest's reason, when it acknowledges this warning


class ReleaseResult(_Frozen):
    """Everything computed for one release."""

    manifest: Manifest
    manifest_sha256: str
    verdict: ReleaseVerdict
    counts: dict[str, int]
    targets: list[TargetResult]
    metrics: list[ResolvedMetric]
    artifacts: list[Artifact]
    signoffs: list[SignOffState]
    evidence_digest: str
    findings: list[Finding] = Field(default_factory=list)
    attachments: list[Attachment] = Field(default_factory=list)
    narrative: list[Narrative] = Field(default_factory=list)

    @property
    def id(self) -> str:
        return self.manifest.release

    @property
    def loud(self) -> list[Finding]:
        """The warnings nobody acknowledged: these are printed and shown."""
        return [f for f in self.findings if f.acknowledged is None]

    @property
    def warnings(self) -> list[str]:
        """The text of every warning not acknowledged."""
        return [f.message for f in self.loud]

    def metric(self, metric_id: str) -> ResolvedMetric:
        return next(m for m in self.metrics if m.id == metric_id)


class ComparisonRow(_Frozen):
    metric: str
    title: str
    unit: str
    baseline: float | None
    current: float | None
    baseline_provenance: Provenance
    current_provenance: Provenance
    delta: float | None
    delta_percent: float | None
    direction: Direction
    #: Which way is better: the metric's ``better:``, else its target or guard, else the default for its kind.
    better: Literal["lower", "higher"] | None = None
    #: The noise test's word: improved / regressed / no significant change, or "not tested for noise".
    change: Change = "not tested for noise"
    untested_because: str | None = None
    low: float | None = None  # 95 % interval of the change, in ``unit``
    high: float | None = None
    n_baseline: int | None = None
    n_current: int | None = None
    subsampled: bool = False
    method: str | None = None
    severity: str | None = None  # of the target on this metric, if any ("must" first)


RelativeResult.model_rebuild()
TargetResult.model_rebuild()
ReleaseResult.model_rebuild()
