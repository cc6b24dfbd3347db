"""Chart SVGs lifted out of the Markdown MkDocs converts, and put back into the page: same HTML, less parsing."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest
import yaml

from reportgen.errors import BuildError
from reportgen.svg_lift import lift, restore

ROOT = Path(__file__).resolve().parent.parent
#: A release page as reportgen writes it (eight inline charts), and the Markdown extensions the site uses.
PAGE = (ROOT / "tests/golden/v1.1.0/index.md").read_text(encoding="utf-8")


def _extensions() -> list[object]:
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    return [next(iter(e)) if isinstance(e, dict) else e for e in config["markdown_extensions"]]


def _html(text: str) -> str:
    return markdown.markdown(text, extensions=_extensions())


def test_a_release_page_converts_to_the_same_html_with_its_charts_lifted() -> None:
    """Converting the page with its chart lines lifted, then restoring them, gives the HTML of converting it whole."""
    lifted, charts = lift(PAGE)
    assert len(charts) == PAGE.count("\n<svg ") == 8
    assert "<svg" not in lifted
    assert restore(_html(lifted), charts, "v1.1.0/index.md") == _html(PAGE)


def test_only_whole_chart_lines_are_lifted() -> None:
    """An SVG inside a sentence, or one reportgen did not label as a chart image, stays for Markdown to parse."""
    text = 'Text <svg role="img" aria-labelledby="x-title"><g/></svg> inline.\n\n<svg><g/></svg>\n'
    assert lift(text) == (text, [])


def test_a_lost_or_doubled_placeholder_stops_the_build() -> None:
    """A placeholder that does not come back exactly once in the HTML is an error naming the page."""
    lifted, charts = lift('<figure>\n<svg role="img" aria-labelledby="c-title"><title>t</title></svg>\n</figure>\n')
    assert (
        restore(lifted, charts, "p.md")
        == '<figure>\n<svg role="img" aria-labelledby="c-title"><title>t</title></svg>\n</figure>\n'
    )
    with pytest.raises(BuildError, match=r"p\.md: 1 chart SVGs were lifted"):
        restore("<figure></figure>", charts, "p.md")
    with pytest.raises(BuildError, match=r"p\.md: 1 chart SVGs were lifted out of the Markdown but 2"):
        restore(lifted + lifted, charts, "p.md")
