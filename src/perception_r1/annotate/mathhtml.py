"""LaTeX → HTML for the audit page: the notation problems and annotations use (`m\\angle EYS = 90^\\circ`,
`\\frac{1}{2}`, `5\\sqrt{2}`, `\\overline{AB}`, `\\widehat{CZ}`, `\\odot X`, Greek, `x^{2}`, `a_1`), rendered
to plain HTML + CSS when the page is written, so the page stays one offline file without a script
renderer. A command it does not know is shown as written (`\\foo`), never dropped."""

from __future__ import annotations

import html
import re

SYMBOLS = {
    "angle": "∠", "measuredangle": "∡", "triangle": "△", "perp": "⊥", "parallel": "∥", "odot": "⊙",
    "cong": "≅", "sim": "∼", "simeq": "≃", "approx": "≈", "neq": "≠", "ne": "≠", "leq": "≤", "le": "≤",
    "geq": "≥", "ge": "≥", "times": "×", "cdot": "·", "div": "÷", "pm": "±", "mp": "∓", "infty": "∞",
    "circ": "∘", "degree": "°", "square": "□", "parallelogram": "▱", "bigcirc": "○", "therefore": "∴",
    "because": "∵", "in": "∈", "cap": "∩", "cup": "∪", "rightarrow": "→", "to": "→", "Rightarrow": "⇒",
    "leftrightarrow": "↔", "overleftrightarrow": "", "ldots": "…", "cdots": "⋯", "dots": "…", "prime": "′",
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "theta": "θ",
    "lambda": "λ", "mu": "μ", "pi": "π", "rho": "ρ", "sigma": "σ", "tau": "τ", "phi": "φ", "varphi": "φ",
    "omega": "ω", "Delta": "Δ", "Gamma": "Γ", "Theta": "Θ", "Pi": "Π", "Sigma": "Σ", "Phi": "Φ", "Omega": "Ω",
    "{": "{", "}": "}", "%": "%", "$": "$", "&": "&", "#": "#", "_": "_", ",": " ", ";": " ", ":": " ",
    "!": "", " ": " ", "quad": " ", "qquad": " ", "left": "", "right": "", "displaystyle": "",
}
FUNCTIONS = ("sin", "cos", "tan", "cot", "sec", "csc", "log", "ln", "exp", "arcsin", "arccos", "arctan")
WRAPPERS = {"mathrm": "", "text": "", "textrm": "", "operatorname": "", "mathbf": "b", "textbf": "b",
            "mathit": "i", "textit": "i", "mathbb": "", "boxed": "box"}
ACCENTS = {"overline": "ol", "bar": "ol", "widehat": "arc", "overarc": "arc", "arc": "arc", "hat": "arc",
           "overrightarrow": "vec", "vec": "vec", "underline": "ul"}

STYLE = """
.m .frac{display:inline-flex;flex-direction:column;vertical-align:middle;text-align:center;margin:0 .1em}
.m .frac>span:first-child{border-bottom:1px solid currentColor;padding:0 .15em}
.m .sqrt{border-top:1px solid currentColor;padding:0 .1em}
.m .ol{border-top:1px solid currentColor}.m .ul{text-decoration:underline}
.m .arc,.m .vec{display:inline-flex;flex-direction:column;align-items:center;vertical-align:bottom;line-height:1}
.m .arc::before{content:"\\2322";font-size:.8em;line-height:.6}.m .vec::before{content:"\\2192";font-size:.7em;line-height:.7}
.m .box{border:1px solid currentColor;padding:0 .2em}.m .raw{color:#a00;font-family:monospace}
"""

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[{}^_$]|[^\\{}^_$]+", re.DOTALL)


class _Parser:
    def __init__(self, text: str):
        self.toks = _TOKEN.findall(text)
        self.i = 0

    def peek(self) -> str | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> str:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def until(self, stop: str | None) -> str:
        out = []
        while self.peek() is not None and self.peek() != stop:
            out.append(self.atom())
        if stop is not None and self.peek() == stop:
            self.take()
        return "".join(out)

    def arg(self) -> str:
        """One argument: a braced group, a command, or one character of text."""
        while self.peek() is not None and self.peek().isspace():
            self.take()
        tok = self.peek()
        if tok is None:
            return ""
        if tok[0].isspace() and not tok.startswith("\\"):
            tok = self.toks[self.i] = tok.lstrip()
        if tok == "{":
            self.take()
            return self.until("}")
        if tok.startswith("\\") or tok in "^_$":
            return self.atom()
        self.toks[self.i] = tok[1:]  # a text run: its first character is the argument
        if not self.toks[self.i]:
            self.take()
        return html.escape(tok[0])

    def atom(self) -> str:
        tok = self.take()
        if tok == "{":
            return self.until("}")
        if tok == "}" or tok == "$":
            return ""
        if tok in ("^", "_"):
            if tok == "^" and self.peek() in ("\\circ", "{") and self._is_degree():
                return "°"
            tag = "sup" if tok == "^" else "sub"
            return f"<{tag}>{self.arg()}</{tag}>"
        if not tok.startswith("\\"):
            return html.escape(tok)
        name = tok[1:]
        if name in ("frac", "dfrac", "tfrac"):
            return f"<span class='frac'><span>{self.arg()}</span><span>{self.arg()}</span></span>"
        if name == "sqrt":
            return f"√<span class='sqrt'>{self.arg()}</span>"
        if name in ACCENTS:
            return f"<span class='{ACCENTS[name]}'>{self.arg()}</span>"
        if name in WRAPPERS:
            inner = self.arg()
            tag = WRAPPERS[name]
            if tag == "box":
                return f"<span class='box'>{inner}</span>"
            return f"<{tag}>{inner}</{tag}>" if tag else inner
        if name in FUNCTIONS:
            return name + " "
        if name in SYMBOLS:
            return html.escape(SYMBOLS[name])
        return f"<span class='raw'>{html.escape(tok)}</span>"

    def _is_degree(self) -> bool:
        """`^\\circ` or `^{\\circ}`: a degree sign, not a superscript ring."""
        if self.peek() == "\\circ":
            self.take()
            return True
        if self.toks[self.i:self.i + 3] == ["{", "\\circ", "}"]:
            self.i += 3
            return True
        return False


def latex_html(text: str) -> str:
    """HTML (escaped, safe to embed) for a string of text and LaTeX, wrapped in `<span class='m'>`."""
    return f"<span class='m'>{_Parser(text).until(None)}</span>"


__all__ = ["STYLE", "latex_html"]
