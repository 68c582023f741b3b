"""Shape statements (`JKLM is a parallelogram`, `in rhombus QRST`, `O is the center of the circle`)
and the hierarchy of shape kinds, for the symbolic judge.

The hierarchy follows the inclusive textbook definitions of Geometry3K's sources: a square is a
rectangle and a rhombus, both are parallelograms, every parallelogram, trapezoid and kite is a
quadrilateral; an equilateral triangle is isosceles. Trapezoids (exactly one pair of parallel
sides) and kites (exactly two pairs of adjacent equal sides) are not parallelograms. `implied`
closes a description under the hierarchy — stating the specific kind states the general one, never
the reverse — and `compatible` says whether one entity can be all the kinds a response gives it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .expressions import path, polygon

_IMPLIES = {
    "square": {"rectangle", "rhombus"},
    "rectangle": {"parallelogram"},
    "rhombus": {"parallelogram"},
    "parallelogram": {"quadrilateral"},
    "trapezoid": {"quadrilateral"},
    "kite": {"quadrilateral"},
    "quadrilateral": {"polygon"},
    "pentagon": {"polygon"},
    "hexagon": {"polygon"},
    "triangle": {"polygon"},
    "equilateral": {"isosceles", "acute"},
}
# Kinds that exclude each other: a shape is never both (unless one implies the other).
_EXCLUSIVE = [
    {"triangle", "quadrilateral", "pentagon", "hexagon", "circle"},
    {"parallelogram", "trapezoid", "kite"},
    {"right", "acute", "obtuse"},
    {"isosceles", "scalene"},
]
KINDS = set(_IMPLIES) | set().union(*_EXCLUSIVE)


def implied(words: frozenset[str]) -> frozenset[str]:
    """The description with every kind its kinds imply (`rhombus` adds parallelogram, quadrilateral)."""
    out, todo = set(words), list(words)
    while todo:
        for w in _IMPLIES.get(todo.pop(), ()):
            if w not in out:
                out.add(w)
                todo.append(w)
    return frozenset(out)


def compatible(descriptions: set[frozenset[str]]) -> bool:
    """Whether one entity can be everything these descriptions say it is."""
    kinds = implied(frozenset().union(*descriptions)) & KINDS if descriptions else frozenset()
    return not any(len(kinds & group) > 1 for group in _EXCLUSIVE)


@dataclass(frozen=True)
class Shape:
    entity: str
    words: frozenset[str]


_STOP = {"a", "an", "the", "of", "to", "is", "are", "be", "at", "in", "on", "by", "with", "point", "each", "one",
         "same", "single", "both", "all"}
_SYNONYMS = {"centre": "center", "trapezium": "trapezoid", "isoceles": "isosceles", "right-angled": "right",
             "△": "triangle", "⊙": "circle", "tangents": "tangent"}
SHAPE_NOUNS = r"triangle|quadrilateral|polygon|pentagon|hexagon|parallelogram|rectangle|square|rhombus|" \
              r"trapezoid|trapezium|kite|circle"
# `[shape] ENTITY is DESCRIPTION`, the description running to the first non-letter (punctuation,
# maths) or clause word; bounded so a long run of `A is b A is b …` costs linear time.
IS_RE = re.compile(r"(?<![A-Za-z'])(?P<ent>[A-Z]{1,8})\s+(?:is|are|be)\s+")
_KIND_BEFORE_RE = re.compile(rf"(?:\b(?P<kind>{SHAPE_NOUNS})\s+|(?P<sym>[△⊙])\s*)$", re.I)
_DESC = r"(?:(?:a|an|the)\s+)?[a-z][A-Za-z\- ]{0,60}"
_DESC_RE = re.compile(_DESC + r"?(?=\s*(?:[^A-Za-z\- ]|$|\b(?:and|so|since|because|which|then|therefore|thus|"
                      r"where|but|hence|if|when|while|we|it|this|that|whose)\b))")
_DESC_FULL_RE = re.compile(_DESC)
_PREFIX_RE = re.compile(
    rf"(?P<adj>(?:\b(?:right|isosceles|equilateral|regular|scalene|acute|obtuse|cyclic|convex)\s+)*)"
    rf"(?P<kind>\b(?:{SHAPE_NOUNS})|[△⊙])\s*(?P<ent>[A-Z]{{1,8}})(?![A-Za-z'])", re.I)


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
    if words == {"center"}:  # "O is the center": of the figure's circle
        words.add("circle")
    return frozenset(words)


def _entity(name: str) -> str:
    return polygon(name) if len(name) != 2 else path(name)


def shape_at(text: str, m: re.Match, full: bool) -> Shape | None:
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


_ANY_SHAPE_RE = re.compile(rf"\b(?:is|are|be)\s|[△⊙]|\b(?:{SHAPE_NOUNS})\b", re.I)


def shapes(text: str) -> list[Shape]:
    """Every shape statement in (a clause of) normalised text."""
    if not _ANY_SHAPE_RE.search(text):
        return []
    out = [s for m in IS_RE.finditer(text) if (s := shape_at(text, m, full=False))]
    for m in _PREFIX_RE.finditer(text):
        if not m.group("ent").isupper():
            continue
        kind = _SYNONYMS.get(m.group("kind"), m.group("kind").lower())
        out.append(Shape(_entity(m.group("ent")), _shape_words(m.group("adj"), kind)))
        if kind == "circle" and len(m.group("ent")) == 1:  # "circle O", "⊙O": O is its center (of a circle
            out.append(Shape(m.group("ent"), frozenset({"center", "circle", NAMED})))  # it names)
    return out


_LIST_RE = re.compile(r"(?<![A-Za-z'])(?P<ents>[A-Z]{1,8}(?:\s*,\s*(?:and\s+)?[A-Z]{1,8}|\s+and\s+[A-Z]{1,8})+)"
                      r"\s+are\s+(?:(?:each|all|both)\s+)?")


def listed_shapes(sentence: str) -> list[Shape]:
    """`A, B and O are each the center of the circle`: the description, for every listed entity."""
    out = []
    for m in _LIST_RE.finditer(sentence):
        d = _DESC_RE.match(sentence, m.end())
        words = _shape_words(d.group(), None) if d else frozenset()
        if any(len(w) > 2 and w.islower() for w in words):
            out.extend(Shape(_entity(e), words) for e in re.findall(r"[A-Z]{1,8}", m.group("ents")))
    return out


_MORE_RE = re.compile(rf"\s*(?:(?:or|and)\s+(?:(?:an?|the)\s+)?|(?:an?|the)\s+)(?P<desc>(?:[a-z\-]+\s+){{0,3}}(?:{SHAPE_NOUNS}))\b",
                      re.I)


def more_kinds(clause: str) -> frozenset[str] | None:
    """The description of a clause that continues a shape statement: ", a kite", "or a trapezoid"."""
    m = _MORE_RE.match(clause)
    return _shape_words(m.group("desc"), None) if m else None


NAMED = "named-by-centre"  # "⊙O": the centre of a circle named after it (one of several circles, maybe)


def is_centre(s: Shape) -> bool:
    return s.words == {"center", "circle"}

