"""Accuracy reward r_a (Perception-R1 §3, DESIGN.md §1) and THE one definition of "correct".

`extract_answer` takes the `\\boxed{}` content of `<answer>` (else the last `\\boxed{}` anywhere);
`is_correct` compares it with the ground truth using `math-verify` (`parse` + `verify`), and for
multiple choice accepts the right letter or the right choice's text. The same function scores the
reward, filters distilled trajectories (annotate) and scores evaluation.

Time limits: math-verify bounds each parse/compare with `signal.alarm`, which only works in a main
thread. Inline calls from the main thread use it directly; calls from other threads, and whole
batches (`accuracy_batch`), run in a persistent spawn-started process pool (the worker's main thread
has signals), with a wall-clock backstop that turns a hung item into 0.0 and a counted timeout.
Approximations count only to math-verify's precision (6 decimals): `31.4159` is not `10\\pi`.
"""

from __future__ import annotations

import atexit
import concurrent.futures as cf
import multiprocessing
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from .numeric import numeric_value

DEFAULT_TIMEOUT = 5  # seconds per math-verify parse / comparison (it takes whole seconds)
_MEMO_SIZE = 65536


@dataclass
class AccuracyStats:
    """Counters since import (process-wide); `timeouts` are items scored 0.0 for running out of time."""

    checks: int = 0
    cache_hits: int = 0
    timeouts: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


STATS = AccuracyStats()

# ---------------------------------------------------------------- extraction

_ANSWER_RE = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)
_BOXED_RE = re.compile(r"\\(?:boxed|fbox)\s*\{")


def boxed_contents(text: str) -> list[str]:
    """Contents of every `\\boxed{…}` in order, with balanced braces (`\\boxed{\\frac{1}{2}}`)."""
    out = []
    for m in _BOXED_RE.finditer(text):
        depth, i = 1, m.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        if depth == 0:
            out.append(text[m.end():i - 1].strip())
    return out


def extract_answer(response: str) -> str | None:
    """The last `\\boxed{}` inside the last `<answer>…</answer>`, else the last `\\boxed{}` in the
    response, else None."""
    blocks = _ANSWER_RE.findall(response)
    for source in ([blocks[-1]] if blocks else []) + [response]:
        boxed = boxed_contents(source)
        if boxed:
            return boxed[-1]
    return None


# ---------------------------------------------------------------- comparison

_WRAPPER_RE = re.compile(r"\\(?:text|textbf|mathrm|mathbf|textrm)\s*\{([^{}]*)\}")
# `B`, `(B)`, `B.`, `B) 12`, `Option B: 12`; a bare letter needs a separator after it (`A = 3` is not A).
_LETTER_RE = re.compile(r"^(?:(?:option|choice|answer)[\s:]*)?(?:\(([A-Z])\)|([A-Z])(?:[.:)]|$))", re.IGNORECASE)


def _strip_math(s: str) -> str:
    s = s.strip()
    while len(s) >= 2 and s[0] == "$" and s[-1] == "$":
        s = s[1:-1].strip()
    return _WRAPPER_RE.sub(r"\1", s).strip()


def _norm_text(s: str) -> str:
    return " ".join(_strip_math(s).casefold().split())


def _letter(s: str, n_choices: int) -> int | None:
    """Index of a choice letter answer (`B`, `(B)`, `B.`, `B) 12`, `\\text{B}`), else None."""
    s = _strip_math(s)
    m = _LETTER_RE.match(s)
    if not m:
        return None
    letter = m.group(1) or m.group(2)
    idx = ord(letter.upper()) - ord("A")
    return idx if idx < n_choices else None


def _math_equal(pred: str, gold: str, timeout: int | None) -> bool:
    """math-verify equivalence of two answer strings; raises math-verify's TimeoutException."""
    pred, gold = _strip_math(pred), _strip_math(gold)
    if not pred or not gold:
        return False
    if _norm_text(pred) == _norm_text(gold):
        return True
    # Constant answers (most of them) skip math-verify's ~10 ms when they are far apart: values that
    # differ by much more than its 6-decimal rounding cannot be equal to it. Close values, and
    # everything symbolic, go to math-verify.
    a, b = numeric_value(pred), numeric_value(gold)
    if a is not None and b is not None and abs(a - b) > 1e-4 * max(1.0, abs(a), abs(b)):
        return False
    from math_verify import ExprExtractionConfig, LatexExtractionConfig, parse, verify

    cfg = [LatexExtractionConfig(), ExprExtractionConfig()]
    g = parse(f"${gold}$", extraction_config=cfg, parsing_timeout=timeout, raise_on_error=True)
    p = parse(f"${pred}$", extraction_config=cfg, parsing_timeout=timeout, raise_on_error=True)
    if not g or not p:
        return False
    return bool(verify(g, p, timeout_seconds=timeout, raise_on_error=True))


def _check(pred: str, gold: str, choices: tuple[str, ...] | None, timeout: int | None) -> bool:
    """The comparison itself (no memo, no pool). Other math-verify errors count as not equal."""
    from math_verify.errors import TimeoutException

    try:
        if choices:
            gold_idx = _letter(gold, len(choices))
            if gold_idx is None:  # gold given as the choice text
                gold_idx = next((i for i, c in enumerate(choices) if _math_equal(c, gold, timeout)), None)
            pred_idx = _letter(pred, len(choices))
            if pred_idx is not None and gold_idx is not None:
                return pred_idx == gold_idx
            if gold_idx is not None and _math_equal(pred, choices[gold_idx], timeout):
                return True
            return _letter(gold, len(choices)) is None and _math_equal(pred, gold, timeout)
        return _math_equal(pred, gold, timeout)
    except TimeoutException:
        raise
    except Exception:  # noqa: BLE001 — math-verify on garbage input: not equal, never a crash mid-batch
        return False


# ---------------------------------------------------------------- memo

_MEMO: OrderedDict[tuple, bool] = OrderedDict()
_MEMO_LOCK = threading.Lock()


def _key(pred: str, gold: str, choices: Sequence[str] | None) -> tuple:
    return (pred, str(gold), tuple(str(c) for c in choices) if choices else None)


def _memo_get(key: tuple) -> bool | None:
    with _MEMO_LOCK:
        hit = _MEMO.get(key)
        if hit is not None:
            _MEMO.move_to_end(key)
            STATS.cache_hits += 1
        return hit


def _memo_put(key: tuple, value: bool) -> None:
    with _MEMO_LOCK:
        _MEMO[key] = value
        if len(_MEMO) > _MEMO_SIZE:
            _MEMO.popitem(last=False)


# ---------------------------------------------------------------- process pool

_POOL: cf.ProcessPoolExecutor | None = None
_POOL_WORKERS = 1
_POOL_LOCK = threading.Lock()


def _worker_init() -> None:
    import math_verify  # noqa: F401 — pay sympy's import once per worker, not on the first item


def _worker_check(key: tuple, timeout: int) -> bool | None:
    """Runs in a pool worker's main thread, where math-verify's signal timeouts work; None = timed out."""
    from math_verify.errors import TimeoutException

    try:
        return _check(*key, timeout)
    except TimeoutException:
        return None


def _pool() -> cf.ProcessPoolExecutor:
    """The persistent pool, created on first use. Spawn (not fork): safe after CUDA/threads in the
    parent; workers import only this module and math-verify (never torch). Size: env
    PERCEPTION_R1_MATH_WORKERS, default min(4, CPUs)."""
    global _POOL, _POOL_WORKERS
    with _POOL_LOCK:
        if _POOL is None:
            _POOL_WORKERS = max(1, int(os.environ.get("PERCEPTION_R1_MATH_WORKERS", min(4, os.cpu_count() or 1))))
            _POOL = cf.ProcessPoolExecutor(max_workers=_POOL_WORKERS, mp_context=multiprocessing.get_context("spawn"),
                                           initializer=_worker_init)
            atexit.register(_close_pool)
        return _POOL


def start_pool() -> None:
    """Start the pool's workers now, in the background (they take seconds to import sympy), so
    the first batch does not wait: the TRL adapter calls this while the model is still loading."""
    pool = _pool()
    for _ in range(_POOL_WORKERS):
        pool.submit(_worker_init)


def _close_pool() -> None:
    """At exit, stop the workers while the interpreter is still whole (avoids teardown noise)."""
    global _POOL
    with _POOL_LOCK:
        pool, _POOL = _POOL, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def shutdown_pool() -> None:
    """Stop the pool's workers now (it is recreated on the next batch)."""
    global _POOL
    with _POOL_LOCK:
        pool, _POOL = _POOL, None
    if pool is not None:
        # A worker stuck in uninterruptible C code would block a plain shutdown: terminate it.
        for proc in list(getattr(pool, "_processes", {}).values()):
            proc.terminate()
        pool.shutdown(wait=False, cancel_futures=True)


def _pool_checks(keys: list[tuple], timeout: int) -> dict[tuple, bool]:
    """Check distinct keys in the pool; a key that times out (in the worker, or past the wall-clock
    backstop) maps to False and is counted. Timeouts are memoised too: a pathological answer that a
    policy repeats must not cost the time limit again on every sample."""
    pool = _pool()
    futures = {pool.submit(_worker_check, k, timeout): k for k in keys}
    # An item makes up to 3 bounded math-verify calls per comparison, and up to 2 + (number of
    # choices) comparisons; queueing behind other items adds rounds of that.
    per_item = 3 * timeout * (2 + max(len(k[2] or ()) for k in keys))
    backstop = per_item * (len(keys) // _POOL_WORKERS + 1) + 30
    done, pending = cf.wait(futures, timeout=backstop)
    out: dict[tuple, bool] = {}
    for fut in done:
        k = futures[fut]
        try:
            res = fut.result()
        except cf.process.BrokenProcessPool:
            res = None
        if res is None:
            STATS.timeouts += 1
        out[k] = bool(res)
        _memo_put(k, bool(res))
    if pending:
        STATS.timeouts += len(pending)
        for f in pending:
            out[futures[f]] = False
            _memo_put(futures[f], False)
        shutdown_pool()
    elif any(isinstance(f.exception(), cf.process.BrokenProcessPool) for f in done):
        shutdown_pool()
    return out


# ---------------------------------------------------------------- public API

def is_correct(pred: str | None, gold: str, choices: Sequence[str] | None = None,
               timeout: int = DEFAULT_TIMEOUT) -> bool:
    """True when `pred` is mathematically equivalent to `gold` (math-verify), or — with `choices` —
    names the right choice by letter or by text. Bounded by `timeout` seconds per math-verify call;
    a timeout counts in STATS and returns False. Identical (pred, gold, choices) are memoised."""
    if pred is None or not str(pred).strip():
        return False
    STATS.checks += 1
    key = _key(str(pred), str(gold), choices)
    hit = _memo_get(key)
    if hit is not None:
        return hit
    if threading.current_thread() is not threading.main_thread():
        return _pool_checks([key], timeout)[key]
    from math_verify.errors import TimeoutException

    try:
        res = _check(*key, timeout)
    except TimeoutException:
        STATS.timeouts += 1
        res = False
    _memo_put(key, res)
    return res


def accuracy_reward(response: str, answer: str, choices: Sequence[str] | None = None) -> float:
    """r_a: 1.0 if the extracted answer is correct, else 0.0 (0.0 also when nothing is boxed)."""
    return 1.0 if is_correct(extract_answer(response), answer, choices) else 0.0


def accuracy_batch(responses: Sequence[str], answers: Sequence[str],
                   choices_list: Sequence[Sequence[str] | None] | None = None,
                   timeout: int = DEFAULT_TIMEOUT) -> list[float]:
    """r_a for a batch: distinct un-memoised (pred, gold) pairs run concurrently in the persistent
    process pool (a GRPO group of 8 usually repeats answers, so few go out)."""
    if len(answers) != len(responses):
        raise ValueError(f"{len(responses)} responses but {len(answers)} answers")
    choices_list = choices_list if choices_list is not None else [None] * len(responses)
    keys: list[tuple | None] = []
    for resp, gold, choices in zip(responses, answers, choices_list):
        pred = extract_answer(resp)
        keys.append(_key(pred, str(gold), choices) if pred else None)
    STATS.checks += sum(k is not None for k in keys)
    results: dict[tuple, bool] = {}
    todo = []
    for k in dict.fromkeys(k for k in keys if k is not None):
        hit = _memo_get(k)
        if hit is None:
            todo.append(k)
        else:
            results[k] = hit
    if todo:
        results.update(_pool_checks(todo, timeout))
    return [1.0 if k is not None and results[k] else 0.0 for k in keys]
