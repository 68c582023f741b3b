"""`run_demo`: every stage for one or several seeds, a progress bar over the stages, and the outputs."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from .config import DemoConfig
from .pipeline import ARM_NAMES, run_one, with_seed
from .report import aggregate, seed_summary, write_outputs

log = logging.getLogger("perception_r1.demo")

STAGES = ("synth", "model", "sft", *(f"grpo {a}" for a in ARM_NAMES), "eval warm_start",
          *(f"eval {a}" for a in ARM_NAMES))


def run_demo(cfg: DemoConfig, out: str | Path, *, seeds: list[int] | None = None, split: str = "heldout",
             command: str = "perception-r1 demo", progress: bool = True) -> dict[str, Any]:
    """One seed writes straight into `out`; several seeds go to `out/seed<N>/` with the mean ± spread in
    `out`. `split="dev"` evaluates on the dev set (for tuning) instead of the held-out set."""
    from tqdm import tqdm

    out = Path(out)
    seeds = seeds or [cfg.seed]
    t0 = time.time()
    bar = tqdm(total=len(seeds) * len(STAGES), desc="demo", unit="stage", disable=not progress, position=0)
    per_seed, grpo_dirs = {}, {}
    for seed in seeds:
        run_dir = out if len(seeds) == 1 else out / f"seed{seed}"
        last = [None]

        def on_stage(name: str, seed=seed, last=last) -> None:
            if last[0] is not None:
                bar.update(1)
            last[0] = name
            bar.set_description(f"demo seed {seed}: {name}")

        run = run_one(with_seed(cfg, seed), run_dir, split=split, on_stage=on_stage)
        bar.update(1)
        per_seed[seed] = seed_summary(run)
        write_outputs(run_dir, per_seed[seed], {a: run["models"][a] for a in ARM_NAMES}, command)
        grpo_dirs = {a: run["models"][a] for a in ARM_NAMES}
    bar.close()
    summary = per_seed[seeds[0]] if len(seeds) == 1 else aggregate(per_seed)
    summary["wall_s"] = round(time.time() - t0, 1)
    summary["config"] = cfg.to_dict()
    write_outputs(out, summary, grpo_dirs, command)
    return summary
