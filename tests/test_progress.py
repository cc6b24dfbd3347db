"""Progress on a terminal only: never in CI logs, pipes or files."""

from __future__ import annotations

import io

import pytest

from reportgen import progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _terminal(monkeypatch: pytest.MonkeyPatch) -> _Terminal:
    """Standard error as a terminal, outside CI (set in the test itself: pytest's capture swaps sys.stderr
    between fixture setup and the test)."""
    stream = _Terminal()
    monkeypatch.setattr("sys.stderr", stream)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("REPORTGEN_NO_PROGRESS", raising=False)
    return stream


def test_progress_is_drawn_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a terminal outside CI, a bar is drawn on standard error while the block runs."""
    terminal = _terminal(monkeypatch)
    assert progress.enabled()
    with progress.bar("reading artifacts", None, "bytes") as advance:
        advance(5 * 2**20)
    assert "reading artifacts" in terminal.getvalue()


@pytest.mark.parametrize(("name", "value"), [("CI", "true"), ("REPORTGEN_NO_PROGRESS", "1")])
def test_ci_or_the_switch_keep_it_quiet(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    """With CI set (as every CI service sets it) or REPORTGEN_NO_PROGRESS, nothing is drawn even on a terminal."""
    terminal = _terminal(monkeypatch)
    monkeypatch.setenv(name, value)
    assert not progress.enabled()
    with progress.bar("rendering release pages", 3, "pages") as advance:
        advance(1)
    assert terminal.getvalue() == ""


def test_not_a_terminal_is_quiet(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """When standard error is a pipe or a file, nothing is drawn."""
    monkeypatch.delenv("CI", raising=False)
    with progress.bar("reading artifacts", None, "bytes") as advance:
        advance(1)
    assert capsys.readouterr().err == ""
