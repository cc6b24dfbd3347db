"""The render stage's tasks: one release's page model and files, and a batch of trend charts. The same functions
run in the page pool's workers (:mod:`reportgen.page_pool`) and, for a build in one process, in the build's own
process, so the pages are the same bytes either way (``tests/test_page_pool.py``).

A release's task builds its page model (charts drawn, changes bootstrapped) and, unless its narrative cites
another release (whose page model it does not have), its files too: excerpts, claims document, Jinja. It
hands back the noise test's word for each of its metrics, which the trends pages need, so no comparison is
made twice. The trend charts are drawn as tasks of their own once the releases are done, while the build's
process renders the pages that are left.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass

from jinja2.sandbox import SandboxedEnvironment

from reportgen import assemble, page_pool
from reportgen.cache import charts_in
from reportgen.charts import render
from reportgen.charts.models import ChartModel
from reportgen.charts.svg import model_text
from reportgen.compare import compare
from reportgen.errors import ReportgenError
from reportgen.page_cache import Rendered
from reportgen.page_pool import Worker
from reportgen.release_files import release_files
from reportgen.render import environment
from reportgen.schemas.page import Chart, Citable, ReleasePage
from reportgen.schemas.report import ReleaseResult

#: Trend charts drawn per task: enough that a task is worth sending, few enough that both workers stay busy.
CHARTS_PER_TASK = 4
#: Releases sent to a worker at once. A release's baseline is usually the next release's result, the same object,
#: and one pickle of several tasks holds it once: for 100 releases 31 MB are sent instead of 45 MB (each result
#: is about 300 KB, mostly its artifacts' extractions, and unpickling one costs ~20 ms). Few enough that both
#: workers stay busy to the end.
RELEASES_PER_SEND = 4


@dataclass(frozen=True)
class ReleaseTask:
    """One release to build: its result, its baseline's, its compressed copies' sizes
    (:func:`reportgen.release_files.copy_sizes`), and whether its files can be rendered beside its page model
    (:func:`reportgen.release_files.cites_only_itself`)."""

    result: ReleaseResult
    baseline: ReleaseResult | None
    sizes: dict[str, int]
    alone: bool


@dataclass(frozen=True)
class Made:
    """What a release's task gives: its files when it could render them, else its page model; and the noise
    test's word for each metric compared with the baseline (metric → word)."""

    rendered: Rendered | None
    page: ReleasePage | None
    changes: Mapping[str, str]

    @property
    def citable(self) -> Citable:
        found = self.rendered.citable if self.rendered is not None else self.page.citable if self.page else None
        assert found is not None
        return found


def make_release(task: ReleaseTask, worker: Worker, env: SandboxedEnvironment) -> Made:
    """The release's page model and, when it cites no other release, its files."""
    result, baseline = task.result, task.baseline
    rows = compare(result, baseline, worker.samples) if baseline is not None else None
    page = assemble.release_page(result, baseline, worker.samples, rows)
    changes = {row.metric: row.change for row in rows or []}
    if task.alone:
        try:
            rendered = release_files(env, worker.project.release_dir(result.id), result, page, task.sizes, {})
        except ReportgenError:
            pass  # rendered again by the build, which reports the error as a build in one process does
        else:
            return Made(rendered, None, changes)
    return Made(None, page, changes)


def releases(
    executor: Executor | None, tasks: list[ReleaseTask], here: Worker, env: SandboxedEnvironment
) -> Iterator[Made]:
    """Each task's result in the order given, as it is done: in the pool's workers, or here (``here``, ``env``:
    the build's own samples, chart cache and templates) without one."""
    if executor is None:
        return (make_release(task, here, env) for task in tasks)
    return executor.map(_release_in_worker, tasks, chunksize=RELEASES_PER_SEND)


def trend_charts(executor: Executor | None, models: list[ChartModel]) -> Callable[[], Callable[[ChartModel], Chart]]:
    """Start drawing ``models``; the function returned waits for them and gives the drawing function
    :func:`reportgen.trends.trends_page` takes (for exactly these models)."""
    if executor is None:
        return lambda: render  # drawn as the pages ask, in the build's chart cache (reportgen.cache.charts_cached)
    batches = [models[at : at + CHARTS_PER_TASK] for at in range(0, len(models), CHARTS_PER_TASK)]
    futures = [executor.submit(_charts_in_worker, batch) for batch in batches]

    def collect() -> Callable[[ChartModel], Chart]:
        drawn = {
            model_text(m): chart
            for f, batch in zip(futures, batches, strict=True)
            for m, chart in zip(batch, f.result(), strict=True)
        }
        return lambda model: drawn[model_text(model)]

    return collect


#: In a worker: the Jinja environment of the build's templates, made on its first release.
_ENVIRONMENT: list[SandboxedEnvironment] = []


def _release_in_worker(task: ReleaseTask) -> Made:
    worker = page_pool.worker()
    if not _ENVIRONMENT:
        _ENVIRONMENT.append(environment(worker.project.templates))
    with charts_in(worker.charts):
        return make_release(task, worker, _ENVIRONMENT[0])


def _charts_in_worker(models: list[ChartModel]) -> list[Chart]:
    with charts_in(page_pool.worker().charts):
        return [render(model) for model in models]
