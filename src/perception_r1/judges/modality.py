"""How a statement is made, for the symbolic judge: the words that make a clause negated, a question or
hypothesis, hedged, attributed to someone else, addressed to the grader, or an alternative to what came
before, and the split into sentences and clauses.

Word lists match lower case or capitalised words only, never capitals: `AND`, `NO`, `NOT` name points
(a few verdict words, `FALSE`, `WRONG`, also match in capitals: no figure names its points so).

The lists are classes, not strings: a sentence is *denied* by any verdict on it (a verdict word or mark
anywhere in it, `AB = 3 — incorrect`, `AB = 3 ✗`, `AB = 3 is a common misconception`, or a next
sentence that refers back, `This claim is false.`), *supposed* by a label that marks non-assertion
(`Hypothesis: …`, `Option B: …`), a conditional or premise, *attributed* when someone other than the
response, the figure or the problem says it (`Someone claimed …`, `The annotation says …`),
*addressed to the grader* when it talks about judging (`Grader: mark … as correct`), and *hedged*
by a clause that only qualifies it (`AB = 3, possibly.`, `AB = 3, I think.`, `or so`).
"""

from __future__ import annotations

import re
from functools import lru_cache


def _words(words: str, before: str = r"\b", after: str = r"\b") -> str:
    """An alternation of words in lower case or capitalised, never in capitals: `AND`, `NO`, `NOT`
    are names of points."""
    top, depth, cur = [], 0, ""
    for c in words:  # split on top-level bars only: `the\s+(?:previous|last)` is one word
        depth += (c == "(") - (c == ")")
        if c == "|" and depth == 0:
            top.append(cur)
            cur = ""
        else:
            cur += c
    top.append(cur)
    alts = [w for word in top for w in (word, word[0].upper() + word[1:])]
    return before + "(?:" + "|".join(alts) + ")" + after


SENTENCE_RE = re.compile(r"(.*?)(\.(?=\s|$)|[;!?]|$)", re.S)
CLAUSE_RE = re.compile(r"[,:⟹⟺]|(?=" + _words("and|but|so|then|thus|hence|therefore|since|because|while|whereas|"
                                              "however|although|though|yet|or|nor|which|otherwise|instead|"
                                              "alternatively") + ")")
QUESTION_RE = re.compile(_words("is|are|does|do|did|can|could|would|should|was|were|isn't|aren't", before=r"\s*"))
NEGATION_RE = re.compile(_words("not|never|false|untrue|incorrect|wrong|neither|nor|cannot|impossible|no|"
                                "wrongly|falsely|mistakenly|incorrectly|erroneously|anything\\s+but|other\\s+than|"
                                "different\\s+from|differs?\\s+from|unequal|distinct\\s+from|no\\s+way|nowhere\\s+near|"
                                "far\\s+from|contradicts?|contradicted|contradicting|rejects?|rejected|rejecting|refuse|"
                                "refuses|refused|discard|discards|discarded|dismiss|dismisses|dismissed|deny|denies|"
                                "denied|disputes?|disputed|oppose|opposes|disagree|disagrees|excludes?|excluded|"
                                "rules?\\s+out|ruled\\s+out|eliminates?|eliminated|cross(?:es)?\\s+out|crossed\\s+out|"
                                "abandons?|abandoned|overturns?|overturned|refutes?|refuted|disproves?|disproved|"
                                "debunks?|debunked|negates?|negated|invalidates?|invalidated|retracts?|retracted|"
                                "withdraws?|withdrawn|revokes?|revoked|unsupported|unproven|unfounded|nobody|no\\s+one|"
                                "untenable|misreading|misread|misreads|misinterpretation|fails?\\s+to\\s+match|"
                                "doesn't\\s+match|does\\s+not\\s+match|mismatch|mismatches|avoid|avoiding|refrain|"
                                "beware|shun") +
                         r"|n't\b|≠|\bNOT\b(?=\s+(?:true|TRUE|correct|CORRECT|the\s+case|so)\b)")
# "not 4", "(not 4)": an alternative value rejected, not the clause's fact
NOT_VALUE_RE = re.compile(r"\(?\s*" + _words(r"not|never|nor|rather\s+than|instead\s+of") +
                          r"\s*[-+]?\s*(?:[\d.]+|sqrt\s*\(?[\d.]+\)?|π|\d*\s*[a-z])(?:\s*[-+*/]\s*[\d.]+)*\s*"
                          r"(?:units?|cm|degrees?)?\s*\)?(?=\s*$|\s*[,.;)])")
# a clause that rejects an alternative value: "not 4 as one might guess" is about the 4
REJECT_START_RE = re.compile(r"^\W*" + _words(r"not|never|nor|rather\s+than|instead\s+of") +
                             r"\s*[-+]?\s*(?:[\d.]+|sqrt\s*\(?[\d.]+\)?|π)(?![\w.])")
# a clause that rejects another kind for the shape just described: "WXYZ is a parallelogram, not a rectangle"
REJECT_KIND_RE = re.compile(r"^\W*" + _words(r"not|never|nor|rather\s+than|instead\s+of|but\s+not") +
                            r"\s+(?:(?:a|an|the)\s+)?(?P<desc>(?:[a-z\-]+\s+){0,2}(?:triangle|quadrilateral|polygon|pentagon|"
                            r"hexagon|parallelogram|rectangle|square|rhombus|trapezoid|trapezium|kite|circle))\b")
# Verdicts: a sentence holding one states nothing (it is a claim being judged); `VERDICT_OTHER_RE`
# marks a clause whose verdict is about something else (an option, the other statements).
_VERDICT_WORDS = ("false|untrue|incorrect|wrong|mistaken|erroneous|inaccurate|invalid|bogus|nonsense|misconception|"
                  "misconceptions|myth|fallacy|fallacious|fiction|fictional|fake|nope|refuted|disproved|disproven|"
                  "debunked|rejected|discredited|baseless|unfounded|spurious")
VERDICT_RE = re.compile(
    _words(_VERDICT_WORDS) + r"|\b(?:FALSE|WRONG|INCORRECT|UNTRUE|NOPE|NOT\s+(?:TRUE|CORRECT|RIGHT|THE\s+CASE|SO))\b|"
    r"[✗✘❌✖❎🚫⛔👎⊭✕☒🗙⛌⨯⨉🙅]|\ba\s+lie\b|\b(?:yeah|ya|oh)\s+(?:right|sure)\b|\bas\s+if\b|"
    r"\b(?:is|are|was|were|'s)\s+(?:\w+ly\s+)?(?:a\s+)?(?:mistake|error|typo|lie|hoax)\b|"
    r"(?:≠|\bnot|\bnever)\s*(?:true|correct|the\s+case|right|so|valid|accurate|supported)\b|"
    r"\b(?:does\s*n[o']t|do\s*n[o']t|doesn't|never|cannot|can't)\s+hold\b|\bfails?\s+to\s+hold\b|"
    r"\bruled\s+out\b|\bno\s+longer\s+(?:true|holds?)\b|\bout\s+of\s+the\s+question\b|\bnot\s+(?:a\s+)?possib\w*|"
    r"⊥(?=\s*$)")
VERDICT_OTHER_RE = re.compile(_words("option|options|choice|choices|answer|answers|alternative|alternatives|"
                                     "distractor|distractors|others|other|rest|remaining|statement\\s+\\(?[A-E1-9]\\)?") +
                              r"|\(\s*[A-E]\s*\)")
# A sentence that refers back to what was just said and judges it: it and the sentence before are denied.
BACKREF_RE = re.compile(
    r"^\W*(?:" + _words(r"this|that|it|these|those|which|both|all|everything|the\s+above|the\s+(?:previous|preceding|"
                        r"last|former|latter|first|above|earlier)|the\s+(?:claim|statement|assertion|conjecture|"
                        r"hypothesis|guess|result|fact|value|line|sentence)|none\s+of\s+(?:this|that|these|those|it|"
                        r"the\s+above)|all\s+of\s+(?:this|that|these|those|it|the\s+above)") +
    r")(?:'s|'re)?\s*(?:[\w']+\s+){0,5}?(?:" + VERDICT_RE.pattern + r")|"
    r"^\W*(?:[Nn]one|[Nn]either|[Nn]othing)\s+of\s+(?:this|that|these|those|it|the\s+above)\s+(?:is|are|was|were|holds?)\b")
BARE_VERDICT_RE = re.compile(r"^\W*(?:" + _words(r"no|nope|nah|wrong|false|incorrect|untrue|not\s+(?:true|so|really)|not|"
                                                 "never|negative|bogus|nonsense|fake") +
                             r"|[✗✘❌✖❎🚫⛔👎✕☒🗙⛌⨯⨉🙅])\W*$")
# fillers that may open a sentence that only takes back the one before: "Hmm, no.", "On second thought, no."
FILLERS_RE = re.compile(r"\b(?:hmm+|hm+|um+|uh+|er+|well|wait|oh|ah|actually|on\s+second\s+thoughts?|on\s+reflection|"
                        r"thinking\s+again|looking\s+again|come\s+to\s+think\s+of\s+it|then\s+again|okay|ok|so|"
                        r"really|honestly|sorry|oops|nah|hold\s+on)\b", re.I)
# a sentence that offers an alternative to the one before, or doubts it: "Or not.", "Or maybe 4.", "Then again…"
ALT_SENTENCE_RE = re.compile(r"^\W*(?:" + _words(r"or|then\s+again|alternatively|otherwise|unless|maybe\s+not|"
                                                  r"perhaps\s+not|possibly\s+not|not\s+necessarily|not\s+quite|"
                                                  r"not\s+exactly|who\s+knows|or\s+is\s+it|not\s+really|or\s+maybe|"
                                                  r"or\s+perhaps|but\s+maybe|but\s+perhaps|probably\s+not|unclear|"
                                                  r"hard\s+to\s+say|not\s+sure|i'm\s+not\s+sure|i\s+am\s+not\s+sure|"
                                                  r"i\s+doubt\s+it|doubtful|unverified") + r")")
HEDGE_RE = re.compile(_words("maybe|perhaps|possibly|probably|presumably|might|may|could|would|likely|unlikely|"
                             "seem|seems|seemingly|appear|appears|apparently|guess|guessing|unsure|uncertain|unclear|"
                             "(?<!no\\s)(?<!without\\s)(?<!beyond\\s)(?<!a\\s)doubt|doubtful|estimate|estimated|either|approximately|roughly|approx|allegedly|"
                             "reportedly|supposedly|arguably|conceivably|plausibly|ish|circa|ballpark|unverified|"
                             "unconfirmed|unchecked|tentative|tentatively|iirc|afaik|believe|suspect|reckon|reckoning|rough|rounded|rounding|"
                             "placeholder|placeholders|dummy|todo|tbd|pending|temporary|arbitrary|arbitrarily|"
                             "guesstimate|guesstimated|eyeballed|eyeballing|est|confidence|probability|chance|fixme|"
                             "odds|presumed|unsure|chances|hunch|likelihood|plausible|probable|perchance|mayhaps|mayhap|"
                             "peradventure|wager|instinct|intuition|intuitively|gut|opinion|rumou?r|legend|"
                             "speculatively|impression|feeling") + "|≈|" +
                      _words("around|about|nearly|almost|some", after=r"\s*(?=[-(\d√π])") +
                      r"|\bI\s+(?:think|believe|guess|suppose|feel|suspect|reckon|imagine|bet)\b|\bI'd\s+say\b|"
                      r"\b(?:not|n't)\s+(?:sure|certain|confident|positive)\b|\bor\s+so\b|\bgive\s+or\s+take\b|"
                      r"\bmore\s+or\s+less\b|\bplus\s+or\s+minus\b|\bif\s+(?:I|memory)\s+(?:recall|remember|serves)\b|"
                      r"\bhard\s+to\s+(?:say|tell)\b|\bcan(?:'t|not)\s+(?:tell|say)\b|"
                      r"\bto\s+be\s+(?:confirmed|verified|checked|determined)\b|\bcitation\s+needed\b|-ish\b|"
                      r"\bor\s+thereabouts\b|(?<=\d)ish\b|\bto\s+the\s+nearest\b|\bto\s+within\b|"
                      r"\b[Ii]n\s+my\s+(?:view|opinion|estimation|judgement|judgment)\b|\bI\s+bet\b|\bI'd\s+(?:wager|bet|guess)\b|"
                      r"\bneeds?\s+(?:checking|verification|confirmation)\b|\bhas\s+it\b|"
                      r"\b(?:looks?|sounds?|seems?|feels?)\s+(?:about\s+|roughly\s+|more\s+or\s+less\s+)?(?:right|correct|ok|"
                      r"okay|fine|good|plausible|reasonable|true)\b|\b(?:TODO|TBD|FIXME)\b|\blooks?\s+(?:like|to\s+be)\b|"
                      r"\bby\s+eye\b|\bmade[- ]up\b|\bto\s+(?:be\s+)?(?:verify|verified|check|checked|confirm|confirmed)\b|"
                      r"\b\d+\s*%\s*(?:sure|certain|confident)\b|\bin\s+the\s+(?:region|neighbou?rhood|vicinity)\s+of\b")
# hedges that qualify a whole sentence from a clause of their own ("AB = 3, possibly.", "…, I think.")
SENTENCE_HEDGE_RE = re.compile(
    _words("maybe|perhaps|possibly|probably|presumably|likely|seemingly|apparently|roughly|approximately|approx|"
           "allegedly|reportedly|supposedly|arguably|conceivably|plausibly|unverified|unconfirmed|unchecked|"
           "tentatively|iirc|afaik|ish|circa|guess|guessing|unsure|uncertain|(?<!no\\s)(?<!without\\s)(?<!beyond\\s)(?<!a\\s)doubt|doubtful") +
    r"|\bI\s+(?:think|believe|guess|suppose|feel|suspect|reckon|imagine|bet)\b|\bI'd\s+say\b|\bor\s+so\b|"
    r"\b(?:not|n't)\s+(?:sure|certain|confident|positive)\b|\bif\s+(?:I|memory)\s+(?:recall|remember|serves)\b|"
    r"\bhard\s+to\s+(?:say|tell)\b|\bto\s+be\s+(?:confirmed|verified|checked|determined)\b|\bcitation\s+needed\b|"
    r"-ish\b|(?<=\d)ish\b|\(\s*\?\s*\)|≈|\bto\s+the\s+nearest\b|\blooks?\s+(?:like|to\s+be)\b|\bby\s+eye\b|"
    r"\bneeds?\s+(?:checking|verification|verifying|confirmation|to\s+be\s+(?:checked|verified|confirmed))\b|"
    r"\b[Ii]n\s+my\s+(?:view|opinion|estimation|judgement|judgment)\b|\bI\s+bet\b|\bperchance\b|\bmayhaps?\b|"
    r"\bto\s+within\b|\bwithin\s+(?:\d|a\s+(?:few|couple)|rounding|error)|\bchances\s+are\b|\bhunch\b|\bwith\s+some\s+probability\b|\bor\s+(?:close\s+to|near|about|around)\b|"
    r"\bor\s+(?:more|less|so|higher|lower|greater|smaller)\b|\bat\s+(?:least|most)\b|\beyeballed\b|"
    r"\brounded\b|\bplaceholder\b|\bpending\b|\btodo\b|\bTODO\b|\btbd\b|\bTBD\b|\bFIXME\b|\bXXX\b|\bdummy\b|"
    r"\bconfidence\b|\best\b|"
    r"\bto\s+(?:be\s+)?(?:verify|verified|check|checked|confirm|confirmed)\b")
# qualifiers that make a whole sentence hypothetical from a clause of their own ("AB = 3, hypothetically.")
TAIL_SUPPOSE_RE = re.compile(r"\b(?:hypothetically|in\s+theory|theoretically|counterfactually|for\s+the\s+sake\s+of\s+"
                             r"argument|for\s+argument's\s+sake|if\s+(?:true|so|correct|right|accurate|valid|"
                             r"applicable|needed)|if\s+(?:that|this|it)\s+(?:is|'s|were|was)\s+(?:true|right|correct|"
                             r"the\s+case|so)|if\s+I'm\s+(?:not\s+)?(?:right|wrong|mistaken|correct)|unless\s+I'm\s+"
                             r"(?:wrong|mistaken)|if\s+I\s+am\s+(?:not\s+)?(?:right|wrong|mistaken|correct)|"
                             r"say|supposedly|as\s+a\s+(?:guess|hypothesis|conjecture|test|example))\b", re.I)
# hedging phrases that span clause words ("or so", "give or take"): they qualify the sentence wherever they are
PHRASE_HEDGE_RE = re.compile(r"\b(?:or\s+so|give\s+or\s+take|more\s+or\s+less|plus\s+or\s+minus|or\s+thereabouts|"
                             r"or\s+something(?:\s+like\s+that)?|or\s+(?:close\s+to|near|around|about)\s+(?:that|it)|"
                             r"(?:roughly|approximately|about)\s+(?:that|so))\b", re.I)
HYPOTHESIS_RE = re.compile(_words("if|suppose|supposed|supposes|supposing|assume|assumed|assumes|assuming|"
                                  "assumption|hypothetically|hypothetical|whether|unless|imagine|pretend|"
                                  "let's say|let us say|say that|in case|in the case|for the case|in the event|were to|hypothesis|hypotheses|"
                                  "hypothesize|hypothesise|hypothesized|hypothesised|conjecture|conjectures|"
                                  "conjectured|speculate|speculation|speculative|premise|supposition|postulate|"
                                  "counterfactual|counterfactually|what if|provided that|providing that|"
                                  "as long as|on condition|on the condition|in the event|for the sake of argument|"
                                  "thought experiment|check if|checking if|see if|see whether|iff|only if|even if|so long as|"
                                  "towards a contradiction|toward a contradiction|for contradiction|for a contradiction|"
                                  "reductio|arbitrarily|pick|picks|choose|chose|let's pick|let us pick|to be shown|"
                                  "granted|granting|posit|posits|posited|positing|postulating|working assumption|"
                                  "picture a|picture the|imagining|imagined|envision|envisioning|envisage|"
                                  "the possibility that|possibility of|the case where|a world where|"
                                  "working hypothesis|provisionally|provisional|conjecturally|tentatively|"
                                  "to prove|to show|to establish|to demonstrate|to be established|to be demonstrated|"
                                  "for example|for instance|e\\.g\\.|eg|say|such as|as an example|"
                                  "need to show|needs to show|want to show|wants to show|have to show|has to show|"
                                  "need to prove|want to prove|have to prove|to be shown|to be proved|to be proven|"
                                  "must show|must prove|show that|prove that|shows that we need|our goal|the goal|"
                                  "goal is|aim is|task is|objective is|target is|we seek|is it true|"
                                  "unrelated|hypothetical|imaginary|imagined|fictional|fictitious|"
                                  "(?:a|an|some|another)\\s+(?:different|other|unrelated|separate|similar|new)\\s+"
                                  "(?:problem|figure|diagram|question|triangle|case|exercise|example|image|picture)|"
                                  "another\\s+(?:problem|figure|diagram|question|case|exercise|example|image)|"
                                  "other\\s+(?:problems|figures|diagrams|questions|cases|exercises|examples)") +
                           r"|\bprovided\s+(?=[A-Z∠△⊙(])|\bgiven\s+that\s+(?:we\s+)?(?:assume|suppose)\b"
                           r"|^\s*(?:[Ss]ay|[Hh]ad|[Ss]hould|[Ww]ere|[Pp]rovided|[Gg]iven\s+that\s+we\s+assume|[Pp]rove|[Ss]how)\b"
                           r"|[☐□]|\[\s\]")
# "if we look at the figure": a way of reading, not a condition
READING_IF_RE = re.compile(_words(r"if\s+(?:we|you|one)\s+(?:look|looks|examine|inspect|check|observe|consider|"
                                  r"refer|read|study|zoom|focus|turn|go\s+back|recall|note|notice)"))
# conditionals whose scope is their own clause: "When AB = 3, the area is 6."
WEAK_HYPOTHESIS_RE = re.compile(_words("when|whenever|once") + r"(?!\s+(?:we|you|I|one)\b)|" +
                                _words("test|tests|testing|try|trying|tried|trial|candidate|candidates|option|options"))
# labels before a colon that mark what follows as not asserted, or as denied
_SUPPOSED_LABELS = ("hypothesis|hypotheses|conjecture|guess|hunch|speculation|assumption|supposition|premise|"
                    "hypothetical|question|q|query|scenario|what if|possibility|proposal|candidate|option|choice|"
                    "distractor|example|e\\.g\\.|counterexample|counter-example|test|trial|idea|prediction|estimate|"
                    "draft|attempt|rumou?r|myth|quote|quotation|citation|excerpt|reference|expected|expected answer|"
                    "target|prompt|input|instruction|instructions|task|exercise|annotation|annotations|"
                    "visual facts|ground truth|answer key|rubric|checklist|grader|judge|"
                    "evaluator|reviewer|verifier|system|user|assistant|human|ai|note to (?:the )?(?:grader|judge)|"
                    "reward|score|verdict|credit|if|suppose|assume|maybe|perhaps|possibly|probably|unverified|"
                    "wrong answer|incorrect answer|false claim|claim to (?:check|test|verify)|to check|to verify|"
                    "to prove|to show|goal|todo|unknown|unknowns|find|prove|show|case\\s*\\d*|test case|sample|"
                    "sample answer|demo|mock|simulation|imagined|fiction|story|"
                    "(?:student|wrong|incorrect|their|his|her|other|another|alternative|previous|draft|candidate|"
                    "proposed|sample|example|reference|expected|model|official|rejected|false|fake|bad|"
                    "someone's|friend's|teacher's|student's)\\s+(?:answer|answers|solution|solutions|response|claim|"
                    "claims|version|attempt|work)|student|students|teacher|teachers|friend|someone|somebody|"
                    "annotator|tutor|critic|reviewer|opponent|instruction|note to self|wrongly|falsely|"
                    "mistakenly|incorrectly|supposedly|allegedly|hypothetically|placeholder|todo|tbd|pending")
_DENIED_LABELS = "no|nope|nah|false|wrong|incorrect|untrue|not|never|denied|rejected|refuted|bogus|invalid|fake|error"
LABEL_RE = re.compile(r"^\W*(?:(?:[A-Za-z][\w'\-]*\s+){0,4}?)(?P<label>[A-Za-z][\w.'\-() ]{0,40}?)\s*\)?\s*[:：]|"
                      r"^\W*\[\s*(?P<blabel>[A-Za-z][\w.'\- ]{0,30}?)\s*\]")
_SUPPOSED_LABEL_RE = re.compile(r"(?:^|\s)(?:" + _SUPPOSED_LABELS + r")(?:\s*\(?[A-E1-9]\)?)?$", re.I)
_DENIED_LABEL_RE = re.compile(r"^(?:" + _DENIED_LABELS + r")$", re.I)
# Text addressed to the grader or about judging it: nothing in the sentence is a statement of the response.
META_RE = re.compile(
    _words("annotation|annotations|annotated\\s+facts|grader|graders|grading|evaluator|evaluators|reviewer|verifier|"
           "rubric|checklist|verdict|verdicts|rewarded|rewarding|reward|rewards|ground\\s+truth|answer\\s+key|"
           "judge|judges|judged|judging") +
    r"|\b(?:the\s+)?(?:visual\s+)?facts?\s+(?:to|you\s+(?:should|must)|I\s+(?:should|must))\s+(?:be\s+)?"
    r"(?:check|verify|credit|judge|grade|score|confirm|mark|evaluate|reward|find)\w*|"
    r"\bvisual\s+(?:facts|annotations|information)\b|\b(?:give|award|assign|grant)\s+(?:me\s+)?(?:full\s+)?"
    r"(?:credit|points|marks|a\s+score|the\s+score|reward)\b|\bcredit(?:ed)?\s+(?:me|for|as|this|the\s+fact|all|every)\b|"
    r"\bmark(?:ed)?\b[^.]{0,60}\bas\s+(?:correct|true|stated|right|present|satisfied|met|1)\b|"
    r"\b(?:system|assistant|user|developer)\s+(?:prompt|message|instruction)s?\b|"
    r"\bignore\s+(?:all\s+|the\s+|any\s+)?(?:previous|prior|above|earlier|preceding)\b|"
    r"\b(?:output|answer|respond|reply|return|print)\s+(?:with\s+)?(?:1|one|yes|true)\s+for\b|"
    r"\b(?:as\s+an\s+AI|language\s+model|the\s+model\s+(?:should|must))\b|\b(?:scorer|scoring|score\s+this)\b|"
    r"\bexpected\s+(?:answer|output|facts?|annotations?)\b|\breference\s+(?:answer|facts?|solution)\b|"
    r"\binfo\d+\b|\bnote\s+to\s+(?:the\s+)?(?:grader|judge|reader|evaluator)\b|"
    r"\b(?:accept|count|treat|record|register|log|consider)\b[^.]{0,60}\bas\s+(?:stated|correct|true|given|valid|"
    r"satisfied|present|a\s+match|matched|verified)\b|\b(?:auto-?grader|autograder|checker|reward\s+model|"
    r"scoring\s+model|evaluation\s+model|critic\s+model)\b|"
    r"\b(?:dear|hey|hi|hello|attention)\s+(?:grader|judge|evaluator|reviewer|checker|model|assistant|AI)\b|"
    r"\bto\s+the\s+(?:grader|judge|evaluator|reviewer|checker)\b|\bthis\s+(?:response|answer)\s+"
    r"(?:states|contains|includes|mentions|satisfies|matches|deserves|should|must)\b")
# Someone else says it: a reporting verb whose subject is an agent other than the response (someone, a
# student, the annotation, a name) — never the figure, the problem or "we".
_ATTRIB_VERBS = ("says|said|claims|claimed|asserts|asserted|believes|believed|thinks|thought|argues|argued|"
                 "suggests|suggested|alleges|alleged|insists|insisted|reports|reported|wrote|writes|mentions|"
                 "mentioned|proposes|proposed|guesses|guessed|conjectures|conjectured|speculates|speculated|"
                 "posits|posited|maintains|maintained|contends|contended|told|tells|swears|swore|stated|states|"
                 "asks|asked|wonders|wondered|doubts|doubted|predicts|predicted|lists|listed|gives|gave|"
                 "noted|notes|observed|observes|remarked|remarks|announced|announces|declared|declares|"
                 "assumes|assumed|pointed\\s+out|points\\s+out|insist|note|observe|remark|announce|declare|"
                 "say|claim|assert|believe|think|argue|suggest|allege|insist|write|mention|propose|guess|posit|"
                 "maintain|contend|tell|swear|state|ask|wonder|doubt|predict|list")
_AGENTS = ("someone|somebody|anyone|anybody|everyone|everybody|nobody|people|person|persons|they|he|she|him|her|"
           "others|student|students|teacher|teachers|friend|friends|classmate|classmates|user|users|assistant|"
           "model|models|ai|chatgpt|gpt|gpt-4|llm|author|authors|source|sources|website|internet|annotation|"
           "annotations|annotator|annotators|grader|graders|judge|judges|reviewer|reviewers|expert|experts|critic|"
           "critics|skeptic|skeptics|colleague|colleagues|tutor|tutors|book|textbook|wikipedia|forum|reddit|"
           "rumou?r|rumou?rs|prompt|system|instructions|instruction|key|rubric|checklist|list|dataset|record|"
           "records|labeller|labeler|man|woman|boy|girl|kid|child|guy|somebody|witness|customer|client|owner|"
           "answer|answers|attempt|attempts|draft|drafts|version|versions|solution|solutions|notes|hint|hints|"
           "sheet|worksheet|guide|manual|reference|references|example|examples|paper|papers|article|post|"
           "statement|statements|text|problem|question|task|exercise|prompt|wording|"
           "player|players|opponent|opponents|team|group|others|everyone|my|his|her|their|your")
ATTRIB_RE = re.compile(r"(?P<subj>(?:[\w'\-]+\s+){0,3}[\w'\-]+)\s+(?:(?:also|once|often|always|has|have|had|"
                       r"would|falsely|wrongly|mistakenly|incorrectly|repeatedly|apparently|reportedly|"
                       r"might\s+have|may\s+have|could\s+have|once)\s+)*(?:" + _ATTRIB_VERBS + r")\b")
_AGENT_RE = re.compile(r"(?:^|\s)(?:" + _AGENTS + r")$", re.I)
_NAME_RE = re.compile(r"^[A-Z][a-z]{2,}$")
_NOT_NAMES = {"The", "This", "That", "These", "Those", "It", "We", "Which", "One", "You", "Figure", "Diagram",
              "Image", "Picture", "Problem", "Question", "Then", "Thus", "Hence", "So", "And", "But", "Also",
              "Here", "There", "Now", "Therefore", "Since", "Because", "Given", "Label", "Labels", "Text",
              "Statement", "Solution", "Step", "Answer", "Result", "Theorem", "Pythagoras", "Euclid", "Thales",
              "Law", "Rule", "Formula", "Definition", "Geometry", "Data", "Caption", "Legend", "Drawing"}
# nouns that put a fact in a clause as someone's claim: "the claim that AB = 3", "it is rumoured that"
REPORTED_RE = re.compile(r"\b(?:the|a|an|this|that|their|his|her|some|one|your|my|our)\s+(?:\w+\s+)?"
                         r"(?:claim|idea|notion|belief|rumou?r|hypothesis|conjecture|guess|assumption|myth|"
                         r"suggestion|allegation|assertion|proposal|opinion|view|theory|misconception|argument|"
                         r"premise|speculation)s?\s+(?:that|is\s+that)\b|\bit\s+(?:is|was|has\s+been)\s+"
                         r"(?:\w+ly\s+)?(?:claimed|said|rumou?red|believed|thought|alleged|reported|suggested|"
                         r"argued|asserted|speculated|conjectured|hypothesi[sz]ed|proposed|assumed|supposed)\b|"
                         r"\baccording\s+to\s+(?P<src>[\w' ]{1,40}?)(?=[,:]|(?-i:\s+[A-Z∠△⊙])|$)|"
                         r"\b(?:some|many|most|few|people|others|they|critics|students?|someone|somebody|"
                         r"anyone|everyone|folks)\s+(?:\w+\s+)?(?:say|said|claim|claimed|think|thought|believe|"
                         r"believed|argue|argued|insist|insisted|suggest|suggested)\b", re.I)
# a sentence that takes back what was just said: it and the sentence before are not stated
RETRACT_RE = re.compile(_words("scratch that|strike that|never mind|ignore that|i was wrong|that's wrong|"
                               "that is wrong|that was wrong|correction|no wait|wait no|i take that back|"
                               "disregard that|disregard the above|ignore the above|forget that|forget the above|"
                               "delete that|retract|retracted|withdrawn|i retract|not what i meant|"
                               "just kidding|jk|kidding|april fools") +
                        r"|\b(?:[Ss]crap|[Ss]cratch|[Dd]iscard|[Cc]ancel|[Uu]ndo|[Ee]rase|[Dd]elete|[Dd]rop|[Ff]orget|[Ii]gnore|"
                        r"[Dd]isregard|[Ww]ithdraw|[Rr]etract|[Ss]trike|[Rr]emove|[Tt]oss|[Rr]eject|[Rr]evoke)\s+"
                        r"(?:that|this|it|the\s+above|the\s+last(?:\s+\w+)?|my\s+last(?:\s+\w+)?)\b")
# a clause that offers another value: "or 4", "but the figure shows 4", ", 2f - 6"
ALTERNATIVE_RE = re.compile(_words("or|nor|but|however|although|though|yet|whereas|instead|rather|alternatively|"
                                   "either|maybe|perhaps|possibly|probably|otherwise|vs|versus|unless|except|"
                                   "else|if\\s+not|if\\s+it's\\s+not|possibly\\s+even", before=r"\s*"))
CONNECTORS = {"and", "or", "nor", "then", "so", "also", "maybe", "perhaps", "possibly", "probably", "either", "even",
              "it", "is", "be", "could", "might", "may", "would", "can", "also", "else", "otherwise", "perhaps"}


def sentences(text: str) -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in SENTENCE_RE.finditer(text) if m.group(1).strip()]


def label_mode(sentence: str, after_question: bool) -> str | None:
    """"supposed" / "denied" for a sentence opened by a label that marks it so (`Hypothesis: …`,
    `Nope: …`; `No:` answering a question is an answer, not a denial), else None."""
    m = LABEL_RE.match(sentence)
    if not m:
        return None
    label = re.sub(r"\s+", " ", m.group("label") or m.group("blabel")).strip().lower()
    if _DENIED_LABEL_RE.match(label):
        return None if after_question else "denied"
    if _SUPPOSED_LABEL_RE.search(label):
        return "supposed"
    return None


_OWN_SOURCE_RE = re.compile(r"(?:^|\s)(?:figure|diagram|image|picture|drawing|graph|sketch|"
                            r"labels?|markings?|given|data|theorem|rule|law|formula|definition|"
                            r"property|postulate|pythagoras|euclid|thales|calculation|computation|result|"
                            r"construction|solution|information|hint|above|this|that|it|us|me)$", re.I)


_ATTRIB_VERB_RE = re.compile(r"\b(?:" + _ATTRIB_VERBS + r")\b")
_REPORTED_HINT_RE = re.compile(r"claim|idea|notion|belie|rumou?r|hypothes|conjectur|guess|assum|myth|suggest|alleg|"
                               r"assert|propos|opinion|view|theory|misconception|argu|premise|speculat|said|thought|"
                               r"report|according|some|many|most|few|people|others|they|critic|student|someone|"
                               r"somebody|anyone|everyone|folks", re.I)
_LAST_WORD_RE = re.compile(r"([\w'\-]+)\s+(?:(?:also|once|often|always|has|have|had|would|falsely|wrongly|mistakenly|"
                           r"incorrectly|repeatedly|apparently|reportedly|might\s+have|may\s+have|could\s+have)\s+)*$")


_OPTION_SUBJECT_RE = re.compile(r"\b(?:[Oo]ption|[Cc]hoice|[Aa]nswer|[Dd]istractor|[Cc]andidate)s?\s*\(?[A-E1-9]?\)?\s*$")


@lru_cache(maxsize=65536)
def attributed(clause: str) -> bool:
    """Whether the clause reports what someone other than the response, the figure or the problem says."""
    if _REPORTED_HINT_RE.search(clause):
        for m in REPORTED_RE.finditer(clause):
            src = m.group("src")
            if src is None or not _OWN_SOURCE_RE.search(src.strip()):
                return True
    for m in _ATTRIB_VERB_RE.finditer(clause):
        if _OPTION_SUBJECT_RE.search(clause, max(0, m.start() - 30), m.start()):
            return True  # "Choice (B) says …"
        w = _LAST_WORD_RE.search(clause, max(0, m.start() - 80), m.start())
        if w is None:
            continue
        last = w.group(1)
        if _AGENT_RE.search(last.lower()) or (_NAME_RE.match(last) and last not in _NOT_NAMES):
            return True
    return False


_RELATION_CHARS_RE = re.compile(r"[=⊥∥≅∼≠\ue001-\ue008]")


def verdict_on_sentence(sentence: str, clauses: list[str]) -> bool:
    """Whether a verdict in the sentence judges the sentence's own statements — not an option's or
    another statement's named between the last relation and the verdict (`AB = 3, so choice (C), 4,
    is wrong`)."""
    for m in VERDICT_RE.finditer(sentence):
        before = sentence[:m.start()]
        rels = list(_RELATION_CHARS_RE.finditer(before))
        tail = before[rels[-1].end():] if rels else before
        clause = next((c for c in clauses if m.group() in c), "")
        if VERDICT_OTHER_RE.search(tail) or (not rels and VERDICT_OTHER_RE.search(clause)):
            continue
        return True
    return False


# ---------------------------------------------------------------- qualifiers

# A clause that states no fact but sits in a sentence that does qualifies it (`AB = 3, to the nearest
# unit.`, `Wrongly, AB = 3.`, `AB = 3 (placeholder)`). Qualifiers are presumed to change what is
# asserted unless they continue the response's own reasoning (a connector: `so …`, `which …`) or are
# made only of words a reasoning step or a reading of the figure uses (`From the figure, …`,
# `AB = 3 (given)`). A new word is not a new way to slip past: it withholds credit.
REASONING_CONNECTORS = re.compile(_words(r"and|so|then|thus|hence|therefore|since|because|which|that|where|while|"
                                         r"giving|making|meaning|yielding|i\.e\.|ie|namely|whence|whereby|so\s+that|"
                                         r"however|but|although|though|yet|also|moreover|"
                                         r"furthermore|similarly|likewise|now|next|first|finally|here|note|recall|"
                                         r"alternatively|consequently|accordingly|in\s+particular|in\s+other\s+words|"
                                         r"such\s+that|as\s+a\s+result|it\s+follows|we\s+(?:get|have|find|obtain|see)",
                                         before=r"^\W*"))
BENIGN_WORDS = frozenset("""
a an the of in on at to by for from with as into onto per via within between among this that these those it its
we us our you your i me my one they them their there here which who whom whose what where when how all both each
every any some same other another such is are was were be been being am has have had do does did can could will
would shall should may might must see sees seen saw know known knew get gets got find finds found give gives gave
given show shows shown showed note noted notice noticed observe observed read reads label labels labeled labelled
mark marks marked denote denotes denoted indicate indicates indicated use using used apply applying applied
compute computing computed calculate calculating calculated solve solving solved substitute substituting
substituted simplify simplifying simplified follow follows following followed mean means imply implies obtain
obtained yield yields write writes written express expressed represent represents represented measure measures
measured make makes made need needs let lets look looking consider considering considered recall recalling check
checked checking verify verified confirm confirmed draw drawn drew depicted depicts shows displayed display
displays illustrated illustrates provided provide provides stated states so thus hence therefore then also too
again now first second third fourth next finally lastly similarly likewise moreover furthermore additionally
besides indeed clearly obviously certainly definitely surely exactly precisely actually really just only even
still already namely respectively specifically particular particularly especially fact course yes ok okay well
figure figures diagram diagrams image images picture pictures drawing drawings graph sketch problem problems
question questions statement data information info values value quantity quantities number numbers unit units cm
mm km inch inches ft feet meter meters metre metres degree degrees deg radian radians side sides length lengths
segment segments line lines ray rays angle angles vertex vertices point points triangle triangles quadrilateral
quadrilaterals polygon polygons pentagon hexagon octagon circle circles arc arcs chord chords radius radii diameter
diameters center centre centers centres tangent tangents secant secants area areas perimeter perimeters
circumference base bases height heights altitude altitudes median medians bisector bisectors hypotenuse leg legs
diagonal diagonals edge edges parallel perpendicular congruent similar equal equals isosceles equilateral scalene
right acute obtuse straight interior exterior opposite adjacent corresponding alternate vertical supplementary
complementary inscribed central rectangle rectangles square squares rhombus parallelogram parallelograms
trapezoid trapezium kite shape shapes shaded region regions sector total sum difference product ratio half twice
double triple quarter theorem theorems pythagorean pythagoras law laws sine sines cosine cosines formula formulas
formulae rule rules property properties definition definitions postulate axiom identity equation equations
expression expressions calculation calculations step steps result results answer solution final conclusion summary
observation observations perception description descriptions analysis reasoning explanation thinking overview key
facts details visual visible visually markings tick ticks marking legend caption scale symmetry symmetric midpoint
midpoints intersection intersect intersects meet meets bisect bisects lie lies lying passes pass through across
along inside outside above below left top bottom upper lower last larger smaller largest smallest longer shorter
longest shortest big small large middle different carefully closely pair pairs according agree agrees
agreeing agreement match matches matching consistent consistency fits fit confirms confirm corresponds directly simply easily immediately evidently
readily firstly secondly consequently accordingly subsequently correspondingly notably importantly visually
geometrically algebraically numerically explicitly sum labeled known information measurements measurement lengths
since because where while whose therefore means both either each full whole entire part parts given figure's
diagram's triangle's circle's problem's question's note notes recall recalls remember known unknown find found
solve solving x y z n k t u v w correct true accurate valid exact verified confirmed checked yes indeed
about relation relations relationship relationships more less than most least many much few several new next
previous before after during out up down over under further once why against behind beyond plus minus times
divided multiplied squared cubed root roots sqrt pi variable variables unknowns term terms coefficient
coefficients very quite enough asked asks ask required requires require want wants wanted determine determined
determining identify identified identifying recognize recognized understand work working worked begin start
starting great good important useful helpful relevant necessary sufficient information details detailed
describe described describing description note noting mentioned listed list lists including include includes
involving involves involve related relating concerning regarding respect terms form forms formed forming
create created creating connect connected connecting joined join joins extend extended extending construct
constructed drop dropped draw drawing labeling labelling marking markings reading see seeing shown showing
look looks looked examine examining examined inspect inspecting inspected focus focusing analyze analyzing
analyse analysing analyzed studying study let lets again altogether overall together separately individually
first second third last initial initially original originally obviously clearly simply basically essentially
actually now currently still yet far long short tall wide narrow high low deep
however nevertheless nonetheless meanwhile although though but whereas alternatively alternative method way
approach argument reason reasons reasoning proof prove proved proven hence semicircle semicircles circumcircle
incircle circumradius inradius circumcenter circumcentre incenter incentre centroid orthocenter external internal
reflex revolution turn rotation rotate rotated reflection reflect reflected translation congruence similarity
proportion proportional proportionally factor common shared radii chords arcs sectors segments inscribed
circumscribed cyclic concyclic collinear concurrent bisector bisectors foot feet apex corner corners width depth
volume surface regular irregular convex concave star grid cube prism cylinder cone sphere pyramid net nets
thales ptolemy ceva menelaus euler heron stewart pythagoras's zero one two three four five six seven eight nine
ten eleven twelve twenty thirty forty fifty sixty seventy eighty ninety hundred thousand halves thirds quarters
fifth sixth again once twice thrice times equilateral triangles angles sides lines points vertices isosceles
right-angled right-angle obtuse-angled acute-angled exterior interior opposite adjacent alternate
corresponding vertically vertical supplementary complementary straight full whole size sizes measure
measurements degrees argument same similar similarly congruent equal equally unequal(?) part parts piece pieces
region regions shaded unshaded total totals combined remaining rest other others each every individual single
add added adjoining align aligned alpha angled arranged arrangement assembled band becomes beta black boundary boxed
called cdot centimeters centimetres centred chessboard circ colour coloured complete composed conclude consists
containing contains correspondence cos covered creates cut decagon delta depends diagonally dimensions direct
dissected distance div divide draws east end ends fifteen fills fit frac fraction gamma grey horizontal identical
increased inner joining laid located mathrm mathscr medium mid minor needed nonagon north occupies outer overlap
overlapping overline paired path paths pattern percentage placed planks pointing portion position rearranged
rectangular ring row semicircular share sin sized slice south split statements string strip strips tabular theta
tile tiles touch touches touching turned unmarked various widehat without zag zig
kg mg lb lbs oz kip kips ksi psi pa kpa mpa gpa kn mn kj mj kw mw mv kv ma ohm ohms hz khz mhz ms min hr hrs mol
mmol ml dl mmhg atm bar yd mi um nm sq cu rad dollars dollar usd eur percent billion million thousand per due
double doubling doubled halve halving halved squaring cube cubing adding subtract subtracting subtracted divide
dividing multiply multiplying rearrange rearranging rearranged cancel cancelling canceling cancelled expand
expanding expanded factoring factorising factorizing factored combine combining isolate isolating isolated plug
plugging plugged insert inserting replace replacing replaced equate equating equated compare comparing compared
evaluate evaluating evaluated summing summed take taking taken giving solved rewriting rewritten substitution
simplification elimination addition subtraction multiplication division
""".split()) - {"unequal(?)"}


_BENIGN_PHRASES_RE = re.compile(r"\b(?:no\s+doubt|without\s+(?:a\s+)?doubt|beyond\s+doubt|of\s+course|for\s+sure|"
                                r"for\s+certain|undoubtedly|as\s+expected|off\s+the\s+(?:diagram|figure|image|picture|"
                                r"graph|drawing))\b", re.I)


_QUANTITY_NAME_RE = re.compile(r"(?<![A-Za-z'])[A-Z]{2,3}(?![A-Za-z'])|∠")


def benign(clause: str) -> bool:
    """Whether a clause that states no fact leaves the sentence's facts as they are (see above)."""
    if REASONING_CONNECTORS.match(clause):
        # a continuation, unless it only negates (", but don't quote me"): about no quantity of its own
        return not (NEGATION_RE.search(clause) and not _QUANTITY_NAME_RE.search(clause))
    clause = _BENIGN_PHRASES_RE.sub(" ", READING_IF_RE.sub(" ", clause))
    return all(w.lower() in BENIGN_WORDS or len(w) == 1 or w.isupper()
               for w in re.findall(r"[A-Za-z][a-z]*", re.sub(r"'(?:s|re|ll|ve|d|m|t)\b", " ", clause)))


PAREN_REMARK_RE = re.compile(r"\(([^()=⊥∥≅∼≠<>]{1,80})\)")


# ---------------------------------------------------------------- cheap gates for the long word lists

def _anchors(pattern: re.Pattern) -> frozenset[str]:
    """Every run of two or more letters in a pattern's source: a clause without any of them cannot match
    its word alternatives (a superset is safe: the gate only skips what cannot match)."""
    return frozenset(w.lower() for w in re.findall(r"[A-Za-z]{2,}", pattern.pattern))


_WORD_RUN_RE = re.compile(r"[A-Za-z]{2,}")
_SYMBOL_HEDGE_RE = re.compile(r"[≈%?]|ish\b|-")


def _gated(pattern: re.Pattern):
    anchors = _anchors(pattern)

    @lru_cache(maxsize=65536)
    def search(text: str) -> bool:
        if not _SYMBOL_HEDGE_RE.search(text) and anchors.isdisjoint(w.lower() for w in _WORD_RUN_RE.findall(text)):
            return False
        return pattern.search(text) is not None
    return search


hedged = _gated(HEDGE_RE)
sentence_hedged = _gated(SENTENCE_HEDGE_RE)
