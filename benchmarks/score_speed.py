"""Speed of `perception-r1 score` against the judge: 1,024 responses (128 problems x 8) scored with the
`openai` judge on a loopback server of fixed latency and capacity (default 0.5 s, 64 slots), through
the CLI as a user runs it and in-process through `score_responses`.

    .venv/bin/python benchmarks/score_speed.py
    .venv/bin/python benchmarks/score_speed.py --latency 0.2 --capacity 32 --problems 64

The judge-bound limit is ceil(requests / capacity) x latency: the time the judge server alone needs
for the batch. Each path's ratio is its wall time over that limit, measured in this run:

- CLI: the `perception-r1 score` process from launch to exit (interpreter start, imports, reading the
  data, math-verify, writing the output: everything a user waits for), with the command's own
  defaults (client concurrency 64, chunks of 256, on-disk cache in a fresh file); the time the
  command itself reports (after its imports) is printed beside it.
- in-process: one `score_responses` call on a fresh judge (connections opened inside the timing),
  the persistent math-verify pool already started.

Target: the CLI at <= 1.10x (the exit status checks it). Every response is distinct, so no cache
helps; the judge server runs in its own process, as a real one would. Responses and problems are
the ones of benchmarks/reward_stage.py.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reward_stage import judge_server, make_batch  # noqa: E402

from perception_r1.data import Record, write_folder  # noqa: E402
from perception_r1.judges.openai_judge import OpenAIJudge  # noqa: E402
from perception_r1.rewards import accuracy  # noqa: E402
from perception_r1.rewards.composite import RewardConfig, score_responses  # noqa: E402

TARGET = 1.10


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 200, 200)).save(buf, format="PNG")
    return buf.getvalue()


def write_inputs(responses: list[str], rows: list[dict], tmp: Path) -> tuple[Path, Path]:
    """The batch as a user has it: a dataset folder (one record per problem) and a responses file."""
    png, seen, records = _png(), set(), []
    for row in rows:
        if row["id"] not in seen:
            seen.add(row["id"])
            records.append(Record(row["id"], [png], "Find the value.", row["answer"],
                                  visual_annotations=row["visual_annotations"]))
    data = write_folder(records, tmp / "data")
    resp = tmp / "responses.jsonl"
    resp.write_text("".join(json.dumps({"id": row["id"], "response": r}) + "\n" for r, row in zip(responses, rows)),
                    encoding="utf-8")
    return Path(data), resp


def bench_cli(data: Path, resp: Path, url: str, tmp: Path) -> tuple[float, float | None, str]:
    """(process wall time, the command's own reported seconds, its stdout)."""
    cmd = [sys.executable, "-m", "perception_r1.cli.main", "score", "--data", str(data), "--responses", str(resp),
           "--out", str(tmp / "scores.jsonl"), "--judge", "openai", "--judge-url", url, "--judge-model", "bench-judge",
           "--judge-cache", str(tmp / "cli-cache.sqlite")]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"score failed ({done.returncode}):\n{done.stderr[-2000:]}")
    m = re.search(r"scored \d+ response\(s\) in ([0-9.]+) s", done.stdout)
    return wall, float(m.group(1)) if m else None, done.stdout


def bench_in_process(responses: list[str], rows: list[dict], url: str) -> float:
    accuracy.accuracy_batch(["\\boxed{1}"], ["1"])  # the persistent pool, as in a training run
    judge = OpenAIJudge(url, "bench-judge-2")  # another model name: nothing from the CLI's run is reused
    t0 = time.perf_counter()
    scored = score_responses(responses, rows, judge, RewardConfig())
    wall = time.perf_counter() - t0
    assert all(b.judgments is not None for b in scored)
    return wall


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--latency", type=float, default=0.5, help="judge seconds per request (default: %(default)s)")
    p.add_argument("--capacity", type=int, default=64, help="judge slots served at once (default: %(default)s)")
    p.add_argument("--problems", type=int, default=128)
    p.add_argument("--group", type=int, default=8, help="responses per problem (GRPO G)")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)

    responses, rows = make_batch(args.problems, args.group, args.seed)
    limit = math.ceil(len(responses) / args.capacity) * args.latency
    print(f"score speed: {len(responses)} distinct responses ({args.problems} problems x {args.group}); judge "
          f"latency {args.latency} s, capacity {args.capacity}; {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}")
    print(f"  judge-bound limit: ceil({len(responses)} / {args.capacity}) x {args.latency} s = {limit:.2f} s")
    with tempfile.TemporaryDirectory() as tmp, judge_server(args.latency, args.capacity) as url:
        data, resp = write_inputs(responses, rows, Path(tmp))
        wall, reported, out = bench_cli(data, resp, url, Path(tmp))
        requests = re.search(r"requests (\d+)", out)
        assert requests and int(requests.group(1)) == len(responses), out
        print(f"  CLI (`perception-r1 score`, defaults): {wall:.2f} s process wall, ratio {wall / limit:.2f}x "
              f"(target <= {TARGET:.2f}x); the command reports {reported:.2f} s after its imports "
              f"({reported / limit:.2f}x)")
        inproc = bench_in_process(responses, rows, url)
        print(f"  in-process (`score_responses`, fresh judge): {inproc:.2f} s wall, ratio {inproc / limit:.2f}x")
    accuracy.shutdown_pool()
    print(f"  load average at the end: {os.getloadavg()[0]:.1f} (the machine's other work stretches both figures)")
    return 0 if wall / limit <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
