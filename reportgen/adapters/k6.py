"""k6 end-of-test summaries: the ``handleSummary(data)`` object and the legacy ``--summary-export`` file.

Both hold the same numbers (docs/FORMATS.md §1.1, §1.2) in two shapes:

* handleSummary: ``metrics.<key>.{type, contains, values, thresholds: {expr: {ok}}}``,
  groups and checks as arrays;
* summary-export: ``metrics.<key>.{<stat>: number, thresholds: {expr: crossed}}`` with no
  type, a Rate's ``rate`` renamed ``value``, groups and checks as maps keyed by name.

Each shape is first read into :class:`SummaryMetric` records, so that one function
turns either into measurements and they cannot drift apart.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from reportgen.adapters._base import Sample, load_json
from reportgen.adapters._k6_common import (
    KINDS,
    Kind,
    builtin_contains,
    builtin_kind,
    split_metric_key,
    stat_name,
    stat_unit,
)
from reportgen.errors import ArtifactError, Position
from reportgen.estimators import K6_LINEAR
from reportgen.schemas.measurement import Extraction, Measurement, ToolVerdict
from reportgen.selectors import json_pointer

Token = str | int


@dataclass(frozen=True)
class SummaryValue:
    stat: str  # reportgen's stat name
    value: float | None
    selector: str


@dataclass
class SummaryMetric:
    """One metric key of a summary file, whichever shape it came from."""

    key: str
    kind: Kind
    contains: str
    values: list[SummaryValue] = field(default_factory=list)
    verdicts: list[ToolVerdict] = field(default_factory=list)


@dataclass(frozen=True)
class SummaryCheck:
    name: str
    group: str  # path of the group the check is in ("" for the root group)
    passes: SummaryValue
    fails: SummaryValue


# ---------------------------------------------------------------------------- shape detection


def _is_k6_metric_key(key: str) -> bool:
    base, _ = split_metric_key(key)
    return builtin_kind(base) is not None


def summary_shape(document: Any) -> str | None:
    """``handle-summary``, ``summary-export``, ``machine-readable`` (k6 ≥ 1.5 opt-in), or None."""
    if not isinstance(document, dict):
        return None
    results = document.get("results")
    if "version" in document and isinstance(results, dict) and "metrics" in results:
        return "machine-readable"
    metrics = document.get("metrics")
    if not isinstance(metrics, dict) or not metrics:
        return None
    if "root_group" not in document and not any(_is_k6_metric_key(k) for k in metrics):
        return None
    entries = [m for m in metrics.values() if isinstance(m, dict)]
    if entries and all("type" in m and "values" in m for m in entries):
        return "handle-summary"
    if entries and not any("values" in m and isinstance(m["values"], dict) for m in entries):
        return "summary-export"
    return None


def _sniff_text(head: str) -> str | None:
    """Shape of a summary from the first bytes; files larger than the sample fall back to key patterns."""
    text = head.lstrip()
    if not text.startswith("{"):
        return None
    try:
        return summary_shape(json.loads(text))
    except ValueError:
        pass  # the sample is cut: judge by the keys k6 writes
    if '"k6Version"' in text and '"results"' in text:
        return "machine-readable"
    if '"root_group"' not in text and '"metrics"' not in text:
        return None
    if '"contains"' in text and '"values"' in text:
        return "handle-summary"
    if '"http_reqs"' in text or '"root_group"' in text:
        return "summary-export"
    return None


# ---------------------------------------------------------------------------- shared reading


def _number(raw: Any, path: Path, tokens: tuple[Token, ...]) -> float | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise ArtifactError(Position(path), f"{json_pointer(*tokens)}: expected a number, got {raw!r}")
    return float(raw)


def _object(raw: Any, path: Path, tokens: tuple[Token, ...]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ArtifactError(Position(path), f"{json_pointer(*tokens)}: expected an object, got {type(raw).__name__}")
    return raw


def _value(stat: str, raw: Any, path: Path, tokens: tuple[Token, ...]) -> SummaryValue:
    return SummaryValue(stat, _number(raw, path, tokens), json_pointer(*tokens))


def _children(group: dict[str, Any], member: str) -> Iterator[tuple[Token, dict[str, Any]]]:
    """Sub-groups or checks of a group: arrays in handleSummary, maps keyed by name in summary-export."""
    items = group.get(member) or []
    if isinstance(items, list):
        yield from ((index, item) for index, item in enumerate(items) if isinstance(item, dict))
    elif isinstance(items, dict):
        yield from ((name, item) for name, item in items.items() if isinstance(item, dict))


def read_checks(document: dict[str, Any], path: Path) -> list[SummaryCheck]:
    """Every check of ``root_group`` and its nested groups, with the path of its group."""
    checks: list[SummaryCheck] = []

    def walk(group: dict[str, Any], tokens: tuple[Token, ...]) -> None:
        group_path = str(group.get("path", ""))
        for token, check in _children(group, "checks"):
            where = (*tokens, "checks", token)
            name = str(check.get("name", token))
            checks.append(
                SummaryCheck(
                    name,
                    group_path,
                    _value("passes", check.get("passes"), path, (*where, "passes")),
                    _value("fails", check.get("fails"), path, (*where, "fails")),
                )
            )
        for token, child in _children(group, "groups"):
            walk(child, (*tokens, "groups", token))

    root = document.get("root_group")
    if isinstance(root, dict):
        walk(root, ("root_group",))
    return checks


def measurements(metrics: list[SummaryMetric], checks: list[SummaryCheck]) -> list[Measurement]:
    """The measurements of a summary, identical for both shapes except for selectors."""
    found: list[Measurement] = []
    for metric in metrics:
        name, labels = split_metric_key(metric.key)
        for item in metric.values:
            percentile = metric.kind == "trend" and (item.stat == "med" or item.stat.startswith("p"))
            found.append(
                Measurement(
                    metric=name,
                    stat=item.stat,
                    value=item.value,
                    unit=stat_unit(metric.kind, metric.contains, item.stat),
                    labels=labels,
                    selector=item.selector,
                    estimator=K6_LINEAR if percentile else None,
                )
            )
    for check in checks:
        labels = {"check": check.name, "group": check.group}
        for item in (check.passes, check.fails):
            found.append(
                Measurement(
                    metric="checks",
                    stat=item.stat,
                    value=item.value,
                    unit="count",
                    labels=labels,
                    selector=item.selector,
                )
            )
    return found


# ---------------------------------------------------------------------------- handleSummary


def _handle_summary_metric(key: str, raw: Any, path: Path) -> SummaryMetric:
    entry = _object(raw, path, ("metrics", key))
    kind = entry.get("type")
    if kind not in KINDS:
        raise ArtifactError(Position(path), f"{json_pointer('metrics', key, 'type')}: unknown metric type {kind!r}")
    metric = SummaryMetric(key, kind, str(entry.get("contains", "default")))
    for value_key, raw_value in _object(entry.get("values"), path, ("metrics", key, "values")).items():
        metric.values.append(_value(stat_name(value_key), raw_value, path, ("metrics", key, "values", value_key)))
    for expression, result in _object(entry.get("thresholds") or {}, path, ("metrics", key, "thresholds")).items():
        ok = _object(result, path, ("metrics", key, "thresholds", expression)).get("ok")
        if not isinstance(ok, bool):
            raise ArtifactError(Position(path), f"threshold {expression!r} of {key}: 'ok' is not true/false")
        selector = json_pointer("metrics", key, "thresholds", expression, "ok")
        metric.verdicts.append(ToolVerdict(subject=key, expression=expression, ok=ok, selector=selector))
    return metric


def _member(document: dict[str, Any], key: str) -> dict[str, Any]:
    """An optional object member; anything else counts as absent."""
    value = document.get(key)
    return value if isinstance(value, dict) else {}


def _handle_summary_info(document: dict[str, Any]) -> dict[str, str]:
    info: dict[str, str] = {}
    options = _member(document, "options")
    state = _member(document, "state")
    if isinstance(options.get("summaryTrendStats"), list):
        info["summaryTrendStats"] = ",".join(str(s) for s in options["summaryTrendStats"])
    if options.get("summaryTimeUnit"):
        info["summaryTimeUnit"] = str(options["summaryTimeUnit"])
    if isinstance(state.get("testRunDurationMs"), int | float):
        info["testRunDurationMs"] = repr(float(state["testRunDurationMs"]))
    return info


def _machine_readable_error(document: dict[str, Any], path: Path) -> ArtifactError:
    metadata = _member(document, "metadata")
    return ArtifactError(
        Position(path),
        f"this is k6's new machine-readable summary (schema {document.get('version')!r}, "
        f"k6 {metadata.get('k6Version', '?')}), which reportgen does not read yet. Rerun k6 without "
        "--new-machine-readable-summary (K6_NEW_MACHINE_READABLE_SUMMARY) to get the classic summary, "
        "or give reportgen the --out json stream",
    )


class K6HandleSummary:
    name: ClassVar[str] = "k6-handle-summary"
    version: ClassVar[str] = "1"
    summary: ClassVar[str] = "k6 handleSummary(data) object saved as JSON: every metric, submetric, check and threshold"
    priority: ClassVar[int] = 60

    def sniff(self, sample: Sample) -> bool:
        return _sniff_text(sample.head) in ("handle-summary", "machine-readable")

    def read(self, path: Path) -> Extraction:
        document = load_json(path)
        shape = summary_shape(document)
        if shape == "machine-readable":
            raise _machine_readable_error(document, path)
        if shape != "handle-summary":
            raise ArtifactError(Position(path, 1, 1), "not a k6 handleSummary object (no metrics with type and values)")
        metrics = [_handle_summary_metric(k, v, path) for k, v in document["metrics"].items()]
        return Extraction(
            adapter=self.name,
            adapter_version=self.version,
            measurements=measurements(metrics, read_checks(document, path)),
            tool_verdicts=[v for m in metrics for v in m.verdicts],
            info=_handle_summary_info(document),
        )


# ---------------------------------------------------------------------------- summary-export


def _export_kind(key: str, stats: set[str]) -> Kind:
    """The export drops ``type``: built-in names decide, else the set of value keys does."""
    kind = builtin_kind(split_metric_key(key)[0])
    if kind is not None:
        return kind
    if {"passes", "fails"} <= stats:
        return "rate"
    if stats == {"count", "rate"}:
        return "counter"
    if "value" in stats:
        return "gauge"
    return "trend"


def _export_stat(kind: Kind, value_key: str) -> str:
    # The export renames a Rate's ``rate`` to ``value``; reportgen keeps k6's handleSummary name.
    return "rate" if kind == "rate" and value_key == "value" else stat_name(value_key)


def _export_metric(key: str, raw: Any, path: Path) -> SummaryMetric:
    entry = _object(raw, path, ("metrics", key))
    stats = {k for k in entry if k != "thresholds"}
    kind = _export_kind(key, stats)
    metric = SummaryMetric(key, kind, builtin_contains(split_metric_key(key)[0]))
    for value_key in entry:
        if value_key != "thresholds":
            stat = _export_stat(kind, value_key)
            metric.values.append(_value(stat, entry[value_key], path, ("metrics", key, value_key)))
    for expression, crossed in _object(entry.get("thresholds") or {}, path, ("metrics", key, "thresholds")).items():
        if not isinstance(crossed, bool):
            raise ArtifactError(Position(path), f"threshold {expression!r} of {key}: expected true/false")
        selector = json_pointer("metrics", key, "thresholds", expression)
        # In the export ``true`` means the threshold was CROSSED (k6's summary-wrapper writes !ok).
        metric.verdicts.append(ToolVerdict(subject=key, expression=expression, ok=not crossed, selector=selector))
    return metric


def _unknown_unit_trends(metrics: list[SummaryMetric]) -> list[str]:
    return sorted(m.key for m in metrics if m.kind == "trend" and builtin_kind(split_metric_key(m.key)[0]) is None)


class K6SummaryExport:
    name: ClassVar[str] = "k6-summary-export"
    version: ClassVar[str] = "1"
    summary: ClassVar[str] = "k6 --summary-export JSON (legacy export): metrics, submetrics, checks, thresholds"
    priority: ClassVar[int] = 60

    def sniff(self, sample: Sample) -> bool:
        return _sniff_text(sample.head) == "summary-export"

    def read(self, path: Path) -> Extraction:
        document = load_json(path)
        if summary_shape(document) != "summary-export":
            raise ArtifactError(Position(path, 1, 1), "not a k6 --summary-export file (no metrics of plain numbers)")
        metrics = [_export_metric(k, v, path) for k, v in document["metrics"].items()]
        info: dict[str, str] = {}
        unknown = _unknown_unit_trends(metrics)
        if unknown:
            # The export has no ``contains``: a custom Trend may be a time (ms) or a plain number.
            info["unit_unknown"] = ",".join(unknown)
        return Extraction(
            adapter=self.name,
            adapter_version=self.version,
            measurements=measurements(metrics, read_checks(document, path)),
            tool_verdicts=[v for m in metrics for v in m.verdicts],
            info=info,
        )
