"""A small, safe expression language for metric definitions, compiled to Ibis.

Metric YAML holds expressions such as ``date(delivered_at) > promised_date`` or
``if_else(nps >= 9, 100, if_else(nps <= 6, -100, 0))``. They are parsed with Python's own
grammar (``ast.parse(mode="eval")``) and then walked node by node against a whitelist: column
references, ``table.column`` references along foreign keys, literals, comparisons, boolean and
arithmetic operators and the functions in ``FUNCTIONS``. Nothing is ever evaluated as Python;
any other construct is rejected with the offending text.
"""
from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir

from govex.dialect import whole_seconds
from govex.errors import ExpressionError

# name -> (min args, max args, one-line meaning); the compiler below implements each.
FUNCTIONS: dict[str, tuple[int, int, str]] = {
    "date": (1, 1, "calendar date of a timestamp"),
    "is_null": (1, 1, "true when the value is missing"),
    "not_null": (1, 1, "true when the value is present"),
    "coalesce": (2, 2, "first argument, or the second when the first is missing"),
    "if_else": (3, 3, "second argument where the condition holds, else the third"),
    "hours_between": (2, 2, "hours from the first timestamp to the second (whole seconds)"),
    "days_between": (2, 2, "calendar days from the first date/timestamp to the second"),
    "previous": (2, 4, "the column's value on the previous row of the same key(s), ordered by the column"),
}

_COMPARE = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
}
_ARITH = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: _float(a) / _float(b),
}


@dataclass(frozen=True)
class ColumnRef:
    """A column named in an expression: on the base table (table=None) or a table reached by key."""

    table: str | None
    column: str

    def label(self) -> str:
        return f"{self.table}.{self.column}" if self.table else self.column


def parse(text: str) -> ast.Expression:
    """Parse and whitelist-check an expression; raise ExpressionError naming what is not allowed."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"cannot parse {text!r}: {exc.msg}") from None
    for node in ast.walk(tree):
        _check_node(node, text)
    return tree


def column_refs(text: str) -> list[ColumnRef]:
    """Every column an expression reads, in order of appearance (duplicates removed)."""
    found: list[ColumnRef] = []

    def walk(node: ast.AST) -> None:
        ref = _as_ref(node)
        if ref is not None:
            if ref not in found:
                found.append(ref)
            return
        children = node.args if isinstance(node, ast.Call) else ast.iter_child_nodes(node)
        for child in children:
            walk(child)

    walk(parse(text).body)
    return found


def compile_expr(text: str, resolve: Callable[[ColumnRef], ir.Value]) -> ir.Value:
    """Compile an expression to an Ibis value; `resolve` maps each ColumnRef to an Ibis column."""
    return _Compiler(resolve, text).visit(parse(text).body)


def _check_node(node: ast.AST, text: str) -> None:
    allowed = (
        ast.Expression, ast.Name, ast.Load, ast.Constant, ast.Compare, ast.BoolOp, ast.And, ast.Or,
        ast.UnaryOp, ast.Not, ast.USub, ast.BinOp, ast.Call, ast.Tuple, ast.List, ast.Attribute,
        ast.In, ast.NotIn, *(_COMPARE), *(_ARITH),
    )
    if not isinstance(node, allowed):
        raise ExpressionError(f"{type(node).__name__} is not allowed in {text!r}")
    if isinstance(node, ast.Attribute) and not isinstance(node.value, ast.Name):
        raise ExpressionError(f"only table.column references are allowed in {text!r}")
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            name = ast.unparse(node.func)
            raise ExpressionError(f"unknown function {name!r} in {text!r}; allowed: {', '.join(FUNCTIONS)}")
        low, high, _ = FUNCTIONS[node.func.id]
        if node.keywords or not low <= len(node.args) <= high:
            raise ExpressionError(f"{node.func.id}() takes {low}-{high} positional arguments in {text!r}")
    if isinstance(node, ast.Constant) and not isinstance(node.value, (str, int, float, bool, type(None))):
        raise ExpressionError(f"literal {node.value!r} is not allowed in {text!r}")
    if isinstance(node, ast.Compare) and len(node.ops) != 1:
        raise ExpressionError(f"chained comparisons are not allowed in {text!r}; use 'and'")


def _as_ref(node: ast.AST) -> ColumnRef | None:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return ColumnRef(node.value.id, node.attr)
    if isinstance(node, ast.Name) and node.id not in ("true", "false", "null"):
        return ColumnRef(None, node.id)
    return None


def _float(value: ir.Value) -> ir.Value:
    """A float64 value; literals are typed explicitly (Spark reads a bare 3600.0 as DECIMAL and rounds)."""
    return value.cast("float64") if isinstance(value, ir.Value) else ibis.literal(float(value), type="float64")


class _Compiler:
    """Walks a whitelisted tree bottom-up into an Ibis expression."""

    def __init__(self, resolve: Callable[[ColumnRef], ir.Value], text: str):
        self.resolve = resolve
        self.text = text

    def visit(self, node: ast.AST):  # noqa: PLR0911 - one branch per node type is the clearest form
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name) and node.id in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[node.id]
        if isinstance(node, (ast.Name, ast.Attribute)):
            return self.resolve(_as_ref(node))
        if isinstance(node, (ast.Tuple, ast.List)):
            return [self.visit(e) for e in node.elts]
        if isinstance(node, ast.BoolOp):
            values = [self._bool(v) for v in node.values]
            out = values[0]
            for value in values[1:]:
                out = (out & value) if isinstance(node.op, ast.And) else (out | value)
            return out
        if isinstance(node, ast.UnaryOp):
            operand = self.visit(node.operand)
            return ~self._bool(node.operand) if isinstance(node.op, ast.Not) else -operand
        if isinstance(node, ast.BinOp):
            return _ARITH[type(node.op)](self.visit(node.left), self.visit(node.right))
        if isinstance(node, ast.Compare):
            return self._compare(node)
        if isinstance(node, ast.Call):
            return self._call(node.func.id, node.args)
        raise ExpressionError(f"{type(node).__name__} is not allowed in {self.text!r}")

    def _bool(self, node: ast.AST) -> ir.BooleanValue:
        value = self.visit(node)
        if not isinstance(value, ir.BooleanValue):
            raise ExpressionError(f"{ast.unparse(node)!r} is not a condition in {self.text!r}")
        return value

    def _compare(self, node: ast.Compare):
        left, op, right = self.visit(node.left), node.ops[0], self.visit(node.comparators[0])
        if isinstance(op, (ast.In, ast.NotIn)):
            if not isinstance(right, list):
                raise ExpressionError(f"'in' needs a list of literals in {self.text!r}")
            test = left.isin(right)
            return ~test if isinstance(op, ast.NotIn) else test
        if not isinstance(left, ir.Value):
            left, right = ibis.literal(left), right
        return _COMPARE[type(op)](left, right)

    def _call(self, name: str, args: list[ast.AST]):
        values = [self.visit(a) for a in args]
        builders: Mapping[str, Callable[..., ir.Value]] = {
            "date": lambda v: v.date(),
            "is_null": lambda v: v.isnull(),
            "not_null": lambda v: v.notnull(),
            "coalesce": lambda v, d: ibis.coalesce(v, d),
            "if_else": lambda c, a, b: ibis.ifelse(c, a, b),
            "hours_between": lambda a, b: (whole_seconds(b) - whole_seconds(a)) / _float(3600),
            "days_between": lambda a, b: b.date().delta(a.date(), unit="day").cast("float64"),
            "previous": lambda v, *keys: v.lag().over(group_by=list(keys), order_by=[v]),
        }
        try:
            return builders[name](*values)
        except (AttributeError, TypeError, ibis.common.exceptions.IbisTypeError) as exc:
            raise ExpressionError(f"{name}() cannot apply to its arguments in {self.text!r}: {exc}") from None
