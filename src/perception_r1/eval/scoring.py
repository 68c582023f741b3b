"""Official answer-parsing and matching rules shared by several benchmarks.

- MMMU (`eval/eval_utils.py` of MMMU-Benchmark/MMMU): `parse_multi_choice_response`,
  `parse_open_response`, `eval_multi_choice`, `eval_open`; MMMU-Pro (`mmmu-pro/evaluate.py`) uses the
  same parser with two additions (a unique option after the last "Answer:", and "A." candidates),
  selected here with `pro=True`.
- MathVista's `get_most_similar` needs the Levenshtein edit distance (`edit_distance`).
- MATH-V's and EMMA's `is_equal` (`is_equal_2dp`).

These reproduce the official code's behaviour, quirks included (e.g. MMMU's random letter when no
option is found), because published numbers were computed with it.
"""

from __future__ import annotations

import random
import re
from typing import Sequence

from ..rewards.accuracy import is_correct
from ..rewards.numeric import numeric_value
from .rules import normalize_latex, number_of

STRIP_CHARS = [",", ".", "!", "?", ";", ":", "'"]


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions all cost 1)."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def multi_choice_info(options: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """MMMU `get_multi_choice_info`: letters A, B, ... and letter -> option text."""
    letters = [chr(ord("A") + i) for i in range(len(options))]
    return dict(zip(letters, options)), letters


def answer_tag_option(response: str, all_choices: Sequence[str]) -> str | None:
    """MMMU-Pro's first rule: the one option letter found after the last "Answer:" (None when
    there is no "Answer:" or the letters after it are not unique)."""
    pos = response.rfind("Answer:")
    if pos == -1:
        return None
    tail = response[pos + len("Answer:"):].strip()
    matching = [c for c in all_choices if c in tail]
    return matching[0] if len(matching) == 1 else None


def official_option(response: str, all_choices: Sequence[str], index2ans: dict[str, str], *,
                    pro: bool = False) -> str | None:
    """MMMU's multiple-choice parser (MMMU-Pro's with `pro=True`) without its random guess: the
    option it finds, or None."""
    if pro and (tag := answer_tag_option(response, all_choices)) is not None:
        return tag
    for ch in STRIP_CHARS:
        response = response.strip(ch)
    response = " " + response + " "  # spaces avoid partial matches
    index_ans, ans_with_brack, candidates = True, False, []
    for c in all_choices:  # (A) (B) ...
        if f"({c})" in response:
            candidates.append(c)
            ans_with_brack = True
    if not candidates:  # A B ... ; MMMU-Pro drops the leading space
        candidates = [c for c in all_choices if (f"{c} " if pro else f" {c} ") in response]
    if not candidates and pro:  # A. B. ...
        candidates = [c for c in all_choices if f"{c}." in response]
    if not candidates and len(response.split()) > 5:  # option text in a long answer
        for idx, ans in index2ans.items():
            if ans.lower() in response.lower():
                candidates.append(idx)
                index_ans = False
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0]
    if index_ans:
        key = (lambda c: f"({c})") if ans_with_brack else (lambda c: f" {c} ")
        starts = [response.rfind(key(c)) for c in candidates]
    else:
        starts = [response.lower().rfind(index2ans[c].lower()) for c in candidates]
    # np.argmax: the first maximum, i.e. the candidate mentioned last
    return candidates[starts.index(max(starts))]


def parse_multi_choice_response(response: str, all_choices: Sequence[str], index2ans: dict[str, str],
                                rng: random.Random | None = None, *, pro: bool = False) -> tuple[str, bool]:
    """MMMU's multiple-choice parser. Returns (letter, guessed): `guessed` is True when no option was
    found and the official rule picked a random letter (`rng`, seeded 42 by default as MMMU does)."""
    found = official_option(response, all_choices, index2ans, pro=pro)
    if found is not None:
        return found, False
    return (rng or random.Random(42)).choice(list(all_choices)), True


def check_is_number(string: str) -> bool:
    try:
        float(string.replace(",", ""))
        return True
    except ValueError:
        return False


def normalize_str(string: str) -> list:
    """MMMU: numbers become floats rounded to 2 decimals; other text is lowercased, one-character
    answers padded with a space on either side (avoids trivial substring matches)."""
    string = string.strip()
    if check_is_number(string):
        return [round(float(string.replace(",", "")), 2)]
    string = string.lower()
    if len(string) == 1:
        return [" " + string, string + " "]
    return [string]


_NUM_COMMAS = r"-?\b\d{1,3}(?:,\d{3})+\b"
_NUM_SCI = r"-?\d+(?:\.\d+)?[eE][+-]?\d+"
_NUM_SIMPLE = r"-?(?:\d+\.\d+|\.\d+|\d+\b)(?![eE][+-]?\d+)(?![,\d])"


def extract_numbers(string: str) -> list[str]:
    """MMMU: every number written with commas, in scientific notation, or plain."""
    return re.findall(_NUM_COMMAS, string) + re.findall(_NUM_SCI, string) + re.findall(_NUM_SIMPLE, string)


def _key_subresponses(response: str) -> list[str]:
    response = response.strip().strip(".").lower()
    subs = re.split(r"\.\s(?=[A-Z])|\n", response)
    indicators = ["could be ", "so ", "is ", "thus ", "therefore ", "final ", "answer ", "result "]
    keys = []
    for i, resp in enumerate(subs):
        if i == len(subs) - 1:  # the last sentence may be just an equation
            indicators.append("=")
        shortest = None
        for ind in indicators:
            if ind in resp:
                tail = resp.split(ind)[-1].strip()
                if not shortest or len(tail) < len(shortest):
                    shortest = tail
        if shortest and shortest.strip() not in (":", ",", ".", "!", "?", ";", "'"):
            keys.append(shortest)
    return keys or [response]


def parse_open_response(response: str) -> list:
    """MMMU: candidate answers (the tails after key phrases, and every number in them), normalized."""
    keys = _key_subresponses(response)
    preds = list(keys)
    for r in keys:
        preds.extend(extract_numbers(r))
    out = []
    for p in preds:
        out.extend(normalize_str(p))
    return list(dict.fromkeys(out))  # dedupe, keep order (official uses set(); order is irrelevant)


def eval_multi_choice(gold, pred) -> bool:
    """MMMU: exact match against the gold letter (or any of a list of golds)."""
    return pred in gold if isinstance(gold, list) else gold == pred


def eval_open(gold, pred_list: list) -> bool:
    """MMMU: a float candidate must equal a normalized gold; a string gold must be a substring of a
    string candidate."""
    norm = [x for g in gold for x in normalize_str(g)] if isinstance(gold, list) else normalize_str(gold)
    for pred in pred_list:
        if isinstance(pred, str):
            if any(isinstance(a, str) and a in pred for a in norm):
                return True
        elif pred in norm:
            return True
    return False


def is_equal_2dp(pred: str, gold: str) -> bool:
    """MATH-V / EMMA `is_equal`: case-insensitive exact match, else equal values rounded to 2
    decimals (latex2sympy upstream; `rewards.numeric.numeric_value` here), else symbolic equality
    (sympy `simplify` upstream; math-verify here)."""
    if not pred.strip() or not gold.strip():
        return False
    if pred.strip().lower() == gold.strip().lower():
        return True
    a = numeric_value(number_of(pred) or normalize_latex(pred))
    b = numeric_value(number_of(gold) or normalize_latex(gold))
    if a is not None and b is not None:
        return round(a, 2) == round(b, 2)
    return bool(is_correct(pred, gold))
