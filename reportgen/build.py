"""The build, as named stages in order: analyse → assemble → render → write site_docs/ → MkDocs → site/."""

from __future__ import annotations

import datetime as dt
import os
import posixpath
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jinja2.sandbox import SandboxedEnvironment

from reportgen import (
    cache_prune,
    citations,
    limits,
    named_files,
    outputs,
    page_conversions,
    page_pool,
    progress,
    render_tasks,
    site_increment,
    site_key,
    trends,
    write,
)
from reportgen.analyse import analyse
from reportgen.assemble import home_page, release_page
from reportgen.cache import ExtractionCache, chart_cache_folder, charts_cached
from reportgen.citations import Renderer
from reportgen.claims import INDEX, site_index, to_json
from reportgen.engine import configured_engine
from reportgen.engine import run as run_engine
from reportgen.errors import BuildError, ProjectError
from reportgen.page_cache import PageCache, Rendered
from reportgen.project import MANIFEST, Project
from reportgen.prose import Origin
from reportgen.raw_copies import release_copies
from reportgen.release_files import cites_only_itself, copy_sizes, release_files
from reportgen.render import (
    HOME_MARKER,
    environment,
    render_home,
    render_older_releases,
    render_trends,
    stylesheet,
)
from reportgen.samples import SampleSource
from reportgen.schemas.page import Citable
from reportgen.schemas.report import ReleaseResult
from reportgen.trends import TREND_WINDOW

STYLESHEET = "assets/reportgen.css"
#: The trends index, beside the release folders (linked from the home page's "Metrics across releases"); each
#: metric's trend pages are under trends/ (reportgen.trends).
TRENDS = "trends.md"


def generate(project: Project, results: list[ReleaseResult]) -> tuple[dict[str, write.Content], bytes]:
    """Every file of site_docs/releases/ (raw artifacts by path) and the home page for site_docs/index.md,
    in memory. Pure apart from reading templates and the raw samples of artifacts, and the page cache: a
    release whose inputs did not change since a build rendered it is not rendered again."""
    env = environment(project.templates)
    by_id = {r.id: r for r in results}
    samples = SampleSource.of(project)  # each raw file read once, for noise tests and distributions
    # The manifest, artifacts and attachments, unchanged in content, so the site alone can be verified. Their
    # copies' names and gzip sizes show on the page, so they are part of its cache key.
    held = {
        r.id: release_copies(
            project.release_dir(r.id),
            [
                (MANIFEST, 0, r.manifest_sha256),
                *((a.path, a.size, a.sha256) for a in r.artifacts),
                *((a.path, a.size, a.sha256) for a in r.attachments),
            ],
        )
        for r in results
    }
    cache = PageCache.of(project.root, project.templates)
    keys = {r.id: cache.key(r, by_id, held[r.id]) if cache is not None else None for r in results}
    kept = {r.id: cache.get(keys[r.id]) if cache is not None else None for r in results}
    files: dict[str, write.Content] = {STYLESHEET: stylesheet()}
    # The releases not cached (charts drawn, changes bootstrapped, pages rendered), then the trend charts: in one
    # process per core when there are many, with the bytes one process gives (reportgen.render_tasks).
    tasks = [
        render_tasks.ReleaseTask(
            r,
            by_id.get(r.manifest.baseline) if r.manifest.baseline else None,
            copy_sizes(held[r.id]),
            cites_only_itself(r),
        )
        for r in results
        if kept[r.id] is None
    ]
    here = page_pool.Worker(project, samples, chart_cache_folder())
    with page_pool.pool(project, page_pool.processes(len(tasks))) as executor:
        made: dict[str, render_tasks.Made] = {}
        with progress.bar("rendering release pages", len(results), "pages") as advance:  # on a terminal only
            advance(len(results) - len(tasks))
            for task, done in zip(tasks, render_tasks.releases(executor, tasks, here, env), strict=True):
                made[task.result.id] = done
                advance(1)
        home = home_page(results)
        found = trends.changes(results, samples, {name: m.changes for name, m in made.items()})
        charts = render_tasks.trend_charts(executor, trends.trend_charts(results, found) if home.trends else [])
        # While the workers draw those: the pages of releases whose narrative cites others, the home page.
        citables = {r.id: (k.citable if (k := kept[r.id]) is not None else made[r.id].citable) for r in results}
        documents = []
        for result in results:
            rendered = kept[result.id] or _rendered(project, env, result, made[result.id], held[result.id], citables)
            if kept[result.id] is None and cache is not None:
                cache.put(keys[result.id], rendered)
            documents.append(rendered.entry)
            files.update(rendered.files)
            files.update({f"{result.id}/{name}": content for name, content in held[result.id].items()})
        files[INDEX] = to_json(site_index(documents))
        # The release list appears twice: as releases/index.md and as the home page, with links from each place.
        files["index.md"] = render_home(env, home, prefix="")
        files.update(render_older_releases(env, home))
        if home.trends:
            files.update(
                render_trends(env, trends.trends_page(results, samples, found, charts()), TRENDS, TREND_WINDOW)
            )
    return files, render_home(env, home, prefix="releases/")


def _rendered(
    project: Project,
    env: SandboxedEnvironment,
    result: ReleaseResult,
    made: render_tasks.Made,
    held: dict[str, write.Content],
    citables: dict[str, Citable],
) -> Rendered:
    """A release's files: as its task rendered them, or now that every release's citable is known."""
    if made.rendered is not None:
        return made.rendered
    assert made.page is not None
    return release_files(env, project.release_dir(result.id), result, made.page, copy_sizes(held), citables)


def _evidence_from(generated: str, folder: str) -> Callable[[str], str]:
    """The link from a page in ``folder`` (relative to site_docs/) to a release's evidence page."""
    return lambda release: posixpath.relpath(f"{generated}/{release}/evidence.md", folder)


def hand_written_pages(project: Project) -> list[Path]:
    """The Markdown pages of site_docs/ that people wrote: not releases/, not reportgen's own home page."""
    generated = project.generated.relative_to(project.docs).as_posix()
    return [
        path
        for path in sorted(project.docs.rglob("*.md"))
        if not path.relative_to(project.docs).as_posix().startswith(f"{generated}/")
        and not (path == project.docs / "index.md" and _home_is_ours(path))
    ]


def cited_pages(project: Project, results: list[ReleaseResult]) -> dict[str, bytes]:
    """Hand-written pages of site_docs/ that cite figures, rendered (path relative to site_docs/ → Markdown).

    The pages themselves are never changed: the rendered text goes into the staging copy MkDocs builds from.
    """
    generated = project.generated.relative_to(project.docs).as_posix()
    sources = {path.relative_to(project.docs).as_posix(): path for path in hand_written_pages(project)}
    texts = {name: named_files.read_text(path) for name, path in sources.items()}
    texts = {name: text for name, text in texts.items() if citations.find(text, Origin(str(sources[name])))}
    if not texts:
        return {}
    by_id = {r.id: r for r in results}
    citables = {
        r.id: release_page(r, by_id.get(r.manifest.baseline) if r.manifest.baseline else None).citable for r in results
    }
    macros = environment(project.templates).get_template("_macros.md.j2").module
    pages: dict[str, bytes] = {}
    for name, text in texts.items():
        folder = posixpath.dirname(name) or "."
        renderer = Renderer(macros=macros, citables=citables, evidence_page=_evidence_from(generated, folder))
        pages[name] = renderer.render(text, Origin(str(sources[name])), None).encode()
    return pages


def _home_is_ours(path: Path) -> bool:
    if not path.exists():
        return True
    with named_files.open_file(path) as stream:
        return stream.read(len(HOME_MARKER)).decode(errors="replace") == HOME_MARKER


#: Inside site_docs/releases/: the files the last build wrote, so a file someone else put there is never deleted.
RECORD = ".reportgen-files"


def _foreign_files(folder: Path) -> list[str]:
    """Files in ``folder`` that no earlier build wrote (every file, if no build ever wrote there)."""
    if not folder.is_dir():
        return []
    record = folder / RECORD
    if not record.is_file() and (folder / STYLESHEET).is_file():
        return []  # written by a reportgen from before the record existed: all of it is ours
    ours = set(record.read_text(encoding="utf-8").splitlines()) if record.is_file() else set()
    present = (p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    return sorted(p for p in present if p != RECORD and p not in ours)


def _docs_files(project: Project, results: list[ReleaseResult]) -> tuple[dict[str, write.Content], bytes | None]:
    """site_docs/releases/ (with its record) and the home page (None if the user made index.md theirs)."""
    foreign = _foreign_files(project.generated)
    if foreign:
        listed = ", ".join(foreign[:5]) + (" …" if len(foreign) > 5 else "")
        raise ProjectError(
            f"{project.generated}: holds files reportgen did not write ({listed}); reportgen replaces this "
            "folder on every build, so move them beside it in site_docs/"
        )
    with charts_cached(project.root):  # charts whose spec did not change are not drawn again
        files, home = generate(project, results)
    files[RECORD] = "".join(f"{name}\n" for name in sorted(files)).encode()
    return files, home if _home_is_ours(project.docs / "index.md") else None


def write_docs(project: Project, results: list[ReleaseResult]) -> None:
    """Render everything, then replace site_docs/releases/ (and a generated home page) atomically (for serve)."""
    files, home = _docs_files(project, results)
    write.replace_tree(project.generated, files)
    if home is not None:
        write.write_file(project.docs / "index.md", home)


def stage_docs(project: Project, results: list[ReleaseResult]) -> Path:
    """A staging copy of site_docs/ with the new releases/ and home page, for MkDocs to build from, so that
    site_docs/ itself changes only after MkDocs succeeded (:func:`commit_docs`)."""
    files, home = _docs_files(project, results)
    staged: dict[str, write.Content] = dict(cited_pages(project, results))
    staged.update({f"{project.generated.name}/{name}": content for name, content in files.items()})
    skip = [project.generated.name]
    if home is not None:
        staged["index.md"] = home
        skip.append("index.md")
    return write.stage_copy(project.docs, skip, staged)


def commit_docs(project: Project, staging: Path) -> None:
    """Swap the staged releases/ into site_docs/, write the staged home page if it is reportgen's, drop the rest."""
    try:
        write.swap_in(staging / project.generated.name, project.generated)
        if _home_is_ours(project.docs / "index.md") and (staging / "index.md").is_file():
            write.write_file(project.docs / "index.md", (staging / "index.md").read_bytes())
    finally:
        write.discard(staging)


def check_source_date_epoch() -> None:
    """A set SOURCE_DATE_EPOCH is whole seconds since 1970 that a gzip header can hold, or BuildError."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value and not (value.strip().isdigit() and int(value) <= limits.MAX_SOURCE_DATE_EPOCH):
        raise BuildError(
            f"SOURCE_DATE_EPOCH={value!r}: expected whole seconds since 1970-01-01 UTC, from 0 to "
            f"{limits.MAX_SOURCE_DATE_EPOCH} (limit MAX_SOURCE_DATE_EPOCH); fix or unset it"
        )


@contextmanager
def _reproducible(results: list[ReleaseResult]) -> Iterator[None]:
    """Pin MkDocs' build date to the newest release date unless SOURCE_DATE_EPOCH is set: same inputs, same bytes."""
    saved = {k: os.environ.get(k) for k in ("SOURCE_DATE_EPOCH", "NO_MKDOCS_2_WARNING")}
    if not saved["SOURCE_DATE_EPOCH"]:
        newest = max((r.manifest.date for r in results), default=dt.date(2000, 1, 1))
        epoch = dt.datetime.combine(newest, dt.time(), tzinfo=dt.UTC).timestamp()
        os.environ["SOURCE_DATE_EPOCH"] = str(int(epoch))
    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def mkdocs_build(
    project: Project,
    results: list[ReleaseResult],
    site_dir: Path | None = None,
    docs_dir: Path | None = None,
    *,
    engine: str | None = None,
    overrides: dict[str, Any] | None = None,
    incremental: bool = False,
) -> Path:
    """Run the site build strictly (from ``docs_dir``, default site_docs/) into a staging folder and swap it
    into site/; on failure site/ is untouched. ``engine`` and ``overrides`` (mkdocs.yml settings replaced)
    as :func:`reportgen.engine.run` takes them. ``incremental``: build only what changed since the last build
    of this site, into a hard-linked copy of it (:mod:`reportgen.site_increment`; the same bytes as a cold build),
    and nothing when site/ is that build's output and no input of it changed (:mod:`reportgen.site_key`)."""
    target = outputs.guard_output_dir(project, site_dir or project.site)
    record = site_increment.record_path(project.root, target) if incremental else None
    previous = site_increment.load(record, target)
    settings = {"docs_dir": str(docs_dir or project.docs), **(overrides or {})}
    inputs = None
    if record is not None:
        with _reproducible(results):
            name = engine or configured_engine(project.mkdocs_yml)
            inputs = site_key.inputs_key(project.mkdocs_yml, docs_dir or project.docs, target, name, settings)
    if previous is not None and inputs is not None and previous.get("inputs") == inputs:
        return target  # site/ is what these exact inputs build
    while True:
        cache = page_conversions.folder(project.root)
        increment = site_increment.SiteIncrement(previous, cache) if incremental else None
        staging = write.stage_copy(target, [], {}) if previous is not None else write.staging_dir(target)
        try:
            with _reproducible(results):
                run_engine(project.mkdocs_yml, staging, engine=engine, overrides=settings, increment=increment)
        except site_increment.NavChanged:
            write.discard(staging)
            previous = None  # the nav every page carries changed: build every page
            continue
        except BaseException:
            write.discard(staging)
            raise
        break
    write.write_file(staging / outputs.MARKER, outputs.MARKER_TEXT)
    write.swap_in(staging, target)
    if increment is not None:
        site_increment.save(record, target, increment, inputs)
    return target


def build(project: Project, site_dir: Path | None = None, *, engine: str | None = None) -> list[ReleaseResult]:
    """The whole build. Input errors, and an output folder reportgen may not replace, are raised before
    anything is written."""
    target = outputs.guard_output_dir(project, site_dir or project.site)
    check_source_date_epoch()
    started, keep = time.time(), cache_prune.keep_days()
    results = analyse(project)
    # What a killed build left behind: staging and old trees whose process is gone.
    write.remove_stale([target, project.docs, project.generated, project.docs / "index.md"])
    staging = stage_docs(project, results)
    try:
        mkdocs_build(project, results, target, staging, engine=engine, incremental=True)
    except BaseException:
        write.discard(staging)
        raise
    commit_docs(project, staging)
    if ExtractionCache.of(project.root) is not None:
        cache_prune.prune(project.root, started, keep)  # entries this build did not use, out of use for days
    return results
