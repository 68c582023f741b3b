"""Pins for the one definition of "correct" (math-verify + multiple choice) and answer extraction; a
check that cannot be decided (timeout, no process to run it) gives no reward, never 0."""

import os
import subprocess
import sys
import threading

import pytest

from perception_r1.rewards import accuracy
from perception_r1.rewards.accuracy import (accuracy_batch, accuracy_reward, check_answer, extract_answer,
                                            is_correct)
from perception_r1.rewards.equivalence import unicode_to_latex
from perception_r1.rewards.memo import Memo
from perception_r1.rewards.numeric import numeric_value

CHOICES_DEG = ["$10^{\\circ}$", "$15^{\\circ}$", "$20^{\\circ}$", "$25^{\\circ}$"]
CHOICES_G3K = ["5", "5 \\sqrt { 2 }", "5 \\sqrt { 3 }", "10"]
CHOICES_UNICODE = ["5", "5√2", "5√3", "10"]


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
    # Unicode choices as the docs show them (docs/rewards.md)
    ("B", "5\\sqrt{2}", CHOICES_UNICODE, True),
    ("A", "5\\sqrt{2}", CHOICES_UNICODE, False),
    ("5\\sqrt{2}", "B", CHOICES_UNICODE, True),
    ("5√2", "B", CHOICES_UNICODE, True),
    ("5√3", "B", CHOICES_UNICODE, False),
    ("B", "15°", ["10°", "15°", "20°", "25°"], True),
    ("15", "B", ["10°", "15°", "20°", "25°"], True),
    ("2π", "2\\pi", None, True),
    ("√(9+16)", "5", None, True),
    ("−3", "-3", None, True),
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


@pytest.mark.parametrize("text,latex", [
    ("5√2", "5\\sqrt{2}"), ("√x", "\\sqrt{x}"), ("√(a+(b))", "\\sqrt{a+(b)}"), ("15°", "15^\\circ"),
    ("2π", "2\\pi"), ("x²", "x^2"), ("3×4", "3\\times 4"), ("−1", "-1"), ("12", "12"),
])
def test_unicode_to_latex(text, latex):
    assert unicode_to_latex(text) == latex


def test_memo_is_lru():
    m = Memo(2)
    m.put("a", 1)
    m.put("b", None)
    assert m.get("a") == 1  # "b" is now the oldest
    m.put("c", 3)
    assert m.get("b", default="gone") == "gone" and m.get("c") == 3 and len(m) == 2


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


def test_timeout_inline_is_undecided_counted_and_logged(caplog):
    before = accuracy.STATS.timeouts
    assert check_answer(PATHOLOGICAL, "3", timeout=1) is None
    assert accuracy.STATS.timeouts == before + 1
    assert "timed out" in caplog.text
    assert is_correct(PATHOLOGICAL, "3", timeout=1) is False  # memoised: not shown correct, no second wait
    assert accuracy.STATS.timeouts == before + 1
    assert accuracy_reward(f"\\boxed{{{PATHOLOGICAL}}}", "3", timeout=1) is None


def test_timeout_in_pool_gives_no_reward():
    before = accuracy.STATS.timeouts
    out = accuracy_batch([f"\\boxed{{{PATHOLOGICAL}}}", "\\boxed{3}"], ["4", "3"], timeout=1)
    assert out == [None, 1.0]
    assert accuracy.STATS.timeouts == before + 1


def _broken_pool(monkeypatch):
    def refuse():
        raise OSError("no processes left")

    monkeypatch.setattr(accuracy.POOL, "_get", refuse)
    # A check memoised by an earlier test never reaches the pool; a fresh memo makes every check go there.
    monkeypatch.setattr(accuracy, "MEMO", Memo(64))


def test_pool_that_cannot_start_checks_inline_in_the_main_thread(monkeypatch):
    _broken_pool(monkeypatch)
    before = accuracy.STATS.failures
    assert accuracy_batch(["\\boxed{\\frac{2}{8}}", "\\boxed{7}"], ["0.25", "8"]) == [1.0, 0.0]
    assert accuracy.STATS.failures == before


def test_pool_that_cannot_start_gives_no_reward_off_the_main_thread(monkeypatch, caplog):
    _broken_pool(monkeypatch)
    before = accuracy.STATS.failures
    out = []
    t = threading.Thread(target=lambda: out.append(accuracy_batch(["\\boxed{0.125}", "\\boxed{9}"],
                                                                   ["\\frac{1}{8}", "10"])))
    t.start()
    t.join(60)
    assert out == [[None, None]] and accuracy.STATS.failures == before + 2
    assert "found no math-verify process" in caplog.text
    monkeypatch.undo()
    assert accuracy_batch(["\\boxed{0.125}"], ["\\frac{1}{8}"]) == [1.0]  # a failure is not memoised


GUARDLESS = """
from perception_r1.rewards import verl
print("top level ran")
print("accuracy:", verl.compute_score("geo", "<think>\\nAB = 3\\n</think>\\n<answer>\\n\\\\boxed{6}\\n</answer>",
                                      "6", {"visual_annotations": ["AB = 3"]})["accuracy"])
print("batch:", verl.compute_score_batched(["geo"] * 2, ["\\\\boxed{6}", "\\\\boxed{0.5}"], ["6", "\\\\frac{1}{2}"]))
"""


@pytest.mark.slow
def test_script_without_main_guard_scores_right(tmp_path):
    """A user's script file without `if __name__ == "__main__":` (the pool's workers must not re-run it)."""
    script = tmp_path / "score.py"
    script.write_text(GUARDLESS)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p), "PERCEPTION_R1_MATH_WORKERS": "2"}
    run = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                         timeout=180)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.count("top level ran") == 1, run.stdout
    assert "accuracy: 1.0" in run.stdout, run.stdout + run.stderr[-2000:]
    assert run.stdout.split("batch:")[1].count("'accuracy': 1.0") == 2
    assert "Traceback" not in run.stderr and "bootstrapping" not in run.stderr


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
