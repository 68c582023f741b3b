"""Issue 12.1: no response of at most 64 KB takes the symbolic judge more than 2 s, whatever its
shape; what it cannot read in time is a counted failure under the failure policy, never a hang
and never a silent 0. Measured here per response, in the judge's own worker with its deadline."""

import itertools
import random
import string
import time

import pytest

from perception_r1.judges.base import JudgeError
from perception_r1.judges.symbolic import SymbolicJudge

ANNOTATIONS = ["AB = 3", "m\\angle ABC = 90^\\circ", "JKLM is a parallelogram", "O is the center of the circle",
               "JK = 3f - 6"]
PAIRS = ["".join(p) for p in itertools.combinations(string.ascii_uppercase, 2)]


def fill(unit: str, size: int = 65536) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def garbage(seed: int) -> str:
    rng = random.Random(seed)
    pieces = ["AB", "=", "3", "^", "{64}", "(", ")", "\\frac{", "}{", "}", "\\sqrt", "x", "/", " is ", " a ", "∠",
              "⊥", ".", ",", " or ", " not ", "?", "\n", "%", "\\iffalse", "\\fi", "\u200b", "9" * 50]
    return "".join(rng.choice(pieces) for _ in range(30000))[:65536]


PATHOLOGICAL = {
    "tower": "AB = ((((9^{64})^{64})^{64})^{64})^{64}",
    "tower_flat": "AB = 9^9^9^9^9",
    "polynomial_tower": "AB = ((AB+1)^{64})^{64}",
    "nested_polynomial": "AB = ((((AB+1)^{8}+1)^{8}+1)^{8}+1)^{8}",
    "many_symbols_power": "AB = (AB+BC+CD+DE+EF+FG+GH+HI)^{6}",
    "chain_1.6KB": " = ".join(PAIRS[:400])[:1600],
    "chain_64KB": fill(" = ".join(PAIRS) + " = "),
    "a_is_b_28KB": fill("A is b ", 28 * 1024),
    "a_is_b_64KB": fill("A is b "),
    "huge_number": "AB = 3, AB = 1" + "0" * 60000,
    "huge_root": "AB = \\sqrt{" + "9" * 5000 + "}",
    "nested_fractions": "AB = " + "\\frac{1}{" * 3000 + "2" + "}" * 3000,
    "nested_parentheses": "AB = " + "(" * 20000 + "1" + ")" * 20000,
    "repeated_facts_64KB": fill("AB = 3, BC = 4, ∠ABC = 90°, JKLM is a parallelogram. "),
    "repeated_values_64KB": fill("AB = 1, AB = 2, AB = 3.5, x = 7, "),
    "power_products_64KB": fill("AB = 2^{64}*3^{64}*5^{64}*7^{64} "),
    "implicit_products_64KB": fill("a b c d e f g h i j k "),
    "centre_lists_64KB": fill("A, B, C, D and O are each the center of the circle. "),
    "garbage_1": garbage(1),
    "garbage_2": garbage(2),
}
LIMIT_S = 2.0


@pytest.mark.slow
def test_pathological_responses_are_bounded_and_never_credited():
    judge = SymbolicJudge(on_error="skip")
    assert judge.judge("AB = 3", ANNOTATIONS) == [1, 0, 0, 0, 0]  # starts the worker (not timed)
    times = {}
    for name, response in PATHOLOGICAL.items():
        assert len(response.encode()) <= 65536 + 4096, name
        start = time.perf_counter()
        verdicts = judge.judge(response, ANNOTATIONS)
        times[name] = time.perf_counter() - start
        # None: counted as a failure (below); otherwise nothing bogus is credited (repeating true
        # facts states them: the repetition penalty, not the judge, answers that)
        assert verdicts is None or verdicts[0] == int(name == "repeated_facts_64KB"), (name, verdicts)
    print("\nsymbolic judge, seconds per pathological response: " +
          ", ".join(f"{k} {v:.2f}" for k, v in times.items()))
    slow = {k: round(v, 2) for k, v in times.items() if v > LIMIT_S}
    assert not slow, slow
    assert judge.stats.failures == judge.stats.extra["timeouts"]  # every failure is a counted timeout
    assert judge.judge("AB = 3 and ∠ABC = 90°", ANNOTATIONS) == [1, 1, 0, 0, 0]  # the worker recovers


def test_a_timeout_is_a_counted_failure_never_a_zero():
    response = fill("AB = 3, BC = 4, JK = 2f - 1, x = 5. ") + "!"
    skip = SymbolicJudge(on_error="skip", timeout=0.001)
    assert skip.judge(response, ANNOTATIONS) is None
    assert skip.stats.failures == 1 and skip.stats.extra["timeouts"] == 1
    with pytest.raises(JudgeError, match="symbolic judge: response of"):
        SymbolicJudge(on_error="raise", timeout=0.001).judge(response + "?", ANNOTATIONS)


def test_past_max_chars_is_not_read():
    judge = SymbolicJudge(timeout=None, max_chars=100)
    assert judge.judge("x" * 100 + " AB = 3", ["AB = 3"]) == [0]
    assert judge.judge("AB = 3. " + "x" * 100, ["AB = 3"]) == [1]
