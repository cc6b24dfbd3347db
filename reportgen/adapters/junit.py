"""JUnit XML (pytest ``--junitxml``, Maven Surefire ``TEST-*.xml`` and the many tools that copy them).

The count attributes of ``<testsuite>`` are what the writer *claims*; reportgen
recounts the ``<testcase>`` children and warns when the two disagree (docs/FORMATS.md §7).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from reportgen import selectors
from reportgen.adapters._base import Sample
from reportgen.adapters._labels import UniqueNames
from reportgen.adapters._xml import XmlElement, parse_xml
from reportgen.errors import ArtifactError, Position
from reportgen.schemas.measurement import Extraction, ExtractWarning, Measurement, ToolVerdict

#: Outcome of one testcase, also the metric name of its count.
PASSED, FAILED, ERRORS, SKIPPED, XFAILED = "passed", "failed", "errors", "skipped", "xfailed"
OUTCOMES = (PASSED, FAILED, ERRORS, SKIPPED, XFAILED)

#: Suite attribute → the outcomes it counts. pytest's ``skipped`` includes xfails.
STATED_COUNTS: dict[str, tuple[str, ...]] = {
    "tests": OUTCOMES,
    "failures": (FAILED,),
    "errors": (ERRORS,),
    "skipped": (SKIPPED, XFAILED),
}

_ROOT = re.compile(r"^\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<testsuites?[\s>/]", re.DOTALL)


@dataclass
class Case:
    element: XmlElement
    label: str  # "classname::name", unique within its suite
    outcome: str
    seconds: float | None


@dataclass
class Scope:
    """The total (``labels == {}``) or one suite, with every testcase beneath it."""

    labels: dict[str, str]
    element: XmlElement
    own_cases: list[Case] = field(default_factory=list)  # its direct <testcase> children
    cases: list[Case] = field(default_factory=list)  # own cases and those of nested suites

    def count(self, *outcomes: str) -> int:
        return sum(1 for case in self.cases if case.outcome in outcomes)


def _outcome(testcase: XmlElement) -> str:
    if testcase.find("error") is not None:
        return ERRORS
    if testcase.find("failure") is not None:
        return FAILED
    skipped = testcase.find("skipped")
    if skipped is not None:
        return XFAILED if skipped.attrib.get("type") == "pytest.xfail" else SKIPPED
    return PASSED


def _seconds(element: XmlElement, path: Path) -> float | None:
    text = element.attrib.get("time", "").strip()
    if not text:
        return None
    where = Position(path, element.line, element.column)
    try:
        # Some writers (old Ant, Surefire in some locales) group thousands with a comma.
        seconds = float(text.replace(",", ""))
    except ValueError:
        raise ArtifactError(where, f"<{element.tag}> time={text!r} is not a number of seconds") from None
    if not math.isfinite(seconds):
        raise ArtifactError(where, f"<{element.tag}> time={text!r} is not a finite number of seconds")
    return seconds


def _stated(element: XmlElement, attribute: str, path: Path) -> int | None:
    text = element.attrib.get(attribute)
    if text is None or not text.strip():
        return None
    try:
        return int(float(text))
    except ValueError:
        raise ArtifactError(
            Position(path, element.line, element.column), f"<{element.tag}> {attribute}={text!r} is not a count"
        ) from None


def _suite_name(suite: XmlElement, parent: str | None) -> str:
    own = suite.attrib.get("name") or suite.path[-1]
    return f"{parent}/{own}" if parent else own


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.suite_names = UniqueNames()
        self.suites: list[Scope] = []
        self.warnings: list[ExtractWarning] = []

    def cases_of(self, element: XmlElement) -> list[Case]:
        unique = UniqueNames()
        cases = []
        for testcase in element.find_all("testcase"):
            name = testcase.attrib.get("name", "")
            classname = testcase.attrib.get("classname", "")
            label = unique(f"{classname}::{name}" if classname else name)
            cases.append(Case(testcase, label, _outcome(testcase), _seconds(testcase, self.path)))
        return cases

    def walk_suite(self, suite: XmlElement, parent: str | None) -> list[Case]:
        """Read a suite and the suites nested in it; return every testcase beneath it."""
        name = _suite_name(suite, parent)
        own_cases = self.cases_of(suite)
        scope = Scope({"suite": self.suite_names(name)}, suite, own_cases, list(own_cases))
        self.suites.append(scope)
        for nested in suite.find_all("testsuite"):
            scope.cases.extend(self.walk_suite(nested, name))
        return scope.cases

    def check_stated_counts(self, scope: Scope) -> None:
        for attribute, outcomes in STATED_COUNTS.items():
            stated = _stated(scope.element, attribute, self.path)
            counted = scope.count(*outcomes)
            if stated is not None and stated != counted:
                where = f"suite {scope.labels['suite']!r}" if scope.labels else f"<{scope.element.tag}>"
                self.warnings.append(
                    ExtractWarning(
                        message=f'{where} says {attribute}="{stated}" but its <testcase> elements count {counted}; '
                        "reportgen uses the count of test cases",
                        line=scope.element.line,
                    )
                )


def _count_selector(scope: Scope, metric: str, value: int, path: Path) -> str:
    """The suite's own attribute when it states exactly this number, else the recount as a query."""
    attribute = {"tests": "tests", FAILED: "failures", ERRORS: "errors", SKIPPED: "skipped"}.get(metric)
    same_meaning = metric != SKIPPED or scope.count(XFAILED) == 0
    if attribute and same_meaning and _stated(scope.element, attribute, path) == value:
        return selectors.xml_path(scope.element.path, attribute)
    outcome = {} if metric == "tests" else {"outcome": metric}
    return selectors.stream_query("count", "testcase", {**scope.labels, **outcome})


Figure = tuple[str, str, float, str, str]  # metric, stat, value, unit, selector


def _scope_figures(scope: Scope, path: Path) -> list[Figure]:
    """The counts, pass ratio and durations of one scope."""
    tests = len(scope.cases)
    figures: list[Figure] = [("tests", "count", tests, "count", _count_selector(scope, "tests", tests, path))]
    for outcome in OUTCOMES:
        counted = scope.count(outcome)
        figures.append((outcome, "count", counted, "count", _count_selector(scope, outcome, counted, path)))
    if tests:
        ratio = selectors.stream_query("passed/tests", "testcase", scope.labels)
        figures.append(("passed", "ratio", scope.count(PASSED) / tests, "ratio", ratio))
    return figures + _duration_figures(scope, path)


def _duration_figures(scope: Scope, path: Path) -> list[Figure]:
    figures: list[Figure] = []
    times = [case.seconds for case in scope.cases if case.seconds is not None]
    if times:
        summed = selectors.stream_query("sum", "testcase/@time", scope.labels)
        figures.append(("duration", "sum", math.fsum(times), "s", summed))
    stated_time = _seconds(scope.element, path)
    if stated_time is not None:
        figures.append(("duration", "value", stated_time, "s", selectors.xml_path(scope.element.path, "time")))
    elif not scope.labels:
        # pytest's <testsuites> root has no time: the run took as long as its suites (what CI summaries show).
        suite_times = [_seconds(suite, path) for suite in scope.element.find_all("testsuite")]
        known = [seconds for seconds in suite_times if seconds is not None]
        if known:
            summed = selectors.stream_query("sum", "testsuite/@time", {})
            figures.append(("duration", "value", math.fsum(known), "s", summed))
    return figures


def _scope_measurements(scope: Scope, path: Path) -> list[Measurement]:
    return [
        Measurement(metric=metric, stat=stat, value=value, unit=unit, labels=scope.labels, selector=selector)
        for metric, stat, value, unit, selector in _scope_figures(scope, path)
    ]


def _case_results(scope: Scope) -> tuple[list[Measurement], list[ToolVerdict]]:
    """Per own testcase: its duration, and its pass or fail as the tool's verdict (skips decide nothing)."""
    measurements: list[Measurement] = []
    verdicts: list[ToolVerdict] = []
    for case in scope.own_cases:
        if case.seconds is not None:
            measurements.append(
                Measurement(
                    metric="duration",
                    stat="value",
                    value=case.seconds,
                    unit="s",
                    labels={**scope.labels, "case": case.label},
                    selector=selectors.xml_path(case.element.path, "time"),
                )
            )
        if case.outcome not in (SKIPPED, XFAILED):
            verdicts.append(
                ToolVerdict(
                    subject=case.label,
                    expression="passed",
                    ok=case.outcome == PASSED,
                    selector=selectors.xml_path(case.element.path),
                )
            )
    return measurements, verdicts


def _run_info(suites: list[Scope]) -> dict[str, str]:
    info: dict[str, str] = {}
    for scope in suites:
        for key in ("hostname", "timestamp"):
            if key not in info and scope.element.attrib.get(key):
                info[key] = scope.element.attrib[key]
    return info


class JunitXml:
    name: ClassVar[str] = "junit-xml"
    version: ClassVar[str] = "1"
    summary: ClassVar[str] = "JUnit XML test report (pytest --junitxml, Maven Surefire, Gradle, …)"
    priority: ClassVar[int] = 50

    def sniff(self, sample: Sample) -> bool:
        return bool(_ROOT.match(sample.head))

    def read(self, path: Path) -> Extraction:
        root = parse_xml(path)
        if root.tag not in ("testsuites", "testsuite"):
            raise ArtifactError(
                Position(path, root.line, root.column), f"root element is <{root.tag}>, not <testsuites> or <testsuite>"
            )
        reader = _Reader(path)
        total = Scope({}, root)
        if root.tag == "testsuite":
            total.cases = reader.walk_suite(root, None)
        else:
            total.own_cases = reader.cases_of(root)  # not standard, but some merge tools put cases at the top
            total.cases = list(total.own_cases)
            for suite in root.find_all("testsuite"):
                total.cases.extend(reader.walk_suite(suite, None))
            reader.check_stated_counts(total)
        for scope in reader.suites:
            reader.check_stated_counts(scope)

        extraction = Extraction(adapter=self.name, adapter_version=self.version, info=_run_info(reader.suites))
        extraction.warnings = reader.warnings
        for scope in [total, *reader.suites]:
            extraction.measurements.extend(_scope_measurements(scope, path))
        for scope in [total, *reader.suites]:
            measurements, verdicts = _case_results(scope)
            extraction.measurements.extend(measurements)
            extraction.tool_verdicts.extend(verdicts)
        return extraction
