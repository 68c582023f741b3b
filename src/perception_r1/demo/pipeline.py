"""The demo's stages, each a call into the package's own parts (no training loop here):

1. synth: train / dev / held-out sets from `data.synth` (held-out and dev seeds fixed across runs);
2. model: the tiny Qwen2.5-VL (`models.tiny.build_tiny_model`);
3. sft: the warm start on the reference CoT (`train.sft`, TRL SFTTrainer);
4. grpo: two arms from the same warm start, same seed and steps (`train.grpo`, TRL GRPOTrainer);
   the arms differ only in the reward weights (paper eq. 1): accuracy-only = α·r_f + β·r_a,
   Perception-R1 = α·r_f + β·r_a + γ·r_v + r_p. Both compute every term, so the accuracy-only arm's
   plot still shows how often its rollouts state the facts (with weight 0 it cannot learn from them);
5. eval: greedy generation on the held-out set, scored by `eval.run` (accuracy, perception hit ratio,
   perception_ok per item, symbolic judge).

A stage whose output is complete (its `done.json`) is skipped, so an interrupted demo resumes.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from .config import DemoConfig

log = logging.getLogger("perception_r1.demo")

ARM_NAMES = ("accuracy_only", "perception_r1")
HELDOUT_SEED = 1_000_003   # held-out problems: the same for every run and seed, never tuned on
DEV_SEED = 2_000_003       # dev problems: what the schedule was tuned on


def _done(path: Path) -> dict[str, Any] | None:
    marker = path / "done.json"
    return json.loads(marker.read_text()) if marker.exists() else None


def _finish(path: Path, info: dict[str, Any]) -> dict[str, Any]:
    path.mkdir(parents=True, exist_ok=True)
    (path / "done.json").write_text(json.dumps(info, indent=1) + "\n")
    return info


def _stage(path: Path, fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run `fn` unless `path` already holds a finished stage; record its wall time."""
    done = _done(path)
    if done is not None:
        log.info("%s: done before, reused", path)
        return done
    t0 = time.time()
    info = fn() or {}
    info["seconds"] = round(time.time() - t0, 1)
    return _finish(path, info)


def synth_knobs(cfg: DemoConfig) -> dict[str, Any]:
    return {"difficulty": cfg.difficulty, "families": cfg.families, "image_size": cfg.image_size,
            "font_scale": cfg.font_scale}


def make_data(cfg: DemoConfig, out: Path) -> dict[str, str]:
    """Train (seed = run seed), dev and held-out (fixed seeds) folders in the data contract."""
    from perception_r1.data.synth import write_synth

    sets = {"train": (cfg.n_train, cfg.seed), "dev": (cfg.n_dev, DEV_SEED), "heldout": (cfg.n_heldout, HELDOUT_SEED)}
    paths = {}
    for name, (n, seed) in sets.items():
        path = out / name
        _stage(path, lambda: {"count": dict(write_synth(path, n, seed, overwrite=True, **synth_knobs(cfg)))})
        paths[name] = str(path)
    return paths


def make_model(cfg: DemoConfig, out: Path) -> str:
    from perception_r1.models.tiny import build_tiny_model

    overrides = {**cfg.model_overrides, "max_pixels": cfg.max_pixels}
    if "fullatt_block_indexes" in overrides:
        overrides["fullatt_block_indexes"] = tuple(overrides["fullatt_block_indexes"])
    _stage(out, lambda: {"path": str(build_tiny_model(out, size=cfg.model_size, seed=cfg.seed, **overrides))})
    return str(out)


def _method(cfg: DemoConfig, model: str, dataset: str, **kw):
    from perception_r1.train.config import MethodArgs

    return MethodArgs(model_name_or_path=model, dataset=dataset, min_pixels=3136, max_pixels=cfg.max_pixels,
                      num_threads=cfg.threads, samples_every=max(1, cfg.grpo_steps // 4), **kw)


def _common(cfg: DemoConfig, out: Path) -> dict[str, Any]:
    return dict(output_dir=str(out), seed=cfg.seed, data_seed=cfg.seed, save_strategy="no", report_to=[],
                use_cpu=True, bf16=False, logging_steps=1, dataloader_num_workers=0)


def run_sft(cfg: DemoConfig, model: str, train: str, out: Path) -> str:
    """SFT warm start: constant learning rate after a linear warm-up (the vision tower does not learn
    to read with a high rate, docs/demo_research.md)."""
    from trl import SFTConfig

    from perception_r1.train import sft

    def stage():
        args = SFTConfig(max_steps=cfg.sft_steps, learning_rate=cfg.sft_lr, warmup_steps=cfg.sft_warmup,
                         lr_scheduler_type="constant_with_warmup", weight_decay=0.0,
                         per_device_train_batch_size=cfg.sft_batch, **_common(cfg, out))
        _, result = sft.train(_method(cfg, model, train), args)
        return {"train_loss": result.training_loss, "steps": result.global_step}

    _stage(out, stage)
    return str(out)


def arm_weights(cfg: DemoConfig, arm: str) -> list[float]:
    """[α, β, γ, 1] for format, accuracy, perception, repetition; the accuracy-only arm zeroes the last two."""
    from perception_r1.rewards.composite import RewardConfig

    rc = RewardConfig()
    full = list(rc.weights().values())  # α, β, γ, 1 in REWARDS order
    if arm == "perception_r1":
        return full
    if arm == "accuracy_only":
        return [rc.alpha, rc.beta, 0.0, 0.0]
    raise ValueError(f"unknown arm {arm!r}; choose from {ARM_NAMES}")


def run_grpo(cfg: DemoConfig, arm: str, warm_start: str, train: str, out: Path) -> str:
    from trl import GRPOConfig

    from perception_r1.train import grpo

    def stage():
        g = cfg.num_generations
        args = GRPOConfig(max_steps=cfg.grpo_steps, learning_rate=cfg.grpo_lr, lr_scheduler_type="constant",
                          weight_decay=1e-3, per_device_train_batch_size=cfg.grpo_prompts * g, num_generations=g,
                          temperature=cfg.temperature, max_completion_length=cfg.max_completion_length, beta=0.0,
                          loss_type="dapo", scale_rewards="group", reward_weights=arm_weights(cfg, arm),
                          **_common(cfg, out))
        _, result = grpo.train(_method(cfg, warm_start, train, judge="symbolic"), args)
        return {"arm": arm, "steps": result.global_step}

    _stage(out, stage)
    return str(out)


def run_eval(cfg: DemoConfig, model: str, data: str, out: Path) -> dict[str, Any]:
    """Greedy responses on `data`, scored by the package's evaluation (benchmark `synth`)."""
    import torch

    from perception_r1.eval.run import EvalConfig, evaluate

    def stage():
        torch.set_num_threads(cfg.threads)
        s = evaluate(EvalConfig(benchmark="synth", data=data, out=str(out), model=model,
                                max_new_tokens=cfg.eval_max_new_tokens, batch_size=cfg.eval_batch,
                                min_pixels=3136, max_pixels=cfg.max_pixels))
        return {"accuracy": s["accuracy"], "perception": s["perception"]["mean"],
                "perception_ok": s["perception"]["ok_rate"], "items": s["perception"]["items"]}

    return _stage(out, stage)


def read_results(eval_dir: str | Path) -> dict[str, dict[str, Any]]:
    rows = [json.loads(line) for line in Path(eval_dir, "results.jsonl").read_text().splitlines() if line.strip()]
    return {r["id"]: r for r in rows}


def run_one(cfg: DemoConfig, out: str | Path, *, split: str = "heldout", on_stage: Callable[[str], None] | None = None
            ) -> dict[str, Any]:
    """Every stage for one seed; returns the paths and per-stage results. `split` picks the evaluation
    set (`dev` while tuning)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    conf, wanted = out / "config.json", json.loads(json.dumps(cfg.to_dict()))
    if conf.exists() and json.loads(conf.read_text()) != wanted:
        # Finished stages are reused on a rerun; with other settings they would be silently wrong.
        raise ValueError(f"{out} holds a demo run with other settings ({conf}); use another --out or remove it")
    conf.write_text(json.dumps(wanted, indent=1) + "\n")
    note = on_stage or (lambda name: None)
    timings: dict[str, float] = {}

    def timed(name: str, fn: Callable[[], Any], *dirs: Path) -> Any:
        # The seconds each stage took when it ran (kept in done.json), also when a rerun reuses it.
        note(name)
        value = fn()
        timings[name] = round(sum((_done(d) or {}).get("seconds", 0.0) for d in dirs), 1)
        return value

    data_dir = out / "data"
    data = timed("synth", lambda: make_data(cfg, data_dir), *(data_dir / n for n in ("train", "dev", "heldout")))
    model = timed("model", lambda: make_model(cfg, out / "model"), out / "model")
    warm = timed("sft", lambda: run_sft(cfg, model, data["train"], out / "sft"), out / "sft")
    arms = {arm: timed(f"grpo {arm}", lambda arm=arm: run_grpo(cfg, arm, warm, data["train"], out / f"grpo_{arm}"),
                       out / f"grpo_{arm}") for arm in ARM_NAMES}
    models = {"warm_start": warm, **arms}
    evals = {name: timed(f"eval {name}", lambda name=name, path=path: run_eval(
        cfg, path, data[split], out / f"eval_{split}" / name), out / f"eval_{split}" / name)
        for name, path in models.items()}
    return {"out": str(out), "split": split, "data": data, "models": models, "evals": evals, "timings_s": timings,
            "eval_dirs": {name: str(out / f"eval_{split}" / name) for name in models}}


def with_seed(cfg: DemoConfig, seed: int) -> DemoConfig:
    return replace(cfg, seed=seed)
