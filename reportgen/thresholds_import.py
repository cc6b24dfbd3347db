"""``reportgen import-thresholds``: the SLOs a k6 script or summary already states become targets.

Each threshold (``http_req_duration{name:checkout}: ['p(95)<200']``) becomes a metric entry measured
from one of the release's own k6 artifacts (the one that holds that statistic, with its unit) and a
target with the same comparator and threshold. What cannot be mapped is listed with the reason:
an expression reportgen has no comparator for (``!=``), a value computed by the script, a statistic
no artifact of the release holds. Nothing is guessed. release.yaml is changed atomically through
:mod:`reportgen.write`, keeping its comments and layout (ruamel round trip).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from reportgen import named_files, write
from reportgen.adapters import detect, extract, get
from reportgen.errors import UnresolvedReferenceError
from reportgen.k6_thresholds import Declared, read
from reportgen.load import PositionIndex, load_manifest, round_trip_yaml, validate
from reportgen.project import MANIFEST, Project
from reportgen.schemas.manifest import Manifest
from reportgen.schemas.measurement import Measurement, labels_yaml

#: ``p(95)<200``, ``rate < 0.01``, ``avg<=100``: aggregation, operator, number (k6's threshold grammar).
_EXPRESSION = re.compile(
    r"^\s*(?P<agg>avg|min|max|med|count|rate|value|p\(\s*(?P<p>\d+(?:\.\d+)?)\s*\))\s*"
    r"(?P<op><=|>=|===|==|!=|<|>)\s*(?P<number>-?\d+(?:\.\d+)?)\s*$"
)
#: Which k6 artifact answers first: the summaries hold k6's own numbers; streams are recomputed.
_PREFERENCE = ("k6-summary-export", "k6-handle-summary", "k6-json-stream", "k6-csv-stream")


@dataclass(frozen=True)
class AddedTarget:
    key: str  # the target's id in release.yaml (its metric id unless that was taken)
    metric: str
    comparator: str
    threshold: str
    declared: Declared

    def __str__(self) -> str:
        note = " (abortOnFail in k6; here a target like any other)" if self.declared.abort_on_fail else ""
        return f"{self.metric} {self.comparator} {self.threshold} ({self.declared.where}){note}"


@dataclass
class ImportResult:
    manifest: Path
    metrics: list[str] = field(default_factory=list)  # ids added
    targets: list[AddedTarget] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # thresholds the manifest already has as targets
    unsupported: list[str] = field(default_factory=list)  # "script.js:24: checks: rate!=0.5: why"


def _labels(key: str) -> tuple[str, dict[str, str]]:
    """``http_req_duration{name:checkout,method:GET}`` → (metric, labels); a tag value may hold ':'."""
    match = re.fullmatch(r"(?P<metric>[^{]+)(?:\{(?P<tags>.*)\})?", key.strip())
    if match is None:
        return key, {}
    tags: dict[str, str] = {}
    for pair in filter(None, (match.group("tags") or "").split(",")):
        name, _, value = pair.partition(":")
        tags[name.strip()] = value.strip()
    return match.group("metric").strip(), tags


def _stat(match: re.Match[str]) -> str:
    if match.group("p") is None:
        return match.group("agg")
    return "p" + format(Decimal(match.group("p")).normalize(), "f")


def _threshold(number: str, unit: str) -> str:
    """The threshold as release.yaml writes it: a ratio as a percentage, others with their unit."""
    if unit == "ratio":
        return format((Decimal(number) * 100).normalize(), "f") + " %"
    return f"{number} {unit}".strip()


def _metric_id(metric: str, stat: str, labels: dict[str, str], taken: set[str]) -> str:
    text = "_".join([metric, *labels.values(), stat])
    base = re.sub(r"_+", "_", re.sub(r"[^A-Za-z0-9_]", "_", text)).strip("_") or "threshold"
    base = base if not base[0].isdigit() else f"m_{base}"
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}_{n}", n + 1
    return candidate


def _k6_measurements(folder: Path, manifest: Manifest) -> list[tuple[str, list[Measurement]]]:
    """(artifact path, its measurements) for the release's k6 artifacts, summaries first."""
    found: list[tuple[int, str, list[Measurement]]] = []
    for _, ref in manifest.all_artifacts():
        path = folder / ref.path
        adapter = get(ref.format) if ref.format else detect(path)
        if adapter.name in _PREFERENCE:
            extraction = extract(path, ref.format)
            found.append((_PREFERENCE.index(adapter.name), ref.path, extraction.measurements))
    return [(path, measurements) for _, path, measurements in sorted(found, key=lambda item: item[0])]


def _find(
    artifacts: list[tuple[str, list[Measurement]]], metric: str, stat: str, labels: dict[str, str]
) -> tuple[str, Measurement] | None:
    for path, measurements in artifacts:
        for m in measurements:
            if m.metric == metric and m.stat == stat and m.labels == labels:
                return path, m
    return None


def _flow(mapping: dict[str, Any]) -> CommentedMap:
    node = CommentedMap(mapping)
    node.fa.set_flow_style()
    return node


def import_thresholds(project: Project, source: Path, release: str) -> ImportResult:
    """Add a target (and the metric it judges) for every threshold of ``source`` to ``release``'s manifest."""
    folder = project.release_dir(release)
    path = folder / MANIFEST
    if not path.is_file():
        raise UnresolvedReferenceError(f"{path}: no such release manifest; create it with `reportgen new {release}`")
    loaded = load_manifest(path)
    declared = read(source)
    artifacts = _k6_measurements(folder, loaded.manifest)
    if not artifacts:
        raise UnresolvedReferenceError(
            f"{path}: release {release} declares no k6 artifact (summary export, handleSummary JSON or stream); "
            "copy the file k6 wrote into the release folder and list it under artifacts first"
        )
    result = ImportResult(manifest=path)
    result.unsupported += [f"{u.where}: {u.text}: {u.reason}" for u in declared.unreadable]
    tree = round_trip_yaml().load(named_files.read_text(path, "utf-8-sig"))
    metrics = tree.setdefault("metrics", CommentedSeq())
    targets = tree.setdefault("targets", CommentedSeq())
    measured = {
        (
            m["measured"]["artifact"],
            m["measured"]["metric"],
            m["measured"]["stat"],
            tuple(sorted((m["measured"].get("labels") or {}).items())),
        ): m["id"]
        for m in metrics
        if isinstance(m, dict) and isinstance(m.get("measured"), dict)
    }
    taken = {str(m["id"]) for m in metrics if isinstance(m, dict) and "id" in m}
    target_keys = {str(t.get("id") or t.get("metric")) for t in targets if isinstance(t, dict)}
    existing = {
        (str(t.get("metric")), str(t.get("comparator")), str(t.get("threshold")))
        for t in targets
        if isinstance(t, dict)
    }
    for threshold in declared.declared:
        _add(threshold, artifacts, result, metrics, targets, measured, taken, target_keys, existing)
    if result.targets:
        buffer = io.StringIO()
        round_trip_yaml().dump(tree, buffer)
        text = buffer.getvalue()
        check = round_trip_yaml().load(text)
        validate(Manifest, check, PositionIndex(path, check))  # never write a manifest that would not load
        write.write_file(path, text.encode("utf-8"))
    return result


def _add(
    threshold: Declared,
    artifacts: list[tuple[str, list[Measurement]]],
    result: ImportResult,
    metrics: CommentedSeq,
    targets: CommentedSeq,
    measured: dict[tuple[Any, ...], str],
    taken: set[str],
    target_keys: set[str],
    existing: set[tuple[str, str, str]],
) -> None:
    where = f"{threshold.where}: {threshold.key}: {threshold.expression}"
    match = _EXPRESSION.match(threshold.expression)
    if match is None:
        result.unsupported.append(f"{where}: not `aggregation operator number` (k6's threshold grammar)")
        return
    if match.group("op") == "!=":
        result.unsupported.append(f"{where}: reportgen has no != comparator (targets use < <= > >= ==)")
        return
    metric, labels = _labels(threshold.key)
    stat = _stat(match)
    found = _find(artifacts, metric, stat, labels)
    if found is None:
        result.unsupported.append(
            f"{where}: no k6 artifact of this release holds {stat} of {metric}"
            + (f" {labels_yaml(labels)}" if labels else "")
            + " (a summary holds only its summaryTrendStats, and a submetric only for a threshold that ran)"
        )
        return
    artifact, measurement = found
    key = (artifact, metric, stat, tuple(sorted(labels.items())))
    metric_id = measured.get(key)
    if metric_id is None:
        metric_id = _metric_id(metric, stat, labels, taken)
        taken.add(metric_id)
        measured[key] = metric_id
        source: dict[str, Any] = {"artifact": artifact, "metric": metric, "stat": stat}
        if labels:
            source["labels"] = _flow(labels)
        entry = CommentedMap({"id": metric_id, "title": f"{stat} of {threshold.key}", "measured": _flow(source)})
        metrics.append(entry)
        result.metrics.append(metric_id)
    comparator = "==" if match.group("op") == "===" else match.group("op")
    value = _threshold(match.group("number"), measurement.unit)
    if (metric_id, comparator, value) in existing:
        result.already.append(f"{where}: already a target ({metric_id} {comparator} {value})")
        return
    target = CommentedMap({"metric": metric_id, "comparator": comparator, "threshold": value})
    if metric_id in target_keys:
        target.insert(0, "id", _metric_id(metric_id, "", {}, target_keys))
    target_keys.add(str(target.get("id", metric_id)))
    existing.add((metric_id, comparator, value))
    targets.append(target)
    result.targets.append(AddedTarget(str(target.get("id", metric_id)), metric_id, comparator, value, threshold))
