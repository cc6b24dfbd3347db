"""Chart SVGs and their blocks of numbers lifted out of the Markdown MkDocs converts, and put back: same HTML, less
parsing."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest
import yaml

from reportgen.errors import BuildError
from reportgen.svg_lift import lift, lift_blocks, restore, restore_blocks

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


def test_the_numbers_under_each_chart_convert_to_the_same_html_lifted() -> None:
    """Converting the page with each chart's block of numbers lifted (the charts too), then putting the blocks back,
    gives the HTML of converting it with only the charts lifted: Markdown passes those blocks through unchanged."""
    charted, _ = lift(PAGE)
    lifted, blocks = lift_blocks(charted)
    assert len(blocks) == PAGE.count('<details class="rg-chart-data">') > 0
    assert "rg-chart-data" not in lifted and "<table>" not in lifted
    assert restore_blocks(_html(lifted), blocks, "v1.1.0/index.md") == _html(charted)


def test_only_whole_blocks_of_chart_numbers_are_lifted() -> None:
    """Other details blocks, and one that does not end, stay Markdown's; a lost block stops the build."""
    text = '<details class="other">\n<table></table>\n</details>\n\n<details class="rg-chart-data">\n<table>\n'
    assert lift_blocks(text) == (text, [])
    lifted, blocks = lift_blocks('<details class="rg-chart-data">\n<table></table>\n</details>\n')
    assert blocks and lifted == "<!--reportgen-html-0-->\n"
    with pytest.raises(BuildError, match=r"p\.md: 1 blocks of chart numbers were lifted"):
        restore_blocks("<p></p>", blocks, "p.md")
