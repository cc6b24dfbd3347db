"""A safe XML reader that remembers where each element starts.

Built on pyexpat (the parser under xml.etree) rather than ``ElementTree.parse``
because we need two things ElementTree's C parser does not expose: the line of
every element (for warnings that point at a suite), and a handler that refuses a
DOCTYPE or entity declaration the moment the parser meets one. Refusing DTDs
outright is what makes entity expansion attacks (billion laughs, external
entities) impossible; scanning the text for ``<!DOCTYPE`` instead would also
reject test output that merely *contains* HTML inside a CDATA section.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn
from xml.parsers import expat

from reportgen import limits
from reportgen.adapters._base import open_text
from reportgen.errors import ArtifactError, Position


@dataclass(eq=False)  # identity, not a deep comparison of subtrees
class XmlElement:
    """One element: tag, attributes, children, text, where it starts (1-based) and its path for selectors."""

    tag: str
    attrib: dict[str, str]
    line: int
    column: int
    path: list[str]  # XPath-like steps from the root, 1-based among same-tag siblings: ["testsuites", "testsuite[2]"]
    children: list[XmlElement] = field(default_factory=list)
    text: str = ""

    def find_all(self, tag: str) -> list[XmlElement]:
        """Direct children with this tag, in document order."""
        return [child for child in self.children if child.tag == tag]

    def find(self, tag: str) -> XmlElement | None:
        return next((child for child in self.children if child.tag == tag), None)


class _TreeBuilder:
    def __init__(self, path: Path, parser: expat.XMLParserType) -> None:
        self.path = path
        self.parser = parser
        self.stack: list[XmlElement] = []
        self.root: XmlElement | None = None
        self.sibling_counts: list[dict[str, int]] = [{}]
        # Text arrives in pieces: joined once per element, since repeated += is quadratic on a 40 MB <system-out>.
        self.texts: list[list[str]] = []

    def _here(self) -> Position:
        return Position(self.path, self.parser.CurrentLineNumber, self.parser.CurrentColumnNumber + 1)

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if len(self.stack) >= limits.MAX_NESTING:
            raise ArtifactError(
                self._here(), f"XML nested more than {limits.MAX_NESTING} elements deep (limit MAX_NESTING)"
            )
        counts = self.sibling_counts[-1]
        counts[tag] = counts.get(tag, 0) + 1
        # The root has no index: there is only ever one.
        step = tag if not self.stack else f"{tag}[{counts[tag]}]"
        parent_path = self.stack[-1].path if self.stack else []
        element = XmlElement(
            tag,
            attrib,
            self.parser.CurrentLineNumber,
            self.parser.CurrentColumnNumber + 1,
            [*parent_path, step],
        )
        if self.stack:
            self.stack[-1].children.append(element)
        else:
            self.root = element
        self.stack.append(element)
        self.sibling_counts.append({})
        self.texts.append([])

    def end(self, tag: str) -> None:
        self.stack.pop().text = "".join(self.texts.pop())
        self.sibling_counts.pop()

    def data(self, text: str) -> None:
        if self.texts:
            self.texts[-1].append(text)

    def refuse_doctype(self, *args: object) -> NoReturn:
        raise ArtifactError(
            Position(self.path, self.parser.CurrentLineNumber),
            "XML with a DOCTYPE is refused: DTDs and entity declarations can expand without limit or read "
            "other files; test reports never need one (remove the <!DOCTYPE …> line)",
        )

    def refuse_entity(self, *args: object) -> NoReturn:
        raise ArtifactError(self._here(), "XML entity declarations are refused (no DTDs in test reports)")


def parse_xml(path: Path) -> XmlElement:
    """Parse a whole XML artifact (gzip and BOMs handled); damage and DTDs raise ArtifactError with line:column."""
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    builder = _TreeBuilder(path, parser)
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.StartDoctypeDeclHandler = builder.refuse_doctype
    parser.EntityDeclHandler = builder.refuse_entity
    try:
        with open_text(path, whole=True) as text:
            # Hand expat the bytes: it honours the BOM and the encoding the XML declaration names.
            parser.Parse(bytes(text.buffer.read()), True)
    except expat.ExpatError as exc:
        message = expat.ErrorString(exc.code) if exc.code is not None else str(exc)
        if builder.root is None and message == "no element found":
            raise ArtifactError(Position(path, exc.lineno, exc.offset + 1), "no XML element (empty file?)") from None
        hint = " (truncated file?)" if message in ("no element found", "unclosed token") else ""
        raise ArtifactError(Position(path, exc.lineno, exc.offset + 1), f"malformed XML: {message}{hint}") from None
    except (OSError, EOFError) as exc:
        raise ArtifactError(Position(path), f"cannot read: {exc}") from None
    if builder.root is None:
        raise ArtifactError(Position(path, 1, 1), "file is empty")
    return builder.root
