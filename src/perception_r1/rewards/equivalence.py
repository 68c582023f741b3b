"""Are two answers the same? math-verify equivalence (`parse` + `verify`), multiple choice by letter or
by the right choice's text, and Unicode math (`5√2`, `15°`, `π`) read as the LaTeX math-verify parses.
No memo, no pool, no time limit of its own: `accuracy` adds those."""

from __future__ import annotations

import re

from .numeric import numeric_value

_WRAPPER_RE = re.compile(r"\\(?:text|textbf|mathrm|mathbf|textrm)\s*\{([^{}]*)\}")
# `B`, `(B)`, `B.`, `B) 12`, `Option B: 12`; a bare letter needs a separator after it (`A = 3` is not A).
_LETTER_RE = re.compile(r"^(?:(?:option|choice|answer)[\s:]*)?(?:\(([A-Z])\)|([A-Z])(?:[.:)]|$))", re.IGNORECASE)
# √ takes a number, one letter, or a parenthesised group (one level of nesting): `5√2`, `√x`, `√(a+(b))`.
_SQRT_RE = re.compile(r"√\s*(\((?:[^()]|\([^()]*\))*\)|\{[^{}]*\}|\d+(?:\.\d+)?|[A-Za-z])")
_UNICODE = {"π": r"\pi ", "°": r"^\circ ", "×": r"\times ", "·": r"\cdot ", "÷": r"\div ", "−": "-", "–": "-",
            "≤": r"\le ", "≥": r"\ge ", "≠": r"\ne ", "²": "^2", "³": "^3", "∠": r"\angle ", "⁄": "/"}
_UNICODE_RE = re.compile("|".join(map(re.escape, _UNICODE)))


def unicode_to_latex(s: str) -> str:
    """Unicode math as LaTeX: `5√2` → `5\\sqrt{2}`, `15°` → `15^\\circ`, `2π` → `2\\pi`, `−3` → `-3`."""
    if not any(ord(ch) > 127 for ch in s):
        return s
    s = _SQRT_RE.sub(lambda m: r"\sqrt{" + (m.group(1)[1:-1] if m.group(1)[0] in "({" else m.group(1)) + "}", s)
    return _UNICODE_RE.sub(lambda m: _UNICODE[m.group(0)], s).strip()


def strip_math(s: str) -> str:
    """Without `$…$` delimiters and `\\text{}`-style wrappers, Unicode math as LaTeX."""
    s = unicode_to_latex(s.strip())
    while len(s) >= 2 and s[0] == "$" and s[-1] == "$":
        s = s[1:-1].strip()
    return _WRAPPER_RE.sub(r"\1", s).strip()


def _norm_text(s: str) -> str:
    return " ".join(strip_math(s).casefold().split())


def choice_letter(s: str, n_choices: int) -> int | None:
    """Index of a choice letter answer (`B`, `(B)`, `B.`, `B) 12`, `\\text{B}`), else None."""
    m = _LETTER_RE.match(strip_math(s))
    if not m:
        return None
    idx = ord((m.group(1) or m.group(2)).upper()) - ord("A")
    return idx if idx < n_choices else None


def math_equal(pred: str, gold: str, timeout: int | None) -> bool:
    """math-verify equivalence of two answer strings; raises math-verify's TimeoutException."""
    pred, gold = strip_math(pred), strip_math(gold)
    if not pred or not gold:
        return False
    if _norm_text(pred) == _norm_text(gold):
        return True
    # Constant answers (most of them) skip math-verify's ~10 ms when they are far apart: values that
    # differ by much more than its 6-decimal rounding cannot be equal to it. Close values, and
    # everything symbolic, go to math-verify.
    a, b = numeric_value(pred), numeric_value(gold)
    if a is not None and b is not None and abs(a - b) > 1e-4 * max(1.0, abs(a), abs(b)):
        return False
    from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify

    cfg = [LatexExtractionConfig(), ExprExtractionConfig()]
    g = parse(f"${gold}$", extraction_config=cfg, parsing_timeout=timeout, raise_on_error=True)
    p = parse(f"${pred}$", extraction_config=cfg, parsing_timeout=timeout, raise_on_error=True)
    if not g or not p:
        return False
    return bool(verify(g, p, timeout_seconds=timeout, raise_on_error=True))


def same_answer(pred: str, gold: str, choices: tuple[str, ...] | None, timeout: int | None) -> bool:
    """The comparison itself. math-verify's TimeoutException propagates; its other errors (garbage
    input) count as not equal, never a crash mid-batch."""
    from math_verify.errors import TimeoutException

    try:
        if choices:
            gold_idx = choice_letter(gold, len(choices))
            if gold_idx is None:  # gold given as the choice text
                gold_idx = next((i for i, c in enumerate(choices) if math_equal(c, gold, timeout)), None)
            pred_idx = choice_letter(pred, len(choices))
            if pred_idx is not None and gold_idx is not None:
                return pred_idx == gold_idx
            if gold_idx is not None and math_equal(pred, choices[gold_idx], timeout):
                return True
            return choice_letter(gold, len(choices)) is None and math_equal(pred, gold, timeout)
        return math_equal(pred, gold, timeout)
    except TimeoutException:
        raise
    except Exception:  # noqa: BLE001 — math-verify on garbage input: not equal
        return False
