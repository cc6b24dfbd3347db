"""The extraction cache: a rebuild re-reads only artifacts whose bytes changed, and gives the same results."""

from __future__ import annotations

import gzip
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reportgen import adapters, cache, collect
from reportgen.analyse import analyse
from reportgen.cache import FOLDER
from reportgen.project import Project
from tests.support.project import stream_project

P975 = (
    "  - id: p975\n"
    "    measured: {artifact: k6/stream.ndjson.gz, metric: http_req_duration, stat: p97.5, labels: {name: slow}}\n"
)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The file names adapters read, in order (a spy around the real extract)."""
    seen: list[str] = []
    real = adapters.extract

    def spy(path: Path, *args: Any, **kwargs: Any) -> Any:
        seen.append(path.name)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(collect.adapters, "extract", spy)
    monkeypatch.delenv("REPORTGEN_NO_CACHE", raising=False)
    yield seen


def test_a_rebuild_reads_only_the_changed_artifact(tmp_path: Path, reads: list[str]) -> None:
    """A second analysis reads no artifact and gives the same result; after one artifact's bytes change, only that
    one is read again."""
    root = stream_project(tmp_path, P975)
    first = analyse(Project(root))
    assert sorted(reads) == ["stream.ndjson.gz", "summary-export.json"]
    reads.clear()
    assert analyse(Project(root)) == first
    assert reads == []
    export = root / "results/v1.0.0/k6/summary-export.json"
    export.write_text(export.read_text() + "\n")
    analyse(Project(root))
    assert reads == ["summary-export.json"]
    assert (root / FOLDER / "extractions").is_dir()


def test_what_the_manifest_asks_is_part_of_the_key(tmp_path: Path, reads: list[str]) -> None:
    """Asking a stream for another percentile re-reads it (the cached extraction lacks that figure)."""
    root = stream_project(tmp_path, P975)
    analyse(Project(root))
    manifest = root / "results/v1.0.0/release.yaml"
    manifest.write_text(manifest.read_text().replace("p97.5", "p99.5"))
    reads.clear()
    (result,) = analyse(Project(root))
    assert reads == ["stream.ndjson.gz"]
    assert result.metric("p975").value is not None


def test_an_extraction_by_other_reportgen_code_is_read_again(
    tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry written by other reportgen code (an adapter changed without a version bump) is not reused."""
    root = stream_project(tmp_path, P975)
    analyse(Project(root))
    reads.clear()
    monkeypatch.setattr(cache, "code_digest", lambda: "other code")
    analyse(Project(root))
    assert sorted(reads) == ["stream.ndjson.gz", "summary-export.json"]


def test_a_damaged_entry_is_read_again_and_replaced(tmp_path: Path, reads: list[str]) -> None:
    """A cache entry that is not a valid extraction is ignored: the artifact is read and the entry rewritten."""
    root = stream_project(tmp_path, P975)
    first = analyse(Project(root))
    for entry in (root / FOLDER).rglob("*.json"):
        entry.write_bytes(gzip.compress(b"not json"))
    shutil.rmtree(root / FOLDER / "results")  # kept results would spare reading the extractions
    reads.clear()
    assert analyse(Project(root)) == first
    assert sorted(reads) == ["stream.ndjson.gz", "summary-export.json"]
    reads.clear()
    analyse(Project(root))
    assert reads == []


def test_the_cache_can_be_turned_off(tmp_path: Path, reads: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """With REPORTGEN_NO_CACHE=1 every analysis reads every artifact and writes no cache folder."""
    monkeypatch.setenv("REPORTGEN_NO_CACHE", "1")
    root = stream_project(tmp_path, P975)
    analyse(Project(root))
    analyse(Project(root))
    assert len(reads) == 4
    assert not (root / FOLDER).exists()


def test_init_ignores_the_cache_folder(tmp_path: Path) -> None:
    """A repository made by init keeps the cache out of git."""
    root = stream_project(tmp_path, P975)
    assert f"{FOLDER}/" in (root / ".gitignore").read_text().splitlines()


def test_a_chart_is_drawn_once_per_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Within a build, a chart whose spec and engine were drawn before comes from the cache; another spec or
    another engine version is drawn."""
    from reportgen.cache import chart_svg, charts_cached

    monkeypatch.delenv("REPORTGEN_NO_CACHE", raising=False)
    drawn: list[str] = []

    def draw(label: str) -> str:
        drawn.append(label)
        return f"<svg>{label}</svg>"

    with charts_cached(tmp_path):
        assert chart_svg('{"a": 1}', "engine 1", lambda: draw("a")) == "<svg>a</svg>"
        assert chart_svg('{"a": 1}', "engine 1", lambda: draw("again")) == "<svg>a</svg>"
        chart_svg('{"a": 2}', "engine 1", lambda: draw("b"))
        chart_svg('{"a": 1}', "engine 2", lambda: draw("c"))
    chart_svg('{"a": 1}', "engine 1", lambda: draw("outside a build"))
    assert drawn == ["a", "b", "c", "outside a build"]


def test_an_unchanged_chart_model_builds_no_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A chart model drawn before by the same chart code is not turned into a spec again; a changed model is."""
    from reportgen.cache import charts_cached
    from reportgen.charts import render, spec_of
    from reportgen.charts.models import ChartModel

    monkeypatch.delenv("REPORTGEN_NO_CACHE", raising=False)
    built: list[str] = []

    def spec(model: ChartModel) -> Any:
        built.append(model.title)
        return spec_of(model)

    monkeypatch.setattr("reportgen.charts.spec_of", spec)
    rows = [{"endpoint": "search", "percentile": "p95", "value": 3.0, "text": "3 ms"}]
    model = ChartModel(
        id="chart-x",
        kind="percentiles",
        title="a",
        alt="a",
        caption="c",
        rows=rows,
        columns=[("endpoint", "E")],
        unit="ms",
    )
    changed = ChartModel(**{**model.__dict__, "title": "b", "rows": [{**rows[0], "value": 4.0}]})
    with charts_cached(tmp_path):
        first = render(model).svg
        assert render(model).svg == first
        render(changed)
    assert built == ["a", "b"]


def test_the_scale_guide_names_the_cache_folder_and_every_setting() -> None:
    """site_docs/guide/scale.md names the cache folder and each environment variable the cache, DuckDB and the
    progress display read."""
    import re

    root = Path(__file__).resolve().parents[1]
    guide = (root / "site_docs/guide/scale.md").read_text()
    modules = ("reportgen/cache.py", "reportgen/adapters/_duckdb.py", "reportgen/progress.py")
    code = "".join((root / module).read_text() for module in modules)
    settings = set(re.findall(r"REPORTGEN_[A-Z_]+", code))
    assert settings >= {
        "REPORTGEN_NO_CACHE",
        "REPORTGEN_DUCKDB_MEMORY",
        "REPORTGEN_DUCKDB_THREADS",
        "REPORTGEN_NO_PROGRESS",
    }
    assert FOLDER in guide
    assert {s for s in settings if s not in guide} == set()
