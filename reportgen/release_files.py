"""One release's files from its page model: the raw excerpt under each figure, the download size of each
compressed copy, the claims document and the Markdown pages. The same function in whichever process built the
page model (:mod:`reportgen.render_tasks`), so the bytes never depend on where it ran.

A release's narrative may cite other releases' figures, and those are only known once every page model is
built: such a release is rendered where all of them are (:func:`cites_only_itself` says which can be rendered
beside their page model).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jinja2.sandbox import SandboxedEnvironment

from reportgen import write
from reportgen.assemble import size_text
from reportgen.claims import claims_document, index_entry, to_json
from reportgen.excerpt import page_excerpts
from reportgen.page_cache import Rendered
from reportgen.render import render_release
from reportgen.result_cache import cited
from reportgen.schemas.page import Citable, ReleasePage
from reportgen.schemas.report import ReleaseResult


def copy_sizes(held: Mapping[str, write.Content]) -> dict[str, int]:
    """Raw copy name → size in bytes, for the copies held compressed (in memory; the others are the file itself)."""
    return {name: len(content) for name, content in held.items() if isinstance(content, bytes)}


def cites_only_itself(result: ReleaseResult) -> bool:
    """Whether the release's narrative cites no other release (and every citation parses): its pages need no
    other release's page model."""
    return cited(result) == set()


def release_files(
    env: SandboxedEnvironment,
    release_dir: Path,
    result: ReleaseResult,
    page: ReleasePage,
    sizes: Mapping[str, int],
    citables: Mapping[str, Citable],
) -> Rendered:
    """The release's files (relative to the generated folder), claims document and citable. ``sizes`` are its
    compressed copies' (:func:`copy_sizes`), ``citables`` the releases its narrative cites."""
    # The raw excerpt under each figure of the evidence page: read here, since page models are pure.
    excerpts = page_excerpts(release_dir, result.artifacts)
    page = page.model_copy(update={"excerpts": excerpts, **_download_sizes(page, sizes)})
    document = claims_document(result, page)
    return Rendered(render_release(env, page, to_json(document), citables), index_entry(document), page.citable)


def _download_sizes(page: ReleasePage, sizes: Mapping[str, int]) -> dict[str, Any]:
    """The page's raw-file rows, each gzip-compressed copy with its download size beside the original's."""

    def row(item: Any) -> Any:
        size = sizes.get(item.link)
        if size is None:
            return item
        return item.model_copy(update={"size": f"{item.size}; {size_text(size)} as gzip"})

    return {"artifacts": [row(a) for a in page.artifacts], "attachments": [row(a) for a in page.attachments]}
