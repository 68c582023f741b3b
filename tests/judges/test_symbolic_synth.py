"""Cross-check on the synthetic world (exact facts): a record's own teacher CoT earns every annotation,
another record's CoT earns almost none (only facts the two happen to share, e.g. `O is the center`)."""

from perception_r1.data.synth import generate
from perception_r1.judges.symbolic import SymbolicJudge


def test_own_cot_earns_all_and_foreign_cot_almost_none():
    records = generate(140, seed=0)
    judge = SymbolicJudge()
    assert all(judge.can_parse(a) for r in records for a in r.visual_annotations)
    own = judge.judge_batch([(r.cot, r.visual_annotations) for r in records])
    assert own == [[1] * len(r.visual_annotations) for r in records]
    foreign = judge.judge_batch([(records[(i + 7) % len(records)].cot, r.visual_annotations)
                                 for i, r in enumerate(records)])
    credited = [a for r, v in zip(records, foreign) for a, x in zip(r.visual_annotations, v) if x]
    total = sum(len(r.visual_annotations) for r in records)
    assert len([a for a in credited if "center" not in a]) <= 0.03 * total
