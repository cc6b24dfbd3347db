"""``check --summary FILE`` and ``check --junit FILE``: where the CI reports go, and what they are built from.

The renderers are pure (:mod:`reportgen.ci_summary`, :mod:`reportgen.ci_junit`); this module guards the
output paths before anything is read, analyses the baselines the checked releases compare against, and
writes both files through :mod:`reportgen.write`.
"""

from __future__ import annotations

from pathlib import Path

from reportgen import named_files, outputs, write
from reportgen.analyse import analyse
from reportgen.ci_junit import junit_xml
from reportgen.ci_summary import HEADING, summary_markdown
from reportgen.compare import compare
from reportgen.engine import read_config, site_url
from reportgen.gate import Gate
from reportgen.project import Project
from reportgen.samples import SampleSource
from reportgen.schemas.report import ComparisonRow, ReleaseResult


def _summary_is_ours(path: Path) -> bool:
    """Empty (as CI hands out $GITHUB_STEP_SUMMARY) or an earlier summary of reportgen's."""
    with named_files.open_file(path) as stream:
        head = stream.read(len(HEADING.encode()))
    return not head or head == HEADING.encode()


def _junit_is_ours(path: Path) -> bool:
    with named_files.open_file(path) as stream:
        head = stream.read(200)
    return not head or b'<testsuites name="reportgen check"' in head


def guard(project: Project, summary: Path | None, junit: Path | None) -> tuple[Path | None, Path | None]:
    """The two files to write, refused before anything is read if either would replace what is not ours."""
    return (
        outputs.guard_output_file(project, summary, what="summary", ours=_summary_is_ours) if summary else None,
        outputs.guard_output_file(project, junit, what="JUnit report", ours=_junit_is_ours) if junit else None,
    )


def baselines(project: Project, results: list[ReleaseResult]) -> dict[str, ReleaseResult]:
    """Every checked release's baseline, analysed (reusing a checked one where it is the same release)."""
    have = {r.id: r for r in results}
    wanted = sorted({r.manifest.baseline for r in results if r.manifest.baseline} - set(have))
    return have | {r.id: r for r in (analyse(project, wanted) if wanted else [])}


def comparisons(
    project: Project, results: list[ReleaseResult], known: dict[str, ReleaseResult]
) -> dict[str, list[ComparisonRow]]:
    """Each checked release against its baseline, tested for noise from the raw samples as the release page is."""
    samples = SampleSource.of(project)
    return {
        r.id: compare(r, known[r.manifest.baseline], samples)
        for r in results
        if r.manifest.baseline and r.manifest.baseline in known
    }


def write_reports(
    project: Project, results: list[ReleaseResult], gates: list[Gate], summary: Path | None, junit: Path | None
) -> None:
    """Write the summary and the JUnit report (either may be None) for the checked ``results``."""
    if summary is not None:
        version = (read_config(project.mkdocs_yml).get("extra") or {}).get("version") or {}
        versioned = isinstance(version, dict) and version.get("provider") == "mike"
        known = baselines(project, results)
        rows = comparisons(project, results, known)
        text = summary_markdown(results, gates, known, rows, site_url(project.mkdocs_yml), versioned)
        write.write_file(summary, text.encode())
    if junit is not None:
        write.write_file(junit, junit_xml(results))
