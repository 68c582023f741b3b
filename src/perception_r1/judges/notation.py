"""One plain notation for mathematical text, so the symbolic judge reads `\\angle ABC`, `m∠ABC`,
`∠ A B C` and `angle ABC` alike.

`normalize` strips LaTeX delimiters and wrappers (`\\( \\)`, `$`, `\\text{}`, `\\overline{}`), turns
`\\frac`/`\\sqrt` into infix, degrees (`^\\circ`, `°`) into nothing, LaTeX and Unicode relation
symbols into one symbol each (`⊥ ∥ ≅ ∼ ≠ ≈ ∠ △ ⊙`), markdown and list bullets into separators, line
breaks into statement ends (unless the formula continues), and `A B C` into `ABC`. Tags such as
`<info1>` and unknown commands become separators: they break a statement, never join one.
"""

from __future__ import annotations

import re
from functools import lru_cache

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
