"""The release manifest, ``results/<release>/release.yaml``, and ``signoffs.yaml``.

Field docs here become the JSON Schema that editors use (``reportgen schema``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from reportgen.units import parse_quantity

_ID = r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$"
Identifier = Annotated[str, Field(pattern=_ID, description="Letters, digits, '.', '_' and '-'.")]
#: Metric ids appear in derived expressions, so they are names without '-' or '.'.
MetricId = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", description="Letters, digits and '_'.")]


def _plausible_date(value: dt.date) -> dt.date:
    from reportgen.limits import EARLIEST_DATE, LATEST_DATE

    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(
            f"{value} is outside {EARLIEST_DATE} … {LATEST_DATE}, the dates a build can stamp into its files"
        )
    return value


#: A date a build stamps into files (gzip/zip headers hold 32-bit seconds since 1970).
StampDate = Annotated[dt.date, AfterValidator(_plausible_date)]


class Quantity(BaseModel):
    """A number with a unit, written ``"200 ms"``, ``"1 %"``, ``"50 req/s"`` or ``"100"``."""

    model_config = ConfigDict(frozen=True, allow_inf_nan=False)

    value: float
    unit: str

    def __str__(self) -> str:
        from reportgen.units import format_value

        return format_value(self.value, self.unit)


def _quantity(raw: Any) -> Any:
    if isinstance(raw, Quantity | dict):
        return raw
    if isinstance(raw, bool):
        raise ValueError(f'expected a number with a unit, got "{raw}"')
    if isinstance(raw, int | float):
        return {"value": float(raw), "unit": ""}
    if isinstance(raw, str):
        value, unit = parse_quantity(raw)
        return {"value": value, "unit": unit}
    raise ValueError(f'expected a number with a unit, got "{raw}"')


# What editors see: manifests write quantities as text ("200 ms") or bare numbers, as the loader accepts.
_QUANTITY_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {"type": "string", "pattern": r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*\S*\s*$"},
        {"type": "number"},
    ],
    "description": 'A number with a unit, e.g. "200 ms", "0.2 s", "1 %", "50 req/s", or a plain number.',
}
QuantityField = Annotated[Quantity, BeforeValidator(_quantity), WithJsonSchema(_QUANTITY_SCHEMA)]

Comparator = Literal["<", "<=", ">", ">=", "=="]


class _Model(BaseModel):
    # Infinity and NaN (YAML .inf, .nan, or 1e400) are never a threshold, a projection or a bound.
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Component(_Model):
    name: str
    version: str
    notes: str | None = None


class Environment(_Model):
    """What was tested, on what."""

    components: list[Component] = Field(default_factory=list)
    hardware: dict[str, str] | str | None = None
    tools: dict[str, str] = Field(default_factory=dict, description="Tool name → version, e.g. k6: 1.1.0.")
    notes: str | None = None


class ArtifactRef(_Model):
    """A raw file under ``results/<release>/``, read by the adapter named in ``format`` or sniffed."""

    path: str = Field(description="Path relative to the release folder.")
    format: str | None = Field(default=None, description="Adapter name; sniffed when absent.")
    description: str | None = None

    @field_validator("path")
    @classmethod
    def _relative(cls, path: str) -> str:
        if path.startswith("/") or ".." in path.split("/"):
            raise ValueError(f'artifact path "{path}" must stay inside the release folder')
        if not path.strip() or all(part in ("", ".") for part in path.split("/")):
            raise ValueError(f'path "{path}" names the release folder itself; name a file in it')
        if any(ord(c) < 32 for c in path):
            raise ValueError(f"path {path!r} contains a control character")
        return path


def _artifact(raw: Any) -> Any:
    return {"path": raw} if isinstance(raw, str) else raw


ArtifactField = Annotated[
    ArtifactRef,
    BeforeValidator(_artifact),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "description": "Path relative to the release folder (format sniffed)."},
                ArtifactRef.model_json_schema(),
            ]
        }
    ),
]


class AttachmentRef(_Model):
    """A document that is evidence but not a measurement (a legacy report, a screenshot, another team's PDF).

    It is hashed, linked from the page, covered by the evidence digest and checked by ``reportgen verify``;
    no adapter reads it, so no figure comes from it.
    """

    path: str = Field(description="Path relative to the release folder.")
    title: str | None = Field(default=None, description="What it is, in words (default: its file name).")
    description: str | None = None

    @field_validator("path")
    @classmethod
    def _relative(cls, path: str) -> str:
        return ArtifactRef._relative(path)


AttachmentField = Annotated[
    AttachmentRef,
    BeforeValidator(_artifact),  # a bare path is a mapping with only a path, as for artifacts
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "description": "Path relative to the release folder."},
                AttachmentRef.model_json_schema(),
            ]
        }
    ),
]


class Scenario(_Model):
    id: Identifier
    title: str
    tool: str
    description: str | None = None
    load_profile: dict[str, Any] = Field(
        default_factory=dict, description="As the tool states it, e.g. executor: constant-vus, vus: 4, duration: 30s."
    )
    artifacts: list[ArtifactField] = Field(default_factory=list)


def _labels_as_text(raw: Any) -> Any:
    """Label values are text in every artifact: ``status: 200`` and ``expected_response: true`` mean "200" and "true"."""
    if not isinstance(raw, dict):
        return raw
    return {
        k: (str(v).lower() if isinstance(v, bool) else str(v)) if isinstance(v, int | float) else v
        for k, v in raw.items()
    }


class MeasuredFrom(_Model):
    """Which measurement of which artifact a metric takes (see ``reportgen extract FILE``)."""

    artifact: str = Field(description="An artifact path declared in scenarios[].artifacts or artifacts.")
    metric: str
    stat: str
    labels: Annotated[
        dict[str, str],
        BeforeValidator(_labels_as_text),
        WithJsonSchema(
            {"type": "object", "additionalProperties": {"type": ["string", "integer", "number", "boolean"]}}
        ),
    ] = Field(
        default_factory=dict,
        description="Exactly the labels of the measurement; numbers and booleans are read as their text "
        "(status: 200 is '200', expected_response: true is 'true').",
    )


class CarriedOver(_Model):
    """Where a copied projection came from (see Projection.carried_over)."""

    release: str
    fingerprint: str = Field(description="Projection.fingerprint() when it was copied; an edit changes it.")


class Projection(_Model):
    """A number nobody measured: never a pass, always shown with its method and basis.

    Either typed (``value``) or computed from other metrics (``from``): a computed projection follows
    the measurements it rests on, and its inputs link to their evidence.
    """

    # Written and read as "from" (a Python keyword, hence from_), in claims.json too.
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, serialize_by_alias=True)

    value: Annotated[float | None, WithJsonSchema(_QUANTITY_SCHEMA)] = Field(
        default=None, description='The projected number with its unit, e.g. "700 req/s" (or use from).'
    )
    from_: str | None = Field(
        default=None,
        alias="from",
        description="Arithmetic over metric ids that computes the projection, e.g. "
        "'instances * throughput * 0.9'; numbers are allowed here, as assumptions stated by method and basis.",
    )
    unit: str = ""
    method: str = Field(description="How the number was obtained, e.g. 'architecture review', 'linear extrapolation'.")
    basis: str = Field(description="What it rests on, e.g. 'Kafka vendor benchmark, 3 brokers'.")
    low: float | None = None
    high: float | None = None
    carried_over: CarriedOver | None = Field(
        default=None,
        description="Written by `reportgen new --from`: the release this typed projection was copied from and its "
        "fingerprint then. While the projection is unchanged, the page says it was carried over, not re-estimated.",
    )

    def fingerprint(self) -> str:
        """Twelve hex digits of SHA-256 over what a typed projection states (not where it came from)."""
        stated = self.model_dump(mode="json", exclude={"carried_over"}, by_alias=True)
        return hashlib.sha256(json.dumps(stated, sort_keys=True).encode()).hexdigest()[:12]

    @property
    def carried_from(self) -> str | None:
        """The release it was carried over from, while nobody has edited it since."""
        mark = self.carried_over
        return mark.release if mark is not None and mark.fingerprint == self.fingerprint() else None

    @model_validator(mode="after")
    def _range(self) -> Projection:
        if (self.value is None) == (self.from_ is None):
            raise ValueError("a projection needs exactly one of value (a number) or from (an expression)")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({self.low}) is above high ({self.high})")
        return self

    @model_validator(mode="before")
    @classmethod
    def _value_with_unit(cls, raw: Any) -> Any:
        if isinstance(raw, dict) and isinstance(raw.get("value"), str):
            value, unit = parse_quantity(raw["value"])
            if raw.get("unit") not in (None, unit):
                raise ValueError(f'value "{raw["value"]}" and unit "{raw["unit"]}" disagree')
            raw = {**raw, "value": value, "unit": unit}
        return raw


class DeclaredMissing(_Model):
    """A figure the team could not measure, said so instead of inventing a value: shown, counted, never a pass."""

    reason: str = Field(description="Why there is no value, e.g. 'the staging cluster was not available'.")


class Metric(_Model):
    """A value the report talks about: exactly one of measured, derived, projected or missing."""

    id: MetricId
    title: str | None = None
    unit: str | None = Field(default=None, description="Display unit; for derived metrics, the result's unit.")
    description: str | None = None
    better: Literal["lower", "higher"] | None = Field(
        default=None, description="Which way is an improvement, for comparisons (default: from its target or guard)."
    )
    measured: MeasuredFrom | None = None
    derived: str | None = Field(
        default=None,
        description="Arithmetic over metric ids: + - * / ( ), mean/sum/min/max(...), and no numbers but 0 and 1 "
        "(a number is an assumption: write it as projected.from).",
    )
    projected: Projection | None = None
    missing: DeclaredMissing | None = None

    @field_validator("unit")
    @classmethod
    def _one_spelling(cls, value: str | None) -> str | None:
        """``rps`` and ``requests/s`` are read as ``req/s``, so a figure is written one way on every page."""
        from reportgen.units import spelled

        return None if value is None else spelled(value)

    @model_validator(mode="after")
    def _exactly_one_source(self) -> Metric:
        given = [k for k in ("measured", "derived", "projected", "missing") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "a metric needs exactly one of measured, derived, projected, missing"
                + (f" (got {', '.join(given)})" if given else "")
            )
        if self.derived is not None and self.unit is None:
            raise ValueError("a derived metric needs unit: (the unit of its result)")
        if self.projected is not None and self.projected.from_ is not None and self.unit is None:
            raise ValueError("a projection computed with from: needs unit: (the unit of its result)")
        return self

    @property
    def expression(self) -> str | None:
        """The arithmetic that computes this metric, if any: derived, or projected.from."""
        return self.derived if self.derived is not None else self.projected.from_ if self.projected else None


class Guard(_Model):
    """A condition under which a target's value counts at all; a tripped guard makes the verdict invalid."""

    metric: MetricId | None = None
    comparator: Comparator | None = None
    threshold: QuantityField | None = None
    min_samples: int | None = Field(
        default=None, ge=1, description="The target metric needs at least this many samples."
    )
    reason: str | None = None

    @model_validator(mode="after")
    def _shape(self) -> Guard:
        condition = (self.metric, self.comparator, self.threshold)
        if self.min_samples is None and any(c is None for c in condition):
            raise ValueError("a guard is either metric + comparator + threshold, or min_samples")
        if self.min_samples is not None and any(c is not None for c in condition):
            raise ValueError("a guard is either metric + comparator + threshold, or min_samples, not both")
        return self


#: "no worse within noise": the change from the baseline must not be a significant regression.
NO_WORSE = "no worse within noise"
_CHANGE = re.compile(r"^(?P<comparator><=|>=|<|>)\s*(?P<sign>[-+])\s*(?P<number>\d+(?:\.\d*)?|\.\d+)\s*(?P<unit>\S*)$")


class RelativeRule(_Model):
    """A target judged against the baseline release's value of the same metric, written as one string:
    ``no worse within noise``, or a comparator and a signed change from the baseline's value, ``"<= -20 %"``
    (at least 20 % below it; ``%`` is of the baseline's value), ``"<= +5 ms"`` or ``"<= +0.5 pp"`` (percentage
    points, for shares)."""

    text: str
    within_noise: bool = False
    comparator: Comparator | None = None
    change: float | None = None  # signed, in ``unit``
    unit: str = ""  # "%" (of the baseline's value), "pp" (percentage points), or a unit of the metric's dimension

    @property
    def percent(self) -> bool:
        return self.unit == "%"


def _relative_rule(raw: Any) -> Any:
    if not isinstance(raw, str):
        if isinstance(raw, RelativeRule):
            return raw
        raise ValueError(f'expected "{NO_WORSE}" or a comparator and a signed change such as "<= -20 %", got {raw!r}')
    text = " ".join(raw.split())
    if text.lower() == NO_WORSE:
        return {"text": NO_WORSE, "within_noise": True}
    match = _CHANGE.match(text)
    if match is None:
        unsigned = re.match(r"^(<=|>=|<|>)\s*(\d|\.\d)", text)
        hint = (
            ': write the change with its sign, "<= -20 %" (at least 20 % below the baseline\'s) or "<= +20 %" '
            "(at most 20 % above it)"
            if unsigned
            else f'; expected "{NO_WORSE}", or a comparator (<, <=, >, >=) and a signed change from the '
            'baseline\'s value: "<= -20 %", "<= +5 ms", "<= +0.5 pp"'
        )
        raise ValueError(f"relative rule {raw!r} is not understood{hint}")
    symbol = match.group("unit")
    if symbol not in ("%", "pp"):
        parse_quantity(f"1 {symbol}")  # an unknown unit is refused here, with a did-you-mean
    change = float(match.group("number")) * (-1 if match.group("sign") == "-" else 1)
    shown = f"{match.group('comparator')} {match.group('sign')}{match.group('number')} {symbol}".rstrip()
    return {"text": shown, "comparator": match.group("comparator"), "change": change, "unit": symbol}


RelativeField = Annotated[
    RelativeRule,
    BeforeValidator(_relative_rule),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\s*(no worse within noise|(<=|>=|<|>)\s*[-+]\s*(\d+(\.\d*)?|\.\d+)\s*\S*)\s*$",
            "description": f'"{NO_WORSE}", or a comparator and a signed change from the baseline\'s value: '
            '"<= -20 %" (at least 20 % below it), "<= +5 ms", "<= +0.5 pp".',
        }
    ),
]


class Target(_Model):
    id: Identifier | None = Field(default=None, description="Defaults to the metric id.")
    title: str | None = None
    metric: MetricId = Field(description="The id of the metric this target judges.")
    comparator: Comparator | None = Field(default=None, description="How the value must relate to the threshold.")
    threshold: QuantityField | None = Field(
        default=None, description='A number with a unit, e.g. "200 ms", "1 %", "50 req/s".'
    )
    relative: RelativeField | None = Field(
        default=None,
        description="Instead of comparator and threshold: judged against the baseline release's value of the same "
        'metric, with the comparison\'s noise test: "no worse within noise", "<= -20 %" (at least 20 % below the '
        'baseline\'s), "<= +5 ms".',
    )
    severity: Literal["must", "should"] = Field(
        default="must", description="must-targets decide the release verdict; should-targets are reported."
    )
    guards: list[Guard] = Field(default_factory=list)
    each: str | None = Field(
        default=None,
        description="A label key (e.g. name): one verdict per value of it in the metric's artifact, each with its "
        "own evidence, keyed target[name=value]. The metric must be measured, without this label.",
    )

    @model_validator(mode="after")
    def _one_rule(self) -> Target:
        if self.relative is not None and (self.comparator is not None or self.threshold is not None):
            raise ValueError("a target has either relative or comparator + threshold, not both")
        if self.relative is None and (self.comparator is None or self.threshold is None):
            missing = " and ".join(k for k in ("comparator", "threshold") if getattr(self, k) is None)
            raise ValueError(f"a target needs comparator and threshold (or relative:); {missing} missing")
        return self

    @property
    def key(self) -> str:
        return self.id or self.metric


class Waiver(_Model):
    target: Identifier
    reason: str
    approver: str
    date: StampDate | None = None


class Acknowledgement(_Model):
    """A warning the team has read and accepts: listed as acknowledged on the page, not repeated by check."""

    warning: str = Field(description="The warning's id as check prints it, e.g. files-disagree-1f3a9c07.")
    reason: str = Field(description="Why it is accepted.")


class Section(_Model):
    title: str
    body: str | None = Field(default=None, description='Markdown; may cite figures: {{ metric("id") }}.')
    file: str | None = Field(
        default=None, description="A Markdown file beside release.yaml holding the body (instead of body)."
    )

    @model_validator(mode="after")
    def _one_body(self) -> Section:
        if (self.body is None) == (self.file is None):
            raise ValueError("a section has either body or file, not both and not neither")
        return self


class Manifest(_Model):
    """``results/<release>/release.yaml``."""

    release: Identifier
    title: str
    date: StampDate
    status: Literal["draft", "final"] = "draft"
    baseline: Identifier | None = Field(default=None, description="The release this one is compared with.")
    summary: str | None = Field(default=None, description="Markdown shown under the header.")
    environment: Environment = Field(default_factory=Environment)
    scenarios: list[Scenario] = Field(default_factory=list)
    artifacts: list[ArtifactField] = Field(default_factory=list, description="Artifacts not tied to a scenario.")
    attachments: list[AttachmentField] = Field(
        default_factory=list, description="Documents that are evidence but not measurements; hashed, never read."
    )
    metrics: list[Metric] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    waivers: list[Waiver] = Field(default_factory=list)
    acknowledge: list[Acknowledgement] = Field(
        default_factory=list, description="Warnings accepted by id, each with a reason."
    )
    sections: list[Section] = Field(default_factory=list)

    def all_artifacts(self) -> list[tuple[str | None, ArtifactRef]]:
        """(scenario id or None, artifact) for every declared artifact, in manifest order."""
        found: list[tuple[str | None, ArtifactRef]] = []
        for scenario in self.scenarios:
            found.extend((scenario.id, a) for a in scenario.artifacts)
        found.extend((None, a) for a in self.artifacts)
        return found


class SignOff(_Model):
    role: str
    name: str
    decision: Literal["approve", "reject", "conditional"]
    date: StampDate
    evidence_digest: str | None = Field(
        default=None, pattern=r"^sha256:[0-9a-f]{64}$", description="The release evidence digest that was signed."
    )
    comment: str | None = None
    evidence: dict[str, str] | None = Field(
        default=None,
        description="Recorded by `reportgen sign`: the SHA-256 of release.yaml and of each artifact and attachment "
        "the digest covered, so a stale sign-off can say which files changed.",
    )
    manifest_fields: dict[str, str] | None = Field(
        default=None,
        description="Recorded by `reportgen sign`: a short hash of each manifest field (targets[checkout_p95], title…), "
        "so a stale sign-off can say which fields changed.",
    )
    signature: str | None = Field(
        default=None,
        description="An SSH signature (ssh-keygen -Y sign, namespace reportgen) of this sign-off and its digest.",
    )


class SignOffs(_Model):
    """``results/<release>/signoffs.yaml``."""

    signoffs: list[SignOff] = Field(default_factory=list)
