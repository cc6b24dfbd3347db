"""A release's narrative (summary, section bodies) as sanitised HTML with reportgen's citations put in.

The author's Markdown is sanitised first and reportgen's own output is inserted after, so no author text
reaches the page unsanitised and nothing an author writes can pass for a badge or a verdict of reportgen's:

1. each citation is replaced by a token (letters and digits, which Markdown and the sanitiser keep as they
   are, derived from the text so the text cannot contain it);
2. the text is a Markdown field like any other (:func:`reportgen.markup.md`: Python-Markdown, then nh3);
3. each token in the page's text becomes the citation's rendering (the project's figure macros, made HTML).
   A token that landed in code or in an attribute (a citation in an indented code block, a link target or
   title) becomes the citation as written, as citations everywhere outside prose stay as written.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Sequence

import markdown

from reportgen import markup
from reportgen.citations import Renderer
from reportgen.prose import Origin

#: A tag as nh3 (html5ever) writes it: attribute values always in double quotes, a '"' inside escaped.
_TAG = re.compile(r'<(?:[^">]|"[^"]*")*>')
_CODE_TAG = re.compile(r"<(/?)(?:code|pre)[\s>]")
_FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]+)\]")


def _token(text: str) -> str:
    return "rgcite" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]


def _as_html(rendered: str, footnotes: Sequence[str]) -> str:
    """A citation's Markdown (a figure macro's output) as inline HTML, its links to page sources (evidence.md#x).

    A footnote reference becomes the link MkDocs' footnotes extension writes for it (numbered in the
    order the page defines its footnotes), without the back-reference id the page's own reference holds.
    """

    def footnote(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in footnotes:
            return ""
        return f'<sup><a class="footnote-ref" href="#fn:{html.escape(name)}">{footnotes.index(name) + 1}</a></sup>'

    inline = markdown.markdown(_FOOTNOTE_REF.sub(footnote, rendered), output_format="html").strip()
    inline = inline.removeprefix("<p>").removesuffix("</p>").replace("\n", " ")
    return inline  # links stay to page sources (evidence.md#x): the MkDocs plugin resolves them (page_links)


def _written(citation: str, quote: bool) -> str:
    """A citation as written, as text (or an attribute value) in the sanitised block: no raw newline (markup.md)."""
    return html.escape(citation, quote=quote).replace("\r", "&#13;").replace("\n", "&#10;")


def _put_in(clean: str, token: str, rendered: list[str], written: list[str], quoted: list[str]) -> str:
    """``clean`` with each token in text replaced by its rendering, in code or a tag by the citation as written."""
    slot = re.compile(re.escape(token) + r"n(\d+)n")
    pieces: list[str] = []
    in_code, at = 0, 0

    def fill(segment: str, by: list[str]) -> str:
        return slot.sub(lambda m: by[int(m.group(1))], segment)

    for tag in _TAG.finditer(clean):
        pieces.append(fill(clean[at : tag.start()], written if in_code else rendered))
        pieces.append(fill(tag.group(0), quoted))
        code = _CODE_TAG.match(tag.group(0))
        if code:
            in_code = max(0, in_code + (-1 if code.group(1) else 1))
        at = tag.end()
    pieces.append(fill(clean[at:], written if in_code else rendered))
    return "".join(pieces)


def render(renderer: Renderer, text: str, origin: Origin, release: str, footnotes: Sequence[str] = ()) -> str:
    """``text`` (Markdown with citations of ``release`` and others) as one sanitised block of HTML.

    ``footnotes`` are the ids of the footnotes the page defines, in order; an unrenderable citation raises
    CitationError at its place, as :meth:`Renderer.render` does.
    """
    cited = renderer.renderings(text, origin, release)
    token = _token(text)
    pieces, at = [], 0
    for index, (citation, _) in enumerate(cited):
        pieces += [text[at : citation.start], f"{token}n{index}n"]
        at = citation.end
    clean = markup.md("".join(pieces) + text[at:])
    rendered = [_as_html(markdown_text, footnotes) for _, markdown_text in cited]
    written = [_written(text[c.start : c.end], quote=False) for c, _ in cited]
    quoted = [_written(text[c.start : c.end], quote=True) for c, _ in cited]
    return _put_in(clean, token, rendered, written, quoted)
