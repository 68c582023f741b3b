"""Pins for the one definition of "correct" (math-verify + multiple choice) and answer extraction."""

import threading

import pytest

from perception_r1.rewards import accuracy
from perception_r1.rewards.accuracy import accuracy_batch, accuracy_reward, extract_answer, is_correct
from perception_r1.rewards.numeric import numeric_value

CHOICES_DEG = ["$10^{\\circ}$", "$15^{\\circ}$", "$20^{\\circ}$", "$25^{\\circ}$"]
CHOICES_G3K = ["5", "5 \\sqrt { 2 }", "5 \\sqrt { 3 }", "10"]


@pytest.mark.parametrize("response,expected", [
    ("<think>\nx\n</think>\n<answer>\n\\boxed{\\frac{1}{2}}\n</answer>", "\\frac{1}{2}"),  # balanced braces
    ("<answer>\\boxed{1} then \\boxed{ {2}+3 }</answer>", "{2}+3"),          # last boxed inside <answer>
    ("\\boxed{7} <answer>\\boxed{8}</answer> \\boxed{9}", "8"),              # <answer> wins over later boxes
    ("<think>\\boxed{4}</think><answer>no box</answer> and \\boxed{5}", "5"), # fallback: last boxed anywhere
    ("<answer>6</answer>", None),                                          # missing boxed
    ("\\boxed{unclosed", None),
    ("\\fbox{3}", "3"),
])
def test_extract_answer(response, expected):
    assert extract_answer(response) == expected


@pytest.mark.parametrize("pred,gold,choices,expected", [
    ("0.5", "\\frac{1}{2}", None, True),
    ("\\frac{1}{2}", "0.5", None, True),
    ("\\sqrt{18}", "3\\sqrt{2}", None, True),
    ("60^\\circ", "60", None, True),
    ("60", "60^{\\circ}", None, True),
    ("\\dfrac{4}{5}", "0.8", None, True),
    ("x = 3", "3", None, True),
    ("12\\text{ cm}", "12", None, True),
    # Decision (docs/rewards.md): approximations count only to math-verify's 6 decimals.
    ("31.4159", "10\\pi", None, False),
    ("31.41592653589793", "10\\pi", None, True),
    ("3", "4", None, False),
    ("\\frac{1}{3}", "0.5", None, False),
    ("", "3", None, False),
    (None, "3", None, False),
    # multiple choice: letter or the right choice's text
    ("B", "B", CHOICES_DEG, True),
    ("(B)", "B", CHOICES_DEG, True),
    ("\\text{B}", "B", CHOICES_DEG, True),
    ("B. $15^{\\circ}$", "B", CHOICES_DEG, True),
    ("b", "B", CHOICES_DEG, True),
    ("15^\\circ", "B", CHOICES_DEG, True),
    ("15", "B", CHOICES_DEG, True),
    ("C", "B", CHOICES_DEG, False),
    ("20", "B", CHOICES_DEG, False),
    ("E", "B", CHOICES_DEG, False),                  # out of range letter, not a choice
    ("5\\sqrt{2}", "B", CHOICES_G3K, True),
    ("\\sqrt{50}", "B", CHOICES_G3K, True),
    ("5\\sqrt{3}", "B", CHOICES_G3K, False),
    ("B", "5\\sqrt{2}", CHOICES_G3K, True),          # gold given as the choice text
    ("A", "5\\sqrt{2}", CHOICES_G3K, False),
    ("Impossible to determine", "E", ["1", "2", "3", "4", "Impossible to determine"], True),
])
def test_is_correct(pred, gold, choices, expected):
    assert is_correct(pred, gold, choices) is expected


@pytest.mark.parametrize("response,answer,expected", [
    ("<think>\n.\n</think>\n<answer>\n\\boxed{0.5}\n</answer>", "\\frac{1}{2}", 1.0),
    ("<think>\n.\n</think>\n<answer>\n\\boxed{0.6}\n</answer>", "\\frac{1}{2}", 0.0),
    ("<answer>0.5</answer>", "0.5", 0.0),   # missing boxed -> 0
])
def test_accuracy_reward(response, answer, expected):
    assert accuracy_reward(response, answer) == expected


def test_memoised():
    before = accuracy.STATS.cache_hits
    assert is_correct("\\sqrt{8}", "2\\sqrt{2}")
    assert is_correct("\\sqrt{8}", "2\\sqrt{2}")
    assert accuracy.STATS.cache_hits == before + 1


def test_batch_in_pool_and_from_thread():
    """One pool round trip covers batch scoring, duplicate answers, and a call from a worker thread
    (where math-verify's signal timeout cannot run inline)."""
    responses = [f"<answer>\\boxed{{{p}}}</answer>" for p in ["0.25", "\\frac{1}{4}", "0.3", "1/4"]] + ["none"]
    answers = ["\\frac{1}{4}"] * 4 + ["1"]
    assert accuracy_batch(responses, answers) == [1.0, 1.0, 0.0, 1.0, 0.0]
    assert accuracy_batch(["<answer>\\boxed{B}</answer>", "\\boxed{15}"], ["B", "B"],
                          [CHOICES_DEG, CHOICES_DEG]) == [1.0, 1.0]
    out = []
    t = threading.Thread(target=lambda: out.append(is_correct("\\sqrt{27}", "3\\sqrt{3}")))
    t.start()
    t.join(60)
    assert out == [True]


def test_batch_length_mismatch():
    with pytest.raises(ValueError):
        accuracy_batch(["a"], [])


def test_letter_needs_separator():
    assert is_correct("A = 20", "B", CHOICES_DEG) is False
    assert is_correct("Option B", "B", CHOICES_DEG) is True


PATHOLOGICAL = "2^{2^{2^{2^{2^{2}}}}}"


def test_timeout_inline_counts_and_returns_false():
    before = accuracy.STATS.timeouts
    assert is_correct(PATHOLOGICAL, "3", timeout=1) is False
    assert accuracy.STATS.timeouts == before + 1


def test_timeout_in_pool_counts_and_returns_zero():
    before = accuracy.STATS.timeouts
    out = accuracy_batch([f"\\boxed{{{PATHOLOGICAL}}}", "\\boxed{3}"], ["4", "3"], timeout=1)
    assert out == [0.0, 1.0]
    assert accuracy.STATS.timeouts == before + 1


@pytest.mark.parametrize("latex,value", [
    ("12", 12.0), ("-0.5", -0.5), ("\\frac{3}{4}", 0.75), ("3/4", 0.75), ("60^\\circ", 60.0),
    ("5 \\sqrt { 2 }", 5 * 2 ** 0.5), ("10\\pi", 31.41592653589793), ("\\frac{\\sqrt{3}}{2}", 3 ** 0.5 / 2),
    ("x", None), ("3x", None), ("1/0", None), ("9^{9^{9}}", None), ("\\sqrt{-1}", None), ("1,000", None),
])
def test_numeric_value(latex, value):
    got = numeric_value(latex)
    assert got == pytest.approx(value) if value is not None else got is None


def test_numeric_shortcut_agrees_with_math_verify():
    """The shortcut only ever says 'different' for constants far apart; math-verify must agree on
    every pair it decided (one definition of correct)."""
    import random

    from math_verify import parse, verify

    rng = random.Random(0)
    forms = [lambda: str(rng.randint(1, 60)), lambda: f"\\frac{{{rng.randint(1, 9)}}}{{{rng.randint(2, 9)}}}",
             lambda: f"{rng.randint(1, 9)}\\sqrt{{{rng.choice([2, 3, 5])}}}", lambda: f"{rng.randint(1, 9)}\\pi",
             lambda: str(rng.randint(1, 400) / 8)]
    decided = 0
    for _ in range(60):
        pred, gold = rng.choice(forms)(), rng.choice(forms)()
        a, b = numeric_value(pred), numeric_value(gold)
        if abs(a - b) > 1e-4 * max(1.0, abs(a), abs(b)):
            decided += 1
            assert not verify(parse(f"${gold}$"), parse(f"${pred}$")), (pred, gold)
    assert decided > 40
