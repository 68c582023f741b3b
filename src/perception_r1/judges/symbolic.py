"""The `symbolic` judge: a deterministic, offline verdict for mathematical visual facts.

For each annotation (`AB = 3`, `m∠ABC = 90°`, `JK = 3f − 6`, `AB ⊥ CD`, `JKLM is a parallelogram`)
it decides whether the response states the same fact (Perception-R1's `o_j`, DESIGN.md §1), tolerant
of notation (facts.py), of reversed names (`BA` = `AB`, `∠CBA` = `∠ABC`), of swapped sides and of
algebraic rewriting: two equations state the same fact when `lhs₁ − rhs₁ = c·(lhs₂ − rhs₂)` for a
constant c ≠ 0 (so `8 + 2f` = `2f + 8`, `2AB = 6` = `AB = 3`, but `6 − 3f` ≠ `3f − 6`).

It credits nothing it cannot parse (`can_parse`), and nothing about a quantity the response assigns
contradictory values (two values that differ by a non-zero constant): listing `AB = 1, AB = 2, …`
earns no `AB = 3`. Likewise an entity given more than `max_descriptions` different descriptions.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from functools import lru_cache
from typing import Any

import sympy

from .base import Judge
from .facts import Eq, Fact, Rel, Shape, annotation_facts, response_facts


@lru_cache(maxsize=65536)
def same_equation(a: sympy.Expr, b: sympy.Expr) -> bool:
    """`a = 0` and `b = 0` state the same fact: a / b is a non-zero constant."""
    if a == b or a == -b:
        return True
    try:
        ratio = sympy.cancel(a / b)
    except (ZeroDivisionError, sympy.PolynomialError, TypeError):
        return False
    return not ratio.free_symbols and ratio != 0 and ratio.is_finite is not False


_ROUNDING = 0.01
Value = frozenset  # {(term, coefficient)}: a linear combination; the term 1 is the constant


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


def _contradict(a: Value, b: Value) -> bool:
    """Two values of one quantity contradict when they differ only in a non-zero constant:
    AB = 1 vs AB = 2, or JK = 3f − 6 vs JK = 3f − 7 (but not JK = 3f − 6 vs JK = 12). Values within
    1% are a rounding (`AB = 5√2 = 7.07`), not a contradiction."""
    da, db = dict(a), dict(b)
    ca, cb = da.pop(sympy.S.One, 0), db.pop(sympy.S.One, 0)
    if da != db:
        return False
    try:
        x, y = float(ca), float(cb)
    except TypeError:
        return bool(sympy.simplify(ca - cb) != 0)
    return abs(x - y) > _ROUNDING * max(abs(x), abs(y))


class _Index:
    """What one response states, indexed for matching."""

    def __init__(self, facts: tuple[Fact, ...], max_descriptions: int):
        self.eqs: dict[frozenset[str], list[sympy.Expr]] = defaultdict(list)
        self.rels: set[Rel] = set()
        self.shapes: dict[str, set[frozenset[str]]] = defaultdict(set)
        values: dict[str, set[Value]] = defaultdict(set)
        for f in facts:
            if isinstance(f, Eq):
                self.eqs[f.symbols].append(f.expr)
                for name, v in _assignments(f.expr):
                    values[name].add(v)
            elif isinstance(f, Rel):
                self.rels.add(f)
            else:
                self.shapes[f.entity].add(f.words)
        self.conflicted = {name for name, vs in values.items() if len(vs) > 1 and
                           any(_contradict(a, b) for a, b in itertools.combinations(vs, 2))}
        self.sprayed = {ent for ent, descs in self.shapes.items() if len(descs) > max_descriptions}

    def states(self, fact: Fact) -> bool:
        return any(self._states(f) for f in (fact, *alternatives(fact)))

    def _states(self, fact: Fact) -> bool:
        if isinstance(fact, Eq):
            syms = fact.symbols
            if syms & self.conflicted:
                return False
            return any(same_equation(fact.expr, e) for e in self.eqs.get(syms, ()))
        if isinstance(fact, Rel):
            return fact in self.rels
        if isinstance(fact, Shape):
            return fact.entity not in self.sprayed and any(fact.words <= d for d in self.shapes.get(fact.entity, ()))
        return False


@lru_cache(maxsize=4096)
def alternatives(fact: Fact) -> tuple[Fact, ...]:
    """Other statements of the same fact: `AB ⊥ BC` is `m∠ABC = 90°` and back; an angle may be
    named by its vertex alone (`∠B = 90°` for `m∠ABC = 90°`), as chat models often write it."""
    out: list[Fact] = []
    if isinstance(fact, Rel) and fact.kind == "perp":
        (a, b), (c, d) = fact.key
        shared = {a, b} & {c, d}
        if len(shared) == 1 and len({a, b, c, d}) == 3:
            p = shared.pop()
            x, y = ({a, b} - {p}).pop(), ({c, d} - {p}).pop()
            out.append(Eq(sympy.Symbol("A_" + min(x + p + y, y + p + x)) - 90))
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


@lru_cache(maxsize=4096)
def _index(response: str, max_descriptions: int) -> _Index:
    return _Index(response_facts(response), max_descriptions)


class SymbolicJudge(Judge):
    """Offline judge for mathematical facts; see the module docstring. Never fails, so `on_error`
    only matters to judges that wrap it."""

    name = "symbolic"

    def __init__(self, on_error: str = "raise", max_descriptions: int = 3):
        super().__init__(on_error)
        self.max_descriptions = max_descriptions
        self.stats.extra.update(annotations=0, unparseable=0)

    @staticmethod
    def can_parse(annotation: str) -> bool:
        """Whether this judge understands the annotation (the hybrid judge sends the rest to an LLM)."""
        return annotation_facts(annotation) is not None

    def judge_parsed(self, response: str, annotations: list[str]) -> list[int | None]:
        """1/0 per annotation this judge can parse, None for the others."""
        start = time.perf_counter()
        index = None
        out: list[int | None] = []
        for ann in annotations:
            facts = annotation_facts(ann)
            if facts is None:
                out.append(None)
                continue
            if index is None:
                index = _index(response, self.max_descriptions)
            out.append(int(all(index.states(f) for f in facts)))
        self.stats.requests += 1
        self.stats.latency_total += time.perf_counter() - start
        self.stats.extra["annotations"] += len(annotations)
        self.stats.extra["unparseable"] += sum(v is None for v in out)
        return out

    async def ajudge_batch(self, items: list[tuple[str, list[str]]],
                           images: list[Any] | None = None) -> list[list[int] | None]:
        """Verdicts for each (response, annotations); an unparseable annotation gets 0 (not credited)."""
        return [[0 if v is None else v for v in self.judge_parsed(resp, list(anns))] for resp, anns in items]
