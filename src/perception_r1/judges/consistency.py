"""What one response states, indexed for matching, and which of it is asserted consistently.

A fact earns credit only when it is asserted (facts.ASSERTED), not also negated, and not about
something the response leaves ambiguous:
  - a quantity with contradictory values (they differ by a non-zero constant, `AB = 3` / `AB = 10…0`,
    compared exactly; or are each other's negation, `3f − 6` / `6 − 3f`), with more than
    `MAX_VALUES` different values, or tainted (a value listed among alternatives, a blanket chain,
    a value refused for its size);
  - a pair of segments said to be both `∥` and `⊥`, or `⊥` while their angle is given another value;
  - an entity of two exclusive kinds (shapes.compatible) or with too many descriptions;
  - centres given to more than `MAX_CENTRES` points;
  - an angle of a triangle whose three angles the response gives and which do not sum to 180°.
Hedged facts ("maybe AB = 4") earn nothing but still count as alternative values.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from functools import lru_cache

import sympy

from .deadline import check
from .expressions import ANGLE_UNITS
from .facts import ASSERTED, HEDGED, NEGATED, Eq, Fact, Rel, Stated, Taint
from .shapes import KINDS, NAMED, Shape, compatible, implied, is_centre

MAX_VALUES = 2   # values of one quantity in numbers and variables: `JK = 3f − 6 = 36` has two
MAX_CENTRES = 2  # `⊙A, ⊙B, ⊙C, ⊙D, ⊙O` names no centre
Value = frozenset  # {(term, coefficient)}: a linear combination; the term 1 is the constant

_PROBES = [sympy.Float(x, 30) for x in ("1.4142135623730950488", "2.7182818284590452354", "0.5772156649015328606",
                                         "3.1415926535897932385", "1.6180339887498948482")]


_EXACT_PROBES = [sympy.Rational(p, q) for p, q in ((17, 7), (29, 11), (41, 13), (53, 17), (67, 19))]


def _exact(e: sympy.Expr) -> bool:
    """Whether `e` is rational in its symbols with rational coefficients (no π, no roots)."""
    return not e.has(sympy.pi, sympy.E) and all(p.exp.is_Integer for p in e.atoms(sympy.Pow))


@lru_cache(maxsize=65536)
def same_equation(a: sympy.Expr, b: sympy.Expr) -> bool:
    """`a = 0` and `b = 0` state the same fact: a / b is a non-zero constant. Decided by evaluating
    both at fixed points (no expansion, so a degree-8 side costs as little as a linear one): exactly,
    at rational points, when both are rational expressions (`AB = 3` is never `AB = 3.000…01`);
    otherwise at irrational points with more digits than either side writes."""
    if a == b or a == -b:
        return True
    syms = sorted(a.free_symbols | b.free_symbols, key=lambda s: s.name)
    if a.free_symbols != b.free_symbols:
        return False
    if _exact(a) and _exact(b):
        ratios = []
        for k in range(3):
            point = {s: _EXACT_PROBES[(i + k) % len(_EXACT_PROBES)] * (i + 1) for i, s in enumerate(syms)}
            try:
                va, vb = a.xreplace(point), b.xreplace(point)
            except (ZeroDivisionError, ArithmeticError):
                return False
            if not (va.is_Rational and vb.is_Rational) or vb == 0:
                return False
            ratios.append(va / vb)
        return ratios[0] != 0 and all(r == ratios[0] for r in ratios[1:])
    digits = 30 + _digits(a) + _digits(b)
    ratios = []
    for k in range(3):
        point = {s: _PROBES[(i + k) % len(_PROBES)] * (i + 1) for i, s in enumerate(syms)}
        point = {s: sympy.Float(v, digits) for s, v in point.items()}
        va, vb = a.evalf(digits, subs=point), b.evalf(digits, subs=point)
        if not (va.is_Number and vb.is_Number) or vb == 0:
            return False
        ratios.append(va / vb)
    r0 = ratios[0]
    return r0 != 0 and all(abs(r - r0) <= abs(r0) * sympy.Float(10) ** (20 - digits) for r in ratios[1:])


def _digits(e: sympy.Expr) -> int:
    return sum(len(str(abs(r.p))) + len(str(r.q)) for r in e.atoms(sympy.Rational))


@lru_cache(maxsize=65536)
def strip_units(e: sympy.Expr) -> sympy.Expr:
    """`e` with every unit factor U_<unit> set to 1: the value on the scale the text does not say."""
    units = {x: 1 for x in e.free_symbols if x.name.startswith("U_")}
    return e.xreplace(units) if units else e


def _units(e: sympy.Expr) -> set[str]:
    return {x.name for x in e.free_symbols if x.name.startswith("U_")}


def _unit_match(f: sympy.Expr, e: sympy.Expr) -> bool:
    """An annotation's equation `f` is stated by the response's `e`: with the same units when both give
    units (`7 km` is not `7 cm`), unit-free when one gives none — except that an angle the response gives
    in radians, minutes or grads is never an annotation's (degree) angle."""
    fu, eu = _units(f), _units(e)
    if fu and eu:  # both give units: on one scale (0.07 m is 7 cm; 7 km is not)
        return same_equation(_to_cm(f), _to_cm(e))
    if eu & ANGLE_UNITS:
        return False
    return same_equation(strip_units(f), strip_units(e))


_CM = sympy.Symbol("U_cm")
_SCALE = {"U_mm": sympy.Rational(1, 10), "U_dm": 10, "U_m": 100, "U_km": 100000, "U_in": sympy.Rational(254, 100),
          "U_ft": sympy.Rational(3048, 100), "U_yd": sympy.Rational(9144, 100), "U_mi": sympy.Rational(16093440, 100)}


def _to_cm(e: sympy.Expr) -> sympy.Expr:
    """Lengths in one unit, centimetres (angle units are left as they are)."""
    sub = {x: _SCALE[x.name] * _CM for x in e.free_symbols if x.name in _SCALE}
    return e.xreplace(sub) if sub else e


def _names(e: sympy.Expr) -> frozenset[str]:
    return frozenset(x.name for x in e.free_symbols if not x.name.startswith("U_"))


@lru_cache(maxsize=65536)
def _assignments(expr: sympy.Expr) -> tuple[tuple[str, Value], ...]:
    """(symbol, value) for each symbol the equation `expr = 0` solves linearly — `2AB − 6` gives
    (AB, {(1, 3)}) — with the value as a linear combination (no sympy arithmetic: this runs per fact)."""
    terms: dict[sympy.Expr, sympy.Expr] = {}
    for arg in sympy.Add.make_args(expr):
        coeff, term = arg.as_coeff_Mul()
        terms[term] = terms.get(term, 0) + coeff
    out = []
    for term, c in terms.items():
        if not isinstance(term, sympy.Symbol) or c == 0:
            continue
        others = [t for t in terms if t is not term]
        if any(term in t.free_symbols for t in others):
            continue  # also non-linear in it (AB² + AB = 6): no single value
        out.append((term.name, frozenset((t, -terms[t] / c) for t in others)))
    return tuple(out)


def _places(x: sympy.Expr) -> int | None:
    """Decimal places of a terminating decimal (`7.07` has 2), None for any other number."""
    if not x.is_Rational:
        return None
    q, k = int(x.q), 0
    while q % 10 == 0:
        q //= 10
        k += 1
    while q % 2 == 0 or q % 5 == 0:
        q = q // 2 if q % 2 == 0 else q // 5
        k += 1
    return k if q == 1 else None


def _differ(x: sympy.Expr, y: sympy.Expr) -> bool:
    """Exact: two values of one quantity differ unless they are equal — with one exception, a
    decimal that rounds a number no decimal writes (`AB = 5√2 = 7.07`, `x = 1/3 ≈ 0.333`: one value,
    within one unit of the decimal's last place). Two decimals are compared exactly: `AB = 3` and
    `AB = 3.000…01` are two values, however close."""
    d = x - y
    if d == 0:
        return False
    px, py = _places(x), _places(y)
    if px is not None and py is not None:
        return True
    k = px if px is not None else py
    if k is None:  # neither is a decimal: equal or not, exactly (numerically for roots and π)
        try:
            return bool(abs(d.evalf(50)) > sympy.Float("1e-40") * max(abs(x.evalf(50)), abs(y.evalf(50)), 1))
        except TypeError:
            return True
    try:
        return bool(abs(d) > sympy.Rational(1, 10 ** k))
    except TypeError:
        return True


def _contradict(a: Value, b: Value) -> bool:
    """Two values of one quantity contradict when they differ only in a non-zero constant
    (AB = 1 vs AB = 2, JK = 3f − 6 vs JK = 3f − 7, but not JK = 3f − 6 vs JK = 12), or when one is
    the other's negation up to a constant (JK = 3f − 6 vs JK = 6 − 3f)."""
    da, db = dict(a), dict(b)
    ca, cb = da.pop(sympy.S.One, sympy.S.Zero), db.pop(sympy.S.One, sympy.S.Zero)
    if da == db:
        return _differ(sympy.sympify(ca), sympy.sympify(cb))
    return bool(da) and da == {t: -c for t, c in db.items()}


def _distinct(values: set[Value], env: dict[sympy.Symbol, sympy.Expr]) -> int:
    """How many different values of numbers and variables (`JK = LM`, `f = SC / 5` relate quantities
    and are not counted) one quantity has, with the variables the response solves substituted
    (`FK = 4y − 15 = 3y − 3`, `y = 12`, `FK = 33` is one value) and roundings merged (`5√2`, `7.07`)."""
    seen: list[sympy.Expr] = []
    for v in values:
        if any(t != sympy.S.One and not all(s.name.startswith("v_") for s in t.free_symbols) for t, _ in v):
            continue
        e = sympy.Add(*(t * c for t, c in v)).xreplace(env)
        if not any((e.is_number and w.is_number and not _differ(e, w)) or e == w for w in seen):
            seen.append(e)
    return len(seen)


def _numeric(v: Value, env: dict) -> sympy.Expr | None:
    """The value as a number once the solved variables are substituted, or None."""
    if any(t != sympy.S.One and not all(s.name.startswith("v_") for s in t.free_symbols) for t, _ in v):
        return None
    e = sympy.Add(*(t * c for t, c in v)).xreplace(env)
    return e if e.is_number else None


def _constant(values: set[Value]) -> sympy.Expr | None:
    consts = [dict(v)[sympy.S.One] for v in values if set(dict(v)) == {sympy.S.One}]
    return consts[0] if len(consts) == 1 else None


class Index:
    """What one response states (facts.response_facts), indexed for matching."""

    def __init__(self, stated: tuple[Stated, ...], max_descriptions: int):
        self.eqs: dict[frozenset[str], list[sympy.Expr]] = defaultdict(list)
        self.rels: set[Rel] = set()
        self.shapes: dict[str, set[frozenset[str]]] = defaultdict(set)
        self.negated: list[Fact] = []
        self.conflicted: set[str] = set()
        values: dict[str, set[Value]] = defaultdict(set)
        said_rels: dict[tuple, set[str]] = defaultdict(set)
        said_shapes: dict[str, set[frozenset[str]]] = defaultdict(set)
        said_eqs: list[sympy.Expr] = []
        for i, s in enumerate(stated):
            if i % 256 == 0:
                check()
            f = s.fact
            if isinstance(f, Taint):
                self.conflicted |= f.names
                continue
            if s.mode == NEGATED:
                self.negated.append(f)
                continue
            if s.mode not in (ASSERTED, HEDGED):
                continue
            if isinstance(f, Eq):
                plain = strip_units(f.expr)
                said_eqs.append(plain)
                for name, v in _assignments(plain):
                    values[name].add(v)
            elif isinstance(f, Rel):
                said_rels[f.key].add(f.kind)
                if (e := _perp_angle(f)) is not None:
                    for name, v in _assignments(e.expr):
                        values[name].add(v)
            else:
                said_shapes[f.entity].add(implied(f.words))
            if s.mode != ASSERTED:
                continue
            if isinstance(f, Eq):
                self.eqs[_names(f.expr)].append(f.expr)
            elif isinstance(f, Rel):
                self.rels.add(f)
            else:
                self.shapes[f.entity].add(implied(f.words))
        env = {sympy.Symbol(n): c for n, vs in values.items()
               if n.startswith("v_") and (c := _constant(vs)) is not None}
        for name, vs in values.items():
            check()
            if len(vs) > 1 and (_distinct(vs, env) > MAX_VALUES or
                                any(_contradict(a, b) for a, b in itertools.combinations(vs, 2))):
                self.conflicted.add(name)
        self.conflicted |= _equal_classes_conflict(values)
        # values given through variables the response solves: `JK = 3f − 6`, `JK = 2f − 6`, `f = 4` are 6 and 2
        for name, vs in values.items():
            nums = [e for v in vs if (e := _numeric(v, env)) is not None]
            if any(_differ(a, b) for a, b in itertools.combinations(nums, 2)):
                self.conflicted.add(name)
        # an equation the response's own values break: `PQ + QR = 10, PQ = 7, QR = 5`
        known = {sympy.Symbol(n): c for n, vs in values.items() if (c := _constant(vs)) is not None}
        for expr in said_eqs:
            syms = expr.free_symbols
            if len(syms) >= 2 and syms <= set(known):
                check()
                parts = sympy.Add.make_args(expr)
                const = sum((a for a in parts if not a.free_symbols), sympy.S.Zero)
                rest = sympy.Add(*(a for a in parts if a.free_symbols)).xreplace(known)
                if rest.is_number and _differ(sympy.nsimplify(rest) if rest.is_Float else rest, -const):
                    self.conflicted |= {s.name for s in syms}
        self.values = values
        self.polygons = [e for e in said_shapes if len(e) >= 3 and e.isalpha() and e.isupper()]
        self.clashing = _direction_clashes(said_rels)
        centres = {ent for ent, descs in said_shapes.items() if any(d >= {"center", "circle"} for d in descs)}
        self.sprayed = {ent for ent, descs in said_shapes.items()
                        if len(descs) > max_descriptions or not compatible(descs)}
        if len(centres) > MAX_CENTRES:
            self.sprayed |= centres
        # "O is the center of the circle. P is the center of the circle.": one circle, two centres
        sole = {ent for ent, descs in said_shapes.items() if frozenset({"center", "circle"}) in descs}
        if len(sole) > 1:
            self.sprayed |= sole

    def states(self, fact: Fact) -> bool:
        if self._denied(fact) or (isinstance(fact, Eq) and not self._triangle_ok(fact)):
            return False
        by_vertex = self._vertex_names_ok(fact)
        return any(self._states(f) for f in (fact, *alternatives(fact))
                   if by_vertex or not (isinstance(f, Eq) and any(len(n) == 3 for n in f.symbols if n[:2] == "A_")))

    def _vertex_names_ok(self, fact: Fact) -> bool:
        """Whether `∠V` may stand for the fact's angle XVY: not when the response names a polygon
        through V whose angle at V is another one (in rectangle ABCD, `∠D` is ∠ADC, never ∠CDB)."""
        if not isinstance(fact, Eq):
            return True
        for n in fact.symbols:
            if n[:2] != "A_" or len(n) != 5:
                continue
            x, v, y = n[2:]
            for poly in self.polygons:
                if v in poly:
                    i = poly.index(v)
                    if {poly[i - 1], poly[(i + 1) % len(poly)]} != {x, y}:
                        return False
        return True

    def _denied(self, fact: Fact) -> bool:
        for n in self.negated:
            if isinstance(fact, Eq) and isinstance(n, Eq):
                if _names(fact.expr) == _names(n.expr) and _unit_match(fact.expr, n.expr):
                    return True
            elif isinstance(fact, Shape) and isinstance(n, Shape):
                # "not a rectangle" denies what is a rectangle (a square), never what a rectangle is (a parallelogram)
                denied = (n.words & KINDS) or (n.words - {NAMED})
                if fact.entity == n.entity and denied <= implied(fact.words):
                    return True
            elif fact == n:
                return True
        return False

    def _states(self, fact: Fact) -> bool:
        if isinstance(fact, Eq):
            syms = _names(fact.expr)
            if syms & self.conflicted:
                return False
            return any(_unit_match(fact.expr, e) for e in self.eqs.get(syms, ()))
        if isinstance(fact, Rel):
            if fact.key in self.clashing or any(n in self.conflicted for n in _rel_names(fact)):
                return False
            return fact in self.rels
        if isinstance(fact, Shape):
            if fact.entity in self.sprayed or (is_centre(fact) and "E_" + fact.entity in self.conflicted):
                return False
            return any(fact.words <= d for d in self.shapes.get(fact.entity, ()))
        return False

    def _angle_value(self, vertex: str, a: str, b: str) -> sympy.Expr | None:
        for name in ("A_" + min(a + vertex + b, b + vertex + a), "A_" + vertex):
            if name in self.values and (c := _constant(self.values[name])) is not None:
                return c
        return None

    def _triangle_ok(self, fact: Eq) -> bool:
        """An angle of triangle XYZ is not credited when the response gives all three of its angles
        and they do not sum to 180° (`∠A = ∠B = ∠C = 90°`)."""
        names = [n for n in fact.symbols if n.startswith("A_") and len(n) == 5]
        for n in names:
            x, y, z = n[2:]
            if len({x, y, z}) < 3:
                continue
            angles = [self._angle_value(y, x, z), self._angle_value(x, y, z), self._angle_value(z, x, y)]
            if all(a is not None for a in angles) and _differ(sum(angles), sympy.Integer(180)):
                return False
        return True


def _equal_classes_conflict(values: dict[str, set[Value]]) -> set[str]:
    """Quantities said to be equal (`AB = CD`, `CD = EF`) form one class; a class given two different
    numbers (`AB = CD`, `CD = 4`, `AB = 3`) has contradictory values, every member of it."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    for name, vs in values.items():
        for v in vs:
            if len(v) == 1:
                [(term, c)] = v
                if isinstance(term, sympy.Symbol) and c == 1:
                    a, b = find(name), find(term.name)
                    if a != b:
                        parent[a] = b
    # `∠B` is `∠ABC` when the response names one angle at B: `∠B = 40°. ∠ABC = 50°.` contradicts
    at_vertex: dict[str, set[str]] = defaultdict(set)
    for name in values:
        if name.startswith("A_") and len(name) == 5:
            at_vertex[name[3]].add(name)
    for v, names in at_vertex.items():
        if len(names) == 1 and "A_" + v in values:
            a, b = find("A_" + v), find(next(iter(names)))
            if a != b:
                parent[a] = b
    if not parent:
        return set()
    classes: dict[str, list[str]] = defaultdict(list)
    for name in set(values) | set(parent):
        classes[find(name)].append(name)
    out: set[str] = set()
    for members in classes.values():
        if len(members) < 2:
            continue
        consts = [dict(v)[sympy.S.One] for m in members for v in values.get(m, ()) if set(dict(v)) == {sympy.S.One}]
        if any(_differ(sympy.sympify(a), sympy.sympify(b)) for a, b in itertools.combinations(consts, 2)):
            out.update(members)
    return out


def _direction_clashes(said_rels: dict[tuple, set[str]]) -> set[tuple]:
    """Pairs of segments whose directions the response makes contradictory: `∥` is an equivalence and
    `⊥` flips it (`AB ⊥ CD`, `CD ⊥ EF` make AB ∥ EF), so `AB ∥ CD, CD ∥ EF, EF ⊥ AB` clashes — every
    `∥` / `⊥` among segments of such a closure is refused."""
    parent: dict[str, tuple[str, int]] = {}  # segment -> (parent, parity: 1 = perpendicular to it)

    def find(x: str) -> tuple[str, int]:
        parity = 0
        while x in parent and parent[x][0] != x:
            p, q = parent[x]
            parity ^= q
            x = p
        return x, parity

    bad_roots: set[str] = set()
    for key, kinds in said_rels.items():
        if len(key) != 2 or not kinds & {"par", "perp"}:
            continue
        a, b = key
        for kind in kinds & {"par", "perp"}:
            want = 1 if kind == "perp" else 0
            (ra, pa), (rb, pb) = find(a), find(b)
            if ra == rb:
                if pa ^ pb != want:
                    bad_roots.add(ra)
            else:
                parent[ra] = (rb, pa ^ pb ^ want)
                if ra in bad_roots:
                    bad_roots.add(rb)
    if not bad_roots:
        return set()
    bad = {find(r)[0] for r in bad_roots}
    return {key for key, kinds in said_rels.items() if len(key) == 2 and kinds & {"par", "perp"}
            and find(key[0])[0] in bad}


def _rel_names(fact: Rel) -> tuple[str, ...]:
    names = tuple("S_" + s for s in fact.key) if fact.kind in ("perp", "par", "opp_sides") else ()
    if (e := _perp_angle(fact)) is not None:
        names += tuple(s.name for s in e.expr.free_symbols)
    return names


@lru_cache(maxsize=4096)
def _perp_angle(fact: Rel) -> Eq | None:
    """`AB ⊥ BC` is `m∠ABC = 90°` when the segments share a point."""
    if fact.kind != "perp":
        return None
    (a, b), (c, d) = fact.key
    shared = {a, b} & {c, d}
    if len(shared) != 1 or len({a, b, c, d}) != 3:
        return None
    p = shared.pop()
    x, y = ({a, b} - {p}).pop(), ({c, d} - {p}).pop()
    return Eq(sympy.Symbol("A_" + min(x + p + y, y + p + x)) - 90)


@lru_cache(maxsize=4096)
def alternatives(fact: Fact) -> tuple[Fact, ...]:
    """Other statements of the same fact: `AB ⊥ BC` is `m∠ABC = 90°` and back; an angle may be
    named by its vertex alone (`∠B = 90°` for `m∠ABC = 90°`), as chat models often write it."""
    out: list[Fact] = []
    if isinstance(fact, Rel) and (e := _perp_angle(fact)) is not None:
        out.append(e)
    if isinstance(fact, Eq) and len(fact.expr.free_symbols) == 1:
        [s] = fact.expr.free_symbols
        name = s.name
        if name.startswith("A_") and len(name) == 5 and (fact.expr - s == -90 or fact.expr + s == 90):
            x, p, y = name[2:]
            out.append(Rel("perp", tuple(sorted(("".join(sorted(x + p)), "".join(sorted(p + y)))))))
    for f in (fact, *out):
        if isinstance(f, Eq):
            vertex = {s: sympy.Symbol("A_" + s.name[3]) for s in f.expr.free_symbols
                      if s.name.startswith("A_") and len(s.name) == 5}
            if vertex and (e := f.expr.subs(vertex)).free_symbols:
                out.append(Eq(e))
    return tuple(out)
