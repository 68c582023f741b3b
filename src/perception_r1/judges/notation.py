"""One plain notation for mathematical text, so the symbolic judge reads `\\angle ABC`, `m∠ABC`,
`∠ A B C` and `angle ABC` alike.

`normalize` strips LaTeX delimiters and wrappers (`\\( \\)`, `$`, `\\text{}`, `\\overline{}`), turns
`\\frac`/`\\sqrt` into infix, degrees (`^\\circ`, `°`) into nothing, LaTeX and Unicode relation
symbols into one symbol each (`⊥ ∥ ≅ ∼ ≠ ≈ ∠ △ ⊙`), markdown and list bullets into separators, line
breaks into statement ends (unless the formula continues), and `A B C` into `ABC`. Tags such as
`<info1>` and unknown commands become separators: they break a statement, never join one.

Before any of that, `visible` keeps only what a reader of the rendered text sees: Unicode NFKC
(full-width and math-italic letters are letters), format and private-use characters (zero-width spaces, soft
hyphens, bidi and tag characters) removed, LaTeX comments (`% …`), `\\iffalse … \\fi`, comment
environments, HTML comments and `\\phantom{…}` dropped — text hidden from a reader states nothing.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

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
    "Rightarrow": " , ", "implies": " , ", "to": " , ", "iff": " , ", "Leftrightarrow": " , ",
    **_GREEK,
}
_WRAPPERS = r"text|textbf|textit|textrm|mathrm|mathit|mathbf|mathsf|operatorname|overline|overleftrightarrow|" \
            r"overrightarrow|vec|underline|mbox|hbox"
_ARC_CMDS = r"widehat|overarc|wideparen|arc|overparen"

_UNICODE = str.maketrans({"−": "-", "–": "-", "—": " , ", "×": "*", "·": "*", "⋅": "*", "÷": "/", "‖": "∥",
                          "∡": "∠", "≡": "≅", "∽": "∼", "≃": "∼", "⟂": "⊥", "²": "^2", "³": "^3",
                          "′": "'", "’": "'", "▵": "△", "Δ": "△", "⁄": "/", "¬": " not ",
                          "▱": " parallelogram ", "≟": " ≠ ", "±": " or ", "∓": " or "})
_HIDDEN = [
    re.compile(r"\\iffalse\b.*?(?:\\fi\b|$)", re.S),
    re.compile(r"\\begin\s*\{comment\}.*?(?:\\end\s*\{comment\}|$)", re.S),
    re.compile(r"<!--.*?(?:-->|$)", re.S),
    re.compile(r"(?<!\\)%[^\n]*"),                                     # a LaTeX comment runs to the line end
    re.compile(r"\\[hv]?phantom\s*\{[^{}]*\}"),
    # struck-through or invisible text reads as withdrawn, not stated
    re.compile(r"~~.*?~~|<(s|del|strike)>.*?</\1>", re.S | re.I),
    re.compile(r"\\(?:sout|st|cancel|xcancel|bcancel|xout)\s*\{[^{}]*\}"),
    re.compile(r"\\(?:text)?color\s*\{\s*white\s*\}\s*\{[^{}]*\}"),
    re.compile(r"<(\w+)[^>]*(?:display\s*:\s*none|visibility\s*:\s*hidden|color\s*:\s*(?:white|#fff\b|#ffffff))"
               r"[^>]*>.*?</\1>", re.S | re.I),
]


def _visible_char(c: str) -> bool:
    return unicodedata.category(c) not in ("Cf", "Co")  # format and private-use characters


def visible(text: str) -> str:
    """What a reader of the rendered text sees (see the module docstring)."""
    t = text.replace("²", "^2").replace("³", "^3")  # before NFKC, which would make them plain digits
    t = re.sub(r".[\u0334-\u0338]+", "", t)          # a character struck through by an overlay is withdrawn
    t = unicodedata.normalize("NFKC", t)
    if not t.isascii():
        t = "".join(filter(_visible_char, t))
    for pat in _HIDDEN:
        t = pat.sub(" ", t)
    return t


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
    t = visible(text).translate(_UNICODE)
    t = re.sub(r"=\s*/\s*=|!=|=/=|<>|\\not\s*=|\\not\s*\\equiv", " ≠ ", t)
    t = re.sub(r"\\angle\s*\{\s*([A-Z\s]{1,8}|\d+)\s*\}", r" ∠\1 ", t)        # \angle{ABC}
    t = re.sub(r"\\\||\\Vert\b|(?<=[A-Z}])\s*\|\|\s*(?=[A-Z\\])", " ∥ ", t)       # AB \| CD, AB || CD
    t = re.sub(r"\\[lr]vert\b|\\[lr]Vert\b", "|", t)
    t = re.sub(r"\|\s*((?:\\overline\s*)?\{?\s*[A-Z]\s*[A-Z]\s*\}?)\s*\|", r" \1 ", t)         # |AB| is the length AB
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
    t = re.sub(r"\|\s*([A-Z])\s*([A-Z])\s*\|", r" \1\2 ", t)                 # \left| AB \right|
    t = t.replace("{", "(").replace("}", ")").replace("//", " ∥ ")
    t = re.sub(r"√\s*(\d+(?:\.\d+)?|[a-z](?![a-z]))", r"√(\1)", t)
    t = t.replace("√", " sqrt")
    t = re.sub(r"\b[mM]\s*(?=∠|arc\b)", "", t)                     # m∠ABC, m arc AB: the measure is the quantity
    t = re.sub(r"(?<![A-Za-z'])[A-Z](?: [A-Z])+(?![A-Za-z'])", lambda m: m.group().replace(" ", ""), t)
    return re.sub(r"\s+", " ", t).strip()
