"""Gatling results: the text ``simulation.log`` and the HTML report's ``js/stats.json`` (docs/FORMATS.md §4).

* ``simulation.log`` (Gatling ≤ 3.12, tab-separated): every REQUEST record is read and the
  statistics are computed **exactly** (nearest rank); Gatling's own report uses a t-digest,
  so its percentiles are approximate and can differ by a few ms.
* The binary ``simulation.log`` of Gatling ≥ 3.13 (``_gatling_binary``): the same records, the same statistics.
* ``js/stats.json`` / ``js/global_stats.json``: Gatling's own figures, read as reported.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from reportgen.adapters._base import Sample, iter_lines, load_json
from reportgen.adapters._gatling_binary import BinaryLog, header_version, is_binary, read_binary_log
from reportgen.adapters._jmeter_stats import timing_measurements
from reportgen.errors import ArtifactError, Position
from reportgen.estimators import GATLING_TDIGEST, NEAREST_RANK, nearest_rank, percentile_name
from reportgen.schemas.measurement import Extraction, ExtractWarning, Measurement
from reportgen.selectors import json_pointer, stream_query

_RECORD_TYPES = ("RUN", "REQUEST", "USER", "GROUP", "ERROR", "ASSERTION")
_STATUSES = ("OK", "KO")
#: Percentiles computed from a text log; median is ``med`` (= p50), as Gatling's default indicators 50/75/95/99.
LOG_PERCENTILES = (0.5, 0.75, 0.95, 0.99)


@dataclass(frozen=True)
class GatlingRequest:
    position: int  # line number (text log) or byte offset (binary log)
    groups: str
    name: str
    start: int
    end: int
    ok: bool

    @property
    def response_time(self) -> int:
        return self.end - self.start


def _is_integer(text: str) -> bool:
    return text.strip().lstrip("-").isdigit()


def _parse_request(fields: list[str], path: Path, line: int) -> GatlingRequest:
    """A REQUEST record in any text layout, found from its status field backwards.

    Layouts: ``REQUEST groups name start end status msg`` (≥ 3.4), ``REQUEST userId groups name …`` (3.1–3.3),
    ``REQUEST scenario userId groups name …`` (2.x), and 2.x records with four timestamps
    (request start, request end, response start, response end: the time is response end − request start).
    """
    for index in range(3, len(fields)):
        if fields[index] not in _STATUSES:
            continue
        stamps = 0
        while stamps < 4 and index - stamps - 1 > 0 and _is_integer(fields[index - stamps - 1]):
            stamps += 1
        if stamps in (2, 4) and index - stamps - 2 >= 1:
            name_at = index - stamps - 1
            return GatlingRequest(
                line,
                fields[name_at - 1],
                fields[name_at],
                int(fields[index - stamps]),
                int(fields[index - 1]),
                fields[index] == "OK",
            )
    raise ArtifactError(Position(path, line), "REQUEST record without <name> <start> <end> OK|KO fields")


@dataclass
class _LogContent:
    requests: list[GatlingRequest]
    info: dict[str, str]
    warnings: list[ExtractWarning]


def _read_log(path: Path) -> _LogContent:
    requests: list[GatlingRequest] = []
    info: dict[str, str] = {"tool": "Gatling", "format": "simulation.log (text)"}
    warnings: list[ExtractWarning] = []
    lines = list(iter_lines(path, whole=True))
    for position, (number, text) in enumerate(lines):
        if not text.strip():
            continue
        fields = text.split("\t")
        kind = fields[0]
        if kind not in _RECORD_TYPES:
            raise ArtifactError(
                Position(path, number, 1),
                f"unknown record type {kind[:40]!r}; expected one of " + ", ".join(_RECORD_TYPES),
            )
        if kind == "RUN":
            info.update(_run_info(fields))
        elif kind == "REQUEST":
            try:
                requests.append(_parse_request(fields, path, number))
            except ArtifactError:
                if position != len(lines) - 1:
                    raise
                warnings.append(ExtractWarning(message="truncated last REQUEST record skipped", line=number))
    return _LogContent(requests, info, warnings)


def _run_info(fields: list[str]) -> dict[str, str]:
    """``RUN simulationClass simulationId startMs description version`` (2.0+)."""
    names = (
        "gatling.simulation",
        "gatling.simulation_id",
        "gatling.start_ms",
        "gatling.description",
        "gatling.version",
    )
    return {name: value.strip() for name, value in zip(names, fields[1:], strict=False) if value.strip()}


def _read_binary(path: Path) -> _LogContent:
    """The binary log's requests with absolute times (run start + offset), so both logs give the same numbers."""
    log = read_binary_log(path)
    start = log.header.start_ms
    requests = [
        GatlingRequest(r.offset, ",".join(r.groups), r.name, start + r.start, start + r.end, r.ok) for r in log.requests
    ]
    warnings = []
    if log.truncated_at is not None:
        warnings.append(
            ExtractWarning(
                message=f"record at byte offset {log.truncated_at} cut short by the end of the file "
                f"({log.size} bytes): skipped, the records before it are read"
            )
        )
    return _LogContent(requests, _binary_info(log), warnings)


def _binary_info(log: BinaryLog) -> dict[str, str]:
    header = log.header
    info = {
        "tool": "Gatling",
        "format": "simulation.log (binary)",
        "gatling.version": header.version,
        "gatling.simulation": header.simulation,
        "gatling.start_ms": str(header.start_ms),
        "gatling.start": datetime.fromtimestamp(header.start_ms / 1000, UTC).isoformat(timespec="milliseconds"),
        "gatling.scenarios": ", ".join(header.scenarios),
        "gatling.records": ", ".join(f"{count} {kind}" for kind, count in log.record_counts.items()),
    }
    if header.description:
        info["gatling.description"] = header.description
    if header.assertions:
        info["gatling.assertions"] = f"{len(header.assertions)} (boopickle-encoded, not decoded)"
    return info


def _slices(
    requests: Sequence[GatlingRequest],
) -> Iterator[tuple[dict[str, str], dict[str, str], list[GatlingRequest]]]:
    """(labels, query filters, requests): the total, then each request name (with its group path)."""
    yield {}, {}, list(requests)
    by_key: dict[tuple[str, str], list[GatlingRequest]] = defaultdict(list)
    for request in requests:
        by_key[(request.groups, request.name)].append(request)
    for (groups, name), items in by_key.items():
        labels = {"name": name, **({"group": groups} if groups else {})}
        yield labels, dict(labels), items


def _time_measurements(labels: dict[str, str], filters: dict[str, str], times: list[int]) -> list[Measurement]:
    def query(stat: str, estimator: str | None) -> str:
        return stream_query(stat, "end-start", {"record": "REQUEST", **filters}, estimator)

    ordered = sorted(times)
    percentiles = [(p, nearest_rank(ordered, p)) for p in LOG_PERCENTILES]
    out = timing_measurements(labels, times, query, percentiles, NEAREST_RANK)
    mean = math.fsum(times) / len(times)
    variance = math.fsum((t - mean) ** 2 for t in times) / len(times)
    stddev = Measurement(
        metric="response_time",
        stat="stddev",
        value=math.sqrt(variance),
        unit="ms",
        labels=labels,
        selector=query("stddev (population)", None),
    )
    return [*out, stddev]


def _log_measurements(requests: Sequence[GatlingRequest]) -> list[Measurement]:
    out: list[Measurement] = []
    for labels, filters, items in _slices(requests):

        def query(stat: str, extra: dict[str, str], flt: dict[str, str] = filters) -> str:
            return stream_query(stat, "records", {"record": "REQUEST", **flt, **extra})

        count = len(items)
        errors = sum(1 for r in items if not r.ok)
        span_s = (max(r.end for r in items) - min(r.start for r in items)) / 1000
        out += [
            Measurement(
                metric="requests", stat="count", value=count, unit="count", labels=labels, selector=query("count", {})
            ),
            Measurement(
                metric="requests",
                stat="rate",
                value=count / span_s if span_s > 0 else None,
                unit="/s",
                labels=labels,
                selector=query("count/((max(end)-min(start))/1000)", {}),
            ),
            Measurement(
                metric="errors",
                stat="count",
                value=errors,
                unit="count",
                labels=labels,
                selector=query("count", {"status": "KO"}),
            ),
            Measurement(
                metric="errors",
                stat="ratio",
                value=errors / count,
                unit="ratio",
                labels=labels,
                selector=query("ratio", {"status": "KO"}),
            ),
        ]
        out += _time_measurements(labels, filters, [r.response_time for r in items])
        ok_times = [r.response_time for r in items if r.ok]
        if ok_times:
            out += _time_measurements({**labels, "status": "OK"}, {**filters, "status": "OK"}, ok_times)
    return out


class GatlingLog:
    name: ClassVar[str] = "gatling-log"
    version: ClassVar[str] = "1"
    summary: ClassVar[str] = "Gatling simulation.log (text ≤ 3.12, binary ≥ 3.13); exact statistics per request name"
    priority: ClassVar[int] = 60

    def sniff(self, sample: Sample) -> bool:
        if sample.binary:
            return sample.name.endswith(".log") and header_version(sample.path) is not None
        first = sample.head.lstrip("\ufeff").split("\n", 1)[0]
        return first.split("\t", 1)[0] in ("RUN", "ASSERTION") and "\t" in first

    def read(self, path: Path) -> Extraction:
        content = _read_binary(path) if is_binary(path) else _read_log(path)
        if not content.requests:
            raise ArtifactError(Position(path), "no REQUEST records in the file")
        content.info["gatling.percentiles"] = f"{NEAREST_RANK}, exact over every request (Gatling's report: t-digest)"
        return Extraction(
            adapter=self.name,
            adapter_version=self.version,
            measurements=_log_measurements(content.requests),
            warnings=content.warnings,
            info=content.info,
        )


# ---------------------------------------------------------------- js/stats.json

#: ``percentilesN`` → the rank Gatling uses by default (``gatling.charting.indicators.percentileN``).
DEFAULT_PERCENTILE_RANKS = {"percentiles1": 0.5, "percentiles2": 0.75, "percentiles3": 0.95, "percentiles4": 0.99}
_TIME_STATS = {
    "minResponseTime": "min",
    "maxResponseTime": "max",
    "meanResponseTime": "avg",
    "standardDeviation": "stddev",
}
_STATUS_LABEL = {"total": None, "ok": "OK", "ko": "KO"}


def _stat_number(raw: Any, path: Path, where: str) -> float | None:
    """Gatling writes numbers as strings, ``"-"`` for none, sometimes padded and grouped (``"   81,714"``)."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return float(raw)
    if not isinstance(raw, str):
        raise ArtifactError(Position(path), f"{where}: expected a number as text, got {raw!r}")
    text = raw.strip().replace(",", "")
    if text in ("-", ""):
        return None
    try:
        value = float(text)
    except ValueError:
        raise ArtifactError(Position(path), f"{where}: {raw!r} is not a number") from None
    if not math.isfinite(value):
        raise ArtifactError(Position(path), f"{where}: {raw!r} is not a finite number")
    return value


class _StatsBlock:
    """One ``stats`` object with its JSON location and labels."""

    def __init__(self, path: Path, stats: dict[str, Any], tokens: tuple[str, ...], labels: dict[str, str]) -> None:
        self.path, self.stats, self.tokens, self.labels = path, stats, tokens, labels

    def value(self, key: str, status: str) -> tuple[float | None, str]:
        entry = self.stats.get(key)
        if not isinstance(entry, dict) or status not in entry:
            raise ArtifactError(Position(self.path), f"{'/'.join(self.tokens)}/{key}: missing {status!r}")
        where = json_pointer(*self.tokens, key, status)
        return _stat_number(entry[status], self.path, where), where

    def measurements(self) -> list[Measurement]:
        out: list[Measurement] = []
        for status, status_label in _STATUS_LABEL.items():
            labels = {**self.labels, **({"status": status_label} if status_label else {})}
            count, where = self.value("numberOfRequests", status)
            out.append(
                Measurement(metric="requests", stat="count", value=count, unit="count", labels=labels, selector=where)
            )
            rate, where = self.value("meanNumberOfRequestsPerSecond", status)
            out.append(
                Measurement(metric="requests", stat="rate", value=rate, unit="/s", labels=labels, selector=where)
            )
            for key, stat in _TIME_STATS.items():
                value, where = self.value(key, status)
                out.append(
                    Measurement(
                        metric="response_time", stat=stat, value=value, unit="ms", labels=labels, selector=where
                    )
                )
            for key, rank in DEFAULT_PERCENTILE_RANKS.items():
                value, where = self.value(key, status)
                out.append(
                    Measurement(
                        metric="response_time",
                        stat=percentile_name(rank),
                        value=value,
                        unit="ms",
                        labels=labels,
                        selector=where,
                        estimator=GATLING_TDIGEST,
                    )
                )
        out += self._errors()
        return out

    def _errors(self) -> list[Measurement]:
        total, _ = self.value("numberOfRequests", "total")
        ko, where = self.value("numberOfRequests", "ko")
        ko = ko or 0.0  # "-" means no failed request
        ratio = ko / total if total else None
        ratio_selector = f"{where} / {json_pointer(*self.tokens, 'numberOfRequests', 'total')}"
        return [
            Measurement(metric="errors", stat="count", value=ko, unit="count", labels=self.labels, selector=where),
            Measurement(
                metric="errors", stat="ratio", value=ratio, unit="ratio", labels=self.labels, selector=ratio_selector
            ),
        ]


def _walk(path: Path, node: dict[str, Any], tokens: tuple[str, ...], group: str | None) -> Iterator[_StatsBlock]:
    """The blocks of the stats.json tree: REQUEST → {name, group}, GROUP → {group: path}, root → {}."""
    stats = node.get("stats")
    if not isinstance(stats, dict):
        raise ArtifactError(Position(path), f"{json_pointer(*tokens)}: block without a 'stats' object")
    kind, name = node.get("type"), str(node.get("name", ""))
    if not tokens:
        labels: dict[str, str] = {}
    elif kind == "GROUP":
        labels = {"group": str(node.get("path") or name)}
    else:
        labels = {"name": name, **({"group": group} if group else {})}
    yield _StatsBlock(path, stats, (*tokens, "stats"), labels)
    contents = node.get("contents") or {}
    if not isinstance(contents, dict):
        raise ArtifactError(Position(path), f"{json_pointer(*tokens, 'contents')}: expected an object")
    inner_group = labels.get("group") if kind == "GROUP" and tokens else group
    for key, child in contents.items():
        if isinstance(child, dict):
            yield from _walk(path, child, (*tokens, "contents", key), inner_group)


class GatlingStatsJson:
    name: ClassVar[str] = "gatling-stats-json"
    version: ClassVar[str] = "1"
    summary: ClassVar[str] = "Gatling HTML report data js/stats.json or js/global_stats.json, as Gatling reported it"
    priority: ClassVar[int] = 60

    def sniff(self, sample: Sample) -> bool:
        head = sample.head
        return '"numberOfRequests"' in head and '"percentiles1"' in head and not head.lstrip().startswith("var ")

    def read(self, path: Path) -> Extraction:
        document = load_json(path)
        if not isinstance(document, dict):
            raise ArtifactError(Position(path, 1, 1), "expected a JSON object")
        if "stats" in document:
            blocks = list(_walk(path, document, (), None))
        elif "numberOfRequests" in document:  # global_stats.json: the stats object itself
            blocks = [_StatsBlock(path, document, (), {})]
        else:
            raise ArtifactError(Position(path, 1, 1), "neither a stats.json tree nor a global_stats.json block")
        measurements = [m for block in blocks for m in block.measurements()]
        root_name = str(blocks[0].stats.get("name", ""))
        info = {
            "tool": "Gatling",
            "format": "HTML report js/stats.json" if len(blocks) > 1 or "stats" in document else "js/global_stats.json",
            "gatling.global_block": root_name,
            "gatling.percentiles": "percentiles1..4 read as p50/p75/p95/p99 (Gatling's defaults); t-digest, rounded",
        }
        return Extraction(adapter=self.name, adapter_version=self.version, measurements=measurements, info=info)
