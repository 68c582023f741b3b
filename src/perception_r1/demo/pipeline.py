"""The demo's stages, each a call into the package's own parts (no training loop here):

1. synth: train / dev / held-out problems from `data.synth` with the recipe's options; train uses the
   run's seed, dev and held-out fixed seeds, never tuned on;
2. base: the shipped pretrained tiny Qwen2.5-VL (`demo.base`), its weights checked against its provenance;
3. grpo: two arms from the same base, each from its YAML recipe in `configs/` (`train.grpo`, TRL
   GRPOTrainer). The recipes are identical but for the reward weights (paper eq. 1): accuracy-only =
   α·r_f + β·r_a, Perception-R1 = α·r_f + β·r_a + γ·r_v + r_p. Both compute every term, so the
   accuracy-only arm's plot still shows how often its rollouts state the facts (with weight 0 it cannot
   learn from them);
4. eval: greedy generation on the held-out set, scored by `eval.run` (accuracy, perception hit ratio,
   perception_ok per item, symbolic judge), for the base and both arms.

A finished stage (its `done.json`) is reused by a rerun, which says so; a stage whose settings differ
from those it was made with is refused, never silently reused.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any, Callable

from .config import ARM_CONFIGS, DemoConfig, DemoError

log = logging.getLogger("perception_r1.demo")

ARM_NAMES = ("accuracy_only", "perception_r1")
MODEL_NAMES = ("base", *ARM_NAMES)
HELDOUT_SEED = 1_000_003   # held-out problems: the same for every run and seed, never tuned on
DEV_SEED = 2_000_003       # dev problems: what the recipe was tuned on


class StageMismatch(DemoError):
    """A finished stage in the output folder was made with other settings."""


def _done(path: Path) -> dict[str, Any] | None:
    marker = path / "done.json"
    return json.loads(marker.read_text()) if marker.exists() else None


def _normal(settings: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(settings, default=str))


def _started(path: Path) -> dict[str, Any] | None:
    """The settings a stage in `path` was started with (written before it runs, kept after it ends)."""
    marker = path / "started.json"
    return json.loads(marker.read_text()) if marker.exists() else None


def _started_with(path: Path, settings: dict[str, Any]) -> bool:
    """Whether `path` holds this stage started, not finished, with the same settings (an interrupted run)."""
    return _done(path) is None and _started(path) == _normal(settings)


def _stage(path: Path, settings: dict[str, Any], fn: Callable[[], dict[str, Any]],
           note: Callable[[str], None]) -> dict[str, Any]:
    """Run `fn` unless `path` holds this stage finished with the same `settings`; record its wall time.
    A stage started (`started.json`) or finished with other settings is refused, never mixed with this one."""
    settings = _normal(settings)
    done = _done(path)
    if done is not None:
        if done.get("settings") != settings:
            raise StageMismatch(f"{path} holds a finished stage made with other settings "
                                f"({path / 'done.json'}); use another --out or remove that folder")
        note(f"{path}: finished in an earlier run with the same settings, reused")
        return done
    if _started(path) not in (None, settings):
        raise StageMismatch(f"{path} holds an unfinished stage started with other settings "
                            f"({path / 'started.json'}); use another --out or remove that folder")
    path.mkdir(parents=True, exist_ok=True)
    (path / "started.json").write_text(json.dumps(settings, indent=1) + "\n")
    t0 = time.time()
    info = fn() or {}
    info["seconds"] = round(time.time() - t0, 1)
    info["settings"] = settings
    (path / "done.json").write_text(json.dumps(info, indent=1, default=str) + "\n")
    return info


def recipe(cfg: DemoConfig, arm: str, overrides: dict[str, Any] | None = None):
    """(MethodArgs, GRPOConfig) of one arm: its YAML, then the demo's overrides, parsed as
    `perception-r1 train --config FILE --key value …` parses them."""
    from perception_r1.train.config import parse

    if arm not in ARM_CONFIGS:
        raise ValueError(f"unknown arm {arm!r}; choose from {ARM_NAMES}")
    argv = ["--config", str(Path(cfg.configs) / ARM_CONFIGS[arm])]
    for key, value in {**(overrides or {}), **cfg.grpo}.items():
        argv += [f"--{key}", json.dumps(value) if isinstance(value, (dict, list)) else str(value)]
    return parse("grpo", argv)


def synth_options(cfg: DemoConfig) -> tuple[dict[str, Any], int]:
    """The recipe's data: (synth options, number of training problems). Both arms must agree."""
    got = [recipe(cfg, arm)[0] for arm in ARM_NAMES]
    if any(m.synth_options != got[0].synth_options or m.synth_n != got[0].synth_n for m in got):
        raise ValueError("the two arms' recipes train on different data (synth_n / synth_options differ)")
    return dict(got[0].synth_options or {}), cfg.n_train or got[0].synth_n


def make_data(cfg: DemoConfig, out: Path, note) -> dict[str, str]:
    """Train (seed = run seed), dev and held-out (fixed seeds) folders in the data contract."""
    from perception_r1.data.synth import write_synth

    options, n_train = synth_options(cfg)
    sets = {"train": (n_train, cfg.seed), "dev": (cfg.n_dev, DEV_SEED), "heldout": (cfg.n_heldout, HELDOUT_SEED)}
    paths = {}
    for name, (n, seed) in sets.items():
        path = out / name
        _stage(path, {"n": n, "seed": seed, **options},
               lambda path=path, n=n, seed=seed: {"count": dict(write_synth(path, n, seed, overwrite=True, **options))},
               note)
        paths[name] = str(path)
    return paths


def _arm(cfg: DemoConfig, arm: str, base: str, train: str, out: Path):
    """(MethodArgs, GRPOConfig, stage settings) of one arm with the demo's folders, seed and base."""
    overrides = {"model_name_or_path": base, "dataset": train, "synth_seed": cfg.seed, "output_dir": str(out),
                 "seed": cfg.seed, "data_seed": cfg.seed, "num_threads": cfg.threads, "report_to": "none"}
    method, args = recipe(cfg, arm, overrides)
    settings = {"recipe": ARM_CONFIGS[arm], "base": base, "train": train,
                "args": {k: v for k, v in args.to_dict().items() if k not in ("logging_dir",)},
                "method": method.__dict__}
    return method, args, settings


def grpo_finished(cfg: DemoConfig, arm: str, base: str, train: str, out: Path) -> bool:
    """Whether `out` holds this arm finished with the same settings (a rerun reuses it)."""
    done = _done(out)
    return done is not None and done.get("settings") == _normal(_arm(cfg, arm, base, train, out)[2])


def run_grpo(cfg: DemoConfig, arm: str, base: str, train: str, out: Path, note,
             sink: Callable[[int, int, float | None], None] | None = None) -> str:
    """One arm: its recipe with the demo's folders, seed and base; one progress bar (or its steps sent to
    `sink`, see `train.progress.QuietProgress`), TRL's per-step dicts in `out/metrics.jsonl` and the run's log.
    An arm interrupted earlier with the same settings continues from its last checkpoint (`save_steps`)."""
    method, args, settings = _arm(cfg, arm, base, train, out)
    resume = _started_with(out, settings)

    def stage():
        from perception_r1.train import grpo
        from perception_r1.train.config import set_threads
        from perception_r1.train.progress import QuietProgress
        from perception_r1.train.run import last_checkpoint

        set_threads(method)
        trainer = grpo.make_trainer(method, args, grpo.plan(method, args))
        QuietProgress.install(trainer, f"grpo {arm}", sink=sink)
        ckpt = last_checkpoint(out) if resume else None
        if ckpt:
            note(f"grpo {arm}: continuing the interrupted run from {ckpt}")
        result = trainer.train(resume_from_checkpoint=ckpt)
        trainer.save_model(str(out))
        return {"arm": arm, "steps": result.global_step, "reward_weights": list(args.reward_weights),
                "resumed_from": ckpt}

    _stage(out, settings, stage, note)
    return str(out)


def run_eval(cfg: DemoConfig, model: str, data: str, out: Path, note) -> dict[str, Any]:
    """Greedy responses on `data`, scored by the package's evaluation (benchmark `synth`)."""
    from perception_r1.demo.base import diagnosis

    def stage():
        import torch

        from perception_r1.eval.run import EvalConfig, evaluate

        torch.set_num_threads(cfg.threads)
        s = evaluate(EvalConfig(benchmark="synth", data=data, out=str(out), model=model,
                                max_new_tokens=cfg.eval_max_new_tokens, batch_size=cfg.eval_batch,
                                max_pixels=method.max_pixels, prompt_preset=method.prompt_preset))
        return {"accuracy": s["accuracy"], "perception": s["perception"]["mean"],
                "perception_ok": s["perception"]["ok_rate"], "items": s["perception"]["items"],
                "diagnosis": diagnosis(list(read_results(out).values()))}

    method = recipe(cfg, "perception_r1")[0]  # the prompt and image size the arms were trained with
    return _stage(out, {"model": model, "data": data, "max_new_tokens": cfg.eval_max_new_tokens,
                        "prompt_preset": method.prompt_preset}, stage, note)


def read_results(eval_dir: str | Path) -> dict[str, dict[str, Any]]:
    rows = [json.loads(line) for line in Path(eval_dir, "results.jsonl").read_text().splitlines() if line.strip()]
    return {r["id"]: r for r in rows}


def run_one(cfg: DemoConfig, out: str | Path, *, split: str = "heldout",
            on_stage: Callable[[str], None] | None = None, note: Callable[[str], None] | None = None
            ) -> dict[str, Any]:
    """Every stage for one seed; returns the paths and per-stage results. `split` picks the evaluation
    set (`dev` while tuning). `on_stage(name)` is called as each stage starts, `note(text)` with what a
    person should see (a reused stage)."""
    from .arms import train_arms
    from .base import base_path, verify

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    on_stage = on_stage or (lambda name: None)
    note = note or log.warning
    timings: dict[str, float] = {}

    def timed(name: str, fn: Callable[[], Any], *dirs: Path) -> Any:
        # The seconds each stage took when it ran (kept in done.json), also when a rerun reuses it.
        on_stage(name)
        value = fn()
        if dirs:
            timings[name] = round(sum((_done(d) or {}).get("seconds", 0.0) for d in dirs), 1)
        return value

    data_dir = out / "data"
    data = timed("synth", lambda: make_data(cfg, data_dir, note), *(data_dir / n for n in ("train", "dev", "heldout")))
    on_stage("base")
    base = str(base_path(cfg.base))
    base_info = verify(base)
    (out / "base.json").write_text(json.dumps(base_info, indent=1) + "\n")
    arm_dirs = {arm: out / f"grpo_{arm}" for arm in ARM_NAMES}
    arms = timed("grpo " + " + ".join(ARM_NAMES), lambda: train_arms(cfg, arm_dirs, base, data["train"], note))
    timings.update({f"grpo {arm}": (_done(d) or {}).get("seconds", 0.0) for arm, d in arm_dirs.items()})
    models = {"base": base, **arms}
    evals = {name: timed(f"eval {name}", lambda name=name, path=path: run_eval(
        cfg, path, data[split], out / f"eval_{split}" / name, note), out / f"eval_{split}" / name)
        for name, path in models.items()}
    return {"out": str(out), "split": split, "data": data, "models": models, "evals": evals, "timings_s": timings,
            "base": base_info, "eval_dirs": {name: str(out / f"eval_{split}" / name) for name in models}}
