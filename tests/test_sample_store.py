"""The sample store: a second check, compare or build of unchanged releases opens no raw artifact and runs no
bootstrap, and gives what reading and bootstrapping give; a changed artifact or method is computed again."""

from __future__ import annotations

import gzip
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from reportgen import build, collect, compare_stats, page_pool, relative_targets, samples
from reportgen.analyse import analyse
from reportgen.cache import FOLDER, charts_cached
from reportgen.cli import main
from reportgen.project import Project
from reportgen.scaffold import init

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Work:
    """What the spied process did: raw files opened (by an adapter or a sample reader) and bootstraps run."""

    opened: list[str] = field(default_factory=list)
    bootstraps: int = 0

    def fresh(self) -> None:
        """Forget what this process remembers, as a new process would; keep only what is on disk."""
        samples._RECENT.clear()
        relative_targets._INTERVALS.clear()
        self.opened.clear()
        self.bootstraps = 0


def _drop_kept_results(root: Path) -> None:
    """Forget the analysed releases kept by their inputs (reportgen.result_cache): a kept result spares the whole
    analysis, the sample store beneath it included."""
    shutil.rmtree(root / FOLDER / "results", ignore_errors=True)


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example's three releases (v1.2.0 judges a relative target and marginal intervals from raw k6 and
    Locust samples), with the cache on."""
    monkeypatch.delenv("REPORTGEN_NO_CACHE", raising=False)
    root = tmp_path / "repo"
    init(root)
    for release in ("v1.0.0", "v1.1.0", "v1.2.0"):
        shutil.copytree(ROOT / "results" / release, root / "results" / release)
    return root


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> Iterator[Work]:
    """Spies on the real adapters, sample readers and bootstrap."""
    seen = Work()
    for name, reader in list(samples._READERS.items()):

        def read(path: Path, reader: Any = reader) -> Any:
            seen.opened.append(path.name)
            return reader(path)

        monkeypatch.setitem(samples._READERS, name, read)
    extract = collect.adapters.extract

    def extracted(path: Path, *args: Any, **kwargs: Any) -> Any:
        seen.opened.append(path.name)
        return extract(path, *args, **kwargs)

    monkeypatch.setattr(collect.adapters, "extract", extracted)
    bootstrap = compare_stats._bootstrap

    def bootstrapped(*args: Any, **kwargs: Any) -> Any:
        seen.bootstraps += 1
        return bootstrap(*args, **kwargs)

    monkeypatch.setattr(compare_stats, "_bootstrap", bootstrapped)
    seen.fresh()
    yield seen
    seen.fresh()


def _check(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["-C", str(root), "check"])
    return code, capsys.readouterr().out


def test_a_second_check_opens_no_raw_artifact(root: Path, work: Work, capsys: pytest.CaptureFixture[str]) -> None:
    """The first check reads the raw streams and bootstraps; the second, in a fresh process state, opens no raw
    artifact, runs no bootstrap and prints the same."""
    first = _check(root, capsys)
    assert "stream.ndjson.gz" in work.opened and work.bootstraps > 0
    work.fresh()
    assert _check(root, capsys) == first
    assert work.opened == [] and work.bootstraps == 0
    assert any((root / FOLDER / "samples").rglob("*.npz")) and any((root / FOLDER / "bootstrap").rglob("*.json"))


def test_a_second_compare_runs_no_bootstrap(root: Path, work: Work, capsys: pytest.CaptureFixture[str]) -> None:
    """compare v1.1.0 v1.2.0 again opens no raw artifact and runs no bootstrap, with the same table."""
    main(["-C", str(root), "compare", "v1.1.0", "v1.2.0"])
    first = capsys.readouterr().out
    assert "regressed" in first and work.bootstraps > 0
    work.fresh()
    main(["-C", str(root), "compare", "v1.1.0", "v1.2.0"])
    assert capsys.readouterr().out == first
    assert work.opened == [] and work.bootstraps == 0


def _generate(project: Project) -> dict[str, bytes]:
    with charts_cached(project.root):
        files, home = build.generate(project, analyse(project))
    return {n: c.read_bytes() if isinstance(c, Path) else c for n, c in files.items()} | {"home": home}


def test_pages_rendered_again_read_samples_from_the_store(root: Path, work: Work) -> None:
    """With the rendered pages and comparisons forgotten, a rebuild draws the distributions and tests the changes
    from the store (no raw file opened, no bootstrap), and every file has the bytes of the first build."""
    project = Project(root)
    first = _generate(project)
    for kind in ("pages", "comparisons", "charts"):
        shutil.rmtree(root / FOLDER / kind)
    work.fresh()
    again = _generate(project)
    assert work.opened == [] and work.bootstraps == 0
    assert [name for name in first if again.get(name) != first[name]] == []


def test_a_changed_artifact_is_read_and_tested_again(root: Path, work: Work) -> None:
    """The same samples in a file with other bytes (a new SHA-256) are read from the file again and bootstrapped
    again (the seed follows the SHA-256), with the same verdicts."""
    before = {r.id: r for r in analyse(Project(root))}["v1.2.0"]
    stream = root / "results/v1.2.0/k6/stream.ndjson.gz"
    stream.write_bytes(gzip.compress(gzip.decompress(stream.read_bytes()), compresslevel=1, mtime=0))
    work.fresh()
    after = {r.id: r for r in analyse(Project(root))}["v1.2.0"]
    assert "stream.ndjson.gz" in work.opened and work.bootstraps > 0
    assert [t.verdict for t in after.targets] == [t.verdict for t in before.targets]
    assert any(t.low is not None for t in after.targets)


def test_the_method_is_part_of_an_intervals_key(root: Path, work: Work, monkeypatch: pytest.MonkeyPatch) -> None:
    """Intervals kept for one bootstrap method are not reused for another (e.g. other resamples)."""
    analyse(Project(root))
    monkeypatch.setattr(compare_stats, "_PARAMETERS", compare_stats._PARAMETERS + " other")
    _drop_kept_results(root)  # other parameters are other code, whose digest no monkeypatch changes
    work.fresh()
    analyse(Project(root))
    assert work.bootstraps > 0 and work.opened == []


def test_a_damaged_entry_is_read_again_and_replaced(root: Path, work: Work) -> None:
    """A sample entry that is not an npz is ignored: the raw file is read again and the entry rewritten."""
    before = analyse(Project(root))
    for entry in (root / FOLDER / "samples").rglob("*.npz"):
        entry.write_bytes(b"not an npz")
    for entry in (root / FOLDER / "bootstrap").rglob("*.json"):
        entry.unlink()
    _drop_kept_results(root)
    work.fresh()
    assert analyse(Project(root)) == before
    assert "stream.ndjson.gz" in work.opened
    work.fresh()
    analyse(Project(root))
    assert work.opened == []


def test_no_cache_keeps_nothing(root: Path, work: Work, monkeypatch: pytest.MonkeyPatch) -> None:
    """With REPORTGEN_NO_CACHE=1 every check reads the raw streams and no sample or bootstrap entry is written."""
    monkeypatch.setenv("REPORTGEN_NO_CACHE", "1")
    analyse(Project(root))
    work.fresh()
    analyse(Project(root))
    assert "stream.ndjson.gz" in work.opened and work.bootstraps > 0
    assert not (root / FOLDER / "samples").exists() and not (root / FOLDER / "bootstrap").exists()


def test_a_page_worker_takes_samples_from_the_store(root: Path, work: Work) -> None:
    """A release page built in a page-pool worker takes the samples the analysis read from the store: it opens no
    k6 stream again (the files the analysis needed no samples of, Locust's and hyperfine's, it reads itself)."""
    results = {r.id: r for r in analyse(Project(root))}
    work.fresh()
    page_pool._start(root, None, os.getppid())
    try:
        page = page_pool._page((results["v1.2.0"], results["v1.1.0"]))
    finally:
        page_pool._WORKER.clear()
    assert page.comparison is not None
    assert "stream.ndjson.gz" not in work.opened and "run.json" in work.opened


def test_an_entry_gives_back_every_slice_bit_for_bit_and_none_can_be_changed(tmp_path: Path) -> None:
    """A stored read (one array for all slices) loads as the same slices, values bit for bit, units, estimators and
    series; the values cannot be written, since each slice is a view of the one array."""
    from reportgen.sample_store import SampleStore

    read = samples._READERS["k6-json-stream"](ROOT / "results/v1.2.0/k6/stream.ndjson.gz")
    locust = samples._READERS["locust-json"](ROOT / "results/v1.2.0/locust/run.json")
    store = SampleStore(tmp_path)
    for found in (read, locust, ({}, [])):
        store.samples([repr(len(found[0]))], lambda found=found: found)
        again = store.samples([repr(len(found[0]))], lambda: pytest.fail("read again"))
        assert list(again[0]) == list(found[0]) and again[1] == found[1]
        for key, (values, unit, estimator) in found[0].items():
            assert again[0][key][0].tobytes() == values.tobytes() and again[0][key][1:] == (unit, estimator)
            if len(values):
                with pytest.raises(ValueError):
                    again[0][key][0][0] = 1.0
    assert any(len(v) > 100 for v, _, _ in read[0].values()) and read[1]
