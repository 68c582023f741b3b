"""Issue 16: the released code's own labelled examples — the three worked examples of the judge prompt
in tongxiao2002/Perception-R1 (verl/utils/reward_score/math_with_visual.py; fixture with its source
and commit) — read by the symbolic judge: share parsed and agreement with the authors' verdicts."""

import json
from pathlib import Path

from perception_r1.judges.canonical import canonical
from perception_r1.judges.symbolic import SymbolicJudge

FIXTURE = Path(__file__).parents[1] / "fixtures" / "release_judge_examples" / "examples.json"


def test_release_examples_parsed_and_agreeing():
    data = json.loads(FIXTURE.read_text())
    assert data["source"]["repo"] == "tongxiao2002/Perception-R1"
    judge = SymbolicJudge(timeout=None)
    parsed = agree = total = 0
    for ex in data["examples"]:
        verdicts = judge.judge_parsed(ex["response"], ex["annotations"])
        for v, authors in zip(verdicts, ex["verdicts"], strict=True):
            total += 1
            parsed += v is not None
            agree += v == authors
    print(f"\nrelease examples: {parsed}/{total} parsed, {agree}/{total} agree with the authors")
    assert total == 12
    assert parsed >= 11 and agree >= 11


def test_canonical_spellings_of_paper_phrasings():
    assert canonical("Length of side $JK$ is given as $3f - 6$.") == "JK = 3f - 6"
    assert canonical("Length of opposite side $ML$ is given as $2f + 8$.") == "ML = 2f + 8"
    assert canonical("Angle ABD and Angle CDB are alternate interior angles.") == \
        "∠ABD and ∠CDB are alternate interior angles"
    assert canonical("B lies on AC") == "B lies on AC"
    assert canonical("M lies on \\odot K") == "M lies on ⊙K"
    assert canonical("The figure is pretty.") is None
    # a canonical spelling reads back as the same facts
    judge = SymbolicJudge(timeout=None)
    for text in ["$\\overline{JK}$ is $3f - 6$", "AB and CD are opposite sides",
                 "The sum of the interior angles is 360 degrees.", "m\\widehat{AB} = 80"]:
        c = canonical(text)
        assert c is not None, text
        assert judge.judge(c, [text]) == [1], (text, c)


def test_hardening_applies_to_canonicalised_facts():
    judge = SymbolicJudge(timeout=None)
    ann = "Length of side $JK$ is given as $3f - 6$."
    assert judge.judge("JK is given as 3f - 6.", [ann]) == [1]
    for hack in ["JK is not given as 3f - 6.", "Is JK given as 3f - 6?", "If JK is given as 3f - 6, then f = 2.",
                 "JK is given as 3f - 6 or 3f - 7.", "JK is given as 3f - 6 = 6 - 3f.",
                 "Maybe JK is given as 3f - 6.", "% JK is given as 3f - 6"]:
        assert judge.judge(hack, [ann]) == [0], hack
    alt = "Angle ABD and Angle CDB are alternate interior angles."
    assert judge.judge("∠ABD and ∠CDB are alternate interior angles.", [alt]) == [1]
    assert judge.judge("∠ABD and ∠CDB are not alternate interior angles.", [alt]) == [0]
    assert judge.judge("Are ∠ABD and ∠CDB alternate interior angles?", [alt]) == [0]


PAPER_STYLE = Path(__file__).parents[1] / "fixtures" / "paper_style" / "records.jsonl"


def test_paper_style_set_share_parsed():
    """Our paper-style set (written from Geometry3K problems and MATH-Vision solutions): the share the
    canonicaliser reads is what the hybrid judge saves; the rest are descriptions only an LLM judges."""
    from perception_r1.judges.canonical import report

    records = [json.loads(line) for line in PAPER_STYLE.read_text().splitlines() if line.strip()]
    annotations = [a for r in records for a in r["visual_annotations"]]
    rep = report(annotations)
    fully = sum(all(canonical(a) for a in r["visual_annotations"]) for r in records)
    print(f"\npaper-style set: {rep['parsed']}/{rep['annotations']} annotations parsed; "
          f"{fully}/{len(records)} records fully parsed (no LLM request for their responses)")
    assert rep["annotations"] >= 100
    assert rep["parsed"] >= 100
