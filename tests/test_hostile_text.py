"""Hostile text in every field and in every name a tool writes: the build succeeds and shows it as text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reportgen.cli import main
from tests.support import hostile
from tests.support.html_text import Page, normalise, read
from tests.support.project import BASE_MANIFEST, make_project


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = hostile.make_hostile_project(tmp_path_factory.mktemp("hostile"))
    assert main(["-C", str(root), "build"]) == 0
    return root / "site"


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[str, Page]:
    return {str(p.relative_to(site)): read(p.read_text(encoding="utf-8")) for p in site.rglob("*.html")}


def test_every_plain_text_field_shows_literally(pages: dict[str, Page]) -> None:
    """Each manifest and sign-off text field appears on a page exactly as written (Markdown, HTML, NUL and all)."""
    shown = " ".join(page.text for page in pages.values())
    for name in hostile.FIELDS:
        assert normalise(hostile.field(name)) in shown, name


def test_names_from_tools_and_file_names_show_literally(pages: dict[str, Page]) -> None:
    """A k6 tag, a Locust name, a JUnit suite, a hyperfine command and odd file names show as written."""
    shown = " ".join(page.text for page in pages.values())
    names = [
        hostile.K6_NAME,
        hostile.LOCUST_NAME,
        hostile.SUITE_NAME,
        hostile.COMMAND,
        *hostile.ARTIFACT_NAMES.values(),
    ]
    for name in names:
        assert normalise(name) in shown, name


def test_no_text_becomes_script_handler_or_script_link(pages: dict[str, Page]) -> None:
    """No page holds an event handler, a javascript: URL, a foreign image, or a script the theme did not write."""
    for path, page in pages.items():
        for tag, attrs in page.elements:
            assert not [a for a in attrs if a.startswith("on")], (path, tag, attrs)
            for name in ("href", "src", "action", "formaction"):
                assert not attrs.get(name, "").strip().lower().startswith(("javascript:", "data:")), (path, attrs)
            if tag == "img":
                assert "//" not in attrs.get("src", ""), (path, attrs)
            if tag == "script":
                assert "src" in attrs or "alert" not in attrs.get("id", ""), (path, attrs)
        assert not [s for s in page.scripts if "alert(" in s], path


def test_the_markdown_fields_keep_their_markdown_but_lose_script(pages: dict[str, Page]) -> None:
    """The Markdown fields render their emphasis and lose <script>, handlers and javascript: links."""
    release = pages["releases/v1.0.0/index.html"]
    strong = [attrs for tag, attrs in release.elements if tag == "strong"]
    assert len(strong) >= len(hostile.MARKDOWN_FIELDS)
    for name in hostile.MARKDOWN_FIELDS:
        assert name in release.text


def test_claims_json_keeps_names_exactly(site: Path) -> None:
    """claims.json is valid JSON holding the tools' names byte for byte, not escaped for a page."""
    claims = json.loads((site / "releases/v1.0.0/claims.json").read_text(encoding="utf-8"))
    items = claims["claims"] if isinstance(claims, dict) else claims
    labels = {value for item in items for value in item.get("evidence", {}).get("labels", {}).values()}
    assert {hostile.K6_NAME, hostile.LOCUST_NAME, hostile.SUITE_NAME, hostile.COMMAND} <= labels


def test_raw_copies_keep_their_odd_names(site: Path) -> None:
    """Artifacts named with '"', '#' and '<!--' are copied into the site under exactly those names."""
    for name in hostile.ARTIFACT_NAMES.values():
        assert (site / "releases/v1.0.0/artifacts" / name).is_file(), name


def test_chart_labels_with_controls_and_emoji_render() -> None:
    """A NUL, a form feed or an emoji Vega cuts in half never aborts the chart renderer (vl-convert)."""
    from reportgen.charts.svg import to_svg

    label = "🛒 checkout \x00 \x0c " + "🛒" * 40
    spec = {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "data": {"values": [{"endpoint": label, "ms": 1}]},
        "mark": "bar",
        "encoding": {
            "y": {"field": "endpoint", "type": "nominal", "axis": {"labelLimit": 50}},
            "x": {"field": "ms", "type": "quantitative"},
        },
    }
    assert to_svg(spec).startswith("<svg")


def test_material_tooltips_are_off_even_when_mkdocs_yml_asks(tmp_path: Path) -> None:
    """content.tooltips (Material renders title attributes as HTML) is off in every build, whatever mkdocs.yml says."""
    root = make_project(tmp_path, {"v1.0.0": BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01")})
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("features:\n", "features:\n    - content.tooltips\n"), "utf-8"
    )
    assert "content.tooltips" in config.read_text(encoding="utf-8")
    assert main(["-C", str(root), "build"]) == 0
    page = (root / "site/releases/v1.0.0/index.html").read_text(encoding="utf-8")
    settings = json.loads(page.split('<script id="__config" type="application/json">')[1].split("</script>")[0])
    assert "navigation.indexes" in settings["features"] and "content.tooltips" not in settings["features"]
