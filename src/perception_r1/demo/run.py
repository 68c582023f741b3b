"""`run_demo`: every stage for one or several seeds, one progress bar per stage, and the outputs.

The terminal shows the bars, a line for each reused stage and the final table; everything else — the
trainers' per-step dicts, library warnings, the package's INFO logs — goes to `OUT/demo.log`.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from .config import DemoConfig
from .logs import log_to_file
from .pipeline import ARM_NAMES, run_one
from .report import aggregate, seed_summary, write_outputs

log = logging.getLogger("perception_r1.demo")


def run_demo(cfg: DemoConfig, out: str | Path, *, seeds: list[int] | None = None, split: str = "heldout",
             command: str = "perception-r1 demo", progress: bool = True) -> dict[str, Any]:
    """One seed writes straight into `out`; several seeds go to `out/seed<N>/` with the mean ± spread in
    `out`. `split="dev"` evaluates on the dev set (for tuning) instead of the held-out set."""
    from dataclasses import replace

    from tqdm import tqdm

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    seeds = seeds or [cfg.seed]
    t0 = time.time()
    per_seed, grpo_dirs = {}, {}
    with log_to_file(out / "demo.log"):
        for seed in seeds:
            run_dir = out if len(seeds) == 1 else out / f"seed{seed}"
            started = [time.time()]

            def on_stage(name: str, seed=seed) -> None:
                if progress:
                    tqdm.write(f"demo seed {seed}: {name}")
                log.info("seed %s: stage %s", seed, name)

            def note(text: str) -> None:
                log.warning(text)
                if progress:
                    tqdm.write(text)

            run = run_one(replace(cfg, seed=seed), run_dir, split=split, on_stage=on_stage, note=note)
            per_seed[seed] = seed_summary(run)
            per_seed[seed]["wall_s"] = round(time.time() - started[0], 1)
            grpo_dirs = {a: run["models"][a] for a in ARM_NAMES}
            write_outputs(run_dir, per_seed[seed], grpo_dirs, command)
        summary = per_seed[seeds[0]] if len(seeds) == 1 else aggregate(per_seed)
        summary["wall_s"] = round(time.time() - t0, 1)
        summary["config"] = cfg.to_dict()
        write_outputs(out, summary, grpo_dirs, command)
    return summary
