"""Rule-based answer extraction from a real model's free-form response, shared by every benchmark.

Real baselines do not write our `<answer>\\boxed{}` format; they write "The correct answer is (A)
6cm.", "(B) no", "Answer: C", "\\boxed{1.2\\,\\mathrm{m}}" or end on a number with a unit. The rules,
in order (the first that yields an answer wins):

  boxed        the last `\\boxed{}` (inside `<answer>` first), LaTeX normalised
  phrase       the text after the last "the (final/correct) answer is", "Answer:", "correct option
               is", "the answer should be", ... (the phrases of MathVision's `evaluate.py` and
               MMMU-Pro's "Answer:", widened to the forms models write)
  option       the whole response (or its last line) is an option: "B", "(B)", "B.", "(B) no"
  choice_text  the whole response (or its last line) is one choice's text
  value        (free-form) the whole response (or its last line) is a number with a unit
  choice_mention (multiple choice) the one choice named in the last sentence, a guess
  first_line   (multiple choice) the first sentence, for the benchmark's nearest-choice fallback
               (MathVista's `get_most_similar`), a guess
  last_number  (free-form) the last number in the response, a guess

An `Extraction` says which rule fired and whether it is `confident`: guesses (and a found answer
that names no choice) are not, and the LLM extractor (when configured) is asked for those as for
no answer at all. Benchmarks whose official parser fixes its own order (MathVista's quick rules,
MMMU, MMMU-Pro, We-Math, MathVision, EMMA, MMStar) apply that order around these rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..rewards.accuracy import extract_answer as boxed_answer


@dataclass(frozen=True)
class Extraction:
    """An extracted answer (None: nothing found), the rule that found it, and whether the rule is
    sure of it (`False` for fallbacks: the LLM extractor is then consulted when configured)."""

    answer: str | None
    rule: str
    confident: bool = True

    @property
    def usable(self) -> bool:
        return self.answer is not None and self.confident


NONE = Extraction(None, "none", False)

# ---------------------------------------------------------------- LaTeX normalisation

_WRAP_RE = re.compile(r"\\(?:text|textbf|textit|textrm|textsf|texttt|mathrm|mathbf|mathit|mathsf|mathtt|"
                      r"operatorname|mbox|boldsymbol|bm)\s*\{([^{}]*)\}")
_SPACING_RE = re.compile(r"\\(?:[,;:! ]|q?quad|enspace|thinspace|hspace\s*\{[^{}]*\})|~")
_DEGREE_RE = re.compile(r"\s*\^\s*\{?\s*\\circ\s*\}?|\\degree|\\textdegree")
_DELIM_RE = re.compile(r"^\\[(\[]|\\[)\]]$")


def normalize_latex(text: str) -> str:
    """`\\text{C}` -> `C`, `1.2\\,\\mathrm{m}` -> `1.2 m`, `30^\\circ` -> `30°`, `\\dfrac` -> `\\frac`,
    `\\%` -> `%`; math delimiters (`$…$`, `\\(…\\)`), `\\left`/`\\right` and extra spaces removed."""
    s = (text or "").strip()
    s = re.sub(r"^\\[(\[]\s*|\s*\\[)\]]$", "", s)
    s = s.strip("$").strip()
    prev = None
    while prev != s:  # nested wrappers: \textbf{\text{B}}
        prev, s = s, _WRAP_RE.sub(r"\1", s)
    s = _DEGREE_RE.sub("°", s)
    s = _SPACING_RE.sub(" ", s)
    s = re.sub(r"\\left\b|\\right\b", "", s)
    s = re.sub(r"\\[dt]frac", r"\\frac", s)
    s = s.replace("\\%", "%").replace("\\$", "$")
    s = " ".join(s.split())
    return s.strip().rstrip(".").strip()


# A number, optionally signed / with thousands commas / decimals / a percent sign.
_NUM = r"[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[-+−]?\.\d+"
_NUM_RE = re.compile(_NUM)
# A value with an optional unit after it: "1000 g", "1.2 m", "30°", "25%", "6cm", "3.5 square units".
_VALUE_UNIT_RE = re.compile(rf"^\s*({_NUM})\s*(?:°|%|[A-Za-zΩμ²³/^.·\s\-]{{0,24}})?\s*$")


def number_of(text: str) -> str | None:
    """The number of a value written with or without a unit (`1000 g` -> `1000`, `-3,400` -> `-3400`,
    `30°` -> `30`); None when the text is more than a value and its unit."""
    m = _VALUE_UNIT_RE.match(normalize_latex(text))
    if not m:
        return None
    return m.group(1).replace(",", "").replace("−", "-").lstrip("+")


def last_number(text: str) -> str | None:
    """The last number written in the text (commas dropped), or None. (Number words are not read:
    on the published MathVista outputs they match refusals more often than answers.)"""
    nums = _NUM_RE.findall(normalize_latex(text).replace("−", "-"))
    return nums[-1].replace(",", "").lstrip("+") if nums else None


# ---------------------------------------------------------------- phrases and options

# "the answer is", "the final answer is:", "Answer:", "correct option is", "answer should be", ...:
# a keyword, then a connector (a bare "answer" in "cannot be answered" is no answer).
_PHRASE_RE = re.compile(
    r"(?:(?:\b(?:final|correct|right|best)\s+(?:answer|option|choice)(?:\s+letter)?|\b(?:option|choice)\s+letter"
    r"|\banswer)\b"
    r"(?:\s+to\s+(?:the|this)\s+question)?"
    r"(?:\s*(?:is|should\s+be|would\s+be|will\s+be)\b\s*[:：]?|\s*[:：=])"
    r"|答案\s*(?:是|为)?\s*[:：]?|故选\s*[:：]?)\s*",  # MathVista's Chinese items: "答案：C", "故选B"
    re.IGNORECASE)
# "(B) no is the correct answer", "B is correct": the option named before the phrase.
_OPTION_FIRST_RE = re.compile(
    r"\(([A-Z])\)(?:[^.\n()]|(?<=\d)\.(?=\d)){0,60}?(?:\bis\s+the\s+(?:correct|right|best)\s+(?:answer|option|choice)\b|是正确(?:答案|选项))")
_END_TOKENS_RE = re.compile(r"(?:</s>|<\|im_end\|>|<\|endoftext\|>|<\|eot_id\|>|<eos>)\s*$")
_STRIP = " \t\n*_`'\"“”‘’:：,;。，"


def _clean(text: str) -> str:
    return normalize_latex(text.strip(_STRIP)).strip(_STRIP).rstrip(".").strip(_STRIP)


def _sentence(text: str) -> str:
    """The first line, cut at the first sentence end (a period that is not a decimal point)."""
    line = next((ln for ln in text.strip().splitlines() if ln.strip()), "")
    return re.split(r"(?<!\d)\.(?:\s|$)|(?<=\d)\.(?=\s|$)", line, maxsplit=1)[0]


def phrase_answer(response: str) -> str | None:
    """The text after the last answer phrase ("The correct answer is (A) 6cm." -> `(A) 6cm`)."""
    matches = [m for m in _PHRASE_RE.finditer(response) if response[m.end():].strip()]
    for m in reversed(matches):
        text = _clean(_sentence(response[m.end():]))
        if text and not re.fullmatch(r"(?:is|the|a|an|choice|option)", text, re.IGNORECASE):
            return text
    return None


def option_letter(text: str, n_choices: int) -> str | None:
    """The letter of an option answer (`B`, `(B)`, `B.`, `B) 12`, `(B) no`, `Option B`, `**B**`),
    among the first `n_choices` letters; None otherwise. A capital followed by a word is not an
    option ("A triangle has...", "I think")."""
    t = _clean(text)
    m = (re.fullmatch(r"([A-Z])", t) or re.match(r"\(([A-Z])\)", t) or re.match(r"([A-Z])\s*[.,):：](?!\d)", t)
         or re.match(r"(?:option|choice)\s*\(?([A-Z])\)?(?![A-Za-z])", t, re.IGNORECASE))
    if not m:
        return None
    idx = ord(m.group(1)) - ord("A")
    return m.group(1) if 0 <= idx < n_choices else None


def choice_index(text: str, choices: Sequence[str]) -> int | None:
    """The index of the choice whose text the answer is (case, LaTeX and spacing ignored; a numeric
    choice also matches the same number with a unit: `6 cm` for `6`)."""
    norm = _clean(text).casefold()
    if not norm:
        return None
    texts = [_clean(str(c)).casefold() for c in choices]
    if norm in texts:
        return texts.index(norm)
    num = number_of(norm)
    if num is not None:
        hits = [i for i, c in enumerate(texts) if number_of(c) is not None and _same_number(number_of(c), num)]
        if len(hits) == 1:
            return hits[0]
    return None


def _same_number(a: str, b: str) -> bool:
    try:
        return abs(float(a) - float(b)) < 1e-9
    except ValueError:
        return False


def choice_letter(text: str, choices: Sequence[str]) -> str | None:
    """The option letter an answer names: a letter, an option's text, or a letter with its text."""
    hit = _as_choice(text, choices)
    if hit is None:
        return None
    if hit in choices and not (len(hit) == 1 and hit.isupper() and option_letter(hit, len(choices))):
        return chr(ord("A") + list(choices).index(hit))
    return hit


def _as_choice(text: str, choices: Sequence[str]) -> str | None:
    """A letter for an option answer, else the choice text it names, else None."""
    letter = option_letter(text, len(choices))
    if letter is not None:
        return letter
    idx = choice_index(text, choices)
    if idx is None:
        # "(B) no", "B. 12": a letter then the choice's own text
        m = re.match(r"^\(?([A-Z])\)?[.):]?\s+(.+)$", _clean(text))
        if m and ord(m.group(1)) - ord("A") < len(choices) and choice_index(m.group(2), choices) is not None:
            return m.group(1)
        return None
    return str(choices[idx])


def mentioned_choice(sentence: str, choices: Sequence[str]) -> str | None:
    """The one choice whose text appears as a whole word in the sentence ("The time shown is half
    past three" -> `half`), the longest when one contains another; None if none or several."""
    low = normalize_latex(sentence).casefold()
    hits = [str(c) for c in choices if _clean(str(c)) and re.search(
        rf"(?<![\w.]){re.escape(_clean(str(c)).casefold())}(?![\w]|\.\d)", low)]
    hits = [h for h in hits if not any(h != o and _clean(h).casefold() in _clean(o).casefold() for o in hits)]
    return hits[0] if len(hits) == 1 else None


# ---------------------------------------------------------------- the rules

def extract(response: str, choices: Sequence[str] | None = None) -> Extraction:
    """The answer of a response by the rules of this module's docstring, in order. `choices` makes
    it a multiple-choice question (options by letter A, B, ...)."""
    text = _END_TOKENS_RE.sub("", (response or "").strip()).strip()
    if not text:
        return NONE
    mc = bool(choices)
    boxed = boxed_answer(text)
    if boxed is not None and _clean(boxed):
        return resolve(_clean(boxed), choices, "boxed")
    phrase = phrase_answer(text)
    if phrase is not None:
        found = resolve(phrase, choices, "phrase")
        if found.answer is not None:
            return found
    if mc and (m := list(_OPTION_FIRST_RE.finditer(text))) and ord(m[-1].group(1)) - ord("A") < len(choices):
        return Extraction(m[-1].group(1), "phrase")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    for candidate in dict.fromkeys([text, lines[-1]] if lines else [text]):
        if mc:
            if len(candidate) <= 200:
                hit = _as_choice(candidate, choices)
                if hit is not None:
                    return Extraction(hit, "option" if len(hit) == 1 and hit.isupper() else "choice_text")
        elif number_of(candidate) is not None:
            return Extraction(number_of(candidate), "value")
    if mc:
        mentioned = mentioned_choice(lines[-1] if lines else text, choices)
        if mentioned is not None:
            return Extraction(mentioned, "choice_mention", confident=False)
        return Extraction(_clean(_sentence(text)) or text, "first_line", confident=False)
    num = last_number(text)
    return Extraction(num, "last_number", confident=False) if num is not None else NONE


def resolve(answer: str, choices: Sequence[str] | None, rule: str) -> Extraction:
    """A found answer made comparable. Multiple choice: its letter or choice text (confident), else
    the raw text (not confident: the benchmark's nearest-choice rule or the LLM decides). Free-form:
    the text as written (units kept; a benchmark that wants a bare number takes `number_of`), the
    value of `x = 5`; a phrase that is a sentence ("There are 5 objects left") gives its first
    number, not confident, and one without any digit is no answer."""
    if choices:
        hit = _as_choice(answer, choices)
        return Extraction(hit, rule) if hit is not None else Extraction(answer, rule, confident=False)
    m = re.fullmatch(r"\s*[A-Za-z∠][A-Za-z0-9_{}∠ ]{0,10}=\s*([^=]+)", answer)  # "x = 5", "AB = 2.5 cm"
    if m and number_of(m.group(1)) is not None:
        return Extraction(number_of(m.group(1)), rule)
    if rule != "phrase" or number_of(answer) is not None or "\\" in answer or answer.lstrip()[:1] in "[(":
        return Extraction(answer, rule)
    if not re.search(r"\d", answer):  # "to this question, we need to ...": the next rules try
        return NONE
    words = re.match(r"^[A-Za-z][a-z]+\s", answer)
    nums = _NUM_RE.findall(answer)
    if words and nums:
        return Extraction(nums[0].replace(",", ""), rule, confident=False)
    return Extraction(answer, rule)


def official_then_rules(response: str, choices: Sequence[str] | None, official_quick: Callable[[str], str | None],
                        normalize: Callable[[str], str] = str.strip) -> Extraction:
    """For a benchmark whose official parser runs quick rules and otherwise hands over the whole response
    (EMMA's `fast_extract_answer`, MATH-V's `evaluate.py`): the quick rules' answer, `normalize`d, when
    they find a non-empty one (rule `official_quick`), else this module's rules on the whole response.
    Each benchmark keeps its own `official_quick`, cited in its module."""
    text = (response or "").strip()
    if not text:
        return NONE
    quick = official_quick(text)
    if quick is not None and quick.strip():
        return resolve(normalize(quick.strip()), choices, "official_quick")
    return extract(text, choices)
