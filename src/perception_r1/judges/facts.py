"""Reading mathematical facts out of text, for the symbolic judge.

A fact is one of
  - `Eq(expr)`: an equation `lhs = rhs`, kept as `lhs − rhs` over canonical quantity symbols
    (segment `S_AB` = `S_BA`, angle `A_ABC` = `A_CBA`, arc, area, radius, variables);
  - `Rel(kind, key)`: `⊥`, `∥` between segments, `≅` / `∼` between triangles (vertex correspondence);
  - `Shape(entity, words)`: `JKLM is a parallelogram`, `O is the center of the circle`.

`normalize` maps LaTeX and Unicode notations onto one plain form (`\\angle`, `m∠`, `^\\circ`, `°`,
`\\overline{}`, `\\frac`, `\\sqrt`, `\\perp`, `⊥`, …). `response_facts` reads every fact a free-form
response states; `annotation_facts` reads an annotation strictly — the whole text must be one
statement, otherwise it is unparseable (None) and the symbolic judge credits nothing for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import sympy


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

# ---------------------------------------------------------------- notation

_GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "theta": "θ", "phi": "φ", "varphi": "φ",
          "psi": "ψ", "omega": "ω", "lambda": "λ", "mu": "μ", "epsilon": "ε", "varepsilon": "ε", "rho": "ρ",
          "sigma": "σ", "tau": "τ", "eta": "η", "kappa": "κ", "xi": "ξ", "zeta": "ζ", "chi": "χ", "nu": "ν"}
_COMMANDS = {
    "angle": " ∠", "measuredangle": " ∠", "triangle": " △", "bigtriangleup": " △", "odot": " ⊙",
    "perp": " ⊥ ", "bot": " ⊥ ", "parallel": " ∥ ", "cong": " ≅ ", "sim": " ∼ ", "simeq": " ∼ ",
    "neq": " ≠ ", "ne": " ≠ ", "approx": " ≈ ", "leq": " ≤ ", "le": " ≤ ", "geq": " ≥ ", "ge": " ≥ ",
    "lt": " < ", "gt": " > ", "cdot": "*", "times": "*", "div": "/", "pi": "π", "sqrt": "√", "degree": "",
    "circ": "", "left": "", "right": "", "quad": " ", "qquad": " ", "boxed": "", "displaystyle": "",
    "big": "", "Big": "", "bigl": "", "bigr": "", "therefore": " , ", "because": " , ",
    "Rightarrow": " , ", "implies": " , ", "to": " , ", "iff": " , ", "Leftrightarrow": " , ",
    **_GREEK,
}
_WRAPPERS = r"text|textbf|textit|textrm|mathrm|mathit|mathbf|mathsf|operatorname|overline|overleftrightarrow|" \
            r"overrightarrow|vec|underline|mbox|hbox"
_ARC_CMDS = r"widehat|overarc|wideparen|arc|overparen"

_UNICODE = str.maketrans({"−": "-", "–": "-", "—": " , ", "×": "*", "·": "*", "⋅": "*", "÷": "/", "‖": "∥",
                          "∡": "∠", "≡": "≅", "∽": "∼", "≃": "∼", "⟂": "⊥", "²": "^2", "³": "^3",
                          "′": "'", "’": "'", "＝": "=", "（": "(", "）": ")", "，": ",", "▵": "△", "Δ": "△"})


def _braced(text: str, start: int) -> tuple[str, int] | None:
    """The balanced `{…}` group beginning at `start` (after spaces): (contents, index after it)."""
    i = start
    while i < len(text) and text[i] == " ":
        i += 1
    if i >= len(text) or text[i] != "{":
        return None
    depth = 0
    for j in range(i, len(text)):
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        if depth == 0:
            return text[i + 1:j], j + 1
    return None


def _fracs(text: str) -> str:
    """`\\frac{a}{b}` (also dfrac, tfrac, nested) -> `((a)/(b))`; `\\sqrt{a}` -> `√(a)`."""
    out, i = [], 0
    pat = re.compile(r"\\[dt]?frac|\\sqrt")
    while True:
        m = pat.search(text, i)
        if not m:
            out.append(text[i:])
            return "".join(out)
        out.append(text[i:m.start()])
        if m.group().endswith("sqrt"):
            arg = _braced(text, m.end())
            if arg:
                out.append(f"√({_fracs(arg[0])})")
                i = arg[1]
            else:
                out.append("√")
                i = m.end()
            continue
        num = _braced(text, m.end())
        den = _braced(text, num[1]) if num else None
        if num and den:
            out.append(f"(({_fracs(num[0])})/({_fracs(den[0])}))")
            i = den[1]
        else:
            two = re.match(r"\s*(\d)(\d)", text[m.end():])
            if two:
                out.append(f"(({two.group(1)})/({two.group(2)}))")
                i = m.end() + two.end()
            else:
                out.append(" ")
                i = m.end()


def _command(m: re.Match) -> str:
    return _COMMANDS.get(m.group(1), " ⋄ ")  # an unknown command breaks a statement, never joins one


@lru_cache(maxsize=8192)
def normalize(text: str) -> str:
    """One plain notation for LaTeX / Unicode / prose maths (see the module docstring)."""
    t = text.translate(_UNICODE)
    t = re.sub(r"</?[A-Za-z][\w-]*>", " , ", t)                  # tags (<think>, <info1>) are not maths
    t = re.sub(r"\\[()\[\]]|\$", " ", t)
    t = re.sub(r"\\(?:begin|end)\s*\{[^{}]*\}", " , ", t)
    t = re.sub(r"\\\\|&", " ", t)
    t = re.sub(r"(?m)^[ \t]*(?:[-*•+]|\d{1,2}[.)])[ \t]+", " ; ", t)        # list bullets are not minus signs
    t = re.sub(r"\*\*|__|`", " ", t)                                       # markdown emphasis, code
    t = re.sub(r"(?<=[=+\-*/(])[ \t]*\n\s*|\s*\n(?=\s*[=+\-*/)])", " ", t)  # a formula continued on the next line
    t = t.replace("\n", " ; ")                                              # otherwise a line ends a statement
    t = re.sub(rf"\\(?:{_ARC_CMDS})\s*\{{([^{{}}]*)\}}", r" arc \1 ", t)
    t = re.sub(rf"\\(?:{_ARC_CMDS})\s*((?:[A-Z]\s*){{2,3}})", r" arc \1 ", t)
    t = re.sub(r"\\(?:overset|stackrel)\s*\{\\frown\}\s*\{([^{}]*)\}", r" arc \1 ", t)
    t = re.sub(r"\\frown\s*", " arc ", t)
    t = re.sub(rf"\\(?:{_WRAPPERS})\s*\{{([^{{}}]*)\}}", r" \1 ", t)
    t = re.sub(r"\^\s*\{?\s*\\circ\s*\}?|\^\s*\{?\s*°\s*\}?|°|\^\s*\\degree|\\degree", " ", t)
    t = _fracs(t)
    t = re.sub(r"\\([A-Za-z]+)", _command, t)
    t = re.sub(r"\\[,;:! ]|~", " ", t)
    t = t.replace("{", "(").replace("}", ")").replace("//", " ∥ ")
    t = re.sub(r"√\s*(\d+(?:\.\d+)?|[a-z](?![a-z]))", r"√(\1)", t)
    t = t.replace("√", " sqrt")
    t = re.sub(r"\b[mM]\s*(?=∠|arc\b)", "", t)                     # m∠ABC, m arc AB: the measure is the quantity
    t = re.sub(r"(?<![A-Za-z'])[A-Z](?: [A-Z])+(?![A-Za-z'])", lambda m: m.group().replace(" ", ""), t)
    return re.sub(r"\s+", " ", t).strip()


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
    # bare `is` only before something that starts an expression: "JK is 3f - 6", not "is a square"
    (re.compile(r"\b(?:is|are)\b(?=\s*(?:[-(\d∠π]|sqrt\b|[A-Z]{1,3}\b|[a-zα-ω]\s*(?:[-+*/^=,.;:!?)]|$)))"), " = "),
]

# ---------------------------------------------------------------- tokens

# Quantities written with a word or symbol in front: area / perimeter / radius of …, ∠ABC, arc AB, △ABC.
_COMPOUND_RE = re.compile(r"""
 (?P<area>(?i:area|perimeter|circumference)\s+(?i:of)\s+(?:(?i:the|triangle|quadrilateral|rectangle|square|
    parallelogram|rhombus|trapezoid|polygon|circle|sector|kite|region|shaded|figure)\s+|[△⊙]\s*)*
    (?P<area_n>[A-Z]{1,8})(?![A-Za-z']))
|(?P<rad>(?i:radius|diameter)\s+(?i:of)\s+(?:(?i:the|circle)\s+|⊙\s*)*(?P<rad_n>[A-Z])(?![A-Za-z']))
|(?P<ang>(?:∠|(?i:angle)\s+)\s*(?P<ang_n>[A-Z]{1,3}(?![A-Za-z'])|\d+(?![\d.])|[α-ω]|[a-z](?![A-Za-z])))
|(?P<arc>(?:⌒|(?i:arc)\s+)\s*(?P<arc_n>[A-Z]{2,3})(?![A-Za-z']))
|(?P<tri>(?:△|(?i:triangle)\s+)\s*(?P<tri_n>[A-Z]{3})(?![A-Za-z']))
""", re.X)
_COMPOUND_STARTS = {"area", "perimeter", "circumference", "radius", "diameter", "angle", "arc", "triangle",
                    "∠", "⌒", "△"}
_SIMPLE_RE = re.compile(r"(?P<sp>\s+)|(?P<num>\d+(?:\.\d+)?|\.\d+)|(?P<word>[A-Za-z]+)|(?P<greek>[α-ω])"
                        r"|(?P<rel>[=⊥∥≅∼≠≈≤≥<>])|(?P<op>[-+*/^()])|(?P<punct>[,;:.!?])|(?P<other>.)", re.S)
_UNITS = {"degree", "degrees", "deg", "unit", "units", "cm", "mm", "km", "inch", "inches", "ft", "feet", "meter",
          "meters", "metre", "metres", "centimeter", "centimeters"}

_MATH = {"area", "rad", "ang", "arc", "tri", "num", "sqrt", "pi", "pts", "greek", "var", "op", "rel"}


def _polygon(name: str) -> str:
    """Canonical name of a closed polygon: the least rotation of the name or of its reverse."""
    if len(name) < 3:
        return "".join(sorted(name))
    forms = [s[i:] + s[:i] for s in (name, name[::-1]) for i in range(len(name))]
    return min(forms)


def _path(name: str) -> str:
    """Canonical name of a segment / angle / arc read either way: AB = BA, ABC = CBA."""
    return min(name, name[::-1])


def _word_kind(w: str) -> str:
    if w == "sqrt":
        return "sqrt"
    if w == "pi":
        return "pi"
    if w in _UNITS:  # case matters: CM is a segment, cm a unit
        return "unit"
    if w.isupper() and len(w) <= 8:
        return "pts"
    return "var" if len(w) == 1 else "word"


def tokenize(text: str) -> list[tuple[str, str]]:
    """(kind, value) tokens of normalised text. A single letter followed by a word is a word (the
    article in `is a square`, `A right triangle`) unless it follows maths (`SE = x and …`, `5f and`)."""
    raw, pos = [], 0
    while pos < len(text):
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
                    (value if len(value) == 1 else _path(value) if len(value) == 2 else _polygon(value)))
    if kind == "ang":
        return _sym("A_" + _path(value))
    if kind == "arc":
        return _sym("R_" + _path(value))
    if kind == "area":
        return _sym("Ar_" + _polygon(value))
    if kind == "rad":
        return _sym("Rad_" + value)
    if kind == "tri":
        return _sym("T_" + _polygon(value))
    return _sym("v_" + value)  # var, greek


class _Parser:
    """Recursive descent over one side of a relation: + − · / ^, implicit products (`3f`, `2(x+1)`,
    `5√2`), √, π. Raises ValueError on anything else."""

    def __init__(self, toks: list[tuple[str, str]]):
        self.toks, self.i = toks, 0

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
            # a numeric tower (9^9^9) would take sympy minutes: no geometry fact needs it
            if exp.is_number and (not exp.is_real or abs(exp) > _MAX_EXPONENT):
                raise _Rejected("exponent too large")
            return base ** exp
        return base

    def atom(self) -> sympy.Expr:
        kind, value = self.take()
        if kind == "num":
            return sympy.Rational(value)
        if kind == "pi":
            return sympy.pi
        if kind == "sqrt":
            return sympy.sqrt(self.power())
        if (kind, value) == ("op", "("):
            e = self.expr()
            if self.take() != ("op", ")"):
                raise ValueError("unbalanced parenthesis")
            return e
        if kind in ("pts", "ang", "arc", "area", "rad", "tri", "var", "greek"):
            return _quantity(kind, value)
        raise ValueError(f"unexpected {value!r}")


_MAX_EXPONENT = 64
_ATOMS = {"num", "pi", "sqrt", "pts", "ang", "arc", "area", "rad", "tri", "var", "greek"}


class _Rejected(ValueError):
    """Well-formed but refused (a numeric tower, a division by zero): never trimmed into a fact."""


@lru_cache(maxsize=65536)
def _read_side(toks: tuple[tuple[str, str], ...]) -> sympy.Expr | str:
    """The side's expression, or "syntax" / "rejected" saying why there is none."""
    if not toks:
        return "syntax"
    try:
        e = _Parser(list(toks)).parse()
    except _Rejected:
        return "rejected"
    except (ValueError, TypeError, ZeroDivisionError, ArithmeticError, RecursionError, sympy.SympifyError):
        return "syntax"
    return "rejected" if e.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo) else e


def _parse_side(toks: tuple[tuple[str, str], ...]) -> sympy.Expr | None:
    e = _read_side(toks)
    return None if isinstance(e, str) else e


@lru_cache(maxsize=65536)
def _pair_fact(lt: tuple, rel: str, rt: tuple) -> Fact | None:
    """The fact stated by `lhs rel rhs`, or None (no quantity, unparsable side, not a fact relation)."""
    if rel in ("⊥", "∥"):
        if len(lt) == len(rt) == 1 and lt[0][0] == rt[0][0] == "pts" and len(lt[0][1]) == len(rt[0][1]) == 2:
            return Rel("perp" if rel == "⊥" else "par", tuple(sorted((_path(lt[0][1]), _path(rt[0][1])))))
        return None
    if rel in ("≅", "∼") and len(lt) == len(rt) == 1 and lt[0][0] == rt[0][0] == "tri":
        a, b = lt[0][1], rt[0][1]
        key = min(tuple(sorted(zip(a, b))), tuple(sorted(zip(b, a))))
        return Rel("cong" if rel == "≅" else "sim", key)
    if rel not in ("=", "≅"):
        return None
    lhs, rhs = _parse_side(lt), _parse_side(rt)
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
    complete = bool(rels) and all(r in _FACT_RELS for r in rels) and all(_parse_side(s) is not None for s in sides)
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
    if _read_side(side) != "syntax" or len(side) > 40:
        return side
    for k in range(len(side) - 1, 0, -1):
        part = side[-k:] if keep_end else side[:k]
        e = _read_side(part)
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
        if tok[0] in _MATH:
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
            words.add(_polygon(w))
        else:
            w = _SYNONYMS.get(w.lower(), w.lower())
            if w not in _STOP:
                words.add(w)
    if kind:
        words.add(_SYNONYMS.get(kind.lower(), kind.lower()))
    return frozenset(words)


def _entity(name: str) -> str:
    return _polygon(name) if len(name) != 2 else _path(name)


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
    if not toks or any(k not in _MATH and k != "unit" for k, _ in toks):
        return None
    runs = _runs(toks)
    if len(runs) != 1:
        return None
    facts, complete = _run_facts(runs[0])
    return tuple(facts) if facts and complete else None
