"""How text from manifests and artifacts reaches a page: the one place that decides.

Two kinds of text reach pages, and each has one filter (registered in :mod:`reportgen.render`):

``text``
    Plain text (titles, names, methods, bases, notes, sign-offs, and everything a tool wrote: endpoint
    names, tags, suite names, commands, file names). It is written so that Markdown *and* HTML read it
    as exactly those characters: every character that either could read as syntax becomes a numeric
    character reference, whitespace runs become one space (as HTML shows them anyway), and control
    characters become visible symbols. The result is safe inline anywhere a page has text: headings,
    table cells, list items, footnotes, front matter, and (with ``attr``) link titles.

``md``
    The fields documented as Markdown (summary, section bodies, scenario descriptions, environment
    notes). They are rendered by Python-Markdown here, then cleaned by an allow-list sanitiser (nh3,
    the binding of the Rust crate ammonia), and reach the page as one block of HTML that MkDocs passes
    through. What survives is listed in site_docs/guide/manifest.md ("Text and Markdown").
"""

from __future__ import annotations

import functools
import re
from urllib.parse import quote, urlsplit

import markdown
import nh3

# Characters Markdown (core, tables, attr_list, footnotes, admonition, md_in_html, abbr, pymdownx's inline
# marks) or HTML could read as syntax. Each is written as a character reference, which both show literally.
_SYNTAX = "&<>\"'\\`*[]{}|#!~^$"
_REFERENCES = {ord(c): f"&#{ord(c)};" for c in _SYNTAX} | {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;"}
# Whitespace HTML keeps but Python (so Markdown's regexes and strip()) does not: NBSP, U+2028 (splitlines() breaks
# a table row there), ideographic space and the rest become references too.
_REFERENCES |= {c: f"&#{c};" for c in range(0x80, 0x3001) if chr(c).isspace()}
#: HTML whitespace (space, tab, LF, FF, CR): a run of it shows as one space, so it is written as one.
_WHITESPACE = re.compile(r"[ \t\n\f\r]+")
#: Text that starts like a list item or a rule would open one where it starts a line: its marker is escaped.
_BLOCK_START = re.compile(r"^(?:[-+](?=[ -]|$)|\d+(?=[.)](?: |$)))")
#: An underscore between two letters or digits is never emphasis (``http_req_duration``); any other can be.
_EDGE_UNDERSCORE = re.compile(r"(?<![^\W_])_|_(?![^\W_])")


def _visible(code: int) -> str:
    """A control character as the symbol that names it (U+2400…), other unprintable code points as U+FFFD."""
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


# C0 controls other than HTML whitespace, DEL, C1 controls, lone surrogates and the two noncharacters that
# HTML refuses: raw in a page they are parse errors (NUL) or invisible; shown, they stay visible.
_UNPRINTABLE = {c: _visible(c) for c in [*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)] if chr(c) not in "\t\n\f\r"}
# Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): invisible, they reorder the
# text after them up to the end of the paragraph, so an endpoint name could show a later "120 ms" as "sm 021".
# Shown by their code point; right-to-left scripts need none of them (and the marks U+200E/U+200F stay).
_UNPRINTABLE |= {c: f"[U+{c:04X}]" for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]}
_UNPRINTABLE_RE = re.compile("[\ud800-\udfff\ufffe\uffff]")


def printable(value: object) -> str:
    """``value`` as text with control characters and lone surrogates made visible (for JSON and terminals too)."""
    string = str(value)
    if string.isprintable():  # none of the characters replaced below is printable: most text, at a tenth the cost
        return string
    return _UNPRINTABLE_RE.sub("\ufffd", string.translate(_UNPRINTABLE))


def text(value: object) -> str:
    """Plain text as inline Markdown that renders as exactly that text, in any inline position."""
    return _text(str(value))


@functools.lru_cache(maxsize=1 << 16)
def _text(value: str) -> str:
    # Kept by the string: a page repeats the same names, labels and numbers in many cells (a chart's table of
    # numbers, the evidence page's excerpts), and a build calls this some million times.
    plain = _WHITESPACE.sub(" ", printable(value)).strip(" ")
    escaped = _EDGE_UNDERSCORE.sub("&#95;", plain.translate(_REFERENCES))
    return _escape_block_start(escaped)


def _escape_block_start(escaped: str) -> str:
    match = _BLOCK_START.match(escaped)
    if match is None:
        return escaped
    if match.group(0).isdigit():  # "1." or "1)": escape the delimiter after the digits
        end = match.end()
        return escaped[:end] + f"&#{ord(escaped[end])};" + escaped[end + 1 :]
    return f"&#{ord(escaped[0])};" + escaped[1:]


def attr(value: object) -> str:
    """Plain text inside a quoted Markdown link title: ``text`` plus parentheses, which end a link."""
    return text(value).replace("(", "&#40;").replace(")", "&#41;")


def code(value: object) -> str:
    """Plain text shown as code (selectors, expressions, file names), whitespace and controls as in ``text``.

    A Markdown code span where that is safe: Markdown never parses its content (pipes included, even in
    tables); its fence is one backtick longer than any run inside, padded when the text starts or ends with
    one. Text with ``<`` or ``&`` is an HTML ``<code>`` element with ``text`` inside instead, because MkDocs
    reads the page source as HTML to find anchors, and a ``<!--`` in a code span would hide every anchor
    after it.
    """
    plain = _WHITESPACE.sub(" ", printable(value)).strip(" ")
    if not plain:
        return ""
    if any(c in "<&" or (c.isspace() and c != " ") for c in plain):
        return f"<code>{text(plain)}</code>"
    fence = "`" * (max((len(run) for run in re.findall("`+", plain)), default=0) + 1)
    pad = " " if plain.startswith("`") or plain.endswith("`") else ""
    return f"{fence}{pad}{plain}{pad}{fence}"


def url(path: str) -> str:
    """A path inside the site as a link target: each character a URL could read as syntax percent-encoded."""
    return quote(path, safe="/")


def yaml_string(value: object) -> str:
    """A front-matter value. MkDocs and its themes read a page title as HTML, so it is ``text``, quoted."""
    return f'"{text(value)}"'


# ---- Markdown fields -------------------------------------------------------------------------------------

TAGS = {
    *("p", "br", "hr", "em", "strong", "b", "i", "s", "del", "ins", "sub", "sup", "kbd", "code", "pre"),
    *("blockquote", "ul", "ol", "li", "dl", "dt", "dd", "a", "img", "abbr"),
    *("h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td"),
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}
URL_SCHEMES = {"http", "https", "mailto"}
#: What a Markdown field can use: Python-Markdown's core syntax plus these (all of them produce only TAGS).
EXTENSIONS = ["tables", "fenced_code", "sane_lists", "abbr"]


def _relative(value: str) -> bool:
    parts = urlsplit(value)
    return not parts.scheme and not parts.netloc and not value.startswith(("/", "\\"))


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        # An image loads by itself: only files of the site itself, never another host.
        return value if _relative(value) else None
    return value


_CLEANER = nh3.Cleaner(
    tags=TAGS,
    attributes=ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    attribute_filter=_attribute_filter,
    filter_style_properties={"text-align"},
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def md(value: object) -> str:
    """A Markdown field as one line of sanitised HTML inside ``<div class="rg-md">``, which MkDocs keeps as is."""
    source = printable(value)
    html = markdown.markdown(source, extensions=EXTENSIONS, output_format="html")
    clean = _CLEANER.clean(html).strip()
    # Newlines inside code as references: no blank line or trailing space inside the block for Markdown (or the
    # page's tidying) to act on, so it stays one raw HTML block that MkDocs passes through as it is.
    clean = _PRE.sub(lambda m: m.group(0).replace("\r", "&#13;").replace("\n", "&#10;"), clean)
    clean = clean.replace("\u2028", "&#8232;").replace("\u2029", "&#8233;")
    return f'<div class="rg-md">\n{clean}\n</div>'


_PRE = re.compile(r"<pre>.*?</pre>", re.DOTALL)
