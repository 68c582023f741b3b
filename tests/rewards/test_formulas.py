"""Hand-computed pins for r_f, r_p and r_v (the reward of Perception-R1, arXiv 2506.07218; docs/architecture.md)."""

import pytest

from perception_r1.judges.base import JudgeError
from perception_r1.rewards.format import format_reward
from perception_r1.rewards.perception import perception_reward
from perception_r1.rewards.repetition import repetition_penalty

GOOD = "<think>\nAB = 3, so x = 6.\n</think>\n<answer>\nThe answer is \\boxed{6}.\n</answer>"


@pytest.mark.parametrize("response,expected", [
    (GOOD, 1.0),
    ("<think>\nmulti\nline\nreasoning\n</think>\n<answer>\n\\boxed{\\frac{1}{2}}\n</answer>", 1.0),
    (GOOD + "\n", 0.0),                                      # trailing text: fullmatch fails
    ("Sure! " + GOOD, 0.0),                                   # leading text
    (GOOD.replace("\\boxed{6}", "6"), 0.0),                   # no boxed answer
    (GOOD.replace("<think>\n", "<think>"), 0.0),              # missing newline after <think>
    (GOOD.replace("</answer>", ""), 0.0),                     # unclosed answer
    ("<answer>\n\\boxed{6}\n</answer>", 0.0),                 # no think block
    # The degenerate text a GRPO run drifted to: nested answer tags around the box.
    ("<think>\nx\n</think>\n<answer>\n<answer>\n<answer>\n\\boxed{22 = 2666}\n</answer>", 0.0),
    (GOOD.replace("<answer>\n", "<answer>\n<answer>\n"), 0.0),   # an answer tag nested in the answer
    (GOOD + "\n<answer>\n\\boxed{6}\n</answer>", 0.0),      # a second answer block
    (GOOD.replace("</think>\n", "</think>\n<think>\nmore\n</think>\n"), 0.0),  # two think blocks
    (GOOD.replace("AB = 3", "AB = 3 <think>"), 0.0),          # a tag inside the reasoning
    (GOOD.replace("</answer>", "</answer>\n</answer>"), 0.0),  # a repeated closing tag
    (GOOD.replace("\\boxed{6}", "\\boxed{}"), 0.0),           # an empty box
    (GOOD.replace("\\boxed{6}", "\\boxed{ }"), 0.0),          # a box of spaces
    (GOOD.replace("\\boxed{6}", "\\boxed{ 6 }"), 1.0),        # spaces around a value are fine
    (GOOD.replace("\\boxed{6}", "\\boxed{B}"), 1.0),          # a choice letter
    (GOOD.replace("\\boxed{6}", "\\boxed{}\\boxed{6}"), 1.0),  # an empty box beside a full one
])
def test_format_reward(response, expected):
    assert format_reward(response) == expected


def test_format_pattern_configurable():
    assert format_reward("ANSWER: 6", pattern=r"ANSWER: \d+") == 1.0
    assert format_reward(GOOD, pattern=r"ANSWER: \d+") == 0.0


def test_repetition_crafted_text_default_n():
    # 20 distinct words written twice = 40 words -> 21 windows of 20 words; the window starting at
    # word 20 equals the one at word 0, every other is new -> 20 unique of 21.
    words = [f"w{i}" for i in range(20)]
    text = " ".join(words + [w.upper() for w in words])       # case is folded
    assert repetition_penalty(text) == pytest.approx(-2.0 * (1 - 20 / 21))
    assert repetition_penalty(text) == pytest.approx(-0.0952381, abs=1e-6)


@pytest.mark.parametrize("text,n,p,expected", [
    ("a b c a b c a b", 3, -2.0, -1.0),                     # 6 trigrams, 3 unique -> -2 * 0.5
    ("a b c a b c a b", 3, -1.0, -0.5),
    ("a a a a", 2, -2.0, -2.0 * (1 - 1 / 3)),                # 3 bigrams, all 'a a'
    ("one two three", 4, -2.0, 0.0),                          # fewer than n words
    (" ".join(f"w{i}" for i in range(19)), 20, -2.0, 0.0),    # 19 words < 20
    (" ".join(f"w{i}" for i in range(50)), 20, -2.0, 0.0),    # no repeats
])
def test_repetition_table(text, n, p, expected):
    assert repetition_penalty(text, n=n, max_penalty=p) == pytest.approx(expected)


@pytest.mark.parametrize("verdicts,m,expected", [
    ([1, 0, 1, 1], 4, 0.75),
    ([0, 0], 2, 0.0),
    ([1], 1, 1.0),
    (None, 3, None),     # failed judgment under the skip policy
    ([], 0, None),       # record without annotations
    (None, 0, None),
])
def test_perception_reward(verdicts, m, expected):
    assert perception_reward(verdicts, m) == expected


@pytest.mark.parametrize("verdicts,m", [([1, 1], 3), ([1, 0, 1], 2), ([1, 2], 2)])
def test_perception_reward_rejects_bad_verdicts(verdicts, m):
    with pytest.raises(JudgeError):
        perception_reward(verdicts, m)
