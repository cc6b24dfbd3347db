"""A release's summary and sections: the author's Markdown is sanitised first, reportgen's citations put in after."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from reportgen.build import build
from reportgen.project import Project
from tests.support.project import BASE_MANIFEST, make_project
from tests.test_citations import project, release_markdown

V1 = BASE_MANIFEST.format(release="v1.0.0", date="2026-10-01")


def _summary(tmp_path: Path, summary: str) -> str:
    """The generated release page of one release whose summary is ``summary``: its sanitised block."""
    root = make_project(
        tmp_path, {"v1.0.0": V1 + "summary: |\n" + "".join(f"  {line}\n" for line in summary.splitlines())}
    )
    page = release_markdown(root, "v1.0.0")
    return page[page.index('<div class="rg-md">') : page.index("</div>")]


def test_author_markup_goes_and_citations_stay(tmp_path: Path) -> None:
    """A forged badge, a handler and a script link in the summary go; the cited figure's own badge and link stay."""
    block = _summary(
        tmp_path,
        '<span class="rg-badge rg-badge--measured">forged</span> {{ metric("p95_slow") }} '
        "<img src=x onerror=alert(1)> [x](javascript:alert(1)) <b onclick=alert(1)>bold</b>",
    )
    assert "forged" in block and 'rg-badge--measured">forged' not in block
    assert '<a href="evidence.md#metric-p95-slow" title="measured: ' in block
    assert '243.3 ms</a> <span class="rg-badge rg-badge--measured">measured</span>' in block
    assert "onerror" not in block and "javascript:" not in block and "onclick" not in block
    assert "<b>bold</b>" in block


def test_a_citation_in_code_or_an_attribute_stays_as_written(tmp_path: Path) -> None:
    """A citation that Markdown puts in a link target, a title or an indented code block is shown as written."""
    block = _summary(
        tmp_path,
        """[see]({{ metric("p95_slow") }} "{{ verdict('p95_slow') }}")\n\n    {{ metric("p95_slow") }} as code\n""",
    )
    assert 'href="{{ metric(&quot;p95_slow&quot;) }}"' in block
    assert 'title="{{ verdict(&#x27;p95_slow&#x27;) }}"' in block
    assert '<pre><code>{{ metric("p95_slow") }} as code' in block
    assert "rg-badge" not in block and "rgcite" not in block


def test_text_that_looks_like_a_slot_stays_text(tmp_path: Path) -> None:
    """Words shaped like the slots citations use are text: only real citations render, each once."""
    block = _summary(tmp_path, 'rgcite0n0n and rgcite{{ metric("p95_slow") }}n0n')
    assert block.count('<span class="rg-badge') == 1
    assert "rgcite0n0n and rgcite<a " in block and "</span>n0n" in block


def test_a_cited_projection_links_to_the_footnote_mkdocs_numbers(tmp_path: Path) -> None:
    """In the built page the narrative's footnote reference carries the number MkDocs gave that footnote."""
    root = project(tmp_path)
    build(Project(root))
    html = (root / "site/releases/v1.1.0/index.html").read_text(encoding="utf-8")
    ours = re.findall(r'<sup><a class="footnote-ref" href="#fn:metric-capacity">(\d+)</a></sup>', html)
    mkdocs = re.findall(
        r'<sup id="fnref:metric-capacity"><a class="footnote-ref" href="#fn:metric-capacity">(\d+)<', html
    )
    assert ours and mkdocs and set(ours) == set(mkdocs)
    assert 'id="fn:metric-capacity"' in html
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert not [i for i, n in ids.items() if n > 1]
