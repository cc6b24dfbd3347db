"""vl-convert lays charts out with the fonts it embeds, never with the system's (reportgen.charts.vl_engine), so a
chart's bytes do not depend on which fonts a machine has installed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

#: Run in a fresh process (vl-convert builds its font database once per process): draw a chart laid out by its
#: labels' widths (digit pairs, which Liberation Sans 1.07 and 2.x kern differently) while watching the font folder that
#: FONTCONFIG_FILE names, then say what was opened, what the variable is, and the SVG.
_DRAW = """
import json, os, sys, time
from watchdog.events import FileOpenedEvent, FileSystemEventHandler
from watchdog.observers.inotify import InotifyObserver

opened = []
class Seen(FileSystemEventHandler):
    def on_opened(self, event):
        opened.append(os.path.basename(event.src_path))
observer = InotifyObserver()
observer.schedule(Seen(), sys.argv[1], event_filter=[FileOpenedEvent])
observer.start()
if sys.argv[2] == "vl-convert":
    import vl_convert as engine
else:
    from reportgen.charts.vl_engine import engine
    engine = engine()
labels = ["11", "111 ms", "1,111.1 ms", "p95 47 ms"]  # "11": Liberation Sans 1.07 and 2.x kern it unlike
chart = {"vconcat": [{"data": {"values": [{"name": label, "v": 1}]}, "mark": "bar", "title": label,
                      "encoding": {"y": {"field": "name", "type": "nominal", "title": label},
                                   "x": {"field": "v", "type": "quantitative"}}} for label in labels]}
svg = engine.vegalite_to_svg(chart)  # each title's and label's width places its chart's parts
time.sleep(0.5)  # inotify events arrive on the observer's thread
observer.stop()
print(json.dumps({"opened": opened, "variable": os.environ.get("FONTCONFIG_FILE"), "svg": svg}))
"""


def _system_fonts() -> list[Path]:
    """Every style of the system's Liberation Sans (titles are bold, and the styles kern differently)."""
    for folder in (Path("/usr/share/fonts"), Path("/usr/local/share/fonts")):
        found = sorted(folder.rglob("LiberationSans-*.ttf")) if folder.is_dir() else []
        if found:
            return found
    pytest.skip("no Liberation Sans among the system's fonts (Debian: fonts-liberation, which chromium brings)")


def _draw(engine: str, fonts: Path, config: Path) -> dict[str, object]:
    env = {**os.environ, "FONTCONFIG_FILE": str(config)}
    run = subprocess.run(
        [sys.executable, "-c", _DRAW, str(fonts), engine], env=env, capture_output=True, text=True, check=True
    )
    drawn: dict[str, object] = json.loads(run.stdout)
    assert drawn["variable"] == str(config)
    return drawn


def _machine(folder: Path, *fonts: Path) -> tuple[Path, Path]:
    """A fontconfig configuration whose one font folder holds ``fonts``: a machine with those fonts installed."""
    folder.mkdir()
    (folder / "fonts").mkdir()
    for font in fonts:
        shutil.copy(font, folder / "fonts")
    config = folder / "fonts.conf"
    config.write_text(f"<?xml version='1.0'?>\n<fontconfig><dir>{folder / 'fonts'}</dir></fontconfig>\n")
    return folder / "fonts", config


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, object]]:
    """One chart drawn in fresh processes: by vl-convert and by reportgen on a machine with the system's Liberation
    Sans installed, and by both on a machine with no font at all."""
    root = tmp_path_factory.mktemp("fonts")
    with_fonts = _machine(root / "with", *_system_fonts())
    without = _machine(root / "without")
    return {
        "vl-convert, system fonts": _draw("vl-convert", *with_fonts),
        "reportgen, system fonts": _draw("reportgen", *with_fonts),
        "reportgen, no fonts": _draw("reportgen", *without),
        "vl-convert, no fonts": _draw("vl-convert", *without),
    }


def test_no_system_font_file_is_opened_while_charts_are_drawn(drawn: dict[str, dict[str, object]]) -> None:
    """Drawing a chart with labels opens no font file of the system's, and leaves FONTCONFIG_FILE as it found it."""
    assert drawn["vl-convert, system fonts"]["opened"], "vl-convert read no system font: this test shows nothing"
    assert drawn["reportgen, system fonts"]["opened"] == []


def test_a_chart_is_the_same_bytes_whichever_fonts_the_machine_has(drawn: dict[str, dict[str, object]]) -> None:
    """A machine with Liberation Sans installed and a machine with no font draw the chart in the same bytes."""
    assert drawn["vl-convert, system fonts"]["svg"] != drawn["vl-convert, no fonts"]["svg"], "fonts changed nothing"
    assert drawn["reportgen, system fonts"]["svg"] == drawn["reportgen, no fonts"]["svg"]
