"""Command line: parse arguments, call the library, turn ReportgenError into a message and an exit code.

Exit codes: see :mod:`reportgen.exits` (0 every checked release passes; 1 one does not; 2 input invalid).
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reportgen import __version__, units
from reportgen.adapters import names as adapter_names
from reportgen.errors import ErrorGroup, ReportgenError
from reportgen.exits import EXIT_INVALID, EXIT_NOT_PASS, EXIT_OK, help_table
from reportgen.schemas.measurement import labels_yaml

if TYPE_CHECKING:  # the commands import the library lazily, so --help stays fast
    from reportgen.gate import Gate
    from reportgen.project import Project
    from reportgen.schemas.check import CheckRelease
    from reportgen.schemas.report import ReleaseResult


def _project(args: argparse.Namespace) -> Project:
    from reportgen.project import find_project

    return find_project(Path(args.project))


def cmd_init(args: argparse.Namespace) -> int:
    from reportgen.scaffold import init

    written = init(Path(args.dir), args.install)
    print(f"Created a report repository in {args.dir}: {', '.join(written)}")
    print(f"Next: cd {args.dir} && reportgen new v1.0.0")
    return EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from reportgen.scaffold import new_release

    made = new_release(_project(args), args.release, args.from_release, dt.date.today())
    print(f"Created {made.path}" + (f" from {args.from_release}" if args.from_release else ""))
    if args.from_release:
        print(
            f"  copied: {', '.join(made.copied) or 'nothing'}; set baseline: {args.from_release}, status: draft, date"
        )
        if made.carried:
            print(
                f"  carried over (typed projections, marked 'not re-estimated' until edited): {', '.join(made.carried)}"
            )
        if made.dropped:
            print(f"  not copied (they belong to {args.from_release}): {', '.join(made.dropped)}")
    return EXIT_OK


def _verdict_table(result: ReleaseResult) -> str:
    from reportgen.evaluate import verdict_label

    rows = [("target", "severity", "threshold", "value", "verdict")]
    for t in result.targets:
        value = units.format_value(t.value, t.unit)
        rows.append(
            (
                t.key,
                t.target.severity,
                f"{t.target.comparator} {t.threshold}",
                f"{value} [{t.provenance}]",
                verdict_label(t),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def cmd_check(args: argparse.Namespace) -> int:
    from reportgen import ci_report
    from reportgen.analyse import analyse
    from reportgen.evaluate import counts_text
    from reportgen.gate import NO_RELEASES, GateOptions, exit_code, gate, select_releases
    from reportgen.lint import lint
    from reportgen.signoffs import describe as describe_signoff

    project = _project(args)
    summary, junit = ci_report.guard(project, args.summary, args.junit)  # refused before anything is read
    wanted = select_releases(project, args.releases, args.latest)
    if not wanted:
        if args.json:
            print("[]")
        print(f"error: {NO_RELEASES}", file=sys.stderr)
        return EXIT_NOT_PASS
    results = analyse(project, wanted)
    findings = lint(project, results)
    gates = gate(results, GateOptions(strict=args.strict, require_signoff=args.require_signoff), findings)
    if args.json:
        print(
            json.dumps(
                [_check_json(r, g).model_dump(mode="json") for r, g in zip(results, gates, strict=True)],
                indent=2,
                allow_nan=False,  # JSON has no Infinity or NaN: refused inputs never get this far
            )
        )
    for result in results:
        if not args.json:
            counts = counts_text(result.targets)
            print(
                f"{result.id} ({result.manifest.date}): {result.verdict.upper()}" + (f" — {counts}" if counts else "")
            )
            print(
                _verdict_table(result)
                if result.targets
                else "  (no targets: nothing is validated, so it is not a pass)"
            )
            for target in result.targets:
                if target.verdict != "pass":
                    print(f"  {target.key}: {target.reason}")
            if result.verdict == "no targets" and result.targets:
                print("  no must-target: should-targets are reported but do not decide the release")
            for state in result.signoffs:
                print(f"  sign-off: {describe_signoff(state)}")
            print()
        _print_warnings(result)
    for finding in findings:
        print(finding, file=sys.stderr)
    for release_gate in gates:
        for reason in release_gate.reasons:
            print(f"not passing: {release_gate.release}: {reason}", file=sys.stderr)
    ci_report.write_reports(project, results, gates, summary, junit)
    return exit_code(gates)


def cmd_import_thresholds(args: argparse.Namespace) -> int:
    from reportgen.thresholds_import import import_thresholds

    result = import_thresholds(_project(args), Path(args.source), args.release)
    added = len(result.targets)
    print(f"{result.manifest}: {added} target{'' if added == 1 else 's'} added ({len(result.metrics)} new metrics)")
    for target in result.targets:
        print(f"  + {target}")
    for line in result.already:
        print(f"  = {line}")
    if result.unsupported:
        print(f"not imported ({len(result.unsupported)}):")
        for line in result.unsupported:
            print(f"  ! {line}")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from reportgen.legacy_import import import_legacy

    manifest, legacy = import_legacy(_project(args), Path(args.report), args.release, dt.date.today())
    print(
        f"{manifest}: draft release with {len(legacy.metrics)} projected metrics and {len(legacy.targets)} targets "
        f"from {args.report} (kept as an attachment); nothing in it can pass until measured"
    )
    print(f"not mapped ({len(legacy.not_mapped)}):")
    for line in legacy.not_mapped:
        print(f"  ! {line}")
    for line in legacy.repaired:
        print(f"  repaired: {line}")
    return EXIT_OK


def _check_json(result: ReleaseResult, release_gate: Gate) -> CheckRelease:
    from reportgen.schemas.check import CheckAcknowledged, CheckGate, CheckRelease, CheckTarget

    return CheckRelease(
        release=result.id,
        verdict=result.verdict,
        counts=result.counts,
        evidence_digest=result.evidence_digest,
        targets=[
            CheckTarget(
                id=t.key,
                severity=t.target.severity,
                comparator=t.target.comparator,
                threshold=t.threshold,
                value=t.value,
                unit=t.unit,
                provenance=t.provenance,
                verdict=t.verdict,
                reason=t.reason,
                projected_to_miss=t.projected_to_miss,
            )
            for t in result.targets
        ],
        gate=CheckGate(passes=release_gate.ok, reasons=release_gate.reasons),
        warnings=result.warnings,
        warning_ids=[f.id for f in result.loud],
        acknowledged=[
            CheckAcknowledged(id=f.id, message=f.message, reason=f.acknowledged or "")
            for f in result.findings
            if f.acknowledged
        ],
    )


def _print_warnings(result: ReleaseResult) -> None:
    """Each warning not acknowledged, with the id a manifest acknowledges it by; acknowledged ones stay quiet."""
    for finding in result.loud:
        print(f"warning: {result.id}: {finding.message} [{finding.id}]", file=sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    from reportgen.build import build

    project = _project(args)
    results = build(project, Path(args.site_dir) if args.site_dir else None, engine=args.engine)
    for result in results:
        _print_warnings(result)
    count = f"{len(results)} release" + ("" if len(results) == 1 else "s")
    print(f"Built {count} into {args.site_dir or project.site}")
    return EXIT_OK


def cmd_deploy(args: argparse.Namespace) -> int:
    from reportgen import publish

    project = _project(args)
    if args.list:
        for v in publish.published(project, args.branch):
            shown = f" [{', '.join(v.aliases)}]" if v.aliases else ""
            title = f" {v.title!r}" if v.title != v.version else ""
            verdict = f" {v.verdict.upper()}" if v.verdict else ""
            print(f"{v.version}{title}{shown}{verdict}{'  (default)' if v.default else ''}")
        return EXIT_OK
    if args.latest:
        from reportgen.gate import newest_release

        args.release = newest_release(project, project.release_ids()) if project.release_ids() else None
    if not args.release:
        print("error: deploy needs a RELEASE (or --latest, or --list) and results/ a release", file=sys.stderr)
        return EXIT_INVALID
    aliases = [] if args.no_alias else (args.alias or ["latest"])
    done = publish.deploy(
        project, args.release, aliases=aliases, title=args.title, branch=args.branch, remote=args.remote, push=args.push
    )
    where = f"{done.branch}" + (f" as {', '.join(done.aliases)}" if done.aliases else "")
    print(
        f"{done.release}: deployed to {where}"
        if done.changed
        else f"{done.release}: already on {where}; nothing changed"
    )
    for alias, holder in done.kept.items():
        print(f"  {alias} stays on {holder}, which is newer than {done.release}")
    if done.default:
        print(f"  default version: {done.default}")
    if done.pushed:
        print(f"  pushed {done.branch} to {done.pushed}")
    return EXIT_OK


def cmd_bundle(args: argparse.Namespace) -> int:
    from reportgen.bundle import bundle

    folder, archive = bundle(_project(args), args.release, Path(args.output) if args.output else None)
    print(f"{args.release}: offline site in {folder} (open index.html), archived as {archive}")
    return EXIT_OK


def cmd_pdf(args: argparse.Namespace) -> int:
    from reportgen.pdf import pdf

    path = pdf(_project(args), args.release, Path(args.output) if args.output else None)
    print(f"{args.release}: report printed to {path}")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from reportgen.serve import serve

    serve(_project(args), args.dev_addr)
    return EXIT_OK


def cmd_extract(args: argparse.Namespace) -> int:
    from reportgen.adapters import extract, percentile_of_stat

    requested = [p for text in args.percentile if (p := percentile_of_stat(f"p{text}")) is not None]
    extraction = extract(Path(args.file), args.format, requested)

    def wanted(metric: str, labels: dict[str, str]) -> bool:
        return (not args.metric or metric == args.metric) and all(labels.get(k) == v for k, v in args.label)

    measurements = [m for m in extraction.measurements if wanted(m.metric, m.labels)]
    if args.series:
        series = [s for s in extraction.series if wanted(s.metric, s.labels)]
        if args.json:
            print(
                json.dumps([s.model_dump(mode="json") for s in series], indent=2, ensure_ascii=False, allow_nan=False)
            )
        for s in [] if args.json else series:
            span = f"{len(s.points)} points" + (
                f", t = {s.points[0][0]:.0f} … {s.points[-1][0]:.0f} s" if s.points else ""
            )
            print(f"{s.metric:<28} {s.stat:<8} {s.unit:<6} {labels_yaml(s.labels) if s.labels else '':<24} {span}")
        return EXIT_OK
    if args.json:
        items = [
            {
                "metric": m.metric,
                "stat": m.stat,
                "value": m.value,
                "unit": m.unit,
                "labels": m.labels,
                "selector": m.selector,
                **({"estimator": m.estimator} if m.estimator else {}),
            }
            for m in measurements
        ]
        print(json.dumps(items, indent=2, ensure_ascii=False, allow_nan=False))
    else:
        print(
            f"{args.file}: read by {extraction.adapter} (adapter v{extraction.adapter_version}), "
            f"{len(measurements)} of {len(extraction.measurements)} measurements"
        )
        for key, value in sorted(extraction.info.items()):
            print(f"  {key}: {value}")
        print(f"{'metric':<28} {'stat':<8} {'value':>16}  labels (write them in release.yaml as shown)")
        for m in measurements:
            labels = labels_yaml(m.labels) if m.labels else ""
            print(f"{m.metric:<28} {m.stat:<8} {units.format_value(m.value, m.unit):>16}  {labels}")
        for verdict in extraction.tool_verdicts:
            print(f"tool verdict: {verdict.subject} {verdict.expression}: {'ok' if verdict.ok else 'NOT OK'}")
    for warning in extraction.warnings:
        print(f"warning: {args.file}:{warning.line or ''}: {warning.message}", file=sys.stderr)
    return EXIT_OK


def cmd_sign(args: argparse.Namespace) -> int:
    from reportgen.sign import sign
    from reportgen.signoffs import describe

    signed = sign(
        _project(args),
        args.release,
        role=args.role,
        name=args.name,
        decision=args.decision,
        today=dt.date.today(),
        comment=args.comment,
        key=Path(args.key) if args.key else None,
    )
    print(f"Signed {args.release} in {signed.path}: {describe(signed.state)}")
    print(f"  evidence digest {signed.signoff.evidence_digest}")
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from reportgen.explain import explain

    sys.stdout.write(explain(_project(args), args.release, args.figure))
    return EXIT_OK


def cmd_verify(args: argparse.Namespace) -> int:
    from reportgen.verify import verify

    report = verify(Path(args.path or args.project), Path(args.site_dir) if args.site_dir else None)
    for mismatch in report.mismatches:
        print(mismatch)
    checked = (
        f"{len(report.releases)} release(s) in {report.site}: {report.files_hashed} files hashed, "
        f"{report.claims_compared} claims recomputed, {report.figures_compared} page figures compared"
    )
    if report.ok:
        print(f"verified: {checked}; everything matches")
        return EXIT_OK
    print(f"NOT VERIFIED: {len(report.mismatches)} mismatch(es); {checked}")
    return EXIT_NOT_PASS


def cmd_compare(args: argparse.Namespace) -> int:
    from reportgen.comparison import as_json, as_text, compare_releases, must_regressions

    rows = compare_releases(_project(args), args.old, args.new)
    if args.json:
        print(json.dumps(as_json(rows, args.old, args.new), indent=2, ensure_ascii=False))
    else:
        print(as_text(rows, args.old, args.new))
    regressed = must_regressions(rows)
    if regressed and not args.json:
        print(f"REGRESSED: {', '.join(r.metric for r in regressed)} (judged by a must-target)")
    return EXIT_NOT_PASS if regressed else EXIT_OK


def _label(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key, value


def cmd_schema(args: argparse.Namespace) -> int:
    from pydantic import BaseModel, TypeAdapter

    from reportgen.claims import ClaimsDocument, SiteIndex, json_schema
    from reportgen.schemas.check import CheckRelease
    from reportgen.schemas.manifest import Manifest, SignOffs

    if args.check:
        schema = TypeAdapter(list[CheckRelease]).json_schema()
        schema["title"] = "reportgen check --json"
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    else:
        models: dict[str, type[BaseModel]] = {"signoffs": SignOffs, "claims": ClaimsDocument, "index": SiteIndex}
        model: type[BaseModel] = next((m for flag, m in models.items() if getattr(args, flag)), Manifest)
        schema = json_schema(model)
    text = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    if args.output:
        from reportgen.errors import ProjectError
        from reportgen.outputs import guard_output_file, is_json_schema
        from reportgen.write import write_file

        try:
            project: Project | None = _project(args)
        except ProjectError:
            project = None  # outside a report repository only the file itself is checked
        target = guard_output_file(project, Path(args.output), what="JSON Schema", ours=is_json_schema)
        write_file(target, text.encode())
        print(f"Wrote {args.output}")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="reportgen",
        description="Release validation reports computed from raw test artifacts, rendered as an MkDocs site.",
        epilog=help_table(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    main.add_argument("--version", action="version", version=f"reportgen {__version__}")
    main.add_argument("-C", "--project", default=".", help="report repository (default: the current folder or above)")
    sub = main.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("init", help="scaffold a new report repository", description="Scaffold a new report repository.")
    p.add_argument("dir")
    p.add_argument(
        "--install",
        metavar="SPEC",
        help="what the CI workflow pip-installs (default: this reportgen's distribution at this version, "
        "or its git URL and commit when it was installed from git)",
    )
    p.set_defaults(run=cmd_init)

    p = sub.add_parser("new", help="create results/RELEASE/release.yaml", description="Create a release manifest.")
    p.add_argument("release")
    p.add_argument(
        "--from", dest="from_release", metavar="OLDER", help="copy scenarios, metrics and targets from OLDER"
    )
    p.set_defaults(run=cmd_new)

    p = sub.add_parser(
        "check",
        help="validate releases and print their verdicts",
        description="Validate releases and print their verdict tables. Without RELEASE, every release in "
        "results/ is checked; CI usually gates on the newest one with --latest.",
        epilog=help_table(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    which = p.add_mutually_exclusive_group()
    which.add_argument("releases", nargs="*", metavar="RELEASE", default=[], help="release ids to check")
    which.add_argument(
        "--latest", action="store_true", help="check only the newest release (manifest date, then version order)"
    )
    p.add_argument("--strict", action="store_true", help="also fail when a should-target does not pass")
    p.add_argument(
        "--require-signoff",
        action="store_true",
        help="also fail unless each checked release has a current (not stale) approval in signoffs.yaml",
    )
    p.add_argument("--json", action="store_true", help="print the verdicts as JSON (schema: reportgen schema --check)")
    p.add_argument(
        "--summary",
        type=Path,
        metavar="FILE",
        help="also write the verdicts as Markdown (for $GITHUB_STEP_SUMMARY or a pull-request comment)",
    )
    p.add_argument("--junit", type=Path, metavar="FILE", help="also write each target as a JUnit XML test case")
    p.set_defaults(run=cmd_check)

    p = sub.add_parser(
        "build",
        help="render site_docs/ and build the site with MkDocs",
        description="Render site_docs/releases/ and build site/ with MkDocs (strict).",
    )
    p.add_argument("--site-dir", help="build here instead of site/")
    p.add_argument(
        "--engine",
        choices=["mkdocs", "properdocs"],
        help="site builder (default: extra.reportgen.engine in mkdocs.yml, else mkdocs)",
    )
    p.set_defaults(run=cmd_build)

    p = sub.add_parser(
        "deploy",
        help="publish a release's site as a mike version on gh-pages",
        description="Build the site as of RELEASE and commit it to the gh-pages branch as a mike version "
        "(aliases as copies; an alias never moves to an older release). One deploy at a time per checkout.",
    )
    p.add_argument("release", nargs="?", metavar="RELEASE")
    p.add_argument("--latest", action="store_true", help="deploy the newest release (manifest date, then version)")
    p.add_argument("--alias", action="append", metavar="NAME", help="alias to point at RELEASE (default: latest)")
    p.add_argument("--no-alias", action="store_true", help="deploy without any alias")
    p.add_argument("--title", help="title in the version selector (default: the release id)")
    p.add_argument("--branch", default="gh-pages", help="branch to commit to (default gh-pages)")
    p.add_argument("--remote", default="origin", help="remote to sync with and push to (default origin)")
    p.add_argument("--push", action="store_true", help="fetch the remote's branch first, push it afterwards")
    p.add_argument("--list", action="store_true", help="list the published versions instead")
    p.set_defaults(run=cmd_deploy)

    p = sub.add_parser(
        "bundle",
        help="the site as of RELEASE for opening from disk, as a folder and a .zip",
        description="Build the site as of RELEASE to open from file:// (navigation, charts, search, no network) "
        "into a folder, and zip it beside it.",
    )
    p.add_argument("release", metavar="RELEASE")
    p.add_argument("-o", "--output", metavar="DIR", help="folder to write (default exports/RELEASE-site)")
    p.set_defaults(run=cmd_bundle)

    p = sub.add_parser(
        "pdf",
        help="print RELEASE's report to PDF with headless Chromium",
        description="Print RELEASE's report to PDF with Debian's chromium (through Playwright): header with release "
        "and verdict, page numbers, no row or chart cut by a page break.",
    )
    p.add_argument("release", metavar="RELEASE")
    p.add_argument("-o", "--output", metavar="FILE", help="file to write (default exports/RELEASE.pdf)")
    p.set_defaults(run=cmd_pdf)

    p = sub.add_parser(
        "serve",
        help="build and serve locally, rebuilding on changes",
        description="Build, serve on localhost, rebuild when results or templates change.",
    )
    p.add_argument("-a", "--dev-addr", default="127.0.0.1:8000", help="address to serve on (default 127.0.0.1:8000)")
    p.set_defaults(run=cmd_serve)

    p = sub.add_parser(
        "extract",
        help="show what an adapter reads from one artifact",
        description="Show the measurements an adapter reads from one artifact.",
    )
    p.add_argument("file")
    p.add_argument("--format", help=f"adapter name (default: sniffed): {', '.join(adapter_names())}")
    p.add_argument("--json", action="store_true", help="print a JSON array of measurements")
    p.add_argument(
        "--percentile", action="append", default=[], metavar="N", help="also compute pN from raw samples (e.g. 97.5)"
    )
    p.add_argument("--series", action="store_true", help="the time series (per second or per interval) instead")
    p.add_argument("--metric", help="only this metric (e.g. http_req_duration)")
    p.add_argument(
        "--label", action="append", default=[], type=_label, metavar="KEY=VALUE", help="only slices with this label"
    )
    p.set_defaults(run=cmd_extract)

    p = sub.add_parser(
        "sign",
        help="append a sign-off over the release's current evidence to signoffs.yaml",
        description="Append a sign-off to results/RELEASE/signoffs.yaml with today's date and the release's "
        "current evidence digest (comments and layout kept); with --key, sign it with ssh-keygen -Y sign.",
    )
    p.add_argument("release", metavar="RELEASE")
    p.add_argument("--role", required=True, help='e.g. "QA lead"')
    p.add_argument("--name", required=True, help="who signs")
    p.add_argument("--decision", required=True, choices=("approve", "reject", "conditional"))
    p.add_argument("--comment", help="why, in one or two sentences")
    p.add_argument("--key", metavar="SSH_KEY", help="a private SSH key to sign with (checked against allowed_signers)")
    p.set_defaults(run=cmd_sign)

    p = sub.add_parser(
        "explain",
        help="the chain behind one figure: artifact, hash, selector, raw excerpt, conversions, guards, verdict rule",
        description="Explain one figure of a release: its artifact, SHA-256, adapter, selector, the raw excerpt "
        "holding the value, unit conversions, derived inputs with their values, guards and the verdict rule.",
    )
    p.add_argument("release", metavar="RELEASE")
    p.add_argument("figure", metavar="FIGURE", help="a target id, a metric id, or an evidence-page anchor")
    p.set_defaults(run=cmd_explain)

    p = sub.add_parser(
        "import-thresholds",
        help="turn a k6 script's or summary's thresholds into targets of a release",
        description="Add a target (and the metric it judges, measured from the release's k6 artifacts) for every "
        "threshold a k6 script or summary declares; what cannot be mapped is listed, not guessed.",
    )
    p.add_argument("source", help="a k6 script (.js) or a handleSummary / --summary-export JSON file")
    p.add_argument("--release", required=True, help="the release whose release.yaml gets the targets")
    p.set_defaults(run=cmd_import_thresholds)

    p = sub.add_parser(
        "import",
        help="start a draft release from a hand-written report",
        description="Turn a hand-written Markdown report into results/RELEASE/: header fields, targets, every "
        "stated number as a projected metric, prose as narrative, the report as an attachment.",
    )
    p.add_argument("report", help="the hand-written report (Markdown)")
    p.add_argument("--release", required=True, help="a new release id (its folder must not exist)")
    p.set_defaults(run=cmd_import)

    p = sub.add_parser(
        "verify",
        help="recompute a built site from its raw copies (and from results/) and compare",
        description="Recompute every figure of a built site from the raw copies it holds and compare with "
        "claims.json and the pages; in a checkout, also recompute from results/. "
        "Exit 0 everything matches, 1 a mismatch (each listed), 2 unreadable input.",
    )
    p.add_argument("path", nargs="?", help="a built site folder, or a report repository (default: -C or here)")
    p.add_argument("--site-dir", help="in a repository, the built site to check (default: site/)")
    p.set_defaults(run=cmd_verify)

    p = sub.add_parser(
        "compare",
        help="compare two releases' figures, each change tested for noise",
        description="Compare NEW's figures with OLD's: signed changes, 95 % bootstrap intervals where both have raw "
        "samples, and improved / regressed / no significant change / not tested for noise. "
        "Exit 0 no must-target's metric regressed significantly, 1 one did, 2 invalid input.",
    )
    p.add_argument("old", help="the baseline release id")
    p.add_argument("new", help="the release to judge against it")
    p.add_argument("--json", action="store_true", help="the rows as JSON")
    p.set_defaults(run=cmd_compare)

    p = sub.add_parser(
        "schema",
        help="write the JSON Schema of release.yaml",
        description="Write the JSON Schema of release.yaml (or signoffs.yaml) for editors.",
    )
    p.add_argument("-o", "--output", help="file to write (default: standard output)")
    kind = p.add_mutually_exclusive_group()
    kind.add_argument("--signoffs", action="store_true", help="the schema of signoffs.yaml instead")
    kind.add_argument("--check", action="store_true", help="the schema of `reportgen check --json` output instead")
    kind.add_argument("--claims", action="store_true", help="the schema of a release's claims.json instead")
    kind.add_argument("--index", action="store_true", help="the schema of the site's releases/index.json instead")
    p.set_defaults(run=cmd_schema)
    return main


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.run(args)
        return code
    except ErrorGroup as exc:
        for error in exc.errors:
            print(f"error: {error}", file=sys.stderr)
        print(f"{len(exc.errors)} errors; nothing was written.", file=sys.stderr)
        return EXIT_INVALID
    except ReportgenError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head` and closed early: not an error. Point stdout at devnull so the
        # interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:
        # The file system or the network said no (a path that is a file, a port in use): say where.
        where = exc.filename or (f"address {args.dev_addr}" if getattr(args, "dev_addr", None) else "reportgen")
        hint = " (choose another with -a 127.0.0.1:PORT)" if exc.errno == errno.EADDRINUSE else ""
        print(f"error: {where}: {exc.strerror or exc}{hint}", file=sys.stderr)
        return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
