"""YAML with positions (ruamel) → pydantic models; every error as ``file:line:col: field: message``."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from reportgen import limits, named_files
from reportgen.errors import ManifestError, Position, did_you_mean, raise_all
from reportgen.input_cache import YamlTrees
from reportgen.mojibake import find_mojibake
from reportgen.schemas.manifest import Manifest, SignOffs

Model = TypeVar("Model", bound=BaseModel)
Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class PositionIndex:
    """Finds the position of any field path (``("targets", 2, "threshold")``) in the YAML it was read from."""

    path: Path
    tree: Any

    def at(self, loc: Sequence[str | int], *, key: bool = False) -> Position:
        """Position of the value at ``loc`` (of its key when ``key``), or of the nearest enclosing node."""
        node, line, column = self.tree, 0, 0
        for depth, token in enumerate(loc):
            if isinstance(node, CommentedMap) and token in node:
                if key and depth == len(loc) - 1:
                    line, column = node.lc.key(token)
                elif isinstance(node[token], CommentedMap | CommentedSeq):
                    line, column = _node_start(node[token], node.lc.value(token))
                else:
                    line, column = node.lc.value(token)
                node = node[token]
            elif isinstance(node, CommentedSeq) and isinstance(token, int) and 0 <= token < len(node):
                line, column = _node_start(node[token], node.lc.item(token))
                node = node[token]
            elif isinstance(node, CommentedMap | CommentedSeq):
                # A missing field: point at the mapping that should hold it.
                line, column = node.lc.line, node.lc.col
                break
        return Position(self.path, line + 1, column + 1)


def _node_start(node: Any, fallback: tuple[int, int]) -> tuple[int, int]:
    if isinstance(node, CommentedMap | CommentedSeq) and node.lc.line is not None:
        return node.lc.line, node.lc.col
    return fallback


def field_path(loc: Sequence[str | int]) -> str:
    text = ""
    for token in loc:
        text += f"[{token}]" if isinstance(token, int) else (f".{token}" if text else str(token))
    return text


def _plain(node: Any) -> Any:
    """ruamel's commented containers and scalar subclasses → plain Python values."""
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, dt.datetime | dt.date):
        return node
    return str(node)


# Placeholders left in hand-filled templates.
_PLACEHOLDER = re.compile(r"\[(ACTUAL|TBD|TODO|PASSED/FAILED|PASS/FAIL|COUNT|RATE|LATENCY|VALUE|X/\d+)\]|\bTODO\b")


def _placeholders(path: Path, text: str) -> list[ManifestError]:
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        if match := _PLACEHOLDER.search(line):
            problems.append(
                ManifestError(
                    Position(path, number, match.start() + 1),
                    f"placeholder {match.group(0)!r} left in the manifest; reportgen computes values, "
                    "so delete it or describe instead",
                )
            )
    return problems


def _scan_text(path: Path, text: str, placeholders: bool) -> list[ManifestError]:
    problems = [
        ManifestError(Position(path, found.line, found.column), found.message()) for found in find_mojibake(text)
    ]
    problems += _placeholders(path, text) if placeholders else []
    return sorted(problems, key=lambda problem: (problem.position.line or 0, problem.position.column or 0))


def round_trip_yaml() -> YAML:
    """The one YAML reader/writer: keeps positions, comments, quotes and the author's line breaks."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


@dataclass(frozen=True)
class YamlFile:
    """A parsed YAML file: its round-trip tree, the positions of its fields, and the SHA-256 of its bytes."""

    tree: Any
    positions: PositionIndex
    sha256: str
    text: str = ""


def _node_position(path: Path, node: Any) -> Position:
    line = getattr(getattr(node, "lc", None), "line", None)
    column = getattr(getattr(node, "lc", None), "col", None)
    return Position(path, line + 1 if line is not None else None, column + 1 if column is not None else None)


def check_bounds(path: Path, tree: Any) -> None:
    """Refuse alias bombs and deep nesting before anything expands the tree.

    ruamel keeps an alias as a second reference to the anchored node, so the tree is small; what would
    blow up is every later walk that expands it. Sizes are memoised per node, so this walk is linear in
    the file while it computes the size of the expanded document (and refuses an alias to itself).
    """
    sizes: dict[int, int] = {}
    depths: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[Any, bool]] = [(tree, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        items = [*node.keys(), *node.values()] if isinstance(node, dict) else list(node)
        children = [item for item in items if isinstance(item, dict | list)]
        if not done:
            if key in sizes:
                continue
            if key in open_nodes:
                raise ManifestError(_node_position(path, node), "an alias refers to a node that contains it")
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in children)
            continue
        open_nodes.discard(key)
        sizes[key] = 1 + len(items) - len(children) + sum(sizes[id(child)] for child in children)
        depths[key] = 1 + max((depths[id(child)] for child in children), default=0)
        if sizes[key] > limits.MAX_YAML_NODES:
            raise ManifestError(
                _node_position(path, node),
                f"this YAML stands for more than {limits.MAX_YAML_NODES:,} values once its aliases (*name) are "
                "expanded (limit MAX_YAML_NODES): an alias bomb? Write the values out, or use fewer aliases",
            )
        if depths[key] > limits.MAX_NESTING:
            raise ManifestError(
                _node_position(path, node),
                f"YAML nested more than {limits.MAX_NESTING} levels deep (limit MAX_NESTING)",
            )


def read_yaml(path: Path, *, placeholders: bool = True, trees: YamlTrees | None = None) -> YamlFile:
    """Parse YAML keeping positions; syntax and encoding errors become ManifestError at file:line:col.

    Mojibake is always refused; leftover placeholders too unless ``placeholders`` is False (a release
    manifest, whose placeholders are refused only once it is final: in a draft the lint warns). ``trees``:
    where the tree of bytes parsed before is kept (:mod:`reportgen.input_cache`); every check still runs on it.
    """
    try:
        raw = named_files.read_bytes(path, limits.MAX_MANIFEST_BYTES)
    except named_files.NotAFileError as exc:
        raise ManifestError(exc.position, exc.reason) from None
    except OSError as exc:
        raise ManifestError(Position(path), f"cannot read: {exc.strerror}") from None
    if len(raw) > limits.MAX_MANIFEST_BYTES:
        raise ManifestError(
            Position(path),
            f"larger than {limits.size(limits.MAX_MANIFEST_BYTES)} (limit MAX_MANIFEST_BYTES); a manifest names "
            "where numbers are and is a few KB: keep data in artifacts, long notes in site_docs/",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ManifestError(Position(path, line), "not UTF-8 text; re-save the file as UTF-8") from None
    raise_all(_scan_text(path, text, placeholders))
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ManifestError(
            Position(path, line), "contains NUL bytes: UTF-16 without a byte order mark? Re-save as UTF-8"
        )
    if (too_deep := limits.open_brackets_exceed(text)) is not None:
        raise ManifestError(
            Position(path, *limits.line_and_column(text, too_deep)),
            f"more than {limits.MAX_NESTING} [ or {{ open at once (limit MAX_NESTING)",
        )
    sha256 = hashlib.sha256(raw).hexdigest()
    tree = trees.get(sha256) if trees is not None else None
    parsed = tree is None
    if parsed:
        tree = _parse(path, text)
    if tree is None:
        raise ManifestError(Position(path, 1, 1), "file is empty")
    if not isinstance(tree, CommentedMap):
        raise ManifestError(Position(path, 1, 1), "expected a mapping of fields at the top level")
    check_bounds(path, tree)
    if parsed and trees is not None:
        trees.put(sha256, tree)
    return YamlFile(tree, PositionIndex(path, tree), sha256, text)


def _parse(path: Path, text: str) -> Any:
    """ruamel's round-trip tree of ``text``; its errors as ManifestError at file:line:col."""
    try:
        return round_trip_yaml().load(text)
    except RecursionError:
        # ruamel composes nested nodes recursively: far deeper than MAX_NESTING before Python's limit.
        raise ManifestError(
            Position(path), f"YAML nested more than {limits.MAX_NESTING} levels deep (limit MAX_NESTING)"
        ) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        position = Position(path, mark.line + 1, mark.column + 1) if mark else Position(path)
        problem = str(exc.problem or exc.context)
        if "'\\t'" in problem:
            problem += "; YAML indents with spaces, never tabs"
        raise ManifestError(position, f"invalid YAML: {problem}") from None
    except YAMLError as exc:  # reader errors: characters YAML does not allow
        at = getattr(exc, "position", None)
        where = Position(path, text.count("\n", 0, at) + 1) if isinstance(at, int) else Position(path)
        raise ManifestError(where, f"invalid YAML: {str(exc).splitlines()[0]}") from None


def _field_names(model: type[BaseModel], loc: Sequence[str | int]) -> list[str]:
    """The fields of the model at ``loc`` inside ``model`` (following lists, options and unions), for hints."""
    import typing

    models: list[type[BaseModel]] = [model]
    for token in loc:
        if isinstance(token, int):
            continue
        found: list[type[BaseModel]] = []
        for current in models:
            field = current.model_fields.get(token)
            pending = [field.annotation] if field is not None else []
            while pending:
                kind = pending.pop()
                if isinstance(kind, type) and issubclass(kind, BaseModel):
                    found.append(kind)
                pending.extend(typing.get_args(kind))
        models = found or models
    return sorted({name for m in models for name in m.model_fields})


def _describe(error: ErrorDetails, fields: type[BaseModel]) -> str:
    kind, message = error["type"], error["msg"]
    message = message.removeprefix("Value error, ")
    if kind == "missing":
        return f"missing required field {str(error['loc'][-1])!r}"
    if kind == "finite_number":
        return f"{error['input']} is not a finite number"
    if kind == "extra_forbidden":
        hint = did_you_mean(str(error["loc"][-1]), _field_names(fields, error["loc"][:-1]))
        return f"unknown field; check the spelling (see `reportgen schema`){hint}"
    if kind in ("string_pattern_mismatch",):
        return f"{message.lower()}, got {error['input']!r}"
    if kind.endswith("_type") or kind.endswith("_parsing") or kind == "literal_error":
        return f"{message[0].lower() + message[1:]}, got {error['input']!r}"
    return message


def _has(node: Any, token: str | int) -> bool:
    if isinstance(node, dict):
        return token in node
    return isinstance(node, list) and isinstance(token, int) and 0 <= token < len(node)


def _clean_loc(loc: Sequence[str | int], tree: Any) -> Loc:
    """Drop pydantic's union-branch and validator tokens that are not fields of the YAML."""
    clean: list[str | int] = []
    node = tree
    for token in loc:
        if _has(node, token):
            clean.append(token)
            node = node[token]
        elif isinstance(node, dict) and isinstance(token, str) and not any(c in token for c in "[]-,"):
            clean.append(token)  # a missing field
            node = None
    return tuple(clean)


def validate(model: type[Model], tree: Any, index: PositionIndex) -> Model:
    try:
        return model.model_validate(_plain(tree))
    except ValidationError as exc:
        errors: list[ManifestError] = []
        for error in exc.errors(include_url=False):
            loc = _clean_loc(error["loc"], tree)
            where = field_path(loc)
            message = _describe(error, model)
            position = index.at(loc, key=error["type"] == "extra_forbidden")
            errors.append(ManifestError(position, f"{where}: {message}" if where else message))
    errors.sort(key=lambda e: (e.position.line or 0, e.position.column or 0))
    raise_all(errors)
    # pydantic always lists at least one error; this only keeps the type checker and a reader sure.
    raise ManifestError(index.at(()), "does not fit the schema (see `reportgen schema`)")


@dataclass(frozen=True)
class Loaded:
    """A validated manifest with the positions of its fields, for errors found later (references)."""

    manifest: Manifest
    positions: PositionIndex
    text_sha256: str


def _check_unique_ids(manifest: Manifest, index: PositionIndex) -> None:
    """Scenario, metric and target ids are unique; the error points at the second use."""
    for kind, field, ids in (
        ("scenario", "scenarios", [s.id for s in manifest.scenarios]),
        ("metric", "metrics", [m.id for m in manifest.metrics]),
        ("target", "targets", [t.key for t in manifest.targets]),
    ):
        first: dict[str, int] = {}
        for position, item in enumerate(ids):
            if item in first:
                where = index.at((field, position))
                raise ManifestError(
                    where, f"{field}[{position}]: {kind} id {item!r} is already used by {field}[{first[item]}]"
                )
            first[item] = position


def load_manifest(path: Path, trees: YamlTrees | None = None) -> Loaded:
    document = read_yaml(path, placeholders=False, trees=trees)
    manifest = validate(Manifest, document.tree, document.positions)
    if manifest.status == "final":
        raise_all(_placeholders(path, document.text))
    _check_unique_ids(manifest, document.positions)
    return Loaded(manifest, document.positions, document.sha256)


def load_signoffs(path: Path, trees: YamlTrees | None = None) -> SignOffs:
    if not path.exists():
        return SignOffs()
    document = read_yaml(path, trees=trees)
    return validate(SignOffs, document.tree, document.positions)
