"""What an adapter reads from one artifact."""

from __future__ import annotations

import json
import re

from pydantic import BaseModel, ConfigDict, Field

#: Statistic names every adapter uses. Percentiles are ``p<N>`` with N as the tool
#: prints it (``p90``, ``p99.9``); ``med`` is the median (= p50).
STATS = ("avg", "min", "med", "max", "stddev", "count", "rate", "ratio", "sum", "value", "passes", "fails", "iqr")


#: A label value that reads back as the same text when pasted into a YAML flow mapping, unquoted (letters of
#: any script are plain YAML: an endpoint named поиск is shown as written).
_PLAIN_VALUE = re.compile(r"^[\w./()\-](?:[\w./()\- ]*[\w./()\-])?$")


def label_value_yaml(value: str) -> str:
    """``checkout`` as is; ``""``, ``"/api/items/[id]"`` or ``"a, b"`` quoted, so what is shown can be pasted back."""
    return value if _PLAIN_VALUE.match(value) else json.dumps(value, ensure_ascii=False)


def labels_yaml(labels: dict[str, str]) -> str:
    """``{method: GET, name: checkout}``: a label set written as in release.yaml (a flow mapping)."""
    return "{" + ", ".join(f"{k}: {label_value_yaml(v)}" for k, v in sorted(labels.items())) + "}"


class Measurement(BaseModel):
    """One number read or computed from one artifact.

    ``metric`` is the tool's own name (``http_req_duration``, ``requests``);
    ``labels`` say which slice of it (``{"name": "/api/items"}``; ``{}`` is the
    whole run); ``selector`` finds the number again in the file (see
    :mod:`reportgen.selectors`); ``estimator`` names the percentile rule used.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    metric: str
    stat: str
    value: float | None
    unit: str
    labels: dict[str, str] = Field(default_factory=dict)
    selector: str
    estimator: str | None = None

    def key(self) -> tuple[str, str, tuple[tuple[str, str], ...]]:
        """Identity of the figure inside one artifact: metric, stat and labels."""
        return (self.metric, self.stat, tuple(sorted(self.labels.items())))


class ToolVerdict(BaseModel):
    """A pass/fail the tool decided itself (a k6 threshold, a Gatling assertion, a JUnit result)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    subject: str  # e.g. "http_req_duration{name:slow}"
    expression: str  # e.g. "p(95)<150"
    ok: bool
    selector: str


class Series(BaseModel):
    """A statistic over time (per-second request rate, p95 per interval), for charts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    metric: str
    stat: str
    unit: str
    labels: dict[str, str] = Field(default_factory=dict)
    #: (Unix time in seconds, value) pairs in time order.
    points: list[tuple[float, float]]
    selector: str
    estimator: str | None = None


class ExtractWarning(BaseModel):
    """Damage that did not stop the read (a truncated last line); shown in the report."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    message: str
    line: int | None = None


class Extraction(BaseModel):
    """Everything one adapter read from one artifact."""

    model_config = ConfigDict(extra="forbid")

    adapter: str
    adapter_version: str
    measurements: list[Measurement] = Field(default_factory=list)
    tool_verdicts: list[ToolVerdict] = Field(default_factory=list)
    series: list[Series] = Field(default_factory=list)
    warnings: list[ExtractWarning] = Field(default_factory=list)
    #: Facts about the run the file records (tool version, machine info, start time), as text.
    info: dict[str, str] = Field(default_factory=dict)
