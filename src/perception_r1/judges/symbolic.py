"""The `symbolic` judge: a deterministic, offline verdict for mathematical visual facts.

For each annotation (`AB = 3`, `m∠ABC = 90°`, `JK = 3f − 6`, `AB ⊥ CD`, `JKLM is a parallelogram`, or
a paper-style sentence that `canonical` reads) it decides whether the response states the same fact
(Perception-R1 §3, the o_j of r_v = Σ o_j / m), tolerant of notation (facts.py), of reversed names
(`BA` = `AB`, `∠CBA` = `∠ABC`), of swapped sides and of algebraic rewriting: two equations state the
same fact when `lhs₁ − rhs₁ = c·(lhs₂ − rhs₂)` for a constant c ≠ 0 (so `8 + 2f` = `2f + 8`,
`2AB = 6` = `AB = 3`, but `6 − 3f` ≠ `3f − 6`), and of the shape hierarchy (a rhombus is a
parallelogram and a quadrilateral; never the reverse).

A fact is credited only when the response asserts it consistently (consistency.py): not negated,
questioned, supposed or hedged, not hidden from a reader, and not drowned in incompatible
alternatives — several values for one quantity, `∥` and `⊥` for one pair, a shape of two exclusive
kinds, many centres, angles of a triangle that do not sum to 180°. It credits nothing it cannot parse
(`can_parse`).

Bounds: a response is read up to `max_chars` characters; the parser refuses sides past a size,
depth, degree or number of digits (expressions.py) and sympy never expands a power; and each
response is judged in a worker process with a deadline (`timeout`), so nothing can stall a GRPO step.
A timed-out response is a failure under the judge's failure policy (`on_error`), never a silent 0.
"""

from __future__ import annotations

import time
from functools import lru_cache
from typing import Any

from .base import Judge
from .consistency import Index
from .deadline import DeadlineExceeded, DeadlineWorker, OverBudget, WorkerFailed, budget
from .facts import annotation_facts, response_facts

MAX_CHARS = 65536


@lru_cache(maxsize=4096)
def _index(response: str, max_descriptions: int) -> Index:
    return Index(response_facts(response), max_descriptions)


def verdicts(response: str, annotations: tuple[str, ...], max_descriptions: int,
             seconds: float | None = None) -> list[int | None]:
    """1/0 per annotation the judge can parse, None for the others (runs in the worker, reading for
    at most `seconds`: OverBudget past them)."""
    with budget(seconds):
        return _verdicts(response, annotations, max_descriptions)


def _verdicts(response: str, annotations: tuple[str, ...], max_descriptions: int) -> list[int | None]:
    index = None
    out: list[int | None] = []
    for ann in annotations:
        facts = annotation_facts(ann)
        if facts is None:
            out.append(None)
            continue
        if index is None:
            index = _index(response, max_descriptions)
        out.append(int(all(index.states(f) for f in facts)))
    return out


_WORKER = DeadlineWorker("perception_r1.judges.symbolic:verdicts")


class SymbolicJudge(Judge):
    """Offline judge for mathematical facts; see the module docstring.

    Args:
        on_error: failure policy for a response that ran past `timeout` ("raise" or "skip").
        max_descriptions: an entity given more different descriptions than this earns no shape.
        timeout: seconds of reading per response, in the worker process (killed 0.5 s later if it
            overruns); None judges in this process, unbounded.
        max_chars: characters of a response that are read.
    """

    name = "symbolic"

    def __init__(self, on_error: str = "raise", max_descriptions: int = 3, timeout: float | None = 0.8,
                 max_chars: int = MAX_CHARS):
        super().__init__(on_error)
        self.max_descriptions = max_descriptions
        self.timeout = timeout
        self.max_chars = max_chars
        self.stats.extra.update(annotations=0, unparseable=0, timeouts=0)

    @staticmethod
    def can_parse(annotation: str) -> bool:
        """Whether this judge understands the annotation (the hybrid judge sends the rest to an LLM)."""
        return annotation_facts(annotation) is not None

    def judge_parsed(self, response: str, annotations: list[str]) -> list[int | None] | None:
        """1/0 per annotation this judge can parse, None for the others; None for the whole item
        when judging it failed (past the deadline) under the skip policy."""
        if not annotations:
            return []
        start = time.perf_counter()
        args = (response[:self.max_chars], tuple(annotations), self.max_descriptions, self.timeout)
        self.stats.requests += 1
        self.stats.extra["annotations"] += len(annotations)
        try:
            out = verdicts(*args) if self.timeout is None else _WORKER.call(args, self.timeout)
        except (DeadlineExceeded, OverBudget) as e:
            self.stats.extra["timeouts"] += 1
            return self._failed(f"response of {len(response)} characters: {e}")
        except WorkerFailed as e:
            return self._failed(f"response of {len(response)} characters: {e}")
        finally:
            self.stats.latency_total += time.perf_counter() - start
        self.stats.extra["unparseable"] += sum(v is None for v in out)
        return out

    async def ajudge_batch(self, items: list[tuple[str, list[str]]],
                           images: list[Any] | None = None) -> list[list[int] | None]:
        """Verdicts for each (response, annotations); an unparseable annotation gets 0 (not credited);
        a failed item is None (skip policy)."""
        out = []
        for resp, anns in items:
            parsed = self.judge_parsed(resp, list(anns))
            out.append(None if parsed is None else [0 if v is None else v for v in parsed])
        return out
