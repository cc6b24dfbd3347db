"""Expressions of derived metrics and ``projected.from``: arithmetic over metric names, parsed into a
tree and walked on quantities with units; never eval'd.

Allowed: metric ids, numbers, ``+ - * /``, unary ``-``/``+``, parentheses, and the functions
``mean``, ``sum``, ``min`` and ``max`` over one or more arguments. Anything else (other calls,
attributes, subscripts, comparisons, ``**``) is an :class:`ExpressionError`.

Values are pint quantities (:func:`reportgen.units.quantity`): adding a time to a rate is an
ExpressionError naming the part and both dimensions; dividing by zero is not an error but an
undefined value (:class:`Undefined`), which makes the metric missing with the reason.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from reportgen import limits, units
from reportgen.errors import ExpressionError

if TYPE_CHECKING:
    from reportgen.units import Amount

_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {ast.USub: operator.neg, ast.UAdd: operator.pos}
_STRUCTURE = (ast.BinOp, ast.UnaryOp, ast.Name, ast.Load, ast.Call)
FUNCTIONS = ("mean", "sum", "min", "max")
#: Numbers a derived expression may contain: they state no assumption (``1 - error_rate``, ``x - 0``).
NEUTRAL = (0, 1)


class Undefined(ArithmeticError):
    """The expression has no value for these inputs (a division by zero); the reason says where."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _segment(expression: str, node: ast.AST) -> str:
    return ast.get_source_segment(expression.strip(), node) or expression.strip()


def parse(expression: str) -> ast.expr:
    """Parse and check an expression; raise ExpressionError naming the offending part."""
    if len(expression) > limits.MAX_EXPRESSION_CHARS:
        raise ExpressionError(
            f"{expression[:40]!r}…: {len(expression):,} characters, more than {limits.MAX_EXPRESSION_CHARS:,} "
            "(limit MAX_EXPRESSION_CHARS); split it into derived metrics"
        )
    try:
        tree = ast.parse(expression.strip(), mode="eval").body
    except (SyntaxError, RecursionError, MemoryError) as exc:
        reason = f"{exc.msg} at column {exc.offset}" if isinstance(exc, SyntaxError) else "nested too deeply"
        raise ExpressionError(f"{expression!r} is not an arithmetic expression ({reason})") from None
    if (depth := _depth(tree)) > limits.MAX_EXPRESSION_DEPTH:
        raise ExpressionError(
            f"{expression[:40]!r}…: nested {depth} operations deep, more than {limits.MAX_EXPRESSION_DEPTH} "
            "(limit MAX_EXPRESSION_DEPTH); write long sums as sum(a, b, …), or split into derived metrics"
        )
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if (
                name not in FUNCTIONS
                or node.keywords
                or not node.args
                or any(isinstance(a, ast.Starred) for a in node.args)
            ):
                raise ExpressionError(
                    f"{expression!r}: {_segment(expression, node)!r} is not allowed; the functions are "
                    f"{', '.join(f'{f}(a, b, ...)' for f in FUNCTIONS)}"
                )
            continue
        allowed = (
            isinstance(node, _STRUCTURE)
            or type(node) in _BINARY
            or type(node) in _UNARY
            or (isinstance(node, ast.Constant) and type(node.value) in (int, float))
        )
        if not allowed:
            raise ExpressionError(
                f"{expression!r}: {_segment(expression, node)!r} is not allowed; use metric ids, numbers, "
                f"+ - * /, parentheses and {', '.join(FUNCTIONS)}"
            )
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not _finite(node.value):
            raise ExpressionError(
                f"{expression!r}: {_segment(expression, node)} is too large for a number (it would be infinity)"
            )
    return tree


def _finite(value: float) -> bool:
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an integer literal beyond any float
        return False


def _depth(tree: ast.AST) -> int:
    """Depth of the tree, without recursion (a left-deep ``a + a + … + a`` is as deep as it is long)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _function_names(tree: ast.expr) -> set[int]:
    return {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}


def names(expression: str) -> list[str]:
    """Metric ids an expression uses, in first-use order (function names are not metric ids)."""
    tree = parse(expression)
    functions = _function_names(tree)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and id(node) not in functions and node.id not in found:
            found.append(node.id)
    return found


def literals(expression: str) -> list[str]:
    """The numbers an expression writes other than 0 and 1, as written: each is an assumption."""
    found = [n for n in ast.walk(parse(expression)) if isinstance(n, ast.Constant) and n.value not in NEUTRAL]
    return [_segment(expression, n) for n in sorted(found, key=lambda n: n.col_offset)]


def _number(q: Amount) -> str:
    return f"{float(q.magnitude):g}"


def evaluate(expression: str, values: Mapping[str, Amount]) -> Amount:
    """Compute ``expression`` on quantities. Raises ExpressionError when dimensions do not fit, and
    :class:`Undefined` for a division by zero."""
    import pint

    ureg = units.registry()

    def walk(node: ast.expr) -> Amount:
        if isinstance(node, ast.Constant):
            assert isinstance(node.value, int | float)  # parse() admits only numbers
            return ureg.Quantity(float(node.value), "dimensionless")
        if isinstance(node, ast.Name):
            return values[node.id]
        if isinstance(node, ast.UnaryOp):
            return _UNARY[type(node.op)](walk(node.operand))  # type: ignore[no-any-return]
        if isinstance(node, ast.Call):
            assert isinstance(node.func, ast.Name)
            args = [walk(a) for a in node.args]
            try:
                return _call(node.func.id, args)
            except pint.DimensionalityError:
                kinds = " and ".join(sorted({units.dimension_of(a) for a in args}))
                raise ExpressionError(
                    f"{_segment(expression, node)!r}: {node.func.id}() needs arguments of one dimension, got {kinds}"
                ) from None
        assert isinstance(node, ast.BinOp)
        left, right = walk(node.left), walk(node.right)
        if isinstance(node.op, ast.Div) and right.magnitude == 0:
            raise Undefined(f"undefined: {_segment(expression, node)} is {_number(left)} / 0")
        try:
            return _BINARY[type(node.op)](left, right)  # type: ignore[no-any-return]
        except pint.DimensionalityError:
            verb = "add" if isinstance(node.op, ast.Add) else "subtract"
            raise ExpressionError(
                f"{_segment(expression, node)!r}: cannot {verb} "
                f"{_kind(units.dimension_of(left))} and {_kind(units.dimension_of(right))}"
            ) from None

    result = walk(parse(expression))
    if not math.isfinite(float(result.magnitude)):
        raise Undefined(f"undefined: {expression.strip()} overflows (its value is {float(result.magnitude)})")
    return result


def _call(name: str, args: list[Amount]) -> Amount:
    total: Amount = args[0]
    for arg in args[1:]:
        total = total + arg  # raises DimensionalityError across dimensions, for min/max too
    if name == "sum":
        return total
    if name == "mean":
        mean: Amount = total / len(args)
        return mean
    chosen = args[0]
    for arg in args[1:]:
        if (arg < chosen) if name == "min" else (arg > chosen):
            chosen = arg
    return chosen


def _kind(dimension_name: str) -> str:
    return f"a {dimension_name}"
