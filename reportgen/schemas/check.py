"""What ``reportgen check --json`` prints: one item per checked release. Its JSON Schema is
``reportgen schema --check``; field docs here are that schema's descriptions."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from reportgen.schemas.manifest import Quantity
from reportgen.schemas.report import Provenance, RelativeResult, ReleaseVerdict, Verdict


class _Out(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CheckTarget(_Out):
    id: str = Field(description="The target's id (its metric id unless it has its own).")
    severity: str = Field(description="must or should.")
    comparator: str | None = Field(description="The threshold's comparator; null for a relative target without one.")
    threshold: Quantity | None = Field(
        description="The bound the value is held to; for a relative target the baseline's value moved by the rule, "
        "null when there is none (no baseline value, or no worse within noise)."
    )
    rule: str = Field(description='The rule in words: "< 200 ms", "at least 20 % below v1.1.0\'s (<= 247 ms)".')
    value: float | None = Field(description="In the threshold's unit; null when missing.")
    unit: str
    provenance: Provenance
    verdict: Verdict
    reason: str
    projected_to_miss: bool = Field(
        description="Unverified, and the projected value would not meet the threshold even if it were measured."
    )
    low: float | None = Field(default=None, description="The value's own 95 % interval from raw samples, low end.")
    high: float | None = Field(default=None, description="The value's own 95 % interval, high end.")
    marginal: bool = Field(
        default=False,
        description="The interval (of the value, or of the change for a relative target) straddles the bound: "
        "the verdict is the rule's, another run may give the other one.",
    )
    relative: RelativeResult | None = Field(
        default=None, description="For a relative target: the baseline's value, the change and its noise test."
    )


class CheckGate(_Out):
    passes: bool = Field(description="Whether this release lets check exit 0 (with the options given).")
    reasons: list[str] = Field(description="Why it does not; empty when it passes.")


class CheckAcknowledged(_Out):
    id: str
    message: str
    reason: str


class CheckRelease(_Out):
    release: str
    verdict: ReleaseVerdict = Field(
        description='The release verdict; "no targets" when no must-target decides it (never a pass).'
    )
    counts: dict[str, int] = Field(description="Targets per verdict.")
    evidence_digest: str
    targets: list[CheckTarget]
    gate: CheckGate
    warnings: list[str] = Field(description="Warnings not acknowledged by the manifest.")
    warning_ids: list[str] = Field(description="The id of each of warnings, in the same order, for acknowledge:.")
    acknowledged: list[CheckAcknowledged] = Field(description="Warnings the manifest acknowledges, with its reason.")
