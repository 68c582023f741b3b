"""Overhead of the Perception-R1 reward inside a GRPO step: the CPU demo config trained with the full
reward (format + accuracy + symbolic-judge perception + repetition) and with a constant reward, in one
process, in alternating rounds (ABBA order, so both see the same machine load) after an uncounted warm-up round,
and the ratio of median step times.

    .venv/bin/python benchmarks/grpo_step.py                     # configs/demo_cpu.yaml, 4 rounds x 4 steps
    .venv/bin/python benchmarks/grpo_step.py --rounds 3 --steps 5 --model_name_or_path runs/demo/sft

Target: ratio <= 1.05. Whole-step wall times on a shared machine scatter by 10-20 %, so the script also
prints the ratio of CPU time per step (this process) and the reward functions' own time per step, which
is the overhead itself. Prints the
peak RSS of this process (the demo run's memory) and of the math-verify worker pool. Extra arguments
are config overrides, as for `perception-r1 train`.
"""

from __future__ import annotations

import argparse
import copy
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def constant(completions, **kwargs):
    return [1.0] * len(completions)


def timed(funcs, clock):
    """Wrap reward functions to add their wall time to `clock[0]` (async ones included)."""
    from trl.trainer.utils import is_async_callable

    def wrap(f):
        if is_async_callable(f):
            async def g(**kw):
                t = time.perf_counter()
                try:
                    return await f(**kw)
                finally:
                    clock[0] += time.perf_counter() - t
        else:
            def g(**kw):
                t = time.perf_counter()
                try:
                    return f(**kw)
                finally:
                    clock[0] += time.perf_counter() - t
        g.__name__ = f.__name__
        return g

    return [wrap(f) for f in funcs]


def run_variant(name, method, args, steps, out):
    from perception_r1.train.callbacks import RewardRecorder
    from perception_r1.train.grpo import Plan, make_trainer, plan

    args = copy.deepcopy(args)
    args.output_dir, args.max_steps, args.save_strategy, args.report_to = str(out), steps, "no", []
    clock = [0.0]
    if name == "perception-r1":
        p = plan(method, args)
        p.reward_funcs = timed(p.reward_funcs, clock)
    else:
        from perception_r1.train.dataset import grpo_dataset, load_records_limited

        args.reward_weights = [1.0]

        ds = grpo_dataset(load_records_limited(method.dataset, method.max_samples), method.min_pixels,
                          method.max_pixels)
        rec = RewardRecorder([1.0])
        p = Plan(ds, None, timed(rec.wrap([constant]), clock), ["constant"], None, rec, 0)
    from transformers import TrainerCallback

    per_step: list[float] = []
    cpu: list[float] = []

    class RewardClock(TrainerCallback):
        def on_step_begin(self, args, state, control, **kwargs):
            cpu.append(-time.process_time())

        def on_step_end(self, args, state, control, **kwargs):
            cpu[-1] += time.process_time()
            per_step.append(clock[0])
            clock[0] = 0.0

    trainer = make_trainer(method, args, p)
    trainer.add_callback(RewardClock())
    trainer.train()
    times = [h["step_time"] for h in trainer.state.log_history if "step_time" in h]
    return times[1:], per_step[1:], cpu[1:]  # the first step pays one-time warm-up (math-verify's pool)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--config", default=str(ROOT / "configs" / "demo_cpu.yaml"))
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--steps", type=int, default=4)
    ap.add_argument("--warmup-rounds", type=int, default=1,
                    help="uncounted rounds first: math-verify's worker pool and sympy warm up over the first steps")
    opts, extra = ap.parse_known_args(argv)

    from perception_r1.train.config import parse, resolve_model, set_threads
    from perception_r1.train.dataset import ensure_dataset

    method, args = parse("grpo", ["--config", opts.config, *extra])
    set_threads(method)
    method.model_name_or_path = resolve_model(method)
    ensure_dataset(method.dataset, method.synth_n, method.synth_seed, method.synth_options)
    method.synth_n = None
    steps = {"perception-r1": [], "constant": []}
    reward_s = {"perception-r1": [], "constant": []}
    cpu_s = {"perception-r1": [], "constant": []}  # CPU seconds of this process: less swayed by other jobs
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(-opts.warmup_rounds, opts.rounds):
            # ABBA order: a drift in machine load over a round does not favour either variant.
            for name in (list(steps) if r % 2 == 0 else list(steps)[::-1]):
                t, rs, c = run_variant(name, method, args, opts.steps, Path(tmp) / f"{name}-{r}")
                if r >= 0:
                    steps[name] += t
                    reward_s[name] += rs
                    cpu_s[name] += c
                label = f"round {r + 1}" if r >= 0 else "warm-up"
                print(f"{label:8s} {name:14s} step times {', '.join(f'{x:.2f}' for x in t)} s, "
                      f"reward {', '.join(f'{x * 1000:.0f}' for x in rs)} ms", flush=True)
    med = {k: statistics.median(v) for k, v in steps.items()}
    rew = {k: statistics.median(v) for k, v in reward_s.items()}
    self_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\nconfig {opts.config}: {args.per_device_train_batch_size // args.num_generations} prompts x "
          f"{args.num_generations} completions of <= {args.max_completion_length} tokens per step")
    cpu_med = {k: statistics.median(v) for k, v in cpu_s.items()}
    for k in steps:
        print(f"{k:14s} median step {med[k]:.3f} s   median CPU {cpu_med[k]:.3f} s   "
              f"median reward {rew[k] * 1000:.1f} ms/step")
    ratio = med["perception-r1"] / med["constant"]
    direct = (med["constant"] + rew["perception-r1"] - rew["constant"]) / med["constant"]
    print(f"ratio of median step times: {ratio:.3f}   (target <= 1.05)")
    print(f"ratio of median CPU time per step: {cpu_med['perception-r1'] / cpu_med['constant']:.3f}")
    print(f"ratio from the reward's own time: {direct:.3f}   (constant step + extra reward time)")
    print(f"peak RSS: {self_rss:.0f} MB (trainer process), {child_rss:.0f} MB (largest worker)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
