"""The garbage collector spaced during an extraction (reportgen.collections_spaced)."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reportgen import adapters, collections_spaced
from reportgen.adapters import extract
from reportgen.errors import ReportgenError

K6_SUMMARY = Path(__file__).parent / "fixtures" / "real" / "k6" / "v1.1.0-groups-thresholds"


@pytest.fixture
def default_thresholds() -> Iterator[tuple[int, int, int]]:
    """CPython's default thresholds for the test, whatever the process had, restored after it."""
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield gc.get_threshold()
    gc.set_threshold(*before)


def test_a_spaced_block_collects_less_often_and_restores_the_thresholds(
    default_thresholds: tuple[int, int, int],
) -> None:
    """Inside, young collections wait for YOUNG_THRESHOLD allocations; after, the thresholds found are back."""
    with collections_spaced.spaced():
        assert gc.get_threshold() == (collections_spaced.YOUNG_THRESHOLD, 10, 10)
        assert gc.isenabled()  # spaced, never off: cycles made inside are still collected
    assert gc.get_threshold() == default_thresholds


def test_the_thresholds_come_back_after_an_error_and_after_the_last_of_nested_blocks(
    default_thresholds: tuple[int, int, int],
) -> None:
    """An inner block's end keeps the outer one spaced; an error leaving the outer one restores them."""
    with pytest.raises(RuntimeError), collections_spaced.spaced():
        with collections_spaced.spaced():
            pass
        assert gc.get_threshold()[0] == collections_spaced.YOUNG_THRESHOLD
        raise RuntimeError("a failing reduction")
    assert gc.get_threshold() == default_thresholds


def test_blocks_of_two_threads_restore_the_thresholds_once_both_ended(default_thresholds: tuple[int, int, int]) -> None:
    """A build's threads reduce at once: the first to end leaves the other's block spaced."""
    entered, release = threading.Event(), threading.Event()

    def other() -> None:
        with collections_spaced.spaced():
            entered.set()
            release.wait(10)

    thread = threading.Thread(target=other)
    thread.start()
    assert entered.wait(10)
    with collections_spaced.spaced():
        pass
    assert gc.get_threshold()[0] == collections_spaced.YOUNG_THRESHOLD  # the other thread's block is still open
    release.set()
    thread.join(10)
    assert gc.get_threshold() == default_thresholds


def test_an_extraction_reads_spaced_and_leaves_the_thresholds_as_found(
    default_thresholds: tuple[int, int, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """extract() reads spaced, and neither a read nor a refused file changes the process's thresholds."""
    seen: list[tuple[int, int, int]] = []
    real = adapters._read

    def spy(*args: Any) -> Any:
        seen.append(gc.get_threshold())
        return real(*args)

    monkeypatch.setattr(adapters, "_read", spy)
    assert extract(K6_SUMMARY / "summary-export.json").measurements
    assert seen == [(collections_spaced.YOUNG_THRESHOLD, 10, 10)]
    assert gc.get_threshold() == default_thresholds
    empty = tmp_path / "empty.json"
    empty.write_bytes(b"")
    with pytest.raises(ReportgenError):
        extract(empty)
    assert gc.get_threshold() == default_thresholds
