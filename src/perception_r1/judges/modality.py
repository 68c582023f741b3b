"""How a statement is made, for the symbolic judge: the words that make a clause negated, a question or
hypothesis, hedged, or an alternative to what came before, and the split into sentences and clauses.

Word lists match lower case or capitalised words only, never capitals: `AND`, `NO`, `NOT` name points.
"""

from __future__ import annotations

import re


def _words(words: str, before: str = r"\b", after: str = r"\b") -> str:
    """An alternation of words in lower case or capitalised, never in capitals: `AND`, `NO`, `NOT`
    are names of points."""
    alts = [w for word in words.split("|") for w in (word, word[0].upper() + word[1:])]
    return before + "(?:" + "|".join(alts) + ")" + after


SENTENCE_RE = re.compile(r"(.*?)(\.(?=\s|$)|[;!?]|$)", re.S)
CLAUSE_RE = re.compile(r"[,:]|(?=" + _words("and|but|so|then|thus|hence|therefore|since|because|while|whereas|"
                                            "however|although|though|yet|or|nor|which|otherwise|instead|"
                                            "alternatively") + ")")
QUESTION_RE = re.compile(_words("is|are|does|do|did|can|could|would|should|was|were|isn't|aren't", before=r"\s*"))
NEGATION_RE = re.compile(_words("not|never|false|untrue|incorrect|wrong|neither|nor|cannot|impossible|no") +
                         r"|n't\b")
# "AB = 3 is false", "… is not the case": the whole sentence is denied
DENIED_RE = re.compile(r"\b(?:is|are|was|were)\s+(?:\w+ly\s+)?(?:false|untrue|incorrect|wrong|a\s+mistake|"
                       r"an?\s+error)\b|(?:≠|\bnot)\s*(?:true|correct|the\s+case|right)\b")
HEDGE_RE = re.compile(_words("maybe|perhaps|possibly|probably|presumably|might|may|could|would|likely|unlikely|"
                             "seem|seems|appear|appears|apparently|guess|unsure|uncertain|unclear|doubt|doubtful|"
                             "estimate|estimated|either|approximately|roughly|approx") + "|≈|" +
                      _words("around|about|nearly|almost", after=r"\s*(?=[-(\d√π])"))
HYPOTHESIS_RE = re.compile(_words("if|suppose|supposed|supposes|supposing|assume|assumed|assumes|assuming|"
                                  "assumption|hypothetically|hypothetical|whether|unless|imagine|pretend|"
                                  "let's say|say that|in case|were to"))
# a sentence that takes back what was just said: it and the sentence before are not stated
RETRACT_RE = re.compile(_words("scratch that|strike that|never mind|ignore that|i was wrong|that's wrong|"
                               "that is wrong|that was wrong|correction|no wait|wait no|i take that back"))
# a clause that offers another value: "or 4", "but the figure shows 4", ", 2f - 6"
ALTERNATIVE_RE = re.compile(_words("or|nor|but|however|although|though|yet|whereas|instead|rather|alternatively|"
                                   "either|maybe|perhaps|possibly|probably|otherwise|vs|versus", before=r"\s*"))
CONNECTORS = {"and", "or", "nor", "then", "so", "also", "maybe", "perhaps", "possibly", "probably", "either", "even"}


def sentences(text: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in SENTENCE_RE.finditer(text) if m.group(1).strip()]
