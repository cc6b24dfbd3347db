"""Citations: narrative text cites figures instead of retyping them.

``{{ metric("p95_search") }}`` renders the metric's value with its unit, its badge and a link to its
evidence; ``{{ verdict("p95_search") }}`` a target's verdict; ``{{ delta("p95_search") }}`` its change
against the baseline. ``release="v1.2.0"`` cites another release (hand-written pages in site_docs/
must name one). Only these three calls, with string literals, may appear inside ``{{ }}``: each is
checked on Jinja's own parse tree and then evaluated in a SandboxedEnvironment that holds nothing but
them, so narrative text can reach no other name, attribute or filter. Code blocks and code spans are
left as written. The output is the figure macros of ``_macros.md.j2``, so citations look like the
tables' figures (and follow a project's template overrides).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from reportgen.errors import CitationError, raise_all
from reportgen.prose import Origin, in_prose
from reportgen.schemas.page import Citable

KINDS = ("metric", "verdict", "delta")
#: A citation as written: ``{{`` … ``}}`` on one line or several (never across a code span, see prose.py).
CITATION = re.compile(r"\{\{(?P<inner>.*?)\}\}", re.DOTALL)


@dataclass(frozen=True)
class Citation:
    kind: str  # metric | verdict | delta
    id: str
    release: str | None
    start: int  # offsets of ``{{ … }}`` in the text
    end: int


def _sandbox() -> SandboxedEnvironment:
    env = SandboxedEnvironment(autoescape=False)
    env.globals.clear()  # no range, dict, lipsum, cycler, joiner, namespace: only what a citation passes in
    env.filters.clear()
    env.tests.clear()
    return env


_SANDBOX = _sandbox()


def _literal(node: nodes.Node) -> str | None:
    return node.value if isinstance(node, nodes.Const) and isinstance(node.value, str) else None


def _parse(inner: str) -> tuple[str, str, str | None] | None:
    """(kind, id, release) when ``inner`` is exactly one allowed call with string literals; else None."""
    try:
        tree = _SANDBOX.parse("{{" + inner + "}}")
    except TemplateSyntaxError:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], nodes.Output) or len(tree.body[0].nodes) != 1:
        return None
    call = tree.body[0].nodes[0]
    if not isinstance(call, nodes.Call) or not isinstance(call.node, nodes.Name) or call.node.name not in KINDS:
        return None
    if call.dyn_args is not None or call.dyn_kwargs is not None or len(call.args) != 1:
        return None
    figure_id = _literal(call.args[0])
    release: str | None = None
    for keyword in call.kwargs:
        release = _literal(keyword.value) if keyword.key == "release" else None
        if release is None:
            return None
    return (call.node.name, figure_id, release) if figure_id is not None else None


def find(text: str, origin: Origin) -> list[Citation]:
    """Every citation in the prose of ``text``; anything else inside ``{{ }}`` is an error at its place."""
    found = []
    for match in in_prose(text, CITATION):
        parsed = _parse(match.group("inner"))
        if parsed is None:
            raise CitationError(
                origin.position(text, match.start()),
                f"{match.group(0)!r} is not a citation; inside {{{{ }}}} write only "
                '{{ metric("id") }}, {{ verdict("id") }} or {{ delta("id") }} (optionally with release="…")',
            )
        kind, figure_id, release = parsed
        found.append(Citation(kind, figure_id, release, match.start(), match.end()))
    return found


@dataclass(frozen=True)
class CitableIds:
    """The ids one release can be cited by: known from its manifest before any figure is computed."""

    release: str
    baseline: str | None
    metrics: frozenset[str]
    targets: frozenset[str]
    deltas: frozenset[str]

    @classmethod
    def of(cls, citable: Citable) -> CitableIds:
        return cls(
            citable.release,
            citable.baseline,
            frozenset(citable.metrics),
            frozenset(citable.targets),
            frozenset(citable.deltas),
        )


def _unknown(citation: Citation, citable: CitableIds) -> str | None:
    """Why ``citation`` cannot be rendered from ``citable``, with the closest ids; None when it can."""
    ids = {"metric": citable.metrics, "verdict": citable.targets, "delta": citable.deltas}[citation.kind]
    if citation.id in ids:
        return None
    if citation.kind == "delta" and citable.baseline is None:
        return f"release {citable.release} has no baseline, so {citation.id!r} has no change to show"
    what = {"metric": "metric", "verdict": "target", "delta": "metric compared with the baseline"}[citation.kind]
    close = difflib.get_close_matches(citation.id, sorted(ids), n=3, cutoff=0.5)
    hint = f"; closest: {', '.join(close)}" if close else f"; known: {', '.join(sorted(ids)) or 'none'}"
    return f"unknown {what} {citation.id!r} in release {citable.release}{hint}"


def check(
    text: str,
    origin: Origin,
    citables: Mapping[str, CitableIds],
    default_release: str | None,
    deferred: Collection[str] = (),
) -> list[CitationError]:
    """Every citation in ``text`` that cannot be rendered, as errors at their line and column.

    Citations of a release in ``deferred`` are not checked (its ids are not known yet).
    """
    errors = []
    for citation in find(text, origin):
        release = citation.release or default_release
        if release in deferred:
            continue
        if release is None:
            problem = (
                f"{text[citation.start : citation.end]!r} names no release; on a hand-written page write "
                f'{citation.kind}("{citation.id}", release="…")'
            )
        elif release not in citables:
            close = difflib.get_close_matches(release, [*citables, *deferred], n=3, cutoff=0.5)
            problem = f"unknown release {release!r}" + (f"; closest: {', '.join(close)}" if close else "")
        else:
            problem = _unknown(citation, citables[release]) or ""
        if problem:
            errors.append(CitationError(origin.position(text, citation.start), problem))
    return errors


@dataclass(frozen=True)
class Renderer:
    """Renders citations with a template environment's figure macros.

    ``evidence_page(release)`` is the link to a release's evidence page from where the text is shown;
    ``footnote_release`` is the release whose projection footnotes the page defines (its own release page).
    """

    macros: Any  # the _macros.md.j2 module of the project's template environment
    citables: Mapping[str, Citable]
    evidence_page: Callable[[str], str]
    footnote_release: str | None = None

    def metric(self, figure_id: str, release: str) -> str:
        figure = self.citables[release].metrics[figure_id]
        footnote = release == self.footnote_release
        return str(self.macros.figure(figure, self.evidence_page(release), footnote=footnote))

    def verdict(self, target_key: str, release: str) -> str:
        row = self.citables[release].targets[target_key]
        link = f"{self.evidence_page(release)}#{row.metric_figure_id}"
        return f"[{self.macros.verdict(row.verdict)}]({link})"

    def delta(self, metric_id: str, release: str) -> str:
        line = self.citables[release].deltas[metric_id]
        provenance = "projected" if "projected" in (line.current.provenance, line.baseline.provenance) else "derived"
        if line.current.value is None or line.baseline.value is None:
            provenance = "missing"
        change = line.delta if line.delta_percent == "—" else f"{line.delta} ({line.delta_percent})"
        change = change.replace(" (projected)", "")
        figure = line.current.model_copy(update={"text": change, "provenance": provenance})
        return str(self.macros.figure(figure, self.evidence_page(release), footnote=False))

    def renderings(self, text: str, origin: Origin, default_release: str | None) -> list[tuple[Citation, str]]:
        """Each citation in ``text`` with its rendering; an unrenderable one raises CitationError."""
        ids = {release: CitableIds.of(citable) for release, citable in self.citables.items()}
        raise_all(check(text, origin, ids, default_release))
        renderings = []
        for citation in find(text, origin):
            release = citation.release or default_release or ""
            call = {"metric": self.metric, "verdict": self.verdict, "delta": self.delta}[citation.kind]
            # Evaluated by the sandbox, which can call nothing but the three functions given here.
            expression = _SANDBOX.compile_expression(text[citation.start + 2 : citation.end - 2])
            rendered = expression(**{citation.kind: lambda figure_id, release=release, c=call: c(figure_id, release)})
            renderings.append((citation, str(rendered)))
        return renderings

    def render(self, text: str, origin: Origin, default_release: str | None) -> str:
        """``text`` with each citation replaced by its rendering (Markdown, for the hand-written pages of
        site_docs/; a release's own narrative is sanitised first: :mod:`reportgen.narrative_html`)."""
        pieces, at = [], 0
        for citation, rendered in self.renderings(text, origin, default_release):
            pieces += [text[at : citation.start], rendered]
            at = citation.end
        return "".join(pieces) + text[at:]
