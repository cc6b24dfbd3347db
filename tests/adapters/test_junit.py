"""junit-xml: counts agree with pytest's own summary line and with an independent parser's results."""

from __future__ import annotations

import codecs
import gzip
import json
import re
from pathlib import Path

import pytest

from reportgen.adapters._base import read_sample
from reportgen.adapters.junit import JunitXml
from reportgen.errors import ArtifactError
from reportgen.schemas.measurement import Extraction

RUNS = Path(__file__).resolve().parent.parent / "fixtures" / "runs"


def value(extraction: Extraction, metric: str, stat: str, **labels: str) -> float | None:
    matches = [m for m in extraction.measurements if (m.metric, m.stat, m.labels) == (metric, stat, labels)]
    assert len(matches) == 1, f"{metric}/{stat}/{labels}: {len(matches)} matches"
    return matches[0].value


def selector(extraction: Extraction, metric: str, stat: str, **labels: str) -> str:
    return next(m.selector for m in extraction.measurements if (m.metric, m.stat, m.labels) == (metric, stat, labels))


def pytest_outcomes(stdout: Path) -> dict[str, int]:
    """pytest's final line, e.g. '= 3 failed, 5 passed, 1 skipped ... in 0.04s =' → {'failed': 3, ...}."""
    last = stdout.read_text().strip().splitlines()[-1]
    return {word: int(count) for count, word in re.findall(r"(\d+) (\w+)", last)}


@pytest.fixture
def xunit2(fixtures: Path) -> Path:
    return fixtures / "junit" / "pytest-9.2-xunit1-xunit2" / "junit-xunit2.xml"


@pytest.mark.parametrize("family", ["xunit1", "xunit2"])
def test_pytest_counts_match_pytest_summary_line(fixtures: Path, family: str) -> None:
    """Every count agrees with pytest's own summary line; an xpass is a pass and xfail is split from skipped."""
    case = fixtures / "junit" / "pytest-9.2-xunit1-xunit2"
    said = pytest_outcomes(case / f"pytest-stdout-{family}.txt")
    got = JunitXml().read(case / f"junit-{family}.xml")
    assert value(got, "failed", "count") == said["failed"] == 3
    assert value(got, "errors", "count") == said["error"] == 1
    assert value(got, "skipped", "count") == said["skipped"] == 1
    assert value(got, "xfailed", "count") == said["xfailed"] == 1
    assert value(got, "passed", "count") == said["passed"] + said["xpassed"] == 6
    assert value(got, "tests", "count") == 12
    assert value(got, "passed", "ratio") == 0.5
    assert got.warnings == []


def test_suite_attributes_are_the_selector_when_they_agree(xunit2: Path) -> None:
    """A recount equal to the suite's own attribute points at that attribute; computed counts are queries."""
    got = JunitXml().read(xunit2)
    suite = {"suite": "reportgen-fixture"}
    assert selector(got, "failed", "count", **suite) == "xml:/testsuites/testsuite[1]/@failures"
    assert selector(got, "tests", "count", **suite) == "xml:/testsuites/testsuite[1]/@tests"
    # pytest's skipped="2" counts the xfail too, so our skip count (1) is not that attribute.
    assert selector(got, "skipped", "count", **suite).startswith("query:count of testcase where suite=")
    assert value(got, "duration", "value", **suite) == 0.052
    assert selector(got, "duration", "value", **suite) == "xml:/testsuites/testsuite[1]/@time"


def test_per_case_durations_and_verdicts(xunit2: Path) -> None:
    """Each testcase gives its time in seconds and a verdict; skipped and xfailed cases decide nothing."""
    got = JunitXml().read(xunit2)
    suite = "reportgen-fixture"
    assert value(got, "duration", "value", suite=suite, case="test_sample::test_fail") == 0.001
    verdicts = {v.subject: v.ok for v in got.tool_verdicts}
    assert verdicts["test_sample::test_fail"] is False
    assert verdicts["test_sample::test_error_in_fixture"] is False
    assert verdicts["test_sample::test_xpass"] is True
    assert verdicts["test_sample.TestGroup::test_in_class_fails"] is False
    assert "test_sample::test_skipped" not in verdicts and "test_sample::test_xfail" not in verdicts
    assert len(verdicts) == 10
    assert got.info == {"hostname": "vm", "timestamp": "2026-11-22T20:15:23.181269+00:00"}


def test_horovod_counts_match_independent_parser(fixtures: Path) -> None:
    """Counts and suite duration agree with publish-unit-test-result-action's parse of the same file."""
    case = fixtures / "junit" / "public-pytest-horovod-fail"
    oracle = json.loads((case / "junit.fail.results.json").read_text())["stats"]
    got = JunitXml().read(case / "junit.fail.xml")
    assert value(got, "tests", "count") == oracle["tests"] == 5
    assert value(got, "passed", "count") == oracle["tests_succ"]
    assert value(got, "skipped", "count") == oracle["tests_skip"]
    assert value(got, "failed", "count") == oracle["tests_fail"]
    assert value(got, "errors", "count") == oracle["tests_error"]
    # The action reports the suites' time attribute rounded to whole seconds (2.481 → 2).
    assert round(value(got, "duration", "value") or 0) == oracle["duration"]
    assert value(got, "duration", "sum") == 21.908  # the test cases' own times add up to far more


def test_surefire_single_suite_root_and_wrong_failures_attribute(fixtures: Path) -> None:
    """A bare <testsuite> root reads; its failures="0" beside a <failure> child is recounted and flagged."""
    got = JunitXml().read(fixtures / "junit" / "public-surefire-java6" / "TEST-JUnitResults.xml")
    suite = {"suite": "hudson.plugins.performance.reports.UriReportTest"}
    assert value(got, "tests", "count") == value(got, "tests", "count", **suite) == 5
    assert value(got, "failed", "count", **suite) == 1
    assert selector(got, "failed", "count", **suite).startswith("query:")
    assert selector(got, "errors", "count", **suite) == "xml:/testsuite/@errors"
    assert [(w.line, 'failures="0"' in w.message) for w in got.warnings] == [(2, True)]


def test_teardown_error_twin_testcases_get_distinct_labels() -> None:
    """pytest writes a call failure plus teardown error as two testcases with one name; both are kept."""
    case = RUNS / "junit" / "pytest-9.2-teardown-errors"
    said = pytest_outcomes(case / "pytest-stdout.txt")
    got = JunitXml().read(case / "junit.xml")
    assert value(got, "failed", "count") == said["failed"] == 2
    assert value(got, "errors", "count") == said["errors"] == 2
    # pytest counts a test that passed and then errored in teardown as passed too; JUnit has only the error.
    assert value(got, "passed", "count") == said["passed"] - 1 == 2
    assert value(got, "tests", "count") == 6
    subjects = [v.subject for v in got.tool_verdicts]
    assert "test_teardown::test_fails_then_teardown_errors #2" in subjects
    assert "test_teardown.TestOuter.TestInner::test_nested" in subjects


def test_nested_suites_count_their_children(tmp_path: Path, xunit2: Path) -> None:
    """A suite nested in a suite is labelled parent/child, and the parent counts the nested cases once."""
    text = xunit2.read_text()
    inner = text[text.index("<testsuite ") : text.index("</testsuites>")]
    nested = tmp_path / "nested.xml"
    nested.write_text(f'<testsuites><testsuite name="outer" tests="12">{inner}</testsuite></testsuites>')
    got = JunitXml().read(nested)
    assert value(got, "tests", "count") == 12
    assert value(got, "tests", "count", suite="outer") == 12
    assert value(got, "failed", "count", suite="outer/reportgen-fixture") == 3
    assert got.warnings == []


def test_doctype_is_refused_with_its_line(tmp_path: Path, xunit2: Path) -> None:
    """A DTD (the door to entity expansion attacks) is refused, naming the line."""
    text = xunit2.read_text().replace("?>", '?>\n<!DOCTYPE x [<!ENTITY boom "boom">]>\n', 1)
    evil = tmp_path / "evil.xml"
    evil.write_text(text)
    with pytest.raises(ArtifactError, match="DOCTYPE") as caught:
        JunitXml().read(evil)
    assert caught.value.position.line == 2


def test_doctype_text_inside_cdata_is_fine(tmp_path: Path, xunit2: Path) -> None:
    """Captured output that merely contains '<!DOCTYPE' inside CDATA is not a DTD."""
    text = xunit2.read_text().replace(
        'time="0.000" />', 'time="0.000"><system-out><![CDATA[<!DOCTYPE html><html/>]]></system-out></testcase>', 1
    )
    path = tmp_path / "cdata.xml"
    path.write_text(text)
    assert value(JunitXml().read(path), "tests", "count") == 12


def test_truncated_file_names_line_and_column(tmp_path: Path, xunit2: Path) -> None:
    """A file cut off mid-write is an error with line and column, not a silent partial count."""
    data = xunit2.read_bytes()
    cut = tmp_path / "cut.xml"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ArtifactError, match="malformed XML") as caught:
        JunitXml().read(cut)
    assert caught.value.position.line is not None and caught.value.position.column is not None


def test_bad_time_attribute_is_an_error(tmp_path: Path, xunit2: Path) -> None:
    """A non-numeric time is reported at its element's line."""
    path = tmp_path / "bad-time.xml"
    path.write_text(xunit2.read_text().replace('time="0.001"', 'time="fast"', 1))
    with pytest.raises(ArtifactError, match="time='fast'"):
        JunitXml().read(path)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "gzip", "crlf"])
def test_encodings_and_compression(tmp_path: Path, xunit2: Path, encoding: str) -> None:
    """BOM, UTF-16 (declared), gzip and CRLF line ends give the same counts."""
    text = xunit2.read_text(encoding="utf-8")
    path = tmp_path / "junit.xml"
    if encoding == "utf-16":
        path.write_bytes(
            codecs.BOM_UTF16_LE + text.replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16-le")
        )
    elif encoding == "gzip":
        path = tmp_path / "junit.xml.gz"
        path.write_bytes(gzip.compress(text.encode()))
    elif encoding == "crlf":
        path.write_bytes(text.replace("\n", "\r\n").encode())
    else:
        path.write_text(text, encoding=encoding)
    got = JunitXml().read(path)
    assert JunitXml().sniff(read_sample(path))
    assert (value(got, "tests", "count"), value(got, "failed", "count")) == (12, 3)


def test_sniff_claims_junit_and_nothing_else(fixtures: Path) -> None:
    """Sniffing accepts both roots and refuses JMeter's XML JTL."""
    adapter = JunitXml()
    assert adapter.sniff(read_sample(fixtures / "junit" / "public-surefire-java6" / "TEST-JUnitResults.xml"))
    assert adapter.sniff(read_sample(fixtures / "junit" / "public-pytest-horovod-fail" / "junit.fail.xml"))
    assert not adapter.sniff(read_sample(fixtures / "jmeter" / "v2.13-csv-xml" / "results.xml"))


def test_other_root_element_is_refused(fixtures: Path) -> None:
    """A well-formed XML file that is not a test report is an error naming its root."""
    with pytest.raises(ArtifactError, match="root element is <testResults>"):
        JunitXml().read(fixtures / "jmeter" / "v2.13-csv-xml" / "results.xml")
