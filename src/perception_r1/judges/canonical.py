"""Canonical facts from free-text, paper-style annotations (and the same phrasings in responses).

The paper's annotations are sentences written by a teacher model ("Length of side $JK$ is given as
$3f - 6$.", "Measure of angle ABD = $(4y + 4)^\\circ$", "Angle ABD and Angle CDB are alternate
interior angles.", "The sum of the interior angles is 360 degrees."). `rewrite` turns such phrasings,
in normalised text (`notation.normalize`), into the notation the fact reader parses: `JK = 3f - 6`,
`∠ABD = (4y + 4)`, a pair relation between two angles, `∑∠ = 360`. It runs on annotations and
responses alike, so the response's "∠1 and ∠2 are supplementary" meets the annotation's
`m∠1 + m∠2 = 180°`.

`canonical(annotation)` is the canonical spelling of one annotation, or None when it cannot be read
(the hybrid judge sends exactly those to the LLM); `report(annotations)` counts both, so the LLM
share is known before training.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Pair relations between two named things, written as one private-use character each so no text
# can spell them except through the phrases below (visible.visible drops private-use characters).
PAIR_KINDS = {
    "\ue001": ("alt_int", "alternate interior angles"),
    "\ue002": ("alt_ext", "alternate exterior angles"),
    "\ue003": ("corr", "corresponding angles"),
    "\ue004": ("vert", "vertical angles"),
    "\ue005": ("same_side", "same-side interior angles"),
    "\ue006": ("opp_sides", "opposite sides"),
    "\ue007": ("on_line", "lies on"),
    "\ue008": ("on_circle", "lies on"),
}
PAIR_CHARS = "".join(PAIR_KINDS)

_ANG = r"(?:∠\s*|(?i:angle)\s+)(?:[A-Z]{1,3}|\d+)(?![A-Za-z\d])"
_SEG = r"(?<![A-Za-z'])[A-Z]{2}(?![A-Za-z'])"
_TRI = r"(?:△\s*|(?i:triangle)\s+)[A-Z]{3}(?![A-Za-z'])"
_POLY = r"(?i:quadrilateral|triangle|polygon|pentagon|hexagon|rhombus|rectangle|parallelogram|square|" \
        r"trapezoid|trapezium|kite)"
_ANGLE_PAIRS = [
    (r"alternate\s+interior", "\ue001"), (r"alternate\s+exterior", "\ue002"), (r"corresponding", "\ue003"),
    (r"vertical|vertically\s+opposite", "\ue004"),
    (r"same[- ]side\s+interior|consecutive\s+interior|co-?interior", "\ue005"),
]


def _angle(text: str) -> str:
    return "∠" + re.sub(r"(?i)^(?:∠|angle)\s*", "", text.strip())


def _pair_sub(m: re.Match, op: str) -> str:
    return f" {_angle(m.group('a'))} {op} {_angle(m.group('b'))} "


_CENTRES = (r"(?:(?:point)\s+)?(?P<c>[A-Z])(?![A-Za-z'])(?P<more>(?:\s*,\s*(?:(?:and|or)\s+)?(?:(?:at|At)\s+)?"
            r"(?:(?:point)\s+)?[A-Z](?![A-Za-z']))*(?:\s*,?\s*(?:and|or)\s+(?:(?:at|At)\s+)?(?:(?:point)\s+)?"
            r"[A-Z](?![A-Za-z']))?)")


def _centres(m: re.Match, what: str) -> str:
    more = re.findall(r"(?<![A-Za-z'])[A-Z](?![A-Za-z'])", m.group("more") or "")
    if not more:
        return f" {m.group('c')} {what} "
    names = [m.group("c"), *more]
    return f" {', '.join(names[:-1])} and {names[-1]} are each the center of the one circle "


_PARTS = {"half": "1/2", "quarter": "1/4", "third": "1/3"}
_KS = {"a": "1", "one": "1", "two": "2", "three": "3"}
_LESS = {"less", "smaller", "shorter", "fewer"}
_QTY = r"(?:∠\s*[A-Z]{1,3}(?![A-Za-z'])|(?<![A-Za-z'])[A-Z]{2}(?![A-Za-z'])|(?:a\s+)?(?i:right|straight)\s+(?i:angle)|\d+(?:\.\d+)?)"


def _value(q: str) -> str:
    q = q.strip()
    low = q.lower()
    return "90" if "right" in low else "180" if "straight" in low else q


_REWRITES: list[tuple[re.Pattern, object]] = [
    # "the sum of the (measures of the) interior angles (of a quadrilateral) is 360"
    (re.compile(rf"\b(?:[Tt]he\s+)?(?i:sum)\s+of\s+(?:the\s+)?(?:(?i:measures?)\s+of\s+(?:the\s+)?)?"
                rf"(?:(?i:interior)\s+)?(?i:angles)(?:\s+(?:of|in)\s+(?:(?:a|an|the|this|any)\s+)?"
                rf"(?:(?:{_POLY})\s*)?(?:[A-Z]{{3,8}}(?![A-Za-z']))?)?"), " ∑∠ "),
    # "the length of (side) AB", "the measure of angle ABC": the quantity itself
    (re.compile(r"\b(?:[Tt]he\s+)?(?i:length)\s+of\s+(?:the\s+)?(?:(?i:side|segment|line|chord|hypotenuse|leg|edge|"
                r"base|diagonal)\s+)?(?=[A-Z]{2}(?![A-Za-z']))"), " "),
    (re.compile(r"\b(?:[Tt]he\s+)?(?i:measure)\s+of\s+(?:the\s+)?(?=(?i:angle|arc)\s+|∠)"), " "),
    # "Triangles ABC and DEF are congruent / similar"
    (re.compile(r"\b(?i:triangles)\s+(?P<a>[A-Z]{3})\s+and\s+(?P<b>[A-Z]{3})\s+are\s+(?i:congruent)"), r" △\g<a> ≅ △\g<b> "),
    (re.compile(r"\b(?i:triangles)\s+(?P<a>[A-Z]{3})\s+and\s+(?P<b>[A-Z]{3})\s+are\s+(?i:similar)"), r" △\g<a> ∼ △\g<b> "),
    # "Points M and N lie on side AB": each lies on it
    (re.compile(r"(?<![A-Za-z'])(?P<p>[A-Z])\s+and\s+(?P<q>[A-Z])\s+(?:lie|both\s+lie)\s+on\s+(?:(?:the)\s+)?"
                r"(?:(?i:line|segment|side)\s+)?(?P<s>[A-Z]{2})(?![A-Za-z'])"),
     " \\g<p> \ue007 \\g<s> and \\g<q> \ue007 \\g<s> "),
    # "is given as", "is labeled as", "is marked": a value follows
    (re.compile(r"\b(?:(?:is|are)\s+(?i:given|labell?ed|marked|shown|denoted|written|expressed|represented|"
                r"indicated)(?:\s+(?:as|by|to\s+be))?|(?i:given|labell?ed|marked|shown|denoted|written|"
                r"expressed|represented|indicated)\s+(?:as|by))(?=\s*[-(\d√∠A-Za-z])"), " = "),
    # two angles of a named kind: "∠ABD and ∠CDB are alternate interior angles"
    *[(re.compile(rf"(?P<a>{_ANG})\s+and\s+(?P<b>{_ANG})\s+(?:are|form)\s+(?:(?i:a\s+pair\s+of)\s+)?"
                  rf"(?i:{words})(?:\s+(?i:angles))?"), lambda m, c=c: _pair_sub(m, c))
      for words, c in _ANGLE_PAIRS],
    (re.compile(rf"(?P<a>{_ANG})\s+and\s+(?P<b>{_ANG})\s+are\s+(?i:supplementary)(?:\s+(?i:angles))?"),
     lambda m: f" {_angle(m.group('a'))} + {_angle(m.group('b'))} = 180 "),
    (re.compile(rf"(?P<a>{_ANG})\s+and\s+(?P<b>{_ANG})\s+are\s+(?i:complementary)(?:\s+(?i:angles))?"),
     lambda m: f" {_angle(m.group('a'))} + {_angle(m.group('b'))} = 90 "),
    (re.compile(rf"(?P<a>{_ANG})\s+and\s+(?P<b>{_ANG})\s+are\s+(?i:congruent|equal)(?:\s+(?i:angles))?"),
     lambda m: f" {_angle(m.group('a'))} = {_angle(m.group('b'))} "),
    # two segments: parallel, perpendicular, congruent, opposite sides
    (re.compile(rf"(?P<a>{_SEG})\s+and\s+(?P<b>{_SEG})\s+are\s+(?:(?i:both|mutually)\s+)?(?i:parallel)"
                rf"(?:\s+(?i:lines|segments|sides))?"), r" \g<a> ∥ \g<b> "),
    (re.compile(rf"(?P<a>{_SEG})\s+and\s+(?P<b>{_SEG})\s+are\s+(?:(?i:mutually)\s+)?(?i:perpendicular)"
                rf"(?:\s+(?i:lines|segments|sides))?"), r" \g<a> ⊥ \g<b> "),
    (re.compile(rf"(?P<a>{_SEG})\s+and\s+(?P<b>{_SEG})\s+are\s+(?i:congruent|equal)(?:\s+(?i:in\s+length))?"
                rf"(?:\s+(?i:segments|sides))?"), r" \g<a> = \g<b> "),
    (re.compile(rf"(?P<a>{_SEG})\s+and\s+(?P<b>{_SEG})\s+are\s+(?i:opposite\s+sides)"), " \\g<a> \ue006 \\g<b> "),
    (re.compile(rf"(?P<a>{_TRI})\s+and\s+(?P<b>{_TRI})\s+are\s+(?i:congruent)(?:\s+(?i:triangles))?"),
     r" \g<a> ≅ \g<b> "),
    (re.compile(rf"(?P<a>{_TRI})\s+and\s+(?P<b>{_TRI})\s+are\s+(?i:similar)(?:\s+(?i:triangles))?"),
     r" \g<a> ∼ \g<b> "),
    # the centre of a circle, said the other way round; several centres listed for one circle are
    # listed as such ("centered at O, at P and at Q": three centres of one circle, sprayed)
    (re.compile(rf"\b(?:[Tt]he\s+)?(?i:circle)(?:'s)?\s+(?:(?:is|was)\s+)?(?:(?i:cent(?:ere|re)d)\s+(?:at|At)|"
                rf"(?:has|had|with)\s+(?:a\s+|its\s+)?(?i:cent(?:er|re))(?:\s+(?:at|At))?|"
                rf"(?i:cent(?:er|re))\s+(?:is|was|=|:))\s+{_CENTRES}"),
     lambda m: _centres(m, "is the center of the circle")),
    (re.compile(rf"\b(?:[Tt]he\s+)?(?i:cent(?:er|re))\s+of\s+(?:the\s+)?(?i:circle)\s+(?:is|was|=|:)\s+{_CENTRES}"),
     lambda m: _centres(m, "is the center of the circle")),
    (re.compile(r"(?<![A-Za-z'])(?P<c>[A-Z])\s+is\s+(?:the\s+)?(?i:circle)'s\s+(?i:cent(?:er|re))\b"),
     r" \g<c> is the center of the circle "),
    (re.compile(r"\b(?i:circle)\s*,?\s+(?i:whose)\s+(?i:cent(?:er|re))\s+is\s+(?:(?:point)\s+)?(?P<c>[A-Z])(?![A-Za-z'])"),
     r" circle , \g<c> is the center of the circle "),
    # "the angle at B", "the angle at vertex B": ∠B
    (re.compile(r"\b(?:[Tt]he\s+)?(?<![Rr]ight\s)(?<![Rr]ight-)(?i:angle)\s+(?:at|At)\s+(?:(?i:vertex|point)\s+)?(?P<v>[A-Z])(?![A-Za-z'])"),
     r" ∠\g<v> "),
    (re.compile(r"\b(?:[Aa]\s+)?(?i:circle)\s+(?:with)\s+(?i:cent(?:er|re))\s+(?:(?:at|At)\s+)?(?:(?:point)\s+)?"
                r"(?P<c>[A-Z])(?![A-Za-z'])"), r" ⊙\g<c> "),
    # incidence: "B lies on AC", "M lies on ⊙K"
    (re.compile(r"(?<![A-Za-z'])(?P<p>[A-Z])\s+(?:(?:lies|is|sits)\s+)?(?:on|On)\s+(?:(?:the)\s+)?"
                r"(?:(?i:circle)\s+|⊙\s*)(?P<c>[A-Z])(?![A-Za-z'])"), " \\g<p> \ue008 \\g<c> "),
    (re.compile(r"(?<![A-Za-z'])(?P<p>[A-Z])\s+(?:(?:lies|is|sits)\s+)?(?:on|On)\s+(?:(?:the)\s+)?"
                r"(?:(?i:line|segment|side)\s+)?(?P<s>[A-Z]{2})(?![A-Za-z'])"), " \\g<p> \ue007 \\g<s> "),
    # "AB: 3", a quantity and its value (not "FK = XB: 4y − 15 = …", where the colon introduces working)
    (re.compile(r"(?<![A-Za-z'=≅∼⊥∥])(?<![=≅∼⊥∥]\s)(?P<q>[A-Z]{2}|∠\s*[A-Z]{1,3})\s*:\s+(?=[-(\d])"),
     r" \g<q> = "),
    # "the figure labels AB as 3", "marks ∠B as 90°"
    (re.compile(r"\b(?i:labels|marks|gives|shows|lists)\s+(?P<q>(?<![A-Za-z'])[A-Z]{2}(?![A-Za-z'])|∠\s*[A-Z]{1,3})\s+"
                r"(?i:as)\s+(?=[-(\d])"), r" , \g<q> = "),
    # "RS runs parallel to TU", "RS meets TU at a right angle", "AB and CD both have length 30"
    (re.compile(r"\b(?i:runs|lies|is\s+drawn|was\s+drawn|goes|extends)\s+(?=(?i:parallel|perpendicular)\s+(?i:to|with)\b)"), " is "),
    (re.compile(rf"(?P<a>{_SEG})\s+(?i:meets|intersects|crosses|cuts)\s+(?P<b>{_SEG})\s+(?i:at)\s+(?:a\s+)?(?i:right\s+angles?|90\s*°?)"),
     r" \g<a> ⊥ \g<b> "),
    (re.compile(rf"(?P<a>{_SEG})\s+(?i:and)\s+(?P<b>{_SEG})\s+(?i:both|each)\s+(?i:have|has|are\s+of)\s+(?i:length|measure)\s+"
                rf"(?i:of\s+)?(?P<v>[-(\d][^,;.]*)"), r" \g<a> = \g<v> and \g<b> = \g<v> "),
    # "line AB", "segment PQ", "lines AB and CD": the segment itself
    (re.compile(r"\b(?i:line|segment|ray|chord|lines|segments)\s+(?=[A-Z]{2}(?![A-Za-z']))"), " "),
    # "is given by the expression 3f - 6", "= the value 7"
    (re.compile(r"\b(?:is\s+)?(?i:given)\s+(?i:by)\s+(?:the\s+)?(?:(?i:expression|formula|value|number)\s+)?(?=[-(\d√a-z])"), " = "),
    (re.compile(r"=\s*(?:the\s+)?(?i:expression|value|formula|number|quantity)\s+(?=[-(\d√a-z])"), "= "),
    # arithmetic in words: "3 and a half", "3 times QR", "3 more than QR", "35° less than a right angle",
    # "40% of a right angle", "3 cubed", "to the power of 2"
    (re.compile(r"(?P<n>\d+(?:\.\d+)?|\b(?i:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve))\s+(?i:and)\s+"
                r"(?P<k>(?i:a|one|two|three))\s+(?P<f>(?i:half|halves|quarters?|thirds?))\b"),
     lambda m: f" ({_number_word(m.group('n')) if m.group('n')[0].isalpha() else m.group('n')} + "
               f"{_KS[m.group('k').lower()]} * {_PARTS[m.group('f').lower().rstrip('s').replace('halve', 'half')]}) "),
    (re.compile(rf"(?P<a>\d+(?:\.\d+)?)\s*(?:°|(?i:degrees?|units?|cm))?\s+(?P<op>(?i:more|greater|larger|longer|bigger|"
                rf"less|smaller|shorter|fewer))\s+(?i:than)\s+(?P<b>{_QTY})"),
     lambda m: f" ({_value(m.group('b'))} {'-' if m.group('op').lower() in _LESS else '+'} {m.group('a')}) "),
    (re.compile(rf"(?P<a>\d+(?:\.\d+)?\s*/100)\s+(?i:of)\s+(?P<b>{_QTY})"), lambda m: f" {m.group('a')} * {_value(m.group('b'))} "),
    (re.compile(rf"\b(?i:times)\s+(?=[A-Z]{{2}}(?![A-Za-z'])|∠|\d|\()"), " * "),
    (re.compile(r"\b(?i:cubed)\b"), " ^3 "), (re.compile(r"\b(?i:to\s+the\s+(?:power|exponent)\s+of)\s+(?=\d)"), " ^ "),
    (re.compile(r"\b(?i:to\s+the\s+(?:second|2nd)\s+power)\b"), " ^2 "), (re.compile(r"\b(?i:to\s+the\s+(?:third|3rd)\s+power)\b"), " ^3 "),
    # spelled-out operators: "JK equals 3f minus 6"
    (re.compile(r"\b(?i:minus)\b"), " - "), (re.compile(r"\b(?i:plus)\b"), " + "),
    (re.compile(r"\b(?i:divided\s+by)\b"), " / "), (re.compile(r"\b(?i:multiplied\s+by)\b"), " * "),
    (re.compile(r"\b(?i:squared)\b"), " ^2 "),
]
_NUMBER_WORDS = {w: str(i) for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_NUMBER_WORDS.update({"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70",
                      "eighty": "80", "ninety": "90"})
# a number word right after a relation and before a statement's end or unit: "AB is three units"
_NUMBER_WORD_RE = re.compile(r"(?P<pre>(?:=|\b(?:is|equals|measures|of))\s+)(?P<w>(?i:(?:twenty|thirty|forty|fifty|sixty|"
                             r"seventy|eighty|ninety)[- ](?:one|two|three|four|five|six|seven|eight|nine)|" +
                             "|".join(_NUMBER_WORDS) + r"))\b(?=\s*(?:[.,;:!?)]|$|units?\b|cm\b|mm\b|m\b|degrees?\b|"
                             r"(?:centi|milli|kilo)?met(?:er|re)s?\b|inch(?:es)?\b|feet\b|foot\b|and\b|so\b|long\b))")


def _number_word(w: str) -> str:
    w = w.lower()
    if w in _NUMBER_WORDS:
        return _NUMBER_WORDS[w]
    tens, _, ones = w.replace("-", " ").partition(" ")
    return str(int(_NUMBER_WORDS[tens]) + int(_NUMBER_WORDS[ones]))


# A rule runs only on text holding one of its words (cheap substring tests spare ~30 regex passes
# over every response that has no paper-style phrasing).
_KEYWORDS = ["length", "measure", "triangles", "lie", "sum", "given", "label", "marked", "shown", "denoted", "written", "expressed", "represented",
             "indicated", "alternate", "corresponding", "vertical", "same", "consecutive", "co-", "supplementary",
             "complementary", "congruent", "equal", "parallel", "perpendicular", "opposite", "similar", "cent",
             "lies", "on", ":", "minus", "plus", "divided", "multiplied", "squared", "angle", "labels", "marks",
             "gives", "shows", "lists", "line", "segment", "ray", "chord", "given", "value", "expression", "formula",
             "number", "quantity", "runs", "drawn", "goes", "extends", "meets", "intersects", "crosses", "cuts",
             "both", "each", "half", "quarter", "third", "than", "/100", "times", "cubed", "power"]
_RULES = [(pat, repl, [k for k in _KEYWORDS if k in pat.pattern.lower()]) for pat, repl in _REWRITES]
assert all(words for _, _, words in _RULES)


@lru_cache(maxsize=16384)
def rewrite(text: str) -> str:
    """Paper-style phrasings in normalised text, rewritten to the parser's notation."""
    low = text.lower()
    for pat, repl, words in _RULES:
        if any(w in low for w in words):
            text = pat.sub(repl, text)
            low = text.lower()
    text = _NUMBER_WORD_RE.sub(lambda m: m.group("pre") + _number_word(m.group("w")), text)
    return re.sub(r"\s+", " ", text).strip()


def spell(text: str) -> str:
    """Readable spelling of rewritten text: pair relations back into words."""
    def pair(m: re.Match) -> str:
        kind, words = PAIR_KINDS[m.group(2)]
        if kind == "on_line":
            return f"{m.group(1)} lies on {m.group(3)}"
        if kind == "on_circle":
            return f"{m.group(1)} lies on ⊙{m.group(3)}"
        return f"{m.group(1)} and {m.group(3)} are {words}"
    return re.sub(rf"(\S+) ([{PAIR_CHARS}]) (\S+)", pair, text)


def canonical(annotation: str) -> str | None:
    """The canonical spelling of one annotation, or None when the symbolic judge cannot read it."""
    from .facts import annotation_facts, canonical_text

    if annotation_facts(annotation) is None:
        return None
    return spell(canonical_text(annotation))


def report(annotations: list[str]) -> dict:
    """How many annotations read canonically, and the ones that do not (they go to the LLM)."""
    unread = [a for a in annotations if canonical(a) is None]
    n = len(annotations)
    return {"annotations": n, "parsed": n - len(unread), "share_parsed": (n - len(unread)) / n if n else 1.0,
            "unparsed": unread}
