"""`perception-r1 score --data D --responses R --out O`: score responses offline with every reward.

One JSON line per response, in input order: `id`, `format`, `accuracy`, `perception`, `repetition`,
`total`, `judgments` (0/1 per annotation, or null). Responses are scored in chunks and each chunk is
appended to O as soon as it is done; judge verdicts live in an on-disk cache, so an interrupted run
loses nothing paid for (`--resume` continues after the lines already in O). A non-empty O is refused
without `--resume` or `--overwrite`, and O is never one of the inputs. Every input problem (a bad
record or response, a missing file, an unreadable cache, a bad flag) is found before the first request
and ends in one line and exit 2; so does a judge that fails under `--on-judge-error raise`, with the
lines already scored kept. Example:

    perception-r1 score --data data/synth --responses responses.jsonl --out scores.jsonl \\
        --judge openai --judge-url http://localhost:8000/v1 --judge-model Qwen/Qwen2.5-32B-Instruct-AWQ
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import json
import os
import sys
import time
from collections import deque
from pathlib import Path
from typing import Any

from .judge_args import DEFAULT_CACHE, add_judge_arguments, judge_from_args

# Chunks whose judgments are in flight at once (a sliding window, not a barrier: chunk k + CHUNKS_AHEAD
# is handed to the judge as soon as chunk k is written). More responses queued than the judge serves
# at a time keep its server busy while finished chunks are combined and written; the bound keeps
# memory flat on a large file.
CHUNKS_AHEAD = 8


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..rewards.composite import RewardConfig

    parser.add_argument("--data", required=True,
                        help="dataset (folder with data.jsonl, .jsonl, .parquet, datasets folder)")
    parser.add_argument("--responses", required=True, help="JSONL with `id` and `response` (several per id allowed)")
    parser.add_argument("--out", required=True, help="output JSONL, one line per response in input order")
    add_judge_arguments(parser, on_error="raise", cache=DEFAULT_CACHE)
    d = RewardConfig()
    w = parser.add_argument_group("reward weights (defaults: the released run)")
    w.add_argument("--alpha", type=float, default=d.alpha, help="format weight (default: %(default)s)")
    w.add_argument("--beta", type=float, default=d.beta, help="accuracy weight (default: %(default)s)")
    w.add_argument("--gamma", type=float, default=d.gamma, help="perception weight (default: %(default)s)")
    w.add_argument("--ngram", type=int, default=d.ngram, help="repetition penalty n-gram size (default: %(default)s)")
    w.add_argument("--max-penalty", type=float, default=d.max_penalty,
                   help="repetition penalty at full repetition (default: %(default)s)")
    parser.add_argument("--chunk-size", type=int, default=256,
                        help="responses per chunk written to --out (default: %(default)s)")
    parser.add_argument("--resume", action="store_true", help="keep the lines already in --out and score the rest")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace a non-empty --out (without it, or --resume, finished work is never replaced)")


def load_inputs(data: str, responses: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(responses, the record row of each); an id missing from the dataset is a RecordError. The
    loaders apply the data contract (`validate`'s checks, unique ids, UTF-8 with the line number)."""
    from ..data import RecordError, load_records, read_responses

    by_id = {rec.id: rec.to_dict() for rec in load_records(data)}
    resp = read_responses(responses)
    for n, r in enumerate(resp, 1):
        if r["id"] not in by_id:
            raise RecordError(r["id"], "id", f"{responses}: response {n} names an id that is not in {data}")
    return resp, [by_id[r["id"]] for r in resp]


def resume_point(out: Path, resp: list[dict[str, Any]]) -> int:
    """How many leading responses O already holds (their ids must match the input order)."""
    if not out.exists():
        return 0
    n = 0
    with open(out, "rb") as f:
        for n, raw in enumerate((line for line in f if line.strip()), 1):
            try:
                line = json.loads(raw.decode("utf-8"))
            except ValueError:
                raise ValueError(f"{out}: line {n} is not a JSON line of scores (drop --resume to start over, "
                                 "with --overwrite)") from None
            if n > len(resp):
                raise ValueError(f"{out}: more lines than the {len(resp)} responses (drop --resume to start over)")
            got = line.get("id") if isinstance(line, dict) else None
            if str(got) != resp[n - 1]["id"]:
                raise ValueError(f"{out}: line {n} has id {got!r} but response {n} is {resp[n - 1]['id']!r}; "
                                 "it was written for other inputs (drop --resume to start over)")
    return n


def check_arguments(args: argparse.Namespace, out: Path) -> None:
    """The flags' values and the output path, before anything is read or asked."""
    from .errors import refuse_overwrite

    if args.chunk_size < 1:
        raise ValueError(f"--chunk-size must be at least 1, got {args.chunk_size}")
    if out.is_dir():
        raise ValueError(f"--out {out} is a folder; score writes one JSONL file")
    # An input is never an output, and finished work is kept.
    refuse_overwrite(out, args.overwrite, inputs=(args.data, args.responses), resume=args.resume)
    parent = next((p for p in (out.parent, *out.parent.parents) if p.exists()), Path("."))
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise ValueError(f"--out {out}: cannot write under {parent}")


def run(args: argparse.Namespace) -> int:
    """Score; a bad input raises (the CLI's error boundary prints one line and exits 2)."""
    from ..rewards.composite import REWARDS, RewardConfig

    t0 = time.perf_counter()
    out = Path(args.out)
    check_arguments(args, out)
    resp, rows = load_inputs(args.data, args.responses)
    start = resume_point(out, resp) if args.resume else 0
    judge = judge_from_args(args)
    config = RewardConfig(alpha=args.alpha, beta=args.beta, gamma=args.gamma, ngram=args.ngram,
                          max_penalty=args.max_penalty)
    components = (*REWARDS, "total")
    sums = {c: [0.0, 0] for c in components}
    missing = {"perception": 0, "accuracy": 0}
    out.parent.mkdir(parents=True, exist_ok=True)
    scored = _scored_chunks(resp, rows, start, args.chunk_size, judge, config)  # the judge starts now
    from tqdm import tqdm

    from ..rewards import accuracy as acc

    f = None  # opened (and, without --resume, truncated) only once the first chunk is scored
    try:
        with tqdm(total=len(resp), initial=start, unit="resp", desc="score", file=sys.stderr) as bar:
            for lo, hi, breakdowns in scored:
                f = f or open(out, "a" if start else "w", encoding="utf-8")
                for r, row, b in zip(resp[lo:hi], rows[lo:hi], breakdowns):
                    line = {"id": r["id"], **{c: getattr(b, c) for c in components}, "judgments": b.judgments}
                    f.write(json.dumps(line) + "\n")
                    for c in components:
                        if line[c] is not None:
                            sums[c][0] += line[c]
                            sums[c][1] += 1
                    missing["perception"] += b.perception is None and bool(row.get("visual_annotations"))
                    missing["accuracy"] += b.accuracy is None
                f.flush()
                bar.update(hi - lo)
    except _ChunkError as e:
        from ..judges import JudgeError

        lo, hi = e.span
        ids = resp[lo]["id"] if hi - lo == 1 else f"{resp[lo]['id']} … {resp[hi - 1]['id']}"
        raise JudgeError(f"responses {lo + 1}-{hi} (ids {ids}): {e.error}; the {lo} line(s) scored before them "
                         f"are kept in {out}: fix the judge or use --on-judge-error skip, then rerun with "
                         "--resume") from e.error
    finally:
        if f is not None:
            f.close()
        # The math-verify check running in the thread ends first (unless interrupted): a pool stopped
        # under it would be restarted by it, and its warnings printed after our one line.
        interrupted = isinstance(sys.exc_info()[1], KeyboardInterrupt)
        scored.close(wait=not interrupted)
        acc.shutdown_pool()  # now, not in the interpreter's exit (which joins the idle workers: ~1 s)
        if not interrupted:
            _close_judge(judge)
    print(_summary(len(resp) - start, sums, missing, judge, acc.STATS.timeouts, time.perf_counter() - t0, out))
    return 0


def _close_judge(judge) -> None:
    """Close a network judge's connections on its own loop (the interpreter's exit otherwise tears
    down ~100 open sockets and their pools: ~0.1 s)."""
    aclose = getattr(judge, "aclose", None)
    if aclose is not None and getattr(judge, "background", False):
        try:
            judge.submit(aclose()).result(timeout=5)
        except Exception:  # noqa: BLE001 — closing is best effort; the work is written
            pass


class _ChunkError(Exception):
    def __init__(self, span: tuple[int, int], error: Exception):
        super().__init__(str(error))
        self.span, self.error = span, error


class _Scored:
    """The breakdowns of (lo, hi) chunk after chunk, in input order, as an iterator. The judge starts
    on construction; the next `CHUNKS_AHEAD` chunks' judgments are in flight on the judge's loop, and
    their math-verify checks queued in a thread, while a finished chunk is combined and written: the
    judge never waits for the writer. math-verify starts once the judge has its first reply
    (`judge_head_start`). A judge error stops the rest (cancelling what is in flight)."""

    def __init__(self, resp, rows, start: int, size: int, judge, config):
        from ..rewards.composite import ajudge_rows

        self.rows, self.judge, self.config = rows, judge, config
        self.texts = [r["response"] for r in resp]
        self.spans = deque((lo, min(lo + size, len(resp))) for lo in range(start, len(resp), size))
        self.flight: deque = deque()  # [lo, hi, accuracy future or None, judged future or None]
        self.ex = cf.ThreadPoolExecutor(1)
        self._ajudge_rows = ajudge_rows
        # A judge that works on the caller's thread (symbolic) gives no head start to wait for: its
        # chunks' math-verify is queued first, to run while it judges.
        self._accuracy_started = not config.use_accuracy or not getattr(judge, "background", False)
        self._fill()

    def _fill(self) -> None:
        while self.spans and len(self.flight) < CHUNKS_AHEAD:
            lo, hi = self.spans.popleft()
            chunk = [lo, hi, None, None]
            self.flight.append(chunk)
            if self._accuracy_started:
                self._accuracy(chunk)
            if self.config.use_perception:
                chunk[3] = self.judge.submit(self._ajudge_rows(self.texts[lo:hi], self.rows[lo:hi], self.judge))

    def _accuracy(self, chunk: list) -> None:
        from ..rewards.composite import start_accuracy

        lo, hi = chunk[0], chunk[1]
        if chunk[2] is None and self.config.use_accuracy:
            chunk[2] = start_accuracy(self.ex, self.texts[lo:hi], self.rows[lo:hi], self.config)

    def _start_accuracy(self) -> None:
        """Once the judge has its first reply (`judge_head_start`), every chunk's math-verify."""
        from ..rewards.composite import judge_head_start

        judge_head_start(self.judge, [j for _, _, _, j in self.flight])
        self._accuracy_started = True
        for chunk in self.flight:
            self._accuracy(chunk)

    def __iter__(self):
        return self

    def __next__(self):
        from ..judges import JudgeError
        from ..rewards.composite import combine

        if not self.flight:
            raise StopIteration
        if not self._accuracy_started:
            self._start_accuracy()
        lo, hi, accuracy, judged = self.flight.popleft()
        try:
            judgments = judged.result() if judged is not None else None
        except JudgeError as e:
            raise _ChunkError((lo, hi), e) from e
        breakdowns = combine(self.texts[lo:hi], accuracy.result() if accuracy else None, judgments, self.config)
        self._fill()
        return lo, hi, breakdowns

    def close(self, wait: bool = True) -> None:
        """Cancel what is in flight and stop the math-verify thread (after its running check, if `wait`)."""
        for _, _, accuracy, judged in self.flight:
            for fut in (accuracy, judged):
                if fut is not None:
                    fut.cancel()
        self.flight.clear()
        self.ex.shutdown(wait=wait, cancel_futures=True)


_scored_chunks = _Scored


def _summary(n: int, sums: dict[str, list], missing: dict[str, int], judge, timeouts: int, seconds: float,
             out: Path) -> str:
    means = "  ".join(f"{c} {s / k:.3f}" if k else f"{c} -" for c, (s, k) in sums.items())
    st = judge.stats.as_dict()
    lines = [f"scored {n} response(s) in {seconds:.1f} s ({n / seconds if seconds else 0:.1f}/s) -> {out}",
             f"means     {means}",
             f"judge     {judge.name}: requests {st['requests']}  cache hits {st['cache_hits']}  "
             f"failures {st['failures']}  mean latency {st['latency_mean']:.2f} s",
             f"missing   perception null for {missing['perception']} response(s) with annotations; "
             f"accuracy null for {missing['accuracy']}; math-verify timeouts {timeouts}"]
    return "\n".join(lines)
