"""The shipped base model: where it lives, its provenance, and how it is measured.

The demo starts from a pretrained tiny Qwen2.5-VL as a researcher starts from a hub checkpoint
(`perception-r1 pretrain --config configs/demo_pretrain.yaml` made it; `provenance.json` beside the
weights records the command, the steps, the wall time, the weights' sha256 and what `measure` gave on the
fixed measurement set). `measure` is also what the test re-runs, so the recorded figures can be checked.
"""

from __future__ import annotations

import hashlib
import os
import json
from pathlib import Path
from typing import Any

from .config import DemoError

BASE_DIR = Path(__file__).resolve().parents[1] / "models" / "tiny_base"
PROVENANCE = "provenance.json"
WEIGHTS = "model.safetensors"
# The fixed measurement set: its own seed (not the demo's train/dev/held-out, not the pretraining stream).
MEASURE_SEED = 3_000_003
MEASURE_N = 100


def base_path(base: str = "") -> Path:
    """The model folder: `base` if given, else the shipped one (which must be complete)."""
    path = Path(base) if base else BASE_DIR
    if not (path / "config.json").exists() or not (path / WEIGHTS).exists():
        raise FileNotFoundError(f"{path}: no model there (config.json and {WEIGHTS} expected)")
    return path


def sha256(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def provenance(path: str | Path = BASE_DIR) -> dict[str, Any]:
    return json.loads((Path(path) / PROVENANCE).read_text())


def verify(path: str | Path) -> dict[str, Any]:
    """The base's identity for the run record: its weights' sha256, checked against `provenance.json`
    when there is one (a shipped base whose weights changed is an error, never a silent other start)."""
    path = Path(path)
    digest = sha256(path / WEIGHTS)
    info: dict[str, Any] = {"path": str(path), "sha256": digest}
    if (path / PROVENANCE).exists():
        want = provenance(path)["sha256"]
        if want != digest:
            raise DemoError(f"{path / WEIGHTS}: sha256 {digest[:12]}… differs from {PROVENANCE}'s {want[:12]}…")
        info["provenance"] = str(path / PROVENANCE)
    return info


def measurement_set(out: str | Path, synth_options: dict[str, Any], n: int = MEASURE_N,
                    seed: int = MEASURE_SEED) -> Path:
    """Write the fixed measurement problems (once) and return the folder."""
    from perception_r1.data.synth import write_synth

    out = Path(out)
    if not (out / "data.jsonl").exists():
        write_synth(out, n, seed, **synth_options)
    return out


def diagnosis(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The paper's §5 question for one model's per-item results: of its wrong answers, how many come
    with a misread (or unstated) fact; and how often it is right when it read every fact, and when not."""
    wrong = [r for r in rows if not r.get("correct")]
    read = [r for r in rows if r.get("perception_ok")]
    misread = [r for r in rows if not r.get("perception_ok")]

    def rate(xs: list, key: str) -> float | None:
        return sum(bool(x.get(key)) for x in xs) / len(xs) if xs else None

    return {"items": len(rows), "wrong": len(wrong),
            "wrong_with_misread_fact": sum(not r.get("perception_ok") for r in wrong),
            "share_of_wrong_with_misread_fact": (sum(not r.get("perception_ok") for r in wrong) / len(wrong)
                                                 if wrong else None),
            "accuracy_when_all_facts_read": rate(read, "correct"), "items_all_facts_read": len(read),
            "accuracy_when_a_fact_misread": rate(misread, "correct"), "items_a_fact_misread": len(misread)}


def measure(model: str | Path, work: str | Path, synth_options: dict[str, Any], *, n: int = MEASURE_N,
            seed: int = MEASURE_SEED, max_new_tokens: int = 96, batch_size: int = 50,
            max_pixels: int = 112 * 112) -> dict[str, Any]:
    """Greedy accuracy / perception / perception_ok of `model` on the fixed set, scored by `eval.run`
    (benchmark `synth`, symbolic judge), with the diagnosis."""
    from perception_r1.eval.run import EvalConfig, evaluate

    work = Path(work)
    data = measurement_set(work / "data", synth_options, n, seed)
    s = evaluate(EvalConfig(benchmark="synth", data=str(data), out=str(work / "eval"), model=str(model),
                            max_new_tokens=max_new_tokens, batch_size=batch_size, max_pixels=max_pixels))
    rows = [json.loads(x) for x in (work / "eval" / "results.jsonl").read_text().splitlines() if x.strip()]
    return {"set": {"seed": seed, "n": n, "synth_options": synth_options},
            "accuracy": s["accuracy"], "perception": s["perception"]["mean"],
            "perception_ok": s["perception"]["ok_rate"], "diagnosis": diagnosis(rows)}


# What a shipped base keeps of a Trainer checkpoint (not the optimizer, scheduler or RNG states).
SHIPPED_FILES = ("config.json", "generation_config.json", WEIGHTS, "tokenizer.json", "tokenizer_config.json",
                 "processor_config.json", "chat_template.jinja")


def ship(checkpoint: str | Path, dest: str | Path = BASE_DIR, *, config: str = "configs/demo_pretrain.yaml",
         work: str | Path | None = None) -> dict[str, Any]:
    """Copy a pretraining checkpoint's model and processor to `dest` with `provenance.json`: the command
    that reproduces it, seed, steps, wall time (first file of the run to the checkpoint), sha256 of the
    weights and `measure` on the fixed set of the pretraining world, free-form as the demo asks
    (`measured`) and with the recipe's choices (`measured_multiple_choice`)."""
    import datetime
    import platform
    import shutil
    import tempfile

    import yaml

    ckpt, dest = Path(checkpoint), Path(dest)
    state = json.loads((ckpt / "trainer_state.json").read_text())
    run_dir = ckpt.parent
    started = min(p.stat().st_mtime for p in (run_dir / "init").iterdir())
    wall = (ckpt / "trainer_state.json").stat().st_mtime - started
    recipe = yaml.safe_load(Path(config).read_text())
    options = {k: recipe[k] for k in ("difficulty", "families", "image_size", "font_scale", "choices")}
    dest.mkdir(parents=True, exist_ok=True)
    for name in SHIPPED_FILES:
        shutil.copy2(ckpt / name, dest / name)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(work or tmp)
        px = recipe["model_overrides"]["max_pixels"]
        measured = measure(dest, work / "free", {**options, "choices": 0}, max_pixels=px)
        measured_mc = measure(dest, work / "choices", options, max_pixels=px)
    info = {
        "command": f"perception-r1 pretrain --config {config} --max_steps {state['global_step']}",
        "note": "the learning rate is constant after the warm-up, so a longer run's checkpoint at this step "
                "has the same weights",
        "seed": recipe["seed"], "model_seed": recipe["model_seed"], "data_seed_stream": recipe["data_seed_stream"],
        "steps": state["global_step"], "batch_size": recipe["per_device_train_batch_size"],
        "samples_seen": state["global_step"] * recipe["per_device_train_batch_size"],
        "loss_at_checkpoint": next((h["loss"] for h in reversed(state["log_history"]) if "loss" in h), None),
        "wall_s": round(wall, 1), "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores shared with other jobs, "
                                            f"one torch thread",
        "sha256": sha256(dest / WEIGHTS), "measured": measured, "measured_multiple_choice": measured_mc,
        "shipped": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }
    (dest / PROVENANCE).write_text(json.dumps(info, indent=1) + "\n")
    return info
