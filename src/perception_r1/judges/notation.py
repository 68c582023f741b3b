"""One plain notation for mathematical text, so the symbolic judge reads `\\angle ABC`, `m∠ABC`,
`∠ A B C` and `angle ABC` alike.

`normalize` strips LaTeX delimiters and wrappers (`\\( \\)`, `$`, `\\text{}`, `\\overline{}`), turns
`\\frac`/`\\sqrt` into infix, degrees (`^\\circ`, `°`) into nothing, LaTeX and Unicode relation
symbols into one symbol each (`⊥ ∥ ≅ ∼ ≠ ≈ ∠ △ ⊙`), markdown and list bullets into separators, line
breaks into statement ends (unless the formula continues), and `A B C` into `ABC`. Tags such as
`<info1>` and unknown commands become separators: they break a statement, never join one.

Before any of that, `visible.visible` keeps only what a reader of the rendered text sees.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .visible import tables, visible

_GREEK = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "theta": "θ", "phi": "φ", "varphi": "φ",
          "psi": "ψ", "omega": "ω", "lambda": "λ", "mu": "μ", "epsilon": "ε", "varepsilon": "ε", "rho": "ρ",
          "sigma": "σ", "tau": "τ", "eta": "η", "kappa": "κ", "xi": "ξ", "zeta": "ζ", "chi": "χ", "nu": "ν"}
_COMMANDS = {
    "angle": " ∠", "measuredangle": " ∠", "triangle": " △", "bigtriangleup": " △", "odot": " ⊙",
    "perp": " ⊥ ", "bot": " ⊥ ", "parallel": " ∥ ", "cong": " ≅ ", "sim": " ∼ ", "simeq": " ∼ ",
    "neq": " ≠ ", "ne": " ≠ ", "approx": " ≈ ", "leq": " ≤ ", "le": " ≤ ", "geq": " ≥ ", "ge": " ≥ ",
    "lt": " < ", "gt": " > ", "pm": " or ", "mp": " or ", "cdot": "*", "times": "*", "div": "/", "pi": "π", "sqrt": "√", "degree": "",
    "circ": "", "left": "", "right": "", "quad": " ", "qquad": " ", "boxed": "", "displaystyle": "",
    "big": "", "Big": "", "bigl": "", "bigr": "", "therefore": " , ", "because": " , ",
    # a premise before an arrow is not asserted (facts.response_facts); both sides of an iff are not
    "Rightarrow": " ⟹ ", "implies": " ⟹ ", "to": " ⟹ ", "Longrightarrow": " ⟹ ", "rightarrow": " ⟹ ",
    "longrightarrow": " ⟹ ", "Rrightarrow": " ⟹ ", "iff": " ⟺ ", "Leftrightarrow": " ⟺ ",
    "Longleftrightarrow": " ⟺ ", "leftrightarrow": " ⟺ ", "neg": " not ", "lnot": " not ",
    **_GREEK,
}
_WRAPPERS = r"text|textbf|textit|textrm|mathrm|mathit|mathbf|mathsf|operatorname|overline|overleftrightarrow|" \
            r"overrightarrow|vec|underline|mbox|hbox"
_ARC_CMDS = r"widehat|overarc|wideparen|arc|overparen"

_UNICODE = str.maketrans({"−": "-", "–": "-", "—": " , ", "×": "*", "·": "*", "⋅": "*", "÷": "/", "‖": "∥",
                          "∡": "∠", "≡": "≅", "∽": "∼", "≃": "∼", "⟂": "⊥", "²": "^2", "³": "^3",
                          "′": "'", "’": "'", "▵": "△", "Δ": "△", "⁄": "/", "¬": " not ",
                          "▱": " parallelogram ", "≟": " ≠ ", "±": " or ", "∓": " or ",
                          **{a: " ⟹ " for a in "⇒⟹→⟶➔➜➡⇛⇨↦⟾⤇⇉⇾⟼"}, **{a: " ⟺ " for a in "⇔⟺↔⟷"},
                          "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "「": '"', "」": '"', "『": '"',
                          "』": '"', "‹": '"', "›": '"', "〝": '"', "〞": '"', "‘": "'", "‚": "'",
                          "⸮": "?", "؟": "?", "≢": " ≠ ", "≉": " ≠ ", "≭": " ≠ "})
# negated relations: "AB ∦ CD" is "not (AB ∥ CD)"
_NOT_REL_RE = re.compile(r"(\S+)\s*([∦≇≁])")
_NOT_REL = {"∦": "∥", "≇": "≅", "≁": "∼"}
def _closing(text: str) -> dict[int, int]:
    """Index of the matching `}` for every `{` that has one (one pass, so nesting costs no rescans)."""
    out, stack = {}, []
    for m in re.finditer(r"[{}]", text):
        if m.group() == "{":
            stack.append(m.start())
        elif stack:
            out[stack.pop()] = m.start()
    return out


def _braced(text: str, start: int, closing: dict[int, int]) -> tuple[str, int] | None:
    """The balanced `{…}` group beginning at `start` (after spaces): (contents, index after it)."""
    i = start
    while i < len(text) and text[i] == " ":
        i += 1
    j = closing.get(i)
    return None if j is None else (text[i + 1:j], j + 1)


_FRAC_RE = re.compile(r"\\[dt]?frac|\\sqrt")
_TWO_DIGITS_RE = re.compile(r"\s*(\d)(\d)")
_MAX_NESTING = 8  # deeper \frac / \sqrt nesting is no geometry fact: it becomes a separator


def _fracs(text: str, depth: int = 0) -> str:
    """`\\frac{a}{b}` (also dfrac, tfrac, nested) -> `((a)/(b))`; `\\sqrt{a}` -> `√(a)`."""
    if depth > _MAX_NESTING:
        return " ⋄ "
    if "\\" not in text:
        return text
    closing = _closing(text)
    out, i = [], 0
    while True:
        m = _FRAC_RE.search(text, i)
        if not m:
            out.append(text[i:])
            return "".join(out)
        out.append(text[i:m.start()])
        if m.group().endswith("sqrt"):
            arg = _braced(text, m.end(), closing)
            if arg:
                out.append(f"√({_fracs(arg[0], depth + 1)})")
                i = arg[1]
            else:
                out.append("√")
                i = m.end()
            continue
        num = _braced(text, m.end(), closing)
        den = _braced(text, num[1], closing) if num else None
        if num and den:
            out.append(f"(({_fracs(num[0], depth + 1)})/({_fracs(den[0], depth + 1)}))")
            i = den[1]
        else:
            two = _TWO_DIGITS_RE.match(text, m.end())
            if two:
                out.append(f"(({two.group(1)})/({two.group(2)}))")
                i = two.end()
            else:
                out.append(" ")
                i = m.end()


def _command(m: re.Match) -> str:
    return _COMMANDS.get(m.group(1), " ⋄ ")  # an unknown command breaks a statement, never joins one


@lru_cache(maxsize=8192)
def normalize(text: str) -> str:
    """One plain notation for LaTeX / Unicode / prose maths (see the module docstring)."""
    t = visible(text)
    if "|" in t and "-" in t:
        t = tables(t)
    if "∦" in t or "≇" in t or "≁" in t:
        t = _NOT_REL_RE.sub(lambda m: f" not {m.group(1)} {_NOT_REL.get(m.group(2), m.group(2))} ", t)
    t = t.translate(_UNICODE)
    t = re.sub(r"(?<=[a-z]{2})\s*/\s*(?=[a-z]{2})", " or ", t)            # "rhombus/kite": alternatives
    t = re.sub(r"\b(?:implies|would\s+imply|entails|would\s+mean)\b", " ⟹ ", t)
    t = re.sub(r"\b([eE])\.\s?g\.|\b([iI])\.\s?e\.", lambda m: " eg " if m.group(1) else " ie ", t)  # no sentence end
    t = re.sub(r"<=+>|<-+>", " ⟺ ", t)
    t = re.sub(r"=+>|-+>", " ⟹ ", t)
    t = re.sub(r"\+\s*/\s*-|\+-(?=\s*\d)|-\s*/\s*\+", " or ", t)
    t = re.sub(r"(?<![\w)\]}])[!~]\s*(?=\()", " not ", t)
    t = re.sub(r"(?<==)\s*~\s*(?=[\d.])|(?<![\w~])~\s*(?=\d)", " ≈ ", t)           # "AB = ~3": about 3
    t = re.sub(r"\b[Aa]ngle\s+(?=∠|\\angle\b)", " ", t)                                # "the angle ∠ABC"
    t = re.sub(r"(?:∠|\\angle)\s*\(\s*([A-Z]{2})\s*,\s*([A-Z]{2})\s*\)\s*=\s*90\b(?:\s*\^?\s*\{?\\circ\}?|°)?", r" \1 ⊥ \2 ", t)
    t = re.sub(r"=\s*/\s*=|!=|=/=|<>|\\not\s*=|\\not\s*\\equiv", " ≠ ", t)
    t = re.sub(r"\\angle\s*\{\s*([A-Z\s]{1,8}|\d+)\s*\}", r" ∠\1 ", t)        # \angle{ABC}
    t = re.sub(r"\\\||\\Vert\b|(?<=[A-Z}])\s*\|\|\s*(?=[A-Z\\])", " ∥ ", t)       # AB \| CD, AB || CD
    t = re.sub(r"\\[lr]vert\b|\\[lr]Vert\b", "|", t)
    t = re.sub(r"\|\s*((?:\\overline\s*)?\{?\s*[A-Z]\s*[A-Z]\s*\}?)\s*\|", r" \1 ", t)         # |AB| is the length AB
    t = re.sub(r"</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>", " , ", t)    # tags (<think>, <span style=…>) are not maths
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
    t = re.sub(r"(\d)\s*(?=\\[dt]?frac\s*\{\s*\d+\s*\}\s*\{\s*\d+\s*\})", r"\1 + ", t)  # 2\frac{1}{2}: a mixed number
    t = _fracs(t)
    t = re.sub(r"\\([A-Za-z]+)", _command, t)
    t = re.sub(r"\\[,;:! ]|~", " ", t)
    t = re.sub(r"\|\s*([A-Z])\s*([A-Z])\s*\|", r" \1\2 ", t)                 # \left| AB \right|
    t = t.replace("{", "(").replace("}", ")").replace("//", " ∥ ")
    t = re.sub(r"√\s*(\d+(?:\.\d+)?|[a-z](?![a-z]))", r"√(\1)", t)
    t = t.replace("√", " sqrt")
    t = re.sub(r"\b[mM]\s*(?=∠|arc\b)", "", t)                     # m∠ABC, m arc AB: the measure is the quantity
    t = re.sub(r"\bm\s*(?=[A-Z]{2}\s*=)", "", t)                     # mAB = 3: the measure of AB
    t = re.sub(r"\bm\s*(?=[A-Z]{3}\s*=)", "∠", t)                    # mABC = 40: the angle
    t = re.sub(r"(?<![A-Za-z'])[A-Z](?: [A-Z])+(?![A-Za-z'])", lambda m: m.group().replace(" ", ""), t)
    return re.sub(r"\s+", " ", t).strip()


# ---------------------------------------------------------------- what the response does not say itself

_QUOTED_RE = re.compile(r'"([^"\n]{0,400})"|(?<![\w\'])\'(?=\S)([^\'\n]{1,200}?)(?<=\S)\'(?![\w\'])')
_STATEMENT_RE = re.compile(r"[=⊥∥≅∼≠≈<>\ue001-\ue008]|\\(?:perp|parallel|cong|sim|ne|neq|angle)\b|"
                           r"\b(?:is|are|was|equals?|parallel|perpendicular|congruent|similar|cent(?:er|re)d?|"
                           r"measures?|lies?|bisects?)\b", re.I)
_META_TAGS = (r"info\d*|facts?|annotations?|visual[\w-]*|ground[_-]?truth|references?|answer[_-]?key|labels?|"
              r"judge\w*|grader\w*|verdicts?|scores?|rewards?|rubric|system|user|human|instructions?|prompt|"
              r"quote|blockquote|q|cite|examples?|hypothes[ie]s|claims?|questions?|comments?|hidden|ignore|draft|"
              r"scratch(?:pad)?|wrong|false|rejected|incorrect|option\w*|choice\w*|distractor\w*|test|tests|hints?|"
              r"notes?|aside|guess\w*|draft\w*|todo|placeholder|unverified|old|previous|deprecated")
_META_TAG_RE = re.compile(rf"<(?P<t>{_META_TAGS})\b[^>]*>.*?(?:</(?P=t)\s*>|$)", re.S | re.I)
_TURN_RE = re.compile(r"<\|im_start\|>.*?(?:<\|im_end\|>|$)|<\|start_header_id\|>.*?(?:<\|eot_id\|>|$)|"
                      r"\[INST\].*?(?:\[/INST\]|$)|<<SYS>>.*?(?:<</SYS>>|$)|"
                      r"<\|(?:system|user|assistant)\|>.*?(?:<\|end\|>|$)", re.S)
_BLOCKQUOTE_RE = re.compile(r"(?m)^[ \t]{0,3}>[^\n]*")


def unquoted(text: str) -> str:
    """A response without what it quotes or passes on rather than states: quoted statements
    (`"AB = 3"`, `'AB ⊥ CD'`; a quoted value alone, `AB is "3"`, keeps its value), markdown block
    quotes, the content of grader-format tags (`<info1>…</info1>`, `<annotation>…`) and of chat-template
    turns. Runs on `visible` text, before `normalize`."""
    t = text.translate(_UNICODE_QUOTES)
    if "<" in t or "[INST]" in t:
        t = _TURN_RE.sub(" ; ", t)
        t = _META_TAG_RE.sub(" ; ", t)
    if ">" in t:
        t = _BLOCKQUOTE_RE.sub(" ; ", t)
    if '"' in t or "'" in t:
        t = _QUOTED_RE.sub(lambda m: " ; " if _STATEMENT_RE.search(m.group(1) or m.group(2) or "")
                           else " " + (m.group(1) or m.group(2) or "") + " ", t)
    return t


_UNICODE_QUOTES = str.maketrans({k: v for k, v in _UNICODE.items() if v in ('"', "'")})
