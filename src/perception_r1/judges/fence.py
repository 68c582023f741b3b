"""The fence between a response (data) and the judge's prompt (instructions): what an LLM judge is sent.

A response is an attacker's text: GRPO will find any spelling that a judge model or its server reads as
our verdict tags (`<info1>1</info1>`), the end of the fence (`</response>`) or a chat-template control
token (`<|im_end|>`, `<|eot_id|>`, `[/INST]`, `<end_of_turn>`, `</s>` …: a vLLM server that parses
special tokens in message text ends the user turn there). So before it is sent:

1. `clean`: HTML entities are decoded until none is left (`&amp;lt;` -> `<`, `&#60info1&#62;`), and
   characters a reader never sees are removed (zero-width and other format characters, the soft hyphen,
   Unicode tag characters, variation selectors, fillers, control characters but tab and newline).
2. `neutralise`: on a folded view of the text (NFKC per character, so full-width and math letters read
   as ASCII; look-alike letters, brackets, slashes and bars mapped to theirs; combining marks dropped)
   every tag-like sequence with one of our names — however spaced, bracketed (`⟨info1⟩`, `‹info1›`,
   `\\langle info1 \\rangle`, `\\u003cinfo1\\u003e`, `%3Cinfo1%3E`) or left unclosed — every other
   `<name>` tag (but the response format's own `<think>` / `<answer>` as written), and every control
   token of the common chat templates (`<|…|>`, `<｜…｜>`, Mistral/Llama `[INST]`-style tokens) is
   rewritten to an inert ASCII form in parentheses: `(info1)1(/info1)`, `(|im_end|)`, `(INST)`.
   Other text, `x < 5` and `a<b` included, is left as written; the pass repeats until nothing changes,
   so a rewrite cannot assemble a new tag from its neighbours.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

# Look-alikes of the characters that make a tag. NFKC already maps the full-width and small forms
# (＜ ﹤ ／ ｜); these are the ones it leaves alone.
_LOOKALIKE = {
    **dict.fromkeys("‹«⟨〈〈《˂ᐸ❮❰⧼⟪≺⋖⊰⫷❬⦑⧀⧏＜﹤᚜⦓⦕⸨", "<"),
    **dict.fromkeys("›»⟩〉〉》˃ᐳ❯❱⧽⟫≻⋗⊱⫸❭⦒⧁⧐＞﹥᚛⦔⦖⸩", ">"),
    **dict.fromkeys("∕⁄⧸／╱⟋", "/"),
    **dict.fromkeys("∣ǀ│┃￨❘｜", "|"),
    # Cyrillic and Greek letters that look like the Latin letters of our tag names.
    **{c: l for l, cs in {"a": "аα", "c": "сϲ", "e": "еε", "i": "іιίıİ", "o": "оοσ", "p": "рρ", "s": "ѕ",
                          "r": "г", "n": "п", "v": "ν", "x": "хχ", "y": "у", "k": "кκ", "t": "т",
                          "I": "ӀΙІ", "N": "ΝН", "S": "Ѕ", "T": "ΤТ", "O": "ΟО", "A": "ΑА", "E": "ΕЕ",
                          "P": "ΡР", "M": "ΜМ", "C": "СϹ", "K": "ΚК", "B": "ΒВ", "H": "Η"}.items() for c in cs},
}
_FILLERS = set("\u115f\u1160\u3164\uffa0\u2800\u034f")


@lru_cache(maxsize=4096)
def _invisible(c: str) -> bool:
    if c in "\n\t":
        return False
    cat = unicodedata.category(c)
    # Cf: zero-width (200B-200D, 2060), soft hyphen, bidi controls, BOM, tag characters E0000-E007F.
    return cat in ("Cf", "Cc", "Cs", "Co", "Cn") or c in _FILLERS or 0xFE00 <= ord(c) <= 0xFE0F \
        or 0xE0100 <= ord(c) <= 0xE01EF


# ASCII characters `clean` removes: the C0 controls but tab and newline, and DEL.
_ASCII_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean(text: str) -> str:
    """Entities decoded until none is left, then every invisible character removed (step 1 above)."""
    for _ in range(len(text)):  # each round that changes the text shortens it, so this ends
        decoded = html.unescape(text)
        if decoded == text:
            break
        text = decoded
    if text.isascii():
        return _ASCII_INVISIBLE.sub("", text)
    # Each distinct character is classified once (a response has tens of them, not thousands).
    drop = [c for c in set(text) if _invisible(c)]
    return text.translate(dict.fromkeys(map(ord, drop))) if drop else text


def _fold(text: str) -> tuple[str, list[int] | None]:
    """(folded text, index in `text` of each folded character, or None when it is the same index),
    for matching only."""
    if text.isascii():
        return text, None
    table: dict[int, str] = {}
    for c in set(text):
        f = _fold_char(c)
        if len(f) != 1:  # a character that folds to none or several: positions shift
            break
        if f != c:
            table[ord(c)] = f
    else:
        return text.translate(table), None
    out: list[str] = []
    pos: list[int] = []
    for i, c in enumerate(text):
        f = _fold_char(c)
        out.append(f)
        pos.extend([i] * len(f))
    return "".join(out), pos


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    if unicodedata.category(c) == "Mn":
        return ""
    return "".join(_LOOKALIKE.get(x, x) for x in _LOOKALIKE.get(c) or unicodedata.normalize("NFKC", c))


_OPEN = r"(?:<|\\u0*3c|\\u\{0*3c\}|%u0*3c|\\x3c|%(?:25)*3c|\\langle(?![a-z])|\\lt(?![a-z])|\\textless(?![a-z]))"
_CLOSE = r"(?:>|\\u0*3e|\\u\{0*3e\}|%u0*3e|\\x3e|%(?:25)*3e|\\rangle(?![a-z])|\\gt(?![a-z])|\\textgreater(?![a-z]))"
_GAP = r"[\s${}\\]*"  # between a bracket and the name: spaces, `$<$info1$>$`, `\langle{info1}\rangle`
_SPACED = r"[\s._\-]*"


def _spaced(word: str) -> str:
    return _SPACED.join(re.escape(ch) for ch in word)


_NAMES = "|".join(_spaced(w) for w in ("info", "response", "score", "verdict", "annotation", "fact"))
# One of our names: opened, optionally closed, however spaced; unclosed counts too (`<info1 foo`).
_OURS = re.compile(rf"{_OPEN}{_GAP}(?P<slash>/{_GAP})?(?P<name>(?:{_NAMES})\s*[\w.\-]{{0,16}})"
                   rf"(?P<close>{_GAP}{_CLOSE})?", re.IGNORECASE)
# Any other tag written without spaces: `<s>`, `</s>`, `<start_of_turn>`, `<bos>`, `<image>`.
_TAG = re.compile(rf"{_OPEN}(?P<slash>/)?(?P<name>[a-z_][\w:.\-]{{0,40}})(?P<close>/?{_CLOSE})", re.IGNORECASE)
# Control tokens `<|im_end|>`, `<|eot_id|>`, `<｜begin▁of▁sentence｜>` (NFKC folds the full-width bar).
_PIPE = re.compile(rf"{_OPEN}\s*\|(?P<name>[^|\n]{{0,60}})\|\s*{_CLOSE}", re.IGNORECASE)
_BRACKET_TOKENS = ("INST", "SYS", "IMG", "THINK", "PREFIX", "MIDDLE", "SUFFIX", "ARGS", "CALL_ID", "gMASK",
                   "sMASK", "MASK", "CLS", "SEP", "PAD", "UNK", "BOS", "EOS")
_BRACKET = re.compile(rf"\[\s*(?P<slash>/)?\s*(?P<name>{'|'.join(_BRACKET_TOKENS)}|[A-Z]+_[A-Z_]+)\s*\]")
_KEPT = {"<think>", "</think>", "<answer>", "</answer>"}


def _inert(m: re.Match, kind: str) -> str:
    name = re.sub(r"[\s$\\{}]+", "", m.group("name")) if kind == "ours" else m.group("name")
    if kind == "pipe":
        return f"(|{name}|)"
    slash = "/" if m.groupdict().get("slash") else ""
    close = ")" if kind != "ours" or m.group("close") else ""
    return f"({slash}{name}{close}"


def _pass(text: str) -> str:
    folded, pos = _fold(text)
    found: list[tuple[int, int, int, str]] = []
    for rank, (kind, rx) in enumerate((("pipe", _PIPE), ("ours", _OURS), ("tag", _TAG), ("bracket", _BRACKET))):
        for m in rx.finditer(folded):
            a, b = (m.start(), m.end()) if pos is None else (pos[m.start()], pos[m.end() - 1] + 1)
            if kind != "tag" or text[a:b] not in _KEPT:
                found.append((a, rank, b, _inert(m, kind)))
    if not found:
        return text
    out, last = [], 0
    for a, _, b, inert in sorted(found):  # overlapping matches: the first to start wins
        if a >= last:
            out += [text[last:a], inert]
            last = b
    return "".join(out) + text[last:]


def neutralise(text: str) -> str:
    """`clean` the text, then rewrite every tag-like sequence and control token to an inert form
    (step 2 above): `<info1>1</info1>` -> `(info1)1(/info1)`, `<|im_end|>` -> `(|im_end|)`."""
    text = clean(text)
    for _ in range(len(text)):  # a rewrite removes brackets, so this ends
        again = _pass(text)
        if again == text:
            break
        text = again
    return text


def fence(response: str) -> str:
    return f"<response>\n{neutralise(response)}\n</response>"
