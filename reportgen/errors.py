"""The one error tree of reportgen.

Only :mod:`reportgen.cli` turns these into messages and exit codes; anything
else that escapes is a bug and keeps its traceback.

::

    ReportgenError                 exit 2: the input cannot be used
    ├── InputError                 a file we read is wrong; carries path, line, column
    │   ├── ManifestError          release.yaml / signoffs.yaml: YAML or schema problems
    │   ├── ArtifactError          a raw artifact is malformed for its format
    │   ├── UnknownFormatError     no adapter accepts an artifact
    │   └── CitationError          a narrative citation is not one, or names a figure that is not there
    ├── UnresolvedReferenceError  a manifest names a metric, artifact or measurement that is not there
    ├── UnitError                  a unit is unknown or two units cannot be compared
    ├── ExpressionError            a derived-metric expression is not plain arithmetic
    ├── ProjectError               the project layout is wrong (no mkdocs.yml, no results/)
    ├── SignatureError             ssh-keygen cannot sign (no key, no ssh-keygen, a wrong passphrase)
    ├── OutputPathError            an output path would replace what reportgen did not write
    ├── BuildError                 MkDocs or a template failed
    └── PublishError               deploy, bundle or pdf cannot publish (git, a deploy already running, no browser)

A failing target is *data* (a verdict), never an exception.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path


class ReportgenError(Exception):
    """Base of every error reportgen reports to a user as a message (exit code 2)."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class Position:
    """Where in a file something is: 1-based line and column, either may be unknown."""

    path: Path | str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = str(self.path)
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


class InputError(ReportgenError):
    """A file is wrong; the message starts with ``path:line:col:``."""

    def __init__(self, position: Position, message: str, *, details: list[str] | None = None) -> None:
        self.position = position
        self.reason = message
        self.details = details or []
        super().__init__(f"{position}: {message}")


class ManifestError(InputError):
    """release.yaml or signoffs.yaml cannot be parsed or does not fit the schema."""


class ArtifactError(InputError):
    """A raw artifact is damaged or does not fit the format its adapter reads."""


class UnknownFormatError(InputError):
    """No registered adapter accepts an artifact."""


class CitationError(InputError):
    """A ``{{ metric("id") }}`` citation in narrative text is malformed or names nothing."""


class UnresolvedReferenceError(ReportgenError):
    """A name in a manifest points at nothing (metric, artifact, measurement)."""


class UnitError(ReportgenError):
    """A unit is unknown, or two quantities of different dimensions were compared."""


class ExpressionError(ReportgenError):
    """A derived-metric expression uses something other than arithmetic over metric names."""


class ProjectError(ReportgenError):
    """The project is not laid out as reportgen expects."""


class OutputPathError(ReportgenError):
    """An output path (site folder, bundle, file) is or holds something reportgen did not write."""


class SignatureError(ReportgenError):
    """A sign-off cannot be signed: the key or ssh-keygen is missing or refuses."""


class BuildError(ReportgenError):
    """Rendering a template or running the MkDocs build failed."""


class PublishError(ReportgenError):
    """Publishing failed: git refused, another deploy holds the lock, or a tool it needs is missing."""


class ErrorGroup(ReportgenError):
    """Several input errors found in one pass, reported together."""

    def __init__(self, errors: Sequence[ReportgenError]) -> None:
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """``'; did you mean "x"?'`` for the closest candidate to ``name``, or ``""``."""
    import difflib

    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return f'; did you mean "{close[0]}"?' if close else ""


def raise_all(errors: Sequence[ReportgenError]) -> None:
    """Raise nothing, the one error, or all of them together, so a user fixes every mistake in one pass."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        flat = [inner for e in errors for inner in (e.errors if isinstance(e, ErrorGroup) else [e])]
        raise ErrorGroup(flat)
