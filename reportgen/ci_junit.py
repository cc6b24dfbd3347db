"""``check --junit FILE``: each target of each checked release as a JUnit test case, so any CI lists them. Pure.

The layout is the Ant/Jenkins JUnit XML that Jenkins, GitLab, Azure DevOps, CircleCI and GitHub test-report
actions read (checked against Jenkins' junit-10.xsd in the tests): one ``testsuite`` per release, one
``testcase`` per target. pass: an empty test case; fail: ``failure`` with the value against the threshold;
unverified, missing and waived: ``skipped`` with the reason; invalid: ``error`` (a guard tripped, so the
figure could not be judged).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from reportgen import units
from reportgen.evaluate import verdict_label
from reportgen.schemas.report import ReleaseResult, TargetResult

_OUTCOME = {"fail": "failure", "invalid": "error", "unverified": "skipped", "missing": "skipped", "waived": "skipped"}
#: XML 1.0 cannot hold these even as character references: replaced, so tool text never breaks the file.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)


def _testcase(suite: ET.Element, release: str, target: TargetResult) -> str | None:
    case = ET.SubElement(
        suite, "testcase", {"classname": _clean(release), "name": _clean(f"{target.key}: {target.title}"), "time": "0"}
    )
    outcome = _OUTCOME.get(target.verdict)
    if outcome is None:
        return None
    value = units.format_value(target.value, target.unit)
    message = f"{verdict_label(target)}: {value} [{target.provenance}] against {target.rule}"
    child = ET.SubElement(case, outcome, {"type": target.verdict, "message": _clean(message)})
    child.text = _clean(target.reason)
    return outcome


def junit_xml(results: list[ReleaseResult]) -> bytes:
    """The JUnit XML document for ``results`` (newest first, as ``check`` lists them)."""
    root = ET.Element("testsuites", {"name": "reportgen check"})
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for result in results:
        suite = ET.SubElement(root, "testsuite", {"name": _clean(result.id)})
        properties = ET.SubElement(suite, "properties")
        for name, value in (
            ("verdict", result.verdict),
            ("date", result.manifest.date.isoformat()),
            ("evidence_digest", result.evidence_digest),
        ):
            ET.SubElement(properties, "property", {"name": name, "value": _clean(value)})
        outcomes = [_testcase(suite, result.id, t) for t in result.targets]
        counts = {
            "tests": len(outcomes),
            "failures": outcomes.count("failure"),
            "errors": outcomes.count("error"),
            "skipped": outcomes.count("skipped"),
        }
        suite.attrib.update({k: str(v) for k, v in counts.items()} | {"time": "0"})
        for key in totals:
            totals[key] += counts[key]
    root.attrib.update({k: str(v) for k, v in totals.items()} | {"time": "0"})
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"
