"""Tokens and expressions of mathematical text, for the symbolic judge.

`tokenize` turns normalised text (`notation.normalize`) into (kind, value) tokens: numbers, points
(`AB`), compound quantities (`∠ABC`, `arc AB`, `area of △ABC`, `radius of ⊙O`), variables, operators,
relations, words. `parse_side` reads one side of a relation into a sympy expression over canonical
symbols: segment `S_AB` (= `BA`), angle `A_ABC` (= `CBA`), arc `R_`, area `Ar_`, radius `Rad_`,
polygon `N_` / triangle `T_` (any rotation or reflection of the name), point `P_`, variable `v_`.
"""

from __future__ import annotations

import re
from functools import lru_cache

import sympy

from .deadline import check

# Quantities written with a word or symbol in front: area / perimeter / radius of …, ∠ABC, arc AB, △ABC.
_COMPOUND_RE = re.compile(r"""
 (?P<area>(?i:area)\s+(?i:of)\s+(?:(?i:the|triangle|quadrilateral|rectangle|square|parallelogram|rhombus|
    trapezoid|trapezium|polygon|pentagon|hexagon|heptagon|octagon|decagon|circle|sector|semicircle|kite|region|
    shaded|figure|regular|isosceles|equilateral|right|convex|cyclic)\s+|[△⊙▱]\s*)*
    (?P<area_n>[A-Z]{1,8})(?![A-Za-z']))
|(?P<per>(?i:perimeter|circumference)\s+(?i:of)\s+(?:(?i:the|triangle|quadrilateral|rectangle|square|
    parallelogram|rhombus|trapezoid|trapezium|polygon|pentagon|hexagon|heptagon|octagon|decagon|circle|sector|
    semicircle|kite|region|shaded|figure|regular|isosceles|equilateral|right|convex|cyclic)\s+|[△⊙▱]\s*)*
    (?P<per_n>[A-Z]{1,8})(?![A-Za-z']))
|(?P<rad>(?i:radius)\s+(?i:of)\s+(?:(?i:the|circle)\s+|⊙\s*)*(?P<rad_n>[A-Z])(?![A-Za-z']))
|(?P<dia>(?i:diameter)\s+(?i:of)\s+(?:(?i:the|circle)\s+|⊙\s*)*(?P<dia_n>[A-Z])(?![A-Za-z']))
|(?P<ang>(?:∠|(?i:angle)\s+)\s*(?P<ang_n>[A-Z]{1,3}(?![A-Za-z'])|\d+(?![\d.])|[α-ω]|[a-z](?![A-Za-z])))
|(?P<arc>(?:⌒|(?i:arc)\s+)\s*(?P<arc_n>[A-Z]{2,3})(?![A-Za-z']))
|(?P<tri>(?:△|(?i:triangle)\s+)\s*(?P<tri_n>[A-Z]{3})(?![A-Za-z']))
|(?P<isum>∑∠(?P<isum_n>))
""", re.X)
_COMPOUND_STARTS = {"area", "perimeter", "circumference", "radius", "diameter", "angle", "arc", "triangle",
                    "∠", "⌒", "△", "∑"}
_SIMPLE_RE = re.compile(r"(?P<sp>\s+)|(?P<num>(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+(?![A-Za-z]))?)|(?P<word>[A-Za-z]+)|(?P<greek>[α-ω])"
                        r"|(?P<rel>[=⊥∥≅∼≠≈≤≥<>\ue001-\ue008])|(?P<op>[-+*/^()])|(?P<punct>[,;:.!?])|(?P<other>.)", re.S)
_UNITS = {"degree", "degrees", "deg", "unit", "units", "cm", "mm", "km", "inch", "inches", "ft", "feet", "meter",
          "meters", "metre", "metres", "centimeter", "centimeters", "centimetre", "centimetres", "millimeter",
          "millimeters", "millimetre", "millimetres", "kilometer", "kilometers", "kilometre", "kilometres", "yd",
          "yard", "yards", "mi", "mile", "miles", "radian", "radians", "rad", "arcmin", "arcminute", "arcminutes",
          "arcsec", "arcsecond", "arcseconds", "grad", "grads", "gradian", "gradians", "foot", "in", "m", "dm"}
# A unit that says which scale a number is on: it becomes a factor U_<unit> of the value, so `7 km` is never
# `7 cm`; a value without a unit matches either (facts are compared unit-free when one side gives none),
# except that an angle in radians, minutes or grads is never an angle in (implicit) degrees.
UNIT_NAMES = {**{u: "cm" for u in ("cm", "centimeter", "centimeters", "centimetre", "centimetres")},
              **{u: "mm" for u in ("mm", "millimeter", "millimeters", "millimetre", "millimetres")},
              **{u: "km" for u in ("km", "kilometer", "kilometers", "kilometre", "kilometres")},
              **{u: "m" for u in ("m", "meter", "meters", "metre", "metres")}, "dm": "dm",
              **{u: "in" for u in ("in", "inch", "inches")}, **{u: "ft" for u in ("ft", "feet", "foot")},
              **{u: "yd" for u in ("yd", "yard", "yards")}, **{u: "mi" for u in ("mi", "mile", "miles")},
              **{u: "rad" for u in ("rad", "radian", "radians")},
              **{u: "arcmin" for u in ("arcmin", "arcminute", "arcminutes")},
              **{u: "arcsec" for u in ("arcsec", "arcsecond", "arcseconds")},
              **{u: "grad" for u in ("grad", "grads", "gradian", "gradians")}}
ANGLE_UNITS = {"U_rad", "U_arcmin", "U_arcsec", "U_grad"}

MATH = {"unitq", "area", "per", "rad", "dia", "ang", "arc", "tri", "isum", "num", "sqrt", "pi", "pts", "greek", "var", "op", "rel"}


def polygon(name: str) -> str:
    """Canonical name of a closed polygon: the least rotation of the name or of its reverse."""
    if len(name) < 3:
        return "".join(sorted(name))
    forms = [s[i:] + s[:i] for s in (name, name[::-1]) for i in range(len(name))]
    return min(forms)


def path(name: str) -> str:
    """Canonical name of a segment / angle / arc read either way: AB = BA, ABC = CBA."""
    return min(name, name[::-1])


def _word_kind(w: str) -> str:
    if w == "sqrt":
        return "sqrt"
    if w == "pi":
        return "pi"
    if w in _UNITS and w not in ("m", "in", "mi", "rad", "grad"):  # case matters: CM is a segment, cm a unit
        return "unit"
    if w.isupper() and len(w) <= 8:
        return "pts"
    return "var" if len(w) == 1 else "word"


def tokenize(text: str) -> list[tuple[str, str]]:
    """(kind, value) tokens of normalised text. A single letter followed by a word is a word (the
    article in `is a square`, `A right triangle`) unless it follows maths (`SE = x and …`, `5f and`)."""
    raw, pos = [], 0
    while pos < len(text):
        if len(raw) % 2048 == 2047:
            check()
        m = _SIMPLE_RE.match(text, pos)
        kind, value = m.lastgroup, m.group()
        if value in _COMPOUND_STARTS or (kind == "word" and value.lower() in _COMPOUND_STARTS):
            c = _COMPOUND_RE.match(text, pos)
            if c:
                raw.append((c.lastgroup, c.group(f"{c.lastgroup}_n")))
                pos = c.end()
                continue
        pos = m.end()
        if kind == "sp":
            continue
        raw.append((_word_kind(value) if kind == "word" else kind, value))
    out = []
    for i, (kind, value) in enumerate(raw):
        nxt = raw[i + 1][0] if i + 1 < len(raw) else None
        prev = out[-1][0] if out else None
        if kind in ("var", "word") and value in ("m", "in", "mi", "rad", "grad") and prev == "num" and \
                nxt in (None, "punct", "rel", "word", "op"):
            kind = "unit"  # "7 m", "3 in": a unit after a number
        if kind in ("var", "pts") and len(value) == 1 and nxt == "word" and prev not in ("rel", "op", "num"):
            kind = "word"
        out.append((kind, value))
    return out


# ---------------------------------------------------------------- expressions

@lru_cache(maxsize=4096)
def _sym(name: str) -> sympy.Symbol:
    return sympy.Symbol(name)


def _quantity(kind: str, value: str) -> sympy.Expr:
    if kind == "pts":
        return _sym(("P_" if len(value) == 1 else "S_" if len(value) == 2 else "N_") +
                    (value if len(value) == 1 else path(value) if len(value) == 2 else polygon(value)))
    if kind == "ang":
        return _sym("A_" + path(value))
    if kind == "arc":
        return _sym("R_" + path(value))
    if kind == "area":
        return _sym("Ar_" + polygon(value))
    if kind == "unitq":
        return _sym("U_" + value)
    if kind == "per":  # a perimeter, or a circle's circumference: never its area
        return _sym("Per_" + polygon(value))
    if kind == "rad":
        return _sym("Rad_" + value)
    if kind == "dia":  # the diameter is twice the radius: `diameter of ⊙O = 10` states radius 5
        return 2 * _sym("Rad_" + value)
    if kind == "tri":
        return _sym("T_" + polygon(value))
    if kind == "isum":  # the sum of a polygon's interior angles
        return _sym("Sum_" + polygon(value))
    return _sym("v_" + value)  # var, greek


class _Parser:
    """Recursive descent over one side of a relation: + − · / ^, implicit products (`3f`, `2(x+1)`,
    `5√2`), √, π. Raises ValueError on anything else."""

    def __init__(self, toks: list[tuple[str, str]]):
        self.toks, self.i, self.depth = toks, 0, 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise ValueError("unexpected end")
        self.i += 1
        return tok

    def parse(self) -> sympy.Expr:
        e = self.expr()
        if self.peek() is not None:
            raise ValueError(f"unexpected {self.peek()}")
        return e

    def expr(self) -> sympy.Expr:
        e = self.term()
        while (t := self.peek()) and t[0] == "op" and t[1] in "+-":
            self.take()
            e = e + self.term() if t[1] == "+" else e - self.term()
        return e

    def term(self) -> sympy.Expr:
        e = self.factor()
        while (t := self.peek()) is not None:
            if t[0] == "op" and t[1] in "*/":
                self.take()
                rhs = self.factor()
                e = e * rhs if t[1] == "*" else e / rhs
            elif t[0] in _ATOMS or t == ("op", "("):
                e = e * self.power()  # implicit product
            else:
                break
        return e

    def factor(self) -> sympy.Expr:
        t = self.peek()
        if t and t[0] == "op" and t[1] in "+-":
            self.take()
            f = self.factor()
            return -f if t[1] == "-" else f
        return self.power()

    def power(self) -> sympy.Expr:
        base = self.atom()
        if (t := self.peek()) and t == ("op", "^"):
            self.take()
            exp = self.factor()
            return _checked_power(base, exp)
        return base

    def atom(self) -> sympy.Expr:
        kind, value = self.take()
        if kind == "num":
            if len(value) > MAX_DIGITS:
                raise _Rejected("number too long")
            mantissa, _, exponent = value.lower().partition("e")
            if exponent:  # scientific notation, exact: `1e400` is 10^400, never a float's infinity
                if abs(int(exponent)) > MAX_DIGITS:
                    raise _Rejected("exponent too large")
                return sympy.Rational(mantissa) * sympy.Integer(10) ** int(exponent)
            return sympy.Rational(value)
        if kind == "pi":
            return sympy.pi
        if kind == "sqrt":
            arg = self.power()
            if arg.is_number and _digits(arg) > MAX_SQRT_DIGITS:  # sympy factors what it roots
                raise _Rejected("root of a huge number")
            return sympy.sqrt(arg)
        if (kind, value) == ("op", "("):
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _Rejected("nested too deep")
            e = self.expr()
            self.depth -= 1
            if self.take() != ("op", ")"):
                raise ValueError("unbalanced parenthesis")
            return e
        if kind in ("pts", "ang", "arc", "area", "per", "rad", "dia", "tri", "var", "greek", "isum", "unitq"):
            return _quantity(kind, value)
        raise ValueError(f"unexpected {value!r}")


# Bounds that keep one side cheap: every geometry fact fits well inside them, and a side past one is
# refused (never trimmed into a smaller fact). sympy never expands a power: `(AB + 1)^64` stays a
# power, and a tower `((9^64)^64)^64` is refused before its digits are computed.
MAX_TOKENS = 200
MAX_DEPTH = 12
MAX_DIGITS = 1000
MAX_SQRT_DIGITS = 60
MAX_DEGREE = 8
MAX_BITS = 4000
_ATOMS = {"unitq", "num", "pi", "sqrt", "pts", "ang", "arc", "area", "per", "rad", "dia", "tri", "var", "greek", "isum"}


def _digits(e: sympy.Expr) -> int:
    """Decimal digits of the largest integer in a number (numerator, denominator, radicand)."""
    return max((len(str(abs(a.p))) + len(str(a.q)) for a in e.atoms(sympy.Rational)), default=0)


def degree_bound(e: sympy.Expr) -> int:
    """An upper bound of the total degree of `e` in its symbols, read from the tree (no expansion)."""
    if e.is_Symbol:
        return 1
    if e.is_Number or not e.free_symbols:
        return 0
    if e.is_Add:
        return max(degree_bound(a) for a in e.args)
    if e.is_Mul:
        return sum(degree_bound(a) for a in e.args)
    if e.is_Pow:
        base, exp = e.args
        if exp.free_symbols or not exp.is_Rational:
            return MAX_DEGREE + 1
        return degree_bound(base) * max(1, abs(int(sympy.ceiling(exp))))
    return MAX_DEGREE + 1


def _checked_power(base: sympy.Expr, exp: sympy.Expr) -> sympy.Expr:
    if exp.free_symbols or not exp.is_real or not exp.is_Rational:
        raise _Rejected("exponent not a plain number")
    if abs(exp) > 64:
        raise _Rejected("exponent too large")
    if base.is_number:
        big = max((abs(a.p).bit_length() + a.q.bit_length() for a in base.atoms(sympy.Rational)), default=1)
        if big * abs(exp) > MAX_BITS:
            raise _Rejected("power too large")
    elif degree_bound(base) * max(1, abs(int(sympy.ceiling(exp)))) > MAX_DEGREE:
        raise _Rejected("degree too high")
    return base ** exp


class _Rejected(ValueError):
    """Well-formed but refused (a numeric tower, a division by zero): never trimmed into a fact."""


@lru_cache(maxsize=65536)
def read_side(toks: tuple[tuple[str, str], ...]) -> sympy.Expr | str:
    """The side's expression, or "syntax" / "rejected" saying why there is none."""
    if not toks:
        return "syntax"
    if len(toks) > MAX_TOKENS:
        return "rejected"
    try:
        e = _Parser(list(toks)).parse()
    except _Rejected:
        return "rejected"
    except (ValueError, TypeError, ZeroDivisionError, ArithmeticError, RecursionError, sympy.SympifyError):
        return "syntax"
    if e.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo) or degree_bound(e) > MAX_DEGREE:
        return "rejected"
    return e


def parse_side(toks: tuple[tuple[str, str], ...]) -> sympy.Expr | None:
    e = read_side(toks)
    return None if isinstance(e, str) else e
