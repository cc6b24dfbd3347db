"""Derived-metric expressions: arithmetic over metric names, parsed into a tree and walked; never eval'd.

Allowed: numbers, metric ids, ``+ - * /``, unary ``-``/``+`` and parentheses. Anything else
(calls, attributes, subscripts, comparisons, ``**``) is an :class:`ExpressionError`.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping

from reportgen.errors import ExpressionError

_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_UNARY: dict[type[ast.unaryop], Callable[[float], float]] = {ast.USub: operator.neg, ast.UAdd: operator.pos}
_STRUCTURE = (ast.BinOp, ast.UnaryOp, ast.Name, ast.Load)


def parse(expression: str) -> ast.expr:
    """Parse and check an expression; raise ExpressionError naming the offending part."""
    try:
        tree = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError as exc:
        raise ExpressionError(
            f"{expression!r} is not an arithmetic expression ({exc.msg} at column {exc.offset})"
        ) from None
    for node in ast.walk(tree):
        allowed = (
            isinstance(node, _STRUCTURE)
            or type(node) in _BINARY
            or type(node) in _UNARY
            or (isinstance(node, ast.Constant) and type(node.value) in (int, float))
        )
        if not allowed:
            part = ast.get_source_segment(expression.strip(), node) or type(node).__name__
            raise ExpressionError(
                f"{expression!r}: {part!r} is not allowed; use metric ids, numbers, + - * / and parentheses"
            )
    return tree


def names(expression: str) -> list[str]:
    """Metric ids an expression uses, in first-use order."""
    found: list[str] = []
    for node in ast.walk(parse(expression)):
        if isinstance(node, ast.Name) and node.id not in found:
            found.append(node.id)
    return found


def evaluate(expression: str, values: Mapping[str, float]) -> float:
    """Compute ``expression`` with ``values`` for its names; division by zero is an ExpressionError."""

    def walk(node: ast.expr) -> float:
        if isinstance(node, ast.Constant):
            assert isinstance(node.value, int | float)  # parse() admits only numbers
            return float(node.value)
        if isinstance(node, ast.Name):
            return values[node.id]
        if isinstance(node, ast.UnaryOp):
            return _UNARY[type(node.op)](walk(node.operand))
        if isinstance(node, ast.BinOp):
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Div) and right == 0:
                raise ExpressionError(f"{expression!r}: division by zero")
            return _BINARY[type(node.op)](left, right)
        raise ExpressionError(f"{expression!r}: unexpected {type(node).__name__}")  # parse() prevents this

    return walk(parse(expression))


#: Dimensions that behave like plain numbers in arithmetic (a share, a count, a constant).
_PLAIN = frozenset({"none", "ratio", "count"})
UNKNOWN = "?"


def dimension(expression: str, dimensions: Mapping[str, str]) -> str:
    """The dimension of ``expression``'s result, given each name's dimension (see :mod:`reportgen.units`).

    ``+``/``-`` need the same dimension (plain numbers mix freely); ``*``/``/`` by a plain number keep the
    other side's dimension, and a quantity divided by its own dimension is plain. Other products
    (a rate times a time) are not modelled and come out unknown, which callers accept unchecked.
    Raises ExpressionError when two dimensions are added or subtracted.
    """

    def walk(node: ast.expr) -> str:
        if isinstance(node, ast.Constant):
            return "none"
        if isinstance(node, ast.Name):
            return dimensions[node.id]
        if isinstance(node, ast.UnaryOp):
            return walk(node.operand)
        assert isinstance(node, ast.BinOp)
        left, right = walk(node.left), walk(node.right)
        if UNKNOWN in (left, right):
            return UNKNOWN
        if isinstance(node.op, ast.Add | ast.Sub):
            if left == right or (left in _PLAIN and right in _PLAIN):
                return left if left not in _PLAIN else right if right not in _PLAIN else "none"
            verb = "add" if isinstance(node.op, ast.Add) else "subtract"
            part = ast.get_source_segment(expression.strip(), node) or expression
            raise ExpressionError(f"{part!r}: cannot {verb} {_kind(left)} and {_kind(right)}")
        if right in _PLAIN:
            return left
        if left in _PLAIN and isinstance(node.op, ast.Mult):
            return right
        if isinstance(node.op, ast.Div) and left == right:
            return "none"
        return UNKNOWN

    return walk(parse(expression))


def _kind(dimension_name: str) -> str:
    return "a plain number" if dimension_name == "none" else f"a {dimension_name}"
