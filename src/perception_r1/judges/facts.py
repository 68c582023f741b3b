"""Reading mathematical facts out of text, for the symbolic judge.

A fact is one of
  - `Eq(expr)`: an equation `lhs = rhs`, kept as `lhs − rhs` over canonical quantity symbols
    (segment `S_AB` = `S_BA`, angle `A_ABC` = `A_CBA`, arc, area, radius, variables);
  - `Rel(kind, key)`: `⊥`, `∥` between segments, `≅` / `∼` between triangles (vertex correspondence),
    and the pair relations of paper-style annotations (alternate interior angles, opposite sides,
    a point on a line or circle; `canonical.PAIR_KINDS`);
  - `Shape(entity, words)`: `JKLM is a parallelogram`, `O is the center of the circle` (shapes.py).

Text is first reduced to what a reader sees (`visible.visible`), put in one notation (`notation.normalize`)
and paper-style phrasings are rewritten (`canonical.rewrite`). `response_facts` reads every fact a
free-form response states, each with how it is stated: asserted, hedged ("maybe", "about"),
supposed (a question, a hypothesis) or negated — and `Taint` marks quantities the response drowns in
alternatives (`AB = 3 or 4`, `JK = f − 6, 2f − 6, …`, a blanket chain) or gives a value too large to read. `annotation_facts` reads an annotation strictly: the
whole text must be one statement, otherwise it is unparseable (None) and credits nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import sympy

from . import canonical, modality
from .deadline import check
from .expressions import MATH, UNIT_NAMES, parse_side, path, read_side, tokenize
from .notation import normalize, unquoted
from .visible import visible
from .shapes import IS_RE, SHAPE_NOUNS, Shape, _shape_words, is_centre, listed_shapes, more_kinds, shape_at, shapes


@dataclass(frozen=True)
class Eq:
    expr: sympy.Expr  # lhs − rhs

    @property
    def symbols(self) -> frozenset[str]:
        return frozenset(s.name for s in self.expr.free_symbols)


@dataclass(frozen=True)
class Rel:
    kind: str  # perp | par | cong | sim | a canonical.PAIR_KINDS kind
    key: tuple


@dataclass(frozen=True)
class Taint:
    """Quantities (symbol names) the response makes unreadable: values listed as alternatives,
    a blanket chain, a value refused for its size. No fact about them is credited."""
    names: frozenset[str]


@dataclass(frozen=True)
class Approx:
    """A value given as approximate (`≈`): stated hedged whatever the clause says."""
    fact: Eq


Fact = Eq | Rel | Shape
# ASSERTED facts earn credit; HEDGED ones ("maybe AB = 4", "AB = 3 or 4") earn none but still offer
# their values as alternatives; SUPPOSED ones (questions, hypotheses) and NEGATED ones earn none.
ASSERTED, HEDGED, SUPPOSED, NEGATED = "asserted", "hedged", "supposed", "negated"


@dataclass(frozen=True)
class Stated:
    fact: Fact | Taint
    mode: str  # ASSERTED | HEDGED | SUPPOSED | NEGATED


def quantities(fact: Fact) -> frozenset[str]:
    """The symbol names a fact is about, as `Taint` names them."""
    if isinstance(fact, Eq):
        return fact.symbols
    if isinstance(fact, Rel):
        if fact.kind in ("perp", "par", "opp_sides"):
            return frozenset("S_" + s for s in fact.key)
        return frozenset()
    return frozenset({"E_" + fact.entity})


# "AB is not 3" must not become AB = 3 through the bare-`is` rule; "JKLM is not a square" stays a
# (negated) shape statement
_NEG_RE = re.compile(r"\b(?:is|are|was)\s+not\b(?!\s+(?:a|an|the)\b)|\bisn'?t\b(?!\s+(?:a|an|the)\b)|\baren'?t\b|\bdoes\s+not\s+equal\b|\bnot\s+equal\s+to\b",
                     re.I)
_REL_WORDS = [
    (re.compile(r"\b(?:is|are)\s+perpendicular\s+(?:to|with)\b|\bperpendicular\s+to\b", re.I), " ⊥ "),
    (re.compile(r"\b(?:is|are)\s+parallel\s+(?:to|with)\b|\bparallel\s+to\b", re.I), " ∥ "),
    (re.compile(r"\b(?:is|are)\s+congruent\s+to\b", re.I), " ≅ "),
    (re.compile(r"\b(?:is|are)\s+similar\s+to\b", re.I), " ∼ "),
    (re.compile(r"\b(?:is|are)\s+equal\s+to\b|\bequals?\b|\bmeasures\b|\bis\s+equal\b|"
                r"\b(?:has|with)\s+(?:a\s+)?(?:length|measure)\s+(?:of\s+)?|\b(?:is|are)\s+of\s+(?:length|measure)\b|"
                r"\bof\s+length\b", re.I), " = "),
    (re.compile(r"((?:∠|\b[Aa]ngle)\s*(?:[A-Z]{1,3}|\d+))\s+is\s+a\s+right\s+angle\b"), r"\1 = 90"),
    (re.compile(r"\b(?:a\s+)?right\s+angle\s+at\s+([A-Z])\b|\bright[- ]angled\s+at\s+([A-Z])\b"),
     lambda m: f" , ∠{m.group(1) or m.group(2)} = 90 , "),
    # bare `is` only before something that starts an expression: "JK is 3f - 6", not "is a square";
    # a modal or adverb between (`AB might be 3`, `AB is probably 3`) is read here and judged by
    # the clause's hedge words
    (re.compile(r"\b(?:(?:is|are|be)(?:\s+(?:probably|possibly|maybe|perhaps|likely|approximately|about|around|"
                r"roughly|definitely|clearly|certainly|obviously|exactly|also|indeed|then|still|now))?|"
                r"(?:might|may|could|would|should|must|will|can)\s+(?:also\s+|well\s+|still\s+)?be)\b(?=\s*(?:[-(\d∠∑π]|sqrt\b|[A-Z]{1,3}\b|[a-zα-ω]\s*(?:[-+*/^=,.;:!?)]|$)))"), " = "),
]
_PAIR_SIDES = {"alt_int": "ang", "alt_ext": "ang", "corr": "ang", "vert": "ang", "same_side": "ang"}


def _pair_rel(kind: str, lt: tuple, rt: tuple) -> Rel | None:
    if len(lt) != 1 or len(rt) != 1:
        return None
    (lk, lv), (rk, rv) = lt[0], rt[0]
    if kind in _PAIR_SIDES:
        ok = lk == rk == "ang"
        return Rel(kind, tuple(sorted((path(lv), path(rv))))) if ok else None
    if kind == "opp_sides":
        ok = lk == rk == "pts" and len(lv) == len(rv) == 2
        return Rel(kind, tuple(sorted((path(lv), path(rv))))) if ok else None
    if kind == "on_line":
        return Rel(kind, (lv, path(rv))) if lk == rk == "pts" and len(lv) == 1 and len(rv) == 2 else None
    return Rel(kind, (lv, rv)) if lk == rk == "pts" and len(lv) == len(rv) == 1 else None


@lru_cache(maxsize=65536)
def _pair_fact(lt: tuple, rel: str, rt: tuple) -> Fact | Taint | None:
    """The fact stated by `lhs rel rhs`, or None (no quantity, unparsable side, not a fact relation);
    a side refused for its size taints the other side's quantities."""
    if rel in canonical.PAIR_KINDS:
        return _pair_rel(canonical.PAIR_KINDS[rel][0], lt, rt)
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
    lhs, rhs = read_side(lt), read_side(rt)
    if rel == "≅" and any(not isinstance(e, str) and e.is_number for e in (lhs, rhs)):
        return None  # `AB ≅ 3` reads as "about 3": congruence relates figures, not a figure and a number
    if isinstance(lhs, str) or isinstance(rhs, str):
        other = rhs if lhs == "rejected" else lhs if rhs == "rejected" else None
        if other is not None and not isinstance(other, str) and other.free_symbols:
            return Taint(frozenset(s.name for s in other.free_symbols))
        return None
    d = lhs - rhs
    if not any(not s.name.startswith("U_") for s in d.free_symbols):  # arithmetic (`9 + 16 = 25`, `1 m = 100 cm`)
        return None
    return Eq(d)


_FACT_RELS = {"=", "⊥", "∥", "≅", "∼", *canonical.PAIR_KINDS}
MAX_CHAIN_QUANTITIES = 4  # `AB = BC = CD = DA = 5` (a rhombus) is the longest honest chain we credit
_FULL_CHAIN = 8           # longer chains pair each side with its neighbour and the first side only


def _run_facts(run: list[tuple[str, str]]) -> tuple[list[Fact | Taint], bool]:
    """Facts of one maximal run of maths tokens, `e0 r1 e1 r2 e2 …`; an `=` chain states every pair
    it links (`AC = √(9+16) = 5` states AC = 5). Returns (facts, every part was understood)."""
    parts: list[list] = [[]]
    rels: list[str] = []
    for tok in run:
        if tok[0] == "rel":
            rels.append(tok[1])
            parts.append([])
        else:
            parts[-1].append(tok)
    sides = [tuple(p) for p in parts]
    complete = bool(rels) and all(r in _FACT_RELS for r in rels) and all(parse_side(s) is not None for s in sides)
    # In free text a run may start or end with stray tokens ("so 2) AB = 3 (given"): read the
    # longest parseable end of the first side and the longest parseable start of the last.
    sides[0], sides[-1] = _trim(sides[0], keep_end=True), _trim(sides[-1], keep_end=False)
    quantity_sides = {e for s in sides if (e := parse_side(s)) is not None and e.is_Symbol}
    if len(quantity_sides) > MAX_CHAIN_QUANTITIES and rels.count("=") >= MAX_CHAIN_QUANTITIES:
        return [Taint(frozenset(s.name for s in quantity_sides))], complete  # a blanket "all equal"
    facts: list[Fact | Taint] = []
    for i, rel in enumerate(rels):
        if rel == "≈":  # `AC = 5√2 ≈ 7.07`: the chain's quantity is about the value (a hedged value)
            left = sides[0] if all(r == "=" for r in rels[:i]) else sides[i]
            fact = _pair_fact(left, "=", sides[i + 1])
            if isinstance(fact, Eq):
                facts.append(Approx(fact))
            continue
        pairs = [(i + 1, rel)]
        if rel == "=":
            j = i + 2
            while j < len(sides) and rels[j - 1] == "=":
                if len(sides) <= _FULL_CHAIN or i == 0:
                    pairs.append((j, "="))
                j += 1
        check()
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
            exp = toks[i:i + 2] if toks[i:i + 2] and toks[i] == ("op", "^") and i + 1 < len(toks) and \
                toks[i + 1][0] == "num" else []
            i += len(exp)
            unit = UNIT_NAMES.get(tok[1])
            if unit and cur and (cur[-1][0] in ("num", "pi") or cur[-1] == ("op", ")")):
                cur.extend([("op", "*"), ("unitq", unit), *exp])  # "7 km": the value's scale
            continue
        if tok[0] in MATH:
            cur.append(tok)
        elif cur:
            runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    return runs


_REL_TRIGGER = re.compile(r"(?i)\b(?:is|are|be|equals?|measures|has|with|of|perpendicular|parallel|congruent|"
                          r"similar|right)\b")


def _relation_words(text: str) -> str:
    if not _REL_TRIGGER.search(text):
        return text
    for pat, repl in _REL_WORDS:
        text = pat.sub(repl, text)
    return text


# ---------------------------------------------------------------- how a statement is made

@lru_cache(maxsize=65536)
def _clause_facts(clause: str) -> tuple[tuple[Fact | Taint, ...], bool, bool]:
    """(facts, has a lone value — an expression outside any relation, or the value of a subject-less
    relation, `it may be 4` —, nothing but connectors and that value)."""
    facts: list[Fact | Taint] = list(shapes(clause))
    toks = tokenize(_relation_words(clause))
    lone = False
    for run in _runs(toks):
        if any(t[0] == "rel" for t in run):
            if run[0] == ("rel", "=") and _lone(run[1:]):
                lone = True  # "though it may be 4": a value without its quantity
            facts.extend(_run_facts(run)[0])
        elif _lone(run):
            lone = True
    bare = lone and all(k in MATH or k in ("unit", "punct") or (k == "word" and v.lower() in modality.CONNECTORS)
                        for k, v in toks)
    return tuple(facts), lone, bare


@lru_cache(maxsize=65536)
def _residue_benign(clause: str) -> bool:
    """Whether the words after a clause's last maths (`AB = 3 is an outdated value`) are benign; the words
    before it frame the fact (`We know that`, `The side`) and are read by the word lists only."""
    toks = tokenize(_relation_words(clause))
    last = max((i for i, (k, _) in enumerate(toks) if k in MATH), default=-1)
    words = " ".join(v for k, v in toks[last + 1:] if k == "word")  # after the last maths: "… is outdated"
    return modality.benign(words) if words else True


def _lone(run: list) -> bool:
    """Whether a run of maths tokens is one expression (stray parentheses at its ends allowed: `(or 4)`)."""
    opens, closes = run.count(("op", "(")), run.count(("op", ")"))
    lo, hi = 0, len(run)  # counted once, not per stripped token: 8,000 stray `(` cost seconds otherwise
    while lo < hi and run[lo] == ("op", "(") and opens > closes:
        lo, opens = lo + 1, opens - 1
    while lo < hi and run[hi - 1] == ("op", ")") and closes > opens:
        hi, closes = hi - 1, closes - 1
    side = run[lo:hi]
    return bool(side) and not any(t[0] == "rel" for t in side) and parse_side(tuple(side)) is not None


def _prepared(text: str) -> str:
    return _NEG_RE.sub(" ≠ ", canonical.rewrite(normalize(text)))


def _response_text(text: str) -> str:
    """A response as the fact reader reads it: what a reader sees, less what it quotes (unquoted)."""
    return _prepared(unquoted(visible(text)))


_ARROW_RE = re.compile(r"[⟹⟺]")
_NAMES_QUANTITY_RE = re.compile(r"(?<![A-Za-z'])[A-Z]{2,3}(?![A-Za-z'])|∠")
_STARTS_REL_RE = re.compile(r"^\s*[=⊥∥≅∼]")
_APPROX_LINK_RE = re.compile(r"(?<==)([^=≈]*?)≈")  # "= 5√2 ≈ 7.07": the ≈ hedges its own link only


def _mode(strongest: str | None, mode: str) -> str:
    order = {NEGATED: 3, SUPPOSED: 2, HEDGED: 1, ASSERTED: 0}
    return strongest if strongest is not None and order[strongest] > order[mode] else mode


@lru_cache(maxsize=16384)
def response_facts(text: str) -> tuple[Stated, ...]:
    """Every fact a free-form response states, with how it states it (see the module docstring)."""
    out: list[Stated] = []
    previous = 0  # where the previous sentence's facts start in `out`
    after_question = False
    last_name = ""  # the last quantity or figure a fact was about, for "it"
    for sentence, end in modality.sentences(_response_text(text)):
        start = len(out)
        question = end == "?" or bool(modality.QUESTION_RE.match(sentence))
        clauses = [c for c in modality.CLAUSE_RE.split(sentence) if c.strip()]
        label = modality.label_mode(sentence, after_question)
        sentence_mode: str | None = None
        if label == "denied" or modality.verdict_on_sentence(sentence, clauses):
            sentence_mode = NEGATED
        elif label == "supposed" or modality.META_RE.search(sentence):
            sentence_mode = SUPPOSED
        if modality.RETRACT_RE.search(sentence):
            sentence_mode = NEGATED
            out[previous:] = [Stated(s.fact, NEGATED if not isinstance(s.fact, Taint) else s.mode)
                              for s in out[previous:]]
        supposed = False
        hedged_sentence = bool(modality.PHRASE_HEDGE_RE.search(sentence))
        supposed_sentence = denied_sentence = qualified = about_other = False
        earlier: list[Fact] = []
        listed = listed_shapes(sentence)
        if listed:  # several subjects (lost to clause splitting): judged as the sentence is stated
            mode = NEGATED if modality.NEGATION_RE.search(sentence) else SUPPOSED if question or \
                modality.HYPOTHESIS_RE.search(sentence) else HEDGED if modality.HEDGE_RE.search(sentence) else ASSERTED
            out.extend(Stated(f, _mode(sentence_mode, mode)) for f in listed)
            if len(listed) > 1 and all(is_centre(f) for f in listed) and _ONE_CIRCLE_RE.search(sentence):
                out.append(Stated(Taint(frozenset("E_" + f.entity for f in listed)), HEDGED))  # one circle, many centres
        segments = _ARROW_RE.split(sentence)
        iff = "⟺" in sentence
        for k, segment in enumerate(segments):
            pending = None  # a lone quantity, which a next clause may describe: "∠ABC, measures 40°"
            parts = [c for c in modality.CLAUSE_RE.split(segment) if c.strip()]
            for n, clause in enumerate(parts):
                if last_name and (p := _PRONOUN_RE.match(clause)) and not modality.VERDICT_RE.search(clause) \
                        and not modality.BACKREF_RE.match(clause):
                    # "It is also 9.", "it's a trapezoid too": the thing just described
                    clause = f" {last_name} {'is ' if p.group('s').startswith(chr(39)) else ''}" + clause[p.end():]
                # "…, ∠B = 90° ⟹ AC = 5": the clause before an arrow is its premise, not asserted
                premise = iff or (k < len(segments) - 1 and n == len(parts) - 1)
                check()
                facts, lone, bare = _clause_facts(clause.strip())
                if pending is not None and not facts and _STARTS_REL_RE.match(_relation_words(clause)):
                    joined = _clause_facts(pending + " " + clause.strip())[0]
                    if joined:
                        facts, lone, bare = joined, False, False
                pending = clause.strip() if lone and not facts and len(clause) < 40 else None
                if any(not isinstance(f, Taint) for f in facts):
                    about_other = False
                elif modality.VERDICT_OTHER_RE.search(clause):
                    about_other = True  # "…, so choice (C), 4, is wrong": clauses about an option
                last_shape = next((f for f in reversed(earlier) if isinstance(f, Shape)), None)
                if not facts and last_shape is not None and (kinds := more_kinds(clause)):
                    # ", a kite", "or a trapezoid": more descriptions of the shape just described
                    alternative = bool(modality.ALTERNATIVE_RE.match(clause))
                    out.append(Stated(Shape(last_shape.entity, kinds), HEDGED if alternative else ASSERTED))
                    if alternative:  # "a square or a rectangle": the first kind is one of two options
                        out[start:] = [Stated(x.fact, HEDGED) if x.fact == last_shape and x.mode == ASSERTED else x
                                       for x in out[start:]]
                if lone and earlier and not about_other and (bare or modality.ALTERNATIVE_RE.match(clause)):
                    names = frozenset().union(*(quantities(f) for f in earlier))
                    if names:
                        out.append(Stated(Taint(names), HEDGED))
                supposed = supposed or bool(modality.HYPOTHESIS_RE.search(modality.READING_IF_RE.sub(" ", clause))) \
                    or modality.attributed(clause)
                if modality.NEGATION_RE.search(modality.NOT_VALUE_RE.sub(" ", clause)):
                    mode = NEGATED
                elif question or supposed or premise or modality.WEAK_HYPOTHESIS_RE.search(clause):
                    mode = SUPPOSED
                elif modality.hedged(_APPROX_LINK_RE.sub(" ", clause)):
                    mode = HEDGED
                else:
                    mode = ASSERTED
                rejects = bool(modality.NOT_VALUE_RE.match(clause) or modality.REJECT_START_RE.match(clause))
                if not facts and last_shape is not None and (rk := modality.REJECT_KIND_RE.match(clause)):
                    rejects = True  # "…, not a rectangle": a kind denied of the shape just described
                    out.append(Stated(Shape(last_shape.entity, _shape_words(rk.group("desc"), None)), NEGATED))
                if not any(not isinstance(f, Taint) for f in facts) and not rejects:
                    # "AB = 3, possibly.", "AB = 3, she said.": a clause that only qualifies the sentence
                    if modality.sentence_hedged(clause):
                        hedged_sentence = True
                    if modality.TAIL_SUPPOSE_RE.search(clause) or modality.attributed(clause):
                        supposed_sentence = True
                    if modality.BARE_VERDICT_RE.match(clause) and not (after_question and k == 0 and n == 0):
                        denied_sentence = True  # "AB = 3, not!", "AB = 3 — no."
                    answer = after_question and k == 0 and n == 0 and bool(modality.BARE_VERDICT_RE.match(clause))
                    if not lone and not about_other and not answer and not modality.benign(clause):
                        qualified = True
                elif any(not isinstance(f, Taint) for f in facts) and not about_other and not _residue_benign(clause):
                    qualified = True  # "AB = 3 is an outdated value": the words around the fact qualify it
                for remark in modality.PAREN_REMARK_RE.findall(clause):
                    if not modality.NOT_VALUE_RE.match("(" + remark + ")") and not modality.benign(remark):
                        qualified = True  # "AB = 3 (placeholder)"
                named = [f for f in facts if isinstance(f, (Eq, Shape))]
                if named:
                    last_name = _name(named[-1]) or last_name
                out.extend(Stated(f.fact, _mode(_mode(sentence_mode, mode), HEDGED)) if isinstance(f, Approx)
                           else Stated(f, _mode(sentence_mode, mode)) for f in facts)
                earlier.extend(f.fact if isinstance(f, Approx) else f for f in facts if not isinstance(f, Taint))
                if not facts and not lone and _NAMES_QUANTITY_RE.search(clause):
                    earlier = []  # "so ∠XYW is not 35° but 145°": the 145° is about ∠XYW, not what came before
        if denied_sentence:
            out[start:] = [Stated(s.fact, NEGATED) if not isinstance(s.fact, Taint) else s for s in out[start:]]
        elif supposed_sentence:
            out[start:] = [Stated(s.fact, SUPPOSED) if s.mode in (ASSERTED, HEDGED) else s for s in out[start:]]
        elif hedged_sentence or qualified:
            out[start:] = [Stated(s.fact, HEDGED) if s.mode == ASSERTED else s for s in out[start:]]
        own = any(not isinstance(s.fact, Taint) for s in out[start:])
        if start > previous and not own and modality.ALT_SENTENCE_RE.match(sentence):
            # "AB = 3. Or maybe 4.", "… Then again, maybe not.": the sentence before is one option
            names = frozenset().union(*(quantities(s.fact) for s in out[previous:start] if not isinstance(s.fact, Taint)))
            out[previous:start] = [Stated(s.fact, HEDGED) if s.mode == ASSERTED else s for s in out[previous:start]]
            if names and _clause_facts(sentence.strip())[1]:
                out.append(Stated(Taint(names), HEDGED))
        bare = modality.BARE_VERDICT_RE.match(modality.FILLERS_RE.sub(" ", sentence).replace(",", " "))
        backref = modality.BACKREF_RE.match(modality.FILLERS_RE.sub(" ", sentence).replace(" ,", " ").lstrip(" ,"))
        if not own and (backref or bare) and not (after_question and bare):
            # "This claim is false.", "Not true.": the sentence before is denied
            out[previous:start] = [Stated(s.fact, NEGATED if not isinstance(s.fact, Taint) else s.mode)
                                   for s in out[previous:start]]
        previous = start
        after_question = question
    return tuple(out)


_PRONOUN_RE = re.compile(r"^\s*(?:[Ii]t|[Tt]his|[Tt]hat|[Ii]ts\s+(?:length|measure|value|size))(?P<s>'s\s+|\s+"
                         r"(?:(?:also|too|then|still|now|again|actually|really|instead|itself)\s+)*"
                         r"(?=(?:is|was|equals|equal|measures|must|can|could|might|may|would|should|will|has|=)\b|=))")
_PREFIX = {"S_": "", "A_": "∠", "R_": "arc ", "T_": "△"}


def _name(f) -> str | None:
    """How to write what a fact is about, for a pronoun that refers to it."""
    if isinstance(f, Shape):
        return f.entity if f.entity.isupper() and f.entity.isalpha() else None
    syms = list(f.expr.free_symbols)
    if len(syms) != 1:
        return None
    name = syms[0].name
    for pre, text in _PREFIX.items():
        if name.startswith(pre):
            return text + name[len(pre):]
    return None


_ONE_CIRCLE_RE = re.compile(r"\b(?:the|a|this|that|one|our)\s+(?:same\s+|single\s+|given\s+)?circle\b(?!s)", re.I)


# ---------------------------------------------------------------- annotations

_KIND_START_RE = re.compile(rf"(?:(?:{SHAPE_NOUNS})\s+|[△⊙]\s*)?", re.I)
_FILLER_RE = re.compile(r"^(?:(?:[Tt]he|[Ll]ength|[Mm]easure|of|[Ss]egment|[Ss]ide|[Ll]ine|[Cc]hord|[Rr]ay|[Vv]alue|"
                        r"[Gg]iven|that|[Oo]pposite|[Aa]djacent|[Cc]orresponding|[Bb]ase|[Hh]eight|[Ll]eg|"
                        r"[Hh]ypotenuse|[Dd]iagonal|[Ee]dge|[Ii]t|[Ww]e|[Kk]now|[Nn]ote|[Ss]ize|[Pp]oints?|[Ii]n\s+the\s+"
                        r"(?:figure|diagram|image),?)\s+)+")


@lru_cache(maxsize=16384)
def annotation_text(annotation: str) -> str:
    """The annotation in the parser's notation (what `annotation_facts` reads)."""
    return _FILLER_RE.sub("", _prepared(annotation).rstrip(" ."))


@lru_cache(maxsize=16384)
def annotation_facts(annotation: str) -> tuple[Fact, ...] | None:
    """The facts of one annotation read strictly, or None when any part of it is not understood.
    An annotation may state several facts joined by commas or `and` (`M and N lie on AB`); each
    part must be read whole."""
    t = annotation_text(annotation)
    facts: list[Fact] = []
    for part in _ANNOTATION_PARTS_RE.split(t):
        part_facts = _annotation_part(part.strip())
        if part_facts is None:
            return None
        facts.extend(part_facts)
    return tuple(facts) if facts else None


_ANNOTATION_PARTS_RE = re.compile(r"\s*(?:,\s*(?:and\s+)?|\band\b)\s*(?=[A-Z∠△⊙]|angle\b|arc\b)")


def _annotation_part(t: str) -> tuple[Fact, ...] | None:
    for pat, repl in _REL_WORDS[:4]:  # "AB is perpendicular to CD" is a relation, not a description of AB
        t = pat.sub(repl, t)
    kind = _KIND_START_RE.match(t)
    m = IS_RE.match(t, kind.end())
    if m:
        shape = shape_at(t, m, full=True)
        if shape:
            return (shape,)
    listed = listed_shapes(t)
    if listed and _LISTED_FULL_RE.fullmatch(t):
        return tuple(listed)
    toks = tokenize(_relation_words(t))
    if not toks or any(k not in MATH and k != "unit" for k, _ in toks):
        return None
    runs = _runs(toks)
    if len(runs) != 1:
        return None
    facts, complete = _run_facts(runs[0])
    if not facts or not complete or any(isinstance(f, Taint) for f in facts):
        return None
    return tuple(facts)


_LISTED_FULL_RE = re.compile(r"[A-Z]{1,8}(?:\s*,\s*(?:and\s+)?[A-Z]{1,8}|\s+and\s+[A-Z]{1,8})+\s+are\s+[a-z][a-z\- ]*")


def canonical_text(annotation: str) -> str:
    """The annotation as the parser reads it, relations in symbols (`AB ⊥ CD`, `JK = 3f - 6`)."""
    t = annotation_text(annotation)
    parts = _ANNOTATION_PARTS_RE.split(t)
    return ", ".join(p.strip() if _annotation_part(p.strip()) and isinstance(_annotation_part(p.strip())[0], Shape)
                     else re.sub(r"\s+", " ", re.sub(r"\b[Aa]ngle\s+", "∠", _relation_words(p))).strip() for p in parts)
