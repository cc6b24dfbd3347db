"""The narrative of a release: its summary and sections, each with the file and line it was written at.

A section's body is written in release.yaml or in a Markdown file beside it (``file: findings.md``);
either way citations and the narrative lint report positions in the file the text is in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from reportgen import citations, limits, named_files
from reportgen.citations import CitableIds
from reportgen.errors import CitationError, ManifestError
from reportgen.load import Loaded
from reportgen.schemas.report import Narrative


def _in_yaml(loaded: Loaded, lines: list[str], loc: tuple[str | int, ...], **fields: str | None) -> Narrative:
    """A string of release.yaml with the place its text starts: after the ``|``/``>`` line of a block scalar
    (whose indentation is stripped from every line), or after the opening quote of a quoted one."""
    where = loaded.positions.at(loc)
    line, column = where.line or 1, where.column or 1
    node: Any = loaded.positions.tree
    for token in loc:
        node = node[token]
    indent = 0
    if isinstance(node, LiteralScalarString | FoldedScalarString):
        line += 1
        content = lines[line - 1] if line - 1 < len(lines) else ""
        indent = len(content) - len(content.lstrip(" "))
        column = indent + 1
    elif 0 < line <= len(lines) and lines[line - 1][column - 1 : column] in ("'", '"'):
        column += 1
    return Narrative(
        title=fields.get("title"), body=str(node), source=str(where.path), line=line, column=column, indent=indent
    )


def _section_file(folder: Path, loaded: Loaded, index: int, name: str) -> Narrative:
    where = loaded.positions.at(("sections", index, "file"))
    path = (folder / name).resolve()
    if Path(name).is_absolute() or not path.is_relative_to(folder.resolve()):
        raise ManifestError(
            where, f"sections[{index}].file: {name!r} is outside the release folder; keep it beside release.yaml"
        )
    field = f"sections[{index}].file: {name!r}"
    try:
        raw = named_files.read_bytes(path, limits.MAX_SECTION_BYTES)
        if len(raw) > limits.MAX_SECTION_BYTES:
            raise ManifestError(
                where,
                f"{field} is larger than {limits.size(limits.MAX_SECTION_BYTES)} (limit MAX_SECTION_BYTES); "
                "split it into several sections, or attach long material as an artifact",
            )
        body = raw.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
    except named_files.NotAFileError as exc:
        raise ManifestError(where, f"{field} {exc.reason}") from None
    except FileNotFoundError:
        raise ManifestError(where, f"sections[{index}].file: no such file {name!r} beside release.yaml") from None
    except OSError as exc:
        raise ManifestError(where, f"{field}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ManifestError(where, f"{field} is not UTF-8 text; re-save it as UTF-8") from None
    title = loaded.manifest.sections[index].title
    return Narrative(title=title, body=body, source=str(folder / name), line=1)


def read_narrative(folder: Path, loaded: Loaded) -> list[Narrative]:
    """The summary (if any) and every section, in manifest order, with their sources."""
    lines = Path(loaded.positions.path).read_text(encoding="utf-8-sig").splitlines()
    texts: list[Narrative] = []
    if loaded.manifest.summary is not None:
        texts.append(_in_yaml(loaded, lines, ("summary",)))
    for index, section in enumerate(loaded.manifest.sections):
        if section.file is not None:
            texts.append(_section_file(folder, loaded, index, section.file))
        else:
            texts.append(_in_yaml(loaded, lines, ("sections", index, "body"), title=section.title))
    return texts


def citation_errors(loaded: Loaded, texts: list[Narrative], known: list[str]) -> list[CitationError]:
    """Citations of this release that name nothing, found from the manifest before any figure is computed.

    Citations of other releases are checked for the release name here and for the id when pages render.
    """
    manifest = loaded.manifest
    metrics = frozenset(m.id for m in manifest.metrics)
    own = CitableIds(
        release=manifest.release,
        baseline=manifest.baseline,
        metrics=metrics,
        targets=frozenset(t.key for t in manifest.targets),
        deltas=metrics if manifest.baseline else frozenset(),
    )
    others = [release for release in known if release != manifest.release]
    errors = []
    for text in texts:
        errors += citations.check(text.body, text.origin(), {manifest.release: own}, manifest.release, others)
    return errors
