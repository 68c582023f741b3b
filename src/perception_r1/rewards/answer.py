"""Answer extraction: the `\\boxed{}` a response commits to (the training format puts it inside
`<answer>`; Perception-R1's r_a scores that answer)."""

from __future__ import annotations

import re

_ANSWER_RE = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)
_BOXED_RE = re.compile(r"\\(?:boxed|fbox)\s*\{")


def boxed_contents(text: str) -> list[str]:
    """Contents of every `\\boxed{…}` in order, with balanced braces (`\\boxed{\\frac{1}{2}}`)."""
    out = []
    for m in _BOXED_RE.finditer(text):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        if depth == 0:
            out.append(text[m.end():i - 1].strip())
    return out


def extract_answer(response: str) -> str | None:
    """The last `\\boxed{}` inside the last `<answer>…</answer>`, else the last `\\boxed{}` in the
    response, else None."""
    blocks = _ANSWER_RE.findall(response)
    for source in ([blocks[-1]] if blocks else []) + [response]:
        boxed = boxed_contents(source)
        if boxed:
            return boxed[-1]
    return None
