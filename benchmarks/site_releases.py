"""A synthetic site of N distinct releases (the example's three, each copy's measured times scaled by a factor of its
own): cold, no-change, one-release-changed and one-release-added build times, split into analysis and MkDocs, and
the HTML size of release pages and of the home page. The added release is what every project does each release: a
new folder whose baseline is the newest release. Each release also carries `--k6-copies` (default 2) more k6
scenarios, copies of its own k6 run, so that its page draws 19 charts, about the 20 of issue 18's site (an example
release alone draws 9).

Each build runs `reportgen build`'s stages in its own process (the cache under .reportgen-cache/ persists
between builds, as it does for a user); analysis and MkDocs are timed separately inside that process, and cpu
(user + system, the build's worker processes included) beside wall time. Release page sizes are printed for the
first and the last release, so growth with the number of releases shows.

Copied as they are, releases of one source would share every chart, comparison and sample, and the caches (keyed
by content) would draw each repeated chart once; so every copy's artifacts are perturbed (benchmarks/_distinct.py)
and the benchmark prints how many of the charts on the site are distinct. `--no-cache` adds a cold build with
REPORTGEN_NO_CACHE=1 first (not even a chart drawn twice in one build is drawn once).

Run: `.venv/bin/python benchmarks/site_releases.py [--releases 100]`
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from _distinct import factor, perturb, perturb_k6
from _measure import ROOT, machine, measure, python

BUILD = """
import json, sys, time
from pathlib import Path
from reportgen.analyse import analyse
from reportgen.build import mkdocs_build, write_docs
from reportgen.page_pool import allow_processes
from reportgen.project import Project
allow_processes()  # as `reportgen build` does; run with -c, so a worker imports no main module
project = Project(Path(sys.argv[1]))
start = time.perf_counter()
results = analyse(project)
analysed = time.perf_counter()
write_docs(project, results)
written = time.perf_counter()
mkdocs_build(project, results, incremental=True)  # as `reportgen build` does
done = time.perf_counter()
print(json.dumps({"analysis": analysed - start, "render": written - analysed, "mkdocs": done - written}))
"""


#: Issue 18: a rebuild after one release changed takes under 10 % of the cold build, MkDocs included. A release
#: added is measured against the same share: what every project does each release.
TARGET_SHARE = 0.10


def release_id(index: int) -> str:
    """The id of the ``index``-th release (0-based)."""
    return f"v{(index + 1) // 100}.{(index + 1) % 100}.0"


#: Issue 18's site has about 20 charts a release; an example release draws 9 (5 of them its k6 stream's), so each
#: synthetic release also carries this many more k6 scenarios, copies of its own k6 run: 19 charts.
K6_COPIES = 2


#: A k6 scenario of a copied k6 folder (its stream and summary), as the example's release.yaml declares its own.
_K6_SCENARIO = """  - id: shop-k6-{copy}
    title: Browse and checkout (k6, run {copy})
    tool: k6
    artifacts:
      - path: k6-{copy}/stream.ndjson.gz
        format: k6-json-stream
      - path: k6-{copy}/summary-export.json
        format: k6-summary-export
"""


def add_release(root: Path, index: int, k6_copies: int = K6_COPIES) -> str:
    """Release ``index`` (0-based): a copy of one of the example's releases whose baseline is release ``index - 1``,
    with its measured times scaled by its own factor, one day after it, and ``k6_copies`` more k6 scenarios (its k6
    run copied, each copy's times scaled by a factor of its own)."""
    sources = sorted((ROOT / "results").glob("v*/release.yaml"))
    release = release_id(index)
    target = root / "results" / release
    shutil.copytree(sources[index % len(sources)].parent, target)
    perturb(target, factor(index))
    text = (target / "release.yaml").read_text()
    if k6_copies and "\nscenarios:\n" not in text:  # else the site would have fewer charts than it says
        raise SystemExit(f"{target / 'release.yaml'}: no top-level 'scenarios:' list to add the k6 copies to")
    for copy in range(2, 2 + k6_copies):
        shutil.copytree(target / "k6", target / f"k6-{copy}")
        # 0.0011 apart: never another release's factor (those are 0.0037 apart), so every chart stays distinct
        perturb_k6(target / f"k6-{copy}", factor(index) + 0.0011 * (copy - 1))
        text = text.replace("\nscenarios:\n", "\nscenarios:\n" + _K6_SCENARIO.format(copy=copy), 1)
    text = re.sub(r"(?m)^release: .*$", f"release: {release}", text)
    text = re.sub(r"(?m)^baseline: .*$", f"baseline: {release_id(index - 1)}" if index else "", text)
    year, day = 2020 + index // 300, index % 300
    text = re.sub(r"(?m)^date: .*$", f"date: {year}-{1 + day // 28:02d}-{1 + day % 28:02d}", text)
    (target / "release.yaml").write_text(text)
    for signoffs in target.glob("signoffs.yaml"):
        signoffs.unlink()  # signed digests of the original release would all be stale
    return release


def make_site(root: Path, releases: int, k6_copies: int) -> list[str]:
    """``reportgen init`` plus ``releases`` copies of the example releases, each the baseline of the next, each with
    its measured times scaled by its own factor."""
    measure(
        python(
            "import sys; from reportgen.scaffold import init; init(__import__('pathlib').Path(sys.argv[1]))", str(root)
        )
    )
    shutil.rmtree(root / "results")
    return [add_release(root, index, k6_copies) for index in range(releases)]


#: Issue 18: 100 releases with about 20 charts each build cold in under 90 s on 2 cores.
COLD_TARGET_SECONDS = 90


def build(root: Path, env: dict[str, str] | None = None) -> dict[str, float]:
    before = _written_files(root)
    run = measure(python(BUILD, str(root)), env=env)
    figures: dict[str, float] = json.loads(run.stdout.strip().splitlines()[-1])
    figures["total"] = run.seconds
    figures["cpu"] = run.cpu
    figures["peak_mib"] = run.peak_mib
    after = _written_files(root)
    for kind, files in after.items():
        figures[kind] = sum(before.get(kind, {}).get(path) != inode for path, inode in files.items())
    figures["pages"] = len(after["pages written"])
    return figures


#: What a build did, counted by the files it wrote: a chart drawn is a new SVG in the chart cache, a page
#: converted by MkDocs (Markdown to HTML) one in its conversion cache, a page MkDocs put through the theme an
#: HTML file of site/. Every write replaces a file (a new inode); a cache entry only read keeps its inode.
_COUNTED = {
    "charts drawn": ".reportgen-cache/charts",
    "pages converted": ".reportgen-cache/converted",
    "pages written": "site",
}


def _written_files(root: Path) -> dict[str, dict[str, int]]:
    """For each kind of :data:`_COUNTED`: relative path → inode of each of its files."""
    found = {}
    for kind, folder in _COUNTED.items():
        files = (root / folder).rglob("*.html" if folder == "site" else "*")
        found[kind] = {p.relative_to(root).as_posix(): p.stat().st_ino for p in files if p.is_file()}
    return found


#: A chart as inlined on a page: the whole <svg> element, one line.
_CHART = re.compile(r'<svg role="img".*?</svg>')


def chart_counts(site: Path) -> tuple[int, int]:
    """How many charts the built site's pages draw, and how many of them are distinct (byte for byte)."""
    charts = [svg for page in site.rglob("*.html") for svg in _CHART.findall(page.read_text())]
    return len(charts), len(set(charts))


def page_kib(root: Path, relative: str) -> float:
    return (root / "site" / relative).stat().st_size / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--releases", type=int, default=100)
    parser.add_argument("--no-cache", action="store_true", help="first a cold build with REPORTGEN_NO_CACHE=1")
    parser.add_argument("--k6-copies", type=int, default=K6_COPIES, help="more k6 scenarios a release (5 charts each)")
    args = parser.parse_args()
    print(f"machine: {machine()}")
    with tempfile.TemporaryDirectory(prefix="reportgen-site-") as folder:
        root = Path(folder) / "reports"
        ids = make_site(root, args.releases, args.k6_copies)
        runs = {"cold, no cache": build(root, {"REPORTGEN_NO_CACHE": "1"})} if args.no_cache else {}
        if args.no_cache:  # the next build is cold again: no site to build incrementally from, nothing cached
            shutil.rmtree(root / "site")
            shutil.rmtree(root / ".reportgen-cache", ignore_errors=True)
        runs |= {"cold": build(root), "no change": build(root)}
        changed = root / "results" / ids[len(ids) // 2] / "release.yaml"
        changed.write_text(changed.read_text().replace("title: ", "title: Changed ", 1))
        runs["one release changed"] = build(root)
        ids.append(add_release(root, len(ids), args.k6_copies))
        runs["one release added"] = build(root)
        print(
            f"\n{args.releases} releases; seconds: analysis / render site_docs / MkDocs / whole process (wall), "
            "its cpu (user + system), each as a share of cold"
        )
        cold = runs["cold"]
        for name, figures in runs.items():
            print(
                f"{name:<22} {figures['analysis']:7.1f} {figures['render']:7.1f} {figures['mkdocs']:7.1f} "
                f"{figures['total']:8.1f} ({figures['total'] / cold['total']:4.0%})   cpu {figures['cpu']:7.1f} "
                f"({figures['cpu'] / cold['cpu']:4.0%})   peak {figures['peak_mib']:.0f} MiB"
            )
        print("\nwhat each build did: charts drawn, pages MkDocs converted (Markdown to HTML), pages it wrote (theme)")
        for name, figures in runs.items():
            print(
                f"{name:<22} {figures['charts drawn']:5.0f} charts drawn, {figures['pages converted']:4.0f} pages "
                f"converted, {figures['pages written']:4.0f} of {figures['pages']:.0f} pages written"
            )
        for name in ("no change", "one release changed", "one release added"):
            figures = runs[name]
            share = figures["total"] / cold["total"]
            verdict = "met" if share < TARGET_SHARE else "NOT met"
            print(
                f"target: {name} under {TARGET_SHARE:.0%} of cold: {verdict} ({share:.0%}); of its "
                f"{figures['total']:.1f} s, MkDocs {figures['mkdocs']:.1f} s, analysis {figures['analysis']:.1f} s, "
                f"render {figures['render']:.1f} s, the rest (Python start, imports) "
                f"{figures['total'] - figures['analysis'] - figures['render'] - figures['mkdocs']:.1f} s"
            )
        added = runs["one release added"]
        print(
            f"what a release added costs: MkDocs writes every page again ({added['pages written']:.0f} of "
            f"{added['pages']:.0f}; the sidebar lists the newest releases, each page names the newest release among "
            "its version folders, and the set of files changed), converting only the pages whose Markdown changed; "
            "each metric's newest trend page shows the newest releases, so its chart is drawn again "
            f"({added['charts drawn']:.0f} charts). Under 10 % would need pages that do not name the newest release "
            "(a sidebar without releases, version folders read from a file) and trend pages that do not move."
        )
        for name in ("cold, no cache", "cold"):
            if name in runs:
                seconds = runs[name]["total"]
                verdict = "met" if seconds < COLD_TARGET_SECONDS else "NOT met"
                print(f"target: {name} under {COLD_TARGET_SECONDS} s: {verdict} ({seconds:.0f} s wall)")
        print(f"load average at the end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        chart_pages = len(list((root / "site" / "releases").glob("v*/charts/*/index.html")))
        print(f"chart pages (a release's charts on a page per scenario, reportgen/chart_pages.py): {chart_pages}")
        drawn, distinct = chart_counts(root / "site")
        print(f"charts on the site's pages: {drawn}, distinct: {distinct}")
        per_release = [chart_counts(root / "site" / "releases" / release)[0] for release in ids]
        print(f"charts a release's pages draw: {min(per_release)}–{max(per_release)}")
        first, last = ids[0], ids[-1]
        print(
            f"\npage sizes (HTML): home {page_kib(root, 'index.html'):.0f} KiB; release page {first} "
            f"{page_kib(root, f'releases/{first}/index.html'):.0f} KiB, {last} "
            f"{page_kib(root, f'releases/{last}/index.html'):.0f} KiB; evidence {last} "
            f"{page_kib(root, f'releases/{last}/evidence/index.html'):.0f} KiB"
        )
        site = root / "site"
        for name, folder in (
            ("release, evidence or chart", "releases/v*"),
            ("trends", "releases/trends"),
            ("list", "releases/older"),
        ):
            pages = [p for f in site.glob(folder) for p in f.rglob("*.html")]
            if pages:
                largest = max(pages, key=lambda p: p.stat().st_size)
                print(f"largest {name} page: {largest.relative_to(site)} {largest.stat().st_size / 1024:.0f} KiB")
        print(f"trends index {page_kib(root, 'releases/trends/index.html'):.0f} KiB")


if __name__ == "__main__":
    main()
