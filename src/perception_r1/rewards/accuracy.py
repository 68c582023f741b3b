"""Accuracy reward r_a (Perception-R1, arXiv 2506.07218, §3, the r_a term of eq. 1: 1 when the answer is
equivalent to the ground truth) and THE one definition of "correct", used by the reward, annotation
filtering and evaluation.

`answer.extract_answer` takes the `\\boxed{}` content of `<answer>` (else the last `\\boxed{}`
anywhere); `equivalence.same_answer` compares it with the ground truth (math-verify; for multiple choice
the right letter or the right choice's text). Here: the memo, where each check runs (inline in a main
thread, where math-verify's signal timeouts work; else, and for whole batches, in `mathpool`), and what
a check that could not be decided gives. A **timeout is not a wrong answer**: the reward is `None`
(TRL leaves it out of the total, as for a missing r_v), counted in `STATS.timeouts` and logged; a pool
that cannot run a check (start-up failure, dead worker) falls back to an inline check in a main
thread, else gives `None`, counted in `STATS.failures` — never a 0 for a right answer.
Approximations count only to math-verify's precision (6 decimals): `31.4159` is not `10\\pi`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from .answer import boxed_contents, extract_answer
from .equivalence import same_answer
from .mathpool import FAILED, POOL, TIMEOUT
from .memo import Memo

log = logging.getLogger("perception_r1.rewards")

DEFAULT_TIMEOUT = 5  # seconds per math-verify parse / comparison (it takes whole seconds)
MEMO = Memo(65536)
_UNKNOWN = object()  # not in the memo (None there means "could not be decided")


@dataclass
class AccuracyStats:
    """Counters since import (process-wide): `timeouts` ran out of time, `failures` found no process to
    run in; both gave no reward (`None`)."""

    checks: int = 0
    cache_hits: int = 0
    timeouts: int = 0
    failures: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


STATS = AccuracyStats()


def _key(pred: str, gold: str, choices: Sequence[str] | None) -> tuple:
    return (pred, str(gold), tuple(str(c) for c in choices) if choices else None)


def _inline(key: tuple, timeout: int) -> bool | str:
    """A check in this (main) thread, bounded by math-verify's own signal timeouts."""
    from math_verify.errors import TimeoutException

    try:
        return same_answer(*key, timeout)
    except TimeoutException:
        return TIMEOUT


def _decide(keys: list[tuple], timeout: int) -> dict[tuple, bool | None]:
    """Each un-memoised key → True / False / None (undecided), counted, logged and memoised (a timeout
    too: a pathological answer a policy repeats must not cost the limit again; a failure is not)."""
    main = threading.current_thread() is threading.main_thread()
    raw = {k: _inline(k, timeout) for k in keys} if main and len(keys) == 1 else POOL.checks(keys, timeout)
    if main:
        raw.update({k: _inline(k, timeout) for k, v in raw.items() if v == FAILED})
    out: dict[tuple, bool | None] = {}
    n_timeout = n_failed = 0
    for k, v in raw.items():
        if v == TIMEOUT:
            n_timeout += 1
            MEMO.put(k, None)
        elif v == FAILED:
            n_failed += 1
        else:
            MEMO.put(k, bool(v))
        out[k] = v if isinstance(v, bool) else None
    STATS.timeouts += n_timeout
    STATS.failures += n_failed
    if n_timeout or n_failed:
        log.warning("accuracy: %d answer check(s) timed out (limit %d s) and %d found no math-verify process; "
                    "they get no reward (None), not 0 (first: %r)", n_timeout, timeout, n_failed,
                    next(k for k, v in out.items() if v is None)[0][:80])
    return out


def _lookup(keys: Sequence[tuple | None], timeout: int) -> list[bool | None]:
    """Memo first, then one `_decide` round for the distinct rest; a None key (nothing to check) → False."""
    known: dict[tuple, bool | None] = {}
    todo = []
    for k in dict.fromkeys(k for k in keys if k is not None):
        hit = MEMO.get(k, default=_UNKNOWN)
        if hit is _UNKNOWN:
            todo.append(k)
        else:
            STATS.cache_hits += 1
            known[k] = hit
    if todo:
        known.update(_decide(todo, timeout))
    STATS.checks += sum(k is not None for k in keys)
    return [known[k] if k is not None else False for k in keys]


def check_answer(pred: str | None, gold: str, choices: Sequence[str] | None = None,
                 timeout: int = DEFAULT_TIMEOUT) -> bool | None:
    """True / False as `is_correct`, or None when it could not be decided (timeout, no process)."""
    if pred is None or not str(pred).strip():
        return False
    return _lookup([_key(str(pred), str(gold), choices)], timeout)[0]


def is_correct(pred: str | None, gold: str, choices: Sequence[str] | None = None,
               timeout: int = DEFAULT_TIMEOUT) -> bool:
    """True when `pred` is mathematically equivalent to `gold` (math-verify), or — with `choices` —
    names the right choice by letter or by text. An answer that could not be checked in time is not
    shown correct: False here (counted in STATS; the reward gives None). Identical inputs are memoised."""
    return check_answer(pred, gold, choices, timeout) is True


def accuracy_reward(response: str, answer: str, choices: Sequence[str] | None = None,
                    timeout: int = DEFAULT_TIMEOUT) -> float | None:
    """r_a: 1.0 if the extracted answer is correct, 0.0 if not (also when nothing is boxed), None if it
    could not be decided."""
    return accuracy_batch([response], [answer], [choices], timeout)[0]


def accuracy_batch(responses: Sequence[str], answers: Sequence[str],
                   choices_list: Sequence[Sequence[str] | None] | None = None,
                   timeout: int = DEFAULT_TIMEOUT) -> list[float | None]:
    """r_a for a batch: distinct un-memoised (pred, gold, choices) run concurrently in the process pool
    (a GRPO group usually repeats answers, so few go out); 1.0 / 0.0 / None as `accuracy_reward`."""
    if len(answers) != len(responses):
        raise ValueError(f"{len(responses)} responses but {len(answers)} answers")
    choices_list = choices_list if choices_list is not None else [None] * len(responses)
    keys = []
    for resp, gold, choices in zip(responses, answers, choices_list):
        pred = extract_answer(resp)
        keys.append(_key(pred, str(gold), choices) if pred and pred.strip() else None)
    return [None if v is None else float(v) for v in _lookup(keys, timeout)]


def start_pool(wait: bool = False) -> None:
    """Start the math-verify workers, in the background unless `wait` (`mathpool.MathPool.start`)."""
    POOL.start(wait)


def shutdown_pool() -> None:
    """Stop the math-verify workers now (they are started again by the next batch)."""
    POOL.close()


__all__ = ["AccuracyStats", "DEFAULT_TIMEOUT", "STATS", "accuracy_batch", "accuracy_reward", "boxed_contents",
           "check_answer", "extract_answer", "is_correct", "shutdown_pool", "start_pool"]
