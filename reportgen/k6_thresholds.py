"""The thresholds a k6 script or summary declares, read without running anything.

From a script: the ``thresholds`` object of ``options`` (a JavaScript object literal of string
literals, arrays and ``{threshold, abortOnFail, delayAbortEval}`` objects; comments allowed). A value
computed by code (a variable, a call, a template with ``${}``) cannot be read without running the
script, so it is listed as unsupported, never guessed. From a summary: the ``thresholds`` of each
metric (handleSummary JSON or ``--summary-export``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportgen import named_files
from reportgen.adapters._base import load_json
from reportgen.errors import ArtifactError, Position


@dataclass(frozen=True)
class Declared:
    """One threshold expression as declared: on which metric (and submetric tags), where."""

    key: str  # "http_req_duration{name:checkout}"
    expression: str  # "p(95)<200"
    where: str  # "script.js:20" or "summary.json: /metrics/…/thresholds"
    abort_on_fail: bool = False


@dataclass(frozen=True)
class Unreadable:
    """A threshold entry that cannot be read without running the script, with where it is."""

    text: str
    where: str
    reason: str


@dataclass
class Thresholds:
    declared: list[Declared] = field(default_factory=list)
    unreadable: list[Unreadable] = field(default_factory=list)


# --- a JavaScript object literal, just enough of it ----------------------------------------------------------

_TOKEN = re.compile(
    r"""(?P<space>\s+|//[^\n]*|/\*.*?\*/)
      |(?P<string>'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`)
      |(?P<number>-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)
      |(?P<name>[A-Za-z_$][\w$]*)
      |(?P<punct>[{}\[\]:,])
      |(?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)


class _Code:
    """A value the parser cannot know without running the script (a name, a call, an expression)."""

    def __init__(self, text: str) -> None:
        self.text = text


@dataclass
class _Parser:
    text: str
    path: Path
    at: int = 0

    def _line(self, offset: int) -> int:
        return self.text.count("\n", 0, offset) + 1

    def _next(self) -> re.Match[str] | None:
        while self.at < len(self.text):
            match = _TOKEN.match(self.text, self.at)
            assert match is not None  # "other" matches any character
            self.at = match.end()
            if match.lastgroup != "space":
                return match
        return None

    def _peek(self) -> re.Match[str] | None:
        saved = self.at
        token = self._next()
        self.at = saved
        return token

    def _expect(self, char: str) -> None:
        token = self._next()
        if token is None or token.group(0) != char:
            where = self._line(token.start() if token else len(self.text))
            raise ArtifactError(Position(self.path, where), f"cannot read the thresholds object: expected {char!r}")

    def value(self) -> Any:
        """A literal (str, float, bool, None, list, dict of (key, line) → value) or _Code for anything else."""
        token = self._peek()
        if token is None:
            raise ArtifactError(Position(self.path, self._line(len(self.text))), "the thresholds object is not closed")
        if token.group(0) == "{":
            return self._object()
        if token.group(0) == "[":
            return self._array()
        return self._scalar()

    def _scalar(self) -> Any:
        start = self.at
        first = self._next()
        assert first is not None
        kind, text = first.lastgroup, first.group(0)
        following = self._peek()
        ends = following is None or following.group(0) in (",", "}", "]")
        if ends and kind == "string" and not (text.startswith("`") and "${" in text):
            return _unquote(text)
        if ends and kind == "number":
            return float(text)
        if ends and text in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[text]
        depth = 0  # code: skip to the end of this value
        while True:
            token = self._peek()
            if token is None or (depth == 0 and token.group(0) in (",", "}", "]")):
                return _Code(self.text[start : self.at].strip())
            self._next()
            depth += {"(": 1, "[": 1, "{": 1, ")": -1, "]": -1, "}": -1}.get(token.group(0), 0)

    def _array(self) -> list[Any]:
        self._expect("[")
        items: list[Any] = []
        while (token := self._peek()) is not None and token.group(0) != "]":
            items.append((self._line(token.start()), self.value()))
            if (separator := self._peek()) is not None and separator.group(0) == ",":
                self._next()
        self._expect("]")
        return items

    def _object(self) -> dict[tuple[str, int], Any]:
        self._expect("{")
        members: dict[tuple[str, int], Any] = {}
        while (token := self._next()) is not None and token.group(0) != "}":
            if token.group(0) == ",":
                continue
            if token.lastgroup not in ("string", "name", "number"):
                raise ArtifactError(Position(self.path, self._line(token.start())), "cannot read a thresholds key")
            key = _unquote(token.group(0)) if token.lastgroup == "string" else token.group(0)
            self._expect(":")
            members[(key, self._line(token.start()))] = self.value()
        return members


def _unquote(text: str) -> str:
    body = text[1:-1]
    return re.sub(r"\\(.)", r"\1", body)


_THRESHOLDS = re.compile(r"(?<![\w$.])thresholds\s*:\s*(?=\{)")


def from_script(path: Path) -> Thresholds:
    """The thresholds object of a k6 script; error if the script has none."""
    text = named_files.read_text(path)
    found = Thresholds()
    match = _THRESHOLDS.search(_blank_comments(text))
    if match is None:
        raise ArtifactError(Position(path), "no `thresholds: {…}` in this script's options")
    parser = _Parser(text, path, match.end())
    members = parser.value()
    for (key, line), value in members.items():
        where = f"{path.name}:{line}"
        entries = value if isinstance(value, list) else [(line, value)]
        if isinstance(value, _Code):
            found.unreadable.append(Unreadable(f"{key}: {value.text}", where, "computed by the script"))
            continue
        for entry_line, entry in entries:
            _script_entry(found, key, entry, f"{path.name}:{entry_line}")
    return found


def _script_entry(found: Thresholds, key: str, entry: Any, where: str) -> None:
    if isinstance(entry, str):
        found.declared.append(Declared(key, entry, where))
    elif isinstance(entry, dict):
        fields = {name: value for (name, _), value in entry.items()}
        threshold = fields.get("threshold")
        if isinstance(threshold, str):
            found.declared.append(Declared(key, threshold, where, abort_on_fail=fields.get("abortOnFail") is True))
        else:
            found.unreadable.append(Unreadable(f"{key}: {{…}}", where, "an object without a literal `threshold`"))
    else:
        text = entry.text if isinstance(entry, _Code) else repr(entry)
        found.unreadable.append(Unreadable(f"{key}: {text}", where, "computed by the script"))


def _blank_comments(text: str) -> str:
    """The text with comments and strings blanked (same length), so a search cannot match inside them."""
    return re.sub(
        r"//[^\n]*|/\*.*?\*/|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"",
        lambda m: re.sub(r"[^\n]", " ", m.group(0)),
        text,
        flags=re.DOTALL,
    )


def from_summary(path: Path) -> Thresholds:
    """The thresholds k6 recorded in a handleSummary JSON or --summary-export file."""
    document = load_json(path)
    metrics = document.get("metrics") if isinstance(document, dict) else None
    if not isinstance(metrics, dict):
        raise ArtifactError(Position(path, 1, 1), 'not a k6 summary (no "metrics" object)')
    found = Thresholds()
    for key, metric in metrics.items():
        thresholds = metric.get("thresholds") if isinstance(metric, dict) else None
        for expression in thresholds or {}:
            found.declared.append(Declared(key, expression, f"{path.name}: /metrics/{key}/thresholds"))
    return found


def read(path: Path) -> Thresholds:
    """Thresholds from a script (``.js``/``.ts``/``.mjs``) or a summary (anything else, as JSON)."""
    if (reason := named_files.not_a_file(path)) is not None:
        raise ArtifactError(Position(path), reason)
    if not path.is_file():
        raise ArtifactError(Position(path), "no such file")
    return from_script(path) if path.suffix in (".js", ".mjs", ".ts", ".cjs") else from_summary(path)
