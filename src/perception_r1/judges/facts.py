"""Reading mathematical facts out of text, for the symbolic judge.

A fact is one of
  - `Eq(expr)`: an equation `lhs = rhs`, kept as `lhs − rhs` over canonical quantity symbols
    (segment `S_AB` = `S_BA`, angle `A_ABC` = `A_CBA`, arc, area, radius, variables);
  - `Rel(kind, key)`: `⊥`, `∥` between segments, `≅` / `∼` between triangles (vertex correspondence);
  - `Shape(entity, words)`: `JKLM is a parallelogram`, `O is the center of the circle`.

Text is first put in one notation (`notation.normalize`). `response_facts` reads every fact a free-form
response states; `annotation_facts` reads an annotation strictly — the whole text must be one
statement, otherwise it is unparseable (None) and the symbolic judge credits nothing for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import sympy

from .expressions import MATH, parse_side, path, polygon, read_side, tokenize
from .notation import normalize


@dataclass(frozen=True)
class Eq:
    expr: sympy.Expr  # lhs − rhs

    @property
    def symbols(self) -> frozenset[str]:
        return frozenset(s.name for s in self.expr.free_symbols)


@dataclass(frozen=True)
class Rel:
    kind: str  # perp | par | cong | sim
    key: tuple


@dataclass(frozen=True)
class Shape:
    entity: str
    words: frozenset[str]


Fact = Eq | Rel | Shape

_NEG_RE = re.compile(r"\b(?:is|are|was)\s+not\b|\bisn'?t\b|\baren'?t\b|\bdoes\s+not\s+equal\b|\bnot\s+equal\s+to\b",
                     re.I)
_REL_WORDS = [
    (re.compile(r"\b(?:is|are)\s+perpendicular\s+(?:to|with)\b|\bperpendicular\s+to\b", re.I), " ⊥ "),
    (re.compile(r"\b(?:is|are)\s+parallel\s+(?:to|with)\b|\bparallel\s+to\b", re.I), " ∥ "),
    (re.compile(r"\b(?:is|are)\s+congruent\s+to\b", re.I), " ≅ "),
    (re.compile(r"\b(?:is|are)\s+similar\s+to\b", re.I), " ∼ "),
    (re.compile(r"\b(?:is|are)\s+equal\s+to\b|\bequals?\b|\bmeasures\b|\bis\s+equal\b|"
                r"\bhas\s+(?:a\s+)?(?:length|measure)\s+(?:of\s+)?", re.I), " = "),
    (re.compile(r"(∠\s*(?:[A-Z]{1,3}|\d+))\s+is\s+a\s+right\s+angle\b"), r"\1 = 90"),
    (re.compile(r"\b(?:a\s+)?right\s+angle\s+at\s+([A-Z])\b|\bright[- ]angled\s+at\s+([A-Z])\b"),
     lambda m: f" , ∠{m.group(1) or m.group(2)} = 90 , "),
    # bare `is` only before something that starts an expression: "JK is 3f - 6", not "is a square"
    (re.compile(r"\b(?:is|are)\b(?=\s*(?:[-(\d∠π]|sqrt\b|[A-Z]{1,3}\b|[a-zα-ω]\s*(?:[-+*/^=,.;:!?)]|$)))"), " = "),
]

@lru_cache(maxsize=65536)
def _pair_fact(lt: tuple, rel: str, rt: tuple) -> Fact | None:
    """The fact stated by `lhs rel rhs`, or None (no quantity, unparsable side, not a fact relation)."""
    if rel in ("⊥", "∥"):
        if len(lt) == len(rt) == 1 and lt[0][0] == rt[0][0] == "pts" and len(lt[0][1]) == len(rt[0][1]) == 2:
            return Rel("perp" if rel == "⊥" else "par", tuple(sorted((path(lt[0][1]), path(rt[0][1])))))
        return None
    if rel in ("≅", "∼") and len(lt) == len(rt) == 1 and lt[0][0] == rt[0][0] == "tri":
        a, b = lt[0][1], rt[0][1]
        key = min(tuple(sorted(zip(a, b))), tuple(sorted(zip(b, a))))
        return Rel("cong" if rel == "≅" else "sim", key)
    if rel not in ("=", "≅"):
        return None
    lhs, rhs = parse_side(lt), parse_side(rt)
    if lhs is None or rhs is None:
        return None
    d = lhs - rhs
    if not d.free_symbols:  # arithmetic (`9 + 16 = 25`) states no visual fact
        return None
    return Eq(d)


_FACT_RELS = {"=", "⊥", "∥", "≅", "∼"}


def _run_facts(run: list[tuple[str, str]]) -> tuple[list[Fact], bool]:
    """Facts of one maximal run of maths tokens, `e0 r1 e1 r2 e2 …`; an `=` chain states every pair
    it links (`AC = √(9+16) = 5` states AC = 5). Returns (facts, every part was understood)."""
    sides: list[tuple] = [()]
    rels: list[str] = []
    for tok in run:
        if tok[0] == "rel":
            rels.append(tok[1])
            sides.append(())
        else:
            sides[-1] += (tok,)
    complete = bool(rels) and all(r in _FACT_RELS for r in rels) and all(parse_side(s) is not None for s in sides)
    # In free text a run may start or end with stray tokens ("so 2) AB = 3 (given"): read the
    # longest parseable end of the first side and the longest parseable start of the last.
    sides[0], sides[-1] = _trim(sides[0], keep_end=True), _trim(sides[-1], keep_end=False)
    facts = []
    for i, rel in enumerate(rels):
        pairs = [(i + 1, rel)]
        if rel == "=":
            j = i + 2
            while j < len(sides) and rels[j - 1] == "=":
                pairs.append((j, "="))
                j += 1
        for j, r in pairs:
            fact = _pair_fact(sides[i], r, sides[j])
            if fact is not None:
                facts.append(fact)
    return facts, complete


def _trim(side: tuple, keep_end: bool) -> tuple:
    if read_side(side) != "syntax" or len(side) > 40:
        return side
    for k in range(len(side) - 1, 0, -1):
        part = side[-k:] if keep_end else side[:k]
        e = read_side(part)
        if e == "rejected":  # "x = 1/0 (given)" must not become x = 1
            return side
        if not isinstance(e, str):
            return part
    return side


def _runs(toks: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """Maximal runs of maths tokens; units (and a unit's exponent, `cm^2`) are dropped."""
    runs, cur, i = [], [], 0
    while i < len(toks):
        tok = toks[i]
        i += 1
        if tok[0] == "unit":
            if toks[i:i + 2] and toks[i] == ("op", "^") and i + 1 < len(toks) and toks[i + 1][0] == "num":
                i += 2
            continue
        if tok[0] in MATH:
            cur.append(tok)
        elif cur:
            runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    return runs


def _relation_words(text: str) -> str:
    for pat, repl in _REL_WORDS:
        text = pat.sub(repl, text)
    return text


# ---------------------------------------------------------------- shapes

_STOP = {"a", "an", "the", "of", "to", "is", "are", "be", "at", "in", "on", "by", "with", "point"}
_SYNONYMS = {"centre": "center", "trapezium": "trapezoid", "isoceles": "isosceles", "right-angled": "right",
             "△": "triangle", "⊙": "circle", "tangents": "tangent"}
_SHAPE_NOUNS = r"triangle|quadrilateral|polygon|pentagon|hexagon|parallelogram|rectangle|square|rhombus|" \
               r"trapezoid|trapezium|kite|circle"
# `[shape] ENTITY is DESCRIPTION`, the description running to the first non-letter (punctuation,
# maths) or clause word.
_IS_RE = re.compile(r"(?<![A-Za-z'])(?P<ent>[A-Z]{1,8})\s+(?:is|are)\s+")
_KIND_BEFORE_RE = re.compile(rf"(?:\b(?P<kind>{_SHAPE_NOUNS})\s+|(?P<sym>[△⊙])\s*)$", re.I)
_DESC = r"(?:(?:a|an|the)\s+)?[a-z][A-Za-z\- ]*"
_DESC_RE = re.compile(_DESC + r"?(?=\s*(?:[^A-Za-z\- ]|$|\b(?:and|so|since|because|which|then|therefore|thus|"
                      r"where|but|hence|if|when|while|we|it|this|that|whose)\b))")
_DESC_FULL_RE = re.compile(_DESC)
_PREFIX_RE = re.compile(
    rf"(?P<adj>(?:\b(?:right|isosceles|equilateral|regular|scalene|acute|obtuse|cyclic|convex)\s+)*)"
    rf"(?P<kind>\b(?:{_SHAPE_NOUNS})|[△⊙])\s*(?P<ent>[A-Z]{{1,8}})(?![A-Za-z'])", re.I)


def _shape_words(desc: str, kind: str | None) -> frozenset[str]:
    words = set()
    for w in re.findall(r"[A-Za-z][A-Za-z\-]*|[△⊙]", desc):
        if w.isupper() and w.isalpha():
            words.add(polygon(w))
        else:
            w = _SYNONYMS.get(w.lower(), w.lower())
            if w not in _STOP:
                words.add(w)
    if kind:
        words.add(_SYNONYMS.get(kind.lower(), kind.lower()))
    return frozenset(words)


def _entity(name: str) -> str:
    return polygon(name) if len(name) != 2 else path(name)


def _shape_at(text: str, m: re.Match, full: bool) -> Shape | None:
    """The shape statement whose `ENTITY is` is `m` (its description must reach the end if `full`)."""
    d = (_DESC_FULL_RE.fullmatch if full else _DESC_RE.match)(text, m.end())
    if not d:
        return None
    k = _KIND_BEFORE_RE.search(text, max(0, m.start() - 16), m.start())
    kind = (k.group("kind") or k.group("sym")) if k else None
    words = _shape_words(d.group(), kind)
    # a description needs a real word: "JK is x" is an equation, not a shape statement
    if not any(len(w) > 2 and w.islower() for w in words):
        return None
    return Shape(_entity(m.group("ent")), words)


def _shapes(text: str) -> list[Shape]:
    out = [s for m in _IS_RE.finditer(text) if (s := _shape_at(text, m, full=False))]
    for m in _PREFIX_RE.finditer(text):
        if not m.group("ent").isupper():
            continue
        kind = _SYNONYMS.get(m.group("kind"), m.group("kind").lower())
        out.append(Shape(_entity(m.group("ent")), _shape_words(m.group("adj"), kind)))
        if kind == "circle" and len(m.group("ent")) == 1:  # "circle O", "⊙O": O is its center
            out.append(Shape(m.group("ent"), frozenset({"center", "circle"})))
    return out


# ---------------------------------------------------------------- public

@lru_cache(maxsize=16384)
def response_facts(text: str) -> tuple[Fact, ...]:
    """Every fact a free-form response states (equations, ⊥/∥/≅/∼, shape statements)."""
    t = _NEG_RE.sub(" ≠ ", normalize(text))
    facts: list[Fact] = list(_shapes(t))
    for run in _runs(tokenize(_relation_words(t))):
        facts.extend(_run_facts(run)[0])
    return tuple(facts)


_KIND_START_RE = re.compile(rf"(?:(?:{_SHAPE_NOUNS})\s+|[△⊙]\s*)?", re.I)
_FILLER_RE = re.compile(r"^(?:(?:[Tt]he|[Ll]ength|[Mm]easure|of|[Ss]egment|[Ss]ide|[Ll]ine|[Cc]hord|[Rr]ay|[Vv]alue|[Gg]iven|that)\s+)+")


@lru_cache(maxsize=16384)
def annotation_facts(annotation: str) -> tuple[Fact, ...] | None:
    """The facts of one annotation read strictly, or None when any part of it is not understood."""
    t = _NEG_RE.sub(" ≠ ", normalize(annotation)).rstrip(" .")
    t = _FILLER_RE.sub("", t)
    kind = _KIND_START_RE.match(t)
    m = _IS_RE.match(t, kind.end())
    if m:
        shape = _shape_at(t, m, full=True)
        if shape:
            return (shape,)
    toks = tokenize(_relation_words(t))
    if not toks or any(k not in MATH and k != "unit" for k, _ in toks):
        return None
    runs = _runs(toks)
    if len(runs) != 1:
        return None
    facts, complete = _run_facts(runs[0])
    return tuple(facts) if facts and complete else None
