"""Throughput of the symbolic judge on distinct ~150-word responses with 4 annotations each.
Prints responses/s (target >= 200 on the 2-core dev machine); asserts only the verdicts, never time."""

import random
import time

from perception_r1.judges.symbolic import SymbolicJudge

FILLER = ("we look at the figure carefully and use the given information about the diagram to find the "
          "unknown value step by step while checking each relation").split()


def make_case(i: int, rng: random.Random) -> tuple[str, list[str]]:
    ab, bc, ang, k = rng.randint(2, 40), rng.randint(2, 40), rng.choice([30, 45, 60, 90, 120]), rng.randint(2, 9)
    annotations = [f"AB = {ab}", f"m\\angle ABC = {ang}^\\circ", f"JK = {k}f - 6", "JKLM is a parallelogram"]
    facts = [f"From the diagram, $\\overline{{AB}} = {ab}$ and $BC = {bc}$.",
             f"The angle $m\\angle CBA = {ang}^{{\\circ}}$ is marked.",
             f"Since JKLM is a parallelogram, JK = LM, so JK is {k}f - 6 and LM = {bc} - f.",
             f"Solving {k}f - 6 = {bc} - f gives f = \\frac{{{bc + 6}}}{{{k + 1}}}."]
    words = []
    for fact in facts:
        words += rng.sample(FILLER, 24) + [fact]
    response = "<think>\n" + " ".join(words) + f"\n</think>\n<answer>\n\\boxed{{{ab}}}\n</answer>"
    return response, annotations


def test_symbolic_throughput():
    rng = random.Random(0)
    cases = [make_case(i, rng) for i in range(400)]
    judge = SymbolicJudge()
    judge.judge(*make_case(-1, rng))  # starts the judge's worker process (not timed)
    start = time.perf_counter()
    verdicts = judge.judge_batch(cases)
    elapsed = time.perf_counter() - start
    n_words = sum(len(r.split()) for r, _ in cases) / len(cases)
    print(f"\nsymbolic judge: {len(cases) / elapsed:.0f} responses/s "
          f"({len(cases)} distinct responses, ~{n_words:.0f} words, 4 annotations each)")
    assert verdicts == [[1, 1, 1, 1]] * len(cases)
