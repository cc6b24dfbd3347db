"""The one place that decides how text reaches a page (reportgen.markup): plain text stays text, Markdown is sanitised."""

from __future__ import annotations

import html
import re

import markdown
import pytest

from reportgen import markup

#: The Markdown extensions of reportgen's mkdocs.yml: what every generated page is converted with.
PAGE_EXTENSIONS = ["tables", "attr_list", "footnotes", "admonition", "md_in_html", "toc"]

HOSTILE = [
    "[x](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    "<!-- endpoint",
    "a | b",
    "`tick` and ``two``",
    "ends in a backslash \\",
    "*em* _u_ **b** ~~s~~",
    "{: .rg-badge onclick=alert(1)}",
    "# not a heading",
    "- not a list",
    "1. not a list",
    "---",
    "!!! note",
    "[^1] footnote",
    "&lt; stays &amp;",
    "<script>alert(1)</script>",
]


def _page(source: str) -> str:
    return markdown.markdown(source, extensions=PAGE_EXTENSIONS)


def _visible(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


@pytest.mark.parametrize("value", HOSTILE)
def test_plain_text_renders_literally_in_a_table_cell(value: str) -> None:
    """Plain text in a table cell renders as exactly its characters, in one cell, with no element of its own."""
    page = _page(f"| a | b |\n| --- | --- |\n| {markup.text(value)} | end |\n")
    cells = re.findall(r"<td>(.*?)</td>", page)
    assert cells == [cells[0], "end"]
    assert "<" not in cells[0] and _visible(cells[0]) == value


@pytest.mark.parametrize("value", HOSTILE)
def test_plain_text_at_the_start_of_a_line_opens_no_block(value: str) -> None:
    """Plain text placed alone on a line (a note, a heading) renders as one paragraph of exactly that text."""
    page = _page(markup.text(value) + "\n")
    assert page.startswith("<p>") and page.count("<") == 2, page
    assert _visible(page) == value


@pytest.mark.parametrize("value", HOSTILE)
def test_plain_text_in_a_link_title_stays_one_attribute(value: str) -> None:
    """Text in a link's hover title is one title attribute holding exactly that text."""
    page = _page(f'[3 ms](evidence.md#x "{markup.attr(value)}")\n')
    match = re.fullmatch(r'<p><a href="evidence.md#x" title="([^"]*)">3 ms</a></p>', page)
    assert match, page
    assert html.unescape(match.group(1)) == value


@pytest.mark.parametrize("value", [*HOSTILE, "` lead", "trail `", "a|b in `code`"])
def test_code_shows_exactly_its_text(value: str) -> None:
    """Text as code is one code element with exactly the text, even with backticks and pipes in a table."""
    page = _page(f"| a |\n| --- |\n| {markup.code(value)} |\n")
    cell = re.findall(r"<td>(.*?)</td>", page)
    assert len(cell) == 1 and cell[0].startswith("<code>") and cell[0].endswith("</code>"), page
    assert html.unescape(cell[0][len("<code>") : -len("</code>")]) == value


def test_whitespace_and_control_characters_become_visible_text() -> None:
    """Line breaks and tabs show as one space; NUL, ESC and DEL as their symbols; lone surrogates as U+FFFD."""
    assert markup.text("a\n\tb\r\nc") == "a b c"
    assert markup.text("nul\x00 esc\x1b del\x7f c1\x85 \ud800") == "nul␀ esc␛ del␡ c1\ufffd \ufffd"


def test_front_matter_title_is_one_yaml_string() -> None:
    """A title ending in a backslash or holding quotes is still one YAML string that reads back as its HTML text."""
    import yaml

    for value in ["ends in \\", 'has "quotes" and: colons', "new\nline"]:
        loaded = yaml.safe_load(f"title: {markup.yaml_string(value)}\n")["title"]
        assert _visible(loaded) == " ".join(value.split())


def test_site_paths_are_percent_encoded() -> None:
    """A file name with '#', '"', '<' or spaces is a link to that file, not to a fragment or another path."""
    assert markup.url('k6/we"ird #1 <!--.json') == "k6/we%22ird%20%231%20%3C%21--.json"


@pytest.mark.parametrize(
    ("source", "absent"),
    [
        ("<script>alert(1)</script>", "<script"),
        ("<img src=x onerror=alert(1)>", "onerror"),
        ("[x](javascript:alert(1))", "javascript:"),
        ("[x](JaVaScRiPt:alert(1))", "alert"),
        ("![t](http://tracker.example/p.png)", "tracker.example"),
        ("![t](//tracker.example/p.png)", "tracker.example"),
        ("<a href='data:text/html,<script>alert(1)</script>'>x</a>", "data:"),
        ("<div style='position:fixed'>x</div>", "style"),
        ('<span class="rg-badge rg-badge--measured">measured</span>', "rg-badge"),
        ("<iframe src=/x></iframe>", "iframe"),
        ("text {: onclick=alert(1)}", "onclick="),
        ("<!-- comment --> after", "<!--"),
        ("<svg onload=alert(1)>", "svg"),
    ],
)
def test_markdown_fields_keep_only_the_allow_list(source: str, absent: str) -> None:
    """A Markdown field loses scripts, handlers, script links, foreign images, classes and styles."""
    tags = " ".join(re.findall(r"<[^>]*>", markup.md(source)))  # what remains as text is only text
    assert absent.lower() not in tags.lower()


def test_markdown_fields_keep_ordinary_markdown() -> None:
    """Emphasis, lists, code, tables, http links and relative images survive; page links stay to page sources."""
    rendered = markup.md(
        "**b** *i* `c`\n\n- one\n- two\n\n```\nx\n\n\ny\n```\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n"
        "[site](https://example.org) ![plot](img/p.png) [ev](evidence.md#metric-x) [old](../v1/index.md)"
    )
    for kept in ("<strong>b</strong>", "<em>i</em>", "<code>c</code>", "<li>one</li>", "<table>", "text-align:right"):
        assert kept in rendered
    assert 'href="https://example.org"' in rendered and 'src="img/p.png"' in rendered
    assert 'href="evidence.md#metric-x"' in rendered and 'href="../v1/index.md"' in rendered  # page_links resolves
    assert "\n\n" not in rendered and "x&#10;&#10;&#10;y" in rendered
    page = _page(f"before\n\n{rendered}\n\nafter\n")
    assert rendered.strip() in page  # one raw block: Markdown leaves it exactly as it is


def test_printable_text_is_left_as_it_is_exactly_when_nothing_in_it_is_replaced() -> None:
    """printable's shortcut (text Python calls printable is returned as it is) is exact: no printable code point
    is one it replaces, so every character of Unicode gives what the full replacement gives."""
    for code in range(0x110000):
        char = chr(code)
        full = markup._UNPRINTABLE_RE.sub("\ufffd", char.translate(markup._UNPRINTABLE))
        assert markup.printable(char) == full, hex(code)
