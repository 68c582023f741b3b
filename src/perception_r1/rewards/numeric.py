"""The value of a constant answer (`12`, `\\frac{3}{4}`, `5\\sqrt{2}`, `10\\pi`, `60^\\circ`) without
math-verify: LaTeX -> Python arithmetic -> a whitelist evaluator over the `ast` (numbers, + − × ÷,
small powers, `sqrt`, `pi`). Used by `accuracy` to call two constants far apart different in
microseconds instead of ~10 ms of math-verify.
"""

from __future__ import annotations

import ast
import math
import operator
import re

_NUMERIC_CHARS_RE = re.compile(r"(?:[0-9.+\-*/()^]|sqrt|pi)+")
_BIN_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
            ast.Pow: operator.pow}


def _to_python(latex: str) -> str:
    """`2\\sqrt{3}`, `\\frac{a}{b}`, `10\\pi`, `60^\\circ` -> Python arithmetic (may still be invalid)."""
    t = re.sub(r"\^\{?\\circ\}?|°|\\left|\\right|\s", "", latex)
    t = re.sub(r"\\[dt]?frac", r"\\frac", t)
    n = 1
    while n:  # innermost first: \frac{X}{Y} and \sqrt{X} with brace-free X, Y
        t, n1 = re.subn(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"((\1)/(\2))", t)
        t, n2 = re.subn(r"\\sqrt\{([^{}]*)\}", r"sqrt(\1)", t)
        n = n1 + n2
    t = t.replace("\\pi", "pi").replace("\\cdot", "*").replace("\\times", "*").replace("{", "(").replace("}", ")")
    return re.sub(r"(?<=[0-9)i])(?=[(sp])", "*", t).replace("^", "**")  # implicit products: 2sqrt, )(, 2pi


def _eval(node: ast.AST) -> float:
    if isinstance(node, ast.Expression):
        return _eval(node.body)
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _eval(node.operand)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp) and type(node.op) in _BIN_OPS:
        left, right = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.Pow) and abs(right) > 16:
            raise ValueError("large power")
        return float(_BIN_OPS[type(node.op)](left, right))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "sqrt" and len(node.args) == 1:
        return math.sqrt(_eval(node.args[0]))
    if isinstance(node, ast.Name) and node.id == "pi":
        return math.pi
    raise ValueError(f"not arithmetic: {ast.dump(node)[:40]}")


def numeric_value(latex: str) -> float | None:
    """The value of a constant answer (`12`, `-0.5`, `\\frac{3}{4}`, `5\\sqrt{2}`, `10\\pi`, `60^\\circ`),
    or None for anything with a variable, a function or unusual notation."""
    t = _to_python(latex)
    if not t or not _NUMERIC_CHARS_RE.fullmatch(t):
        return None
    try:
        v = _eval(ast.parse(t, mode="eval"))
    except (SyntaxError, ValueError, ZeroDivisionError, OverflowError, TypeError, RecursionError):
        return None
    return v if math.isfinite(v) else None
