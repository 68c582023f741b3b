"""Parse, validate and normalise the extractor's reply: a JSON array of atomic visual facts.

Pure functions. `parse_facts` accepts the array alone or wrapped in a Markdown code fence or a sentence
(models add them), and raises `InvalidFacts` with a short reason otherwise; the reason goes into the
repair instruction and, if the repair fails too, into `dropped.jsonl`.
"""

from __future__ import annotations

import json
import re
import unicodedata

MAX_FACT_CHARS = 300

_FENCE_RE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL | re.IGNORECASE)
_BULLET_RE = re.compile(r"^(?:[-*•]\s+|\d+[.)]\s+|\(\d+\)\s+)")


class InvalidFacts(ValueError):
    """The reply is not a usable JSON array of strings; the message says why."""


def parse_facts(reply: str) -> list[str]:
    """The JSON array of strings in `reply` (raw, fenced, or the outermost `[...]` in the text)."""
    text = reply.strip()
    fenced = _FENCE_RE.search(text)
    if fenced:
        text = fenced.group(1).strip()
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        start, end = text.find("["), text.rfind("]")
        if start < 0 or end <= start:
            raise InvalidFacts("no JSON array found in the reply") from None
        try:
            value = json.loads(text[start:end + 1])
        except json.JSONDecodeError as e:
            raise InvalidFacts(f"invalid JSON ({e.msg} at char {e.pos})") from None
    if isinstance(value, dict):
        lists = [v for v in value.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise InvalidFacts("expected a JSON array, got an object")
        value = lists[0]
    if not isinstance(value, list):
        raise InvalidFacts(f"expected a JSON array, got {type(value).__name__}")
    bad = [i for i, v in enumerate(value) if not isinstance(v, str)]
    if bad:
        raise InvalidFacts(f"item {bad[0]} is {type(value[bad[0]]).__name__}, not a string")
    return value


def normalise_fact(fact: str) -> str:
    """One fact in canonical form: NFC, single spaces, no list bullet, no wrapping quotes or final period."""
    s = unicodedata.normalize("NFC", fact)
    s = " ".join(s.split())
    s = _BULLET_RE.sub("", s)
    if len(s) >= 2 and s[0] == s[-1] and s[0] in "\"'`":
        s = s[1:-1].strip()
    if s.endswith(".") and not s.endswith(".."):
        s = s[:-1].rstrip()
    return s


def _dedupe_key(fact: str) -> str:
    # `AB = 5`, `AB=5` and `ab = 5.` are one fact; `$...$` math delimiters do not make a new one.
    return re.sub(r"[\s$]", "", fact).casefold()


def normalise_facts(facts: list[str]) -> tuple[list[str], int]:
    """Normalised facts in first-seen order without duplicates or empties, and how many were removed.
    Facts longer than MAX_FACT_CHARS are reasoning, not atomic facts, and are removed too."""
    seen: set[str] = set()
    out: list[str] = []
    for fact in facts:
        s = normalise_fact(fact)
        key = _dedupe_key(s)
        if not s or len(s) > MAX_FACT_CHARS or key in seen:
            continue
        seen.add(key)
        out.append(s)
    return out, len(facts) - len(out)
