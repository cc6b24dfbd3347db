"""Property tests: random text, Markdown and HTML syntax and control characters included, through every place
text is rendered. Plain text appears literally and brings no element or attribute; Markdown keeps only the
allow-list. Runs are bounded (max_examples, no per-example deadline) so `make test` stays fast."""

from __future__ import annotations

import json
import re
from pathlib import Path

import markdown
import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from reportgen import markup
from reportgen.analyse import analyse
from reportgen.build import generate
from reportgen.errors import ReportgenError
from reportgen.project import Project
from reportgen.scaffold import init
from tests.support import hostile
from tests.support.html_text import normalise, read

#: reportgen's mkdocs.yml Markdown configuration: what every generated page is converted with.
PAGE_EXTENSIONS = ["tables", "attr_list", "footnotes", "admonition", "md_in_html", "toc"]

SYNTAX = [
    *"[]()<>!`*_#|\\{}:-+=~^&;\"'/.",
    *("``", "**", "__", "<!--", "-->", "<script>", "</script>", "</title>", "javascript:", "&lt;", "&#91;"),
    *("{: .x}", "{#id}", "[^1]", "!!! note", "---", "1. ", "- ", "> ", "    ", "\n", "\n\n", "\t", "\r"),
    *("\x00", "\x1b", "\x07", "\x7f", "\x85", "\u2028", "\ufeff", "<img src=x onerror=alert(1)>", "[x](y)"),
]
#: Text of every kind: syntax fragments mixed with arbitrary code points (control characters included).
ANY_TEXT = st.lists(
    st.one_of(st.sampled_from(SYNTAX), st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=4)),
    min_size=1,
    max_size=8,
).map("".join)
#: Plain text a reader can see: at least one character left once whitespace is collapsed.
PLAIN = ANY_TEXT.filter(lambda t: bool(normalise(t)))

FAST = settings(max_examples=60, deadline=None)
#: Each page example analyses a release and renders its pages (charts included): a few seconds for all.
#: No shrinking there: a failing example is printed as found (shrinking a page example can take many minutes).
PAGES = settings(
    max_examples=12,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


_MARKDOWN = markdown.Markdown(extensions=PAGE_EXTENSIONS)


def _html(source: str) -> str:
    return _MARKDOWN.reset().convert(source)


def _structure(html: str) -> list[tuple[str, tuple[str, ...]]]:
    """Every element with its attribute names, in document order (not values: ids and hrefs derive from text)."""
    return [(tag, tuple(sorted(attrs))) for tag, attrs in read(html).elements]


# ---- one filter at a time, in each position a template uses it --------------------------------------------

CONTEXTS = {
    "cell": "| a | b |\n| --- | --- |\n| {} | end |\n",
    "line": "{}\n",
    "heading": "## {}\n",
    "list item": "- {}\n",
    "footnote": "x[^n]\n\n[^n]: {}\n",
}


@pytest.mark.parametrize("context", CONTEXTS)
@FAST
@given(value=PLAIN)
def test_text_shows_literally_and_adds_no_element(context: str, value: str) -> None:
    """In a table cell, on its own line, in a heading, a list item or a footnote: exactly the text, no new element."""
    template = CONTEXTS[context]
    page, baseline = _html(template.format(markup.text(value))), _html(template.format("word"))
    assert _structure(page) == _structure(baseline)
    assert normalise(value) in read(page).text


@FAST
@given(value=PLAIN)
def test_a_link_title_holds_exactly_the_text(value: str) -> None:
    """A hover title (Markdown link title) is one attribute holding exactly the text."""
    page = _html(f'[3 ms](evidence.md#x "{markup.attr(value)}")\n')
    elements = read(page).elements
    assert [tag for tag, _ in elements] == ["p", "a"]
    assert elements[1][1]["title"] == normalise(value)


@FAST
@given(value=PLAIN)
def test_code_holds_exactly_the_text(value: str) -> None:
    """Text as code, in a table cell, is one code element with exactly the text."""
    page = _html(f"| a |\n| --- |\n| {markup.code(value)} |\n")
    cells = re.findall(r"<td>(.*?)</td>", page, re.DOTALL)
    assert len(cells) == 1 and _structure(cells[0]) == [("code", ())]
    assert read(cells[0]).text == normalise(value)


@FAST
@given(value=PLAIN)
def test_a_title_is_one_front_matter_string(value: str) -> None:
    """A page title written into front matter reads back as one YAML string whose HTML text is the title."""
    import yaml

    loaded = yaml.safe_load(f"title: {markup.yaml_string(value)}\n")["title"]
    assert isinstance(loaded, str) and read(loaded).text == normalise(value)


ALLOWED = {tag: markup.ATTRIBUTES.get(tag, set()) | ({"rel"} if tag == "a" else set()) for tag in markup.TAGS}


@settings(max_examples=120, deadline=None)
@given(source=ANY_TEXT)
def test_markdown_fields_keep_only_the_allow_list(source: str) -> None:
    """Any Markdown field renders to allow-listed elements and attributes only: no script, handler or foreign load."""
    rendered = markup.md(source)
    elements = read(rendered).elements
    assert elements[0] == ("div", {"class": "rg-md"})
    for tag, attrs in elements[1:]:
        assert tag in ALLOWED and set(attrs) <= ALLOWED[tag], (tag, attrs)
        assert not attrs.get("href", "").lower().startswith(("javascript:", "data:", "vbscript:"))
        if tag == "img":
            assert "//" not in attrs.get("src", "") and ":" not in attrs.get("src", "")
    page = _html(f"before\n\n{rendered}\n\nafter\n")
    assert rendered.strip() in page  # one raw HTML block: the page's Markdown leaves it exactly as it is


# ---- whole pages: every plain-text field of a manifest, and a name from a tool, at once ----------------------

#: Manifest fields the property writes random text into (see tests.support.hostile for the same fields by hand).
FIELDS = hostile.FIELDS


def _project(tmp: Path, texts: dict[str, str], endpoint: str) -> Project:
    root = tmp / "repo"
    if not root.exists():
        init(root)
    release = root / "results/v1.0.0"
    (release / "locust").mkdir(parents=True, exist_ok=True)
    (release / "release.yaml").write_text(hostile.manifest_with(texts), encoding="utf-8")
    (release / "signoffs.yaml").write_text(hostile.signoffs_with(texts), encoding="utf-8")
    (release / "locust/run_stats.csv").write_text(hostile.locust_stats(endpoint), encoding="utf-8")
    return Project(root)


def _pages(project: Project) -> tuple[dict[str, str], bytes]:
    try:
        results = analyse(project)
    except ReportgenError:
        assume(False)  # a value the manifest rules refuse (a placeholder, say): not a rendering question
        raise
    files, home = generate(project, results)
    pages = {name: _html(content.decode()) for name, content in files.items() if name.endswith(".md")}
    pages["home"] = _html(home.decode())
    claims = files["v1.0.0/claims.json"]
    assert isinstance(claims, bytes)
    return pages, claims


def _without_svg(html: str) -> str:
    # Chart layout (tick counts) follows label widths; chart text safety is checked by the element rules below.
    return re.sub(r"<svg\b.*?</svg>", "<svg></svg>", html, flags=re.DOTALL)


_BASELINE: dict[str, list[tuple[str, tuple[str, ...]]]] = {}


@PAGES
@given(texts=st.fixed_dictionaries({name: PLAIN for name in FIELDS}), endpoint=PLAIN)
def test_pages_show_random_text_literally_and_nothing_else(
    tmp_path_factory: pytest.TempPathFactory, texts: dict[str, str], endpoint: str
) -> None:
    """Random text in every plain-text field and in a tool's endpoint name: shown literally, the pages' elements
    are those of plain words, and claims.json keeps the name exactly."""
    assume("\x00" not in endpoint and "\r" not in endpoint and endpoint.strip() == endpoint)
    tmp = tmp_path_factory.mktemp("prop")
    if not _BASELINE:
        plain, _ = _pages(_project(tmp_path_factory.mktemp("base"), {n: f"word{i}" for i, n in enumerate(FIELDS)}, "w"))
        _BASELINE.update({name: _structure(_without_svg(html)) for name, html in plain.items()})
    pages, claims = _pages(_project(tmp, texts, endpoint))
    for name, html in pages.items():
        assert _structure(_without_svg(html)) == _BASELINE[name], name
        for tag, attrs in read(html).elements:
            assert tag != "script" and not [a for a in attrs if a.startswith("on")], (name, tag, attrs)
    shown = " ".join(read(html).text for html in pages.values())
    for name, value in texts.items():
        assert normalise(value) in shown, name
    assert normalise(endpoint) in shown
    labels = {v for c in json.loads(claims)["claims"] for v in c.get("evidence", {}).get("labels", {}).values()}
    assert endpoint in labels
