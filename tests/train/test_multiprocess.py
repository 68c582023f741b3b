"""Two training processes on CPU (`accelerate launch --num_processes 2 --multi_gpu`, gloo): the tiny GRPO run
end to end. The main process builds the model and the data while the other waits; each rank scores its
own completions against one shared judge server; metrics.jsonl and the checkpoint are written once."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("trl")

from perception_r1.judges.prompts import loopback_judge_reply  # noqa: E402
from perception_r1.llm.loopback import LoopbackServer  # noqa: E402

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_processes_train_the_tiny_config(tmp_path):
    out, data, model = tmp_path / "out", tmp_path / "synth", tmp_path / "tiny"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p), "HF_HUB_OFFLINE": "1",
           "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    with LoopbackServer(loopback_judge_reply) as judge:
        # accelerate's `--cpu` runs ONE process (simple launcher); `--multi_gpu` is its torchrun launcher,
        # and with the config's use_cpu the two ranks join a gloo group on the CPU.
        cmd = [sys.executable, "-m", "accelerate.commands.launch", "--num_processes", "2", "--multi_gpu",
               "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
               "--main_process_port", str(_free_port()), "--module", "perception_r1.cli.main", "train",
               "--config", str(REPO / "configs" / "demo_cpu.yaml"),
               "--model_name_or_path", str(model), "--tiny_model_size", "tiny", "--dataset", str(data),
               "--synth_n", "8", "--synth_seed", "1", "--output_dir", str(out), "--max_steps", "2", "--save_steps", "2",
               "--per_device_train_batch_size", "4", "--num_generations", "4", "--max_completion_length", "8", "--report_to", "none",
               "--judge", "openai", "--judge_url", judge.url, "--judge_model", "loopback", "--samples_every", "1"]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=env, cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr[-4000:]
        bodies = [json.dumps(b) for b in judge.requests]
    # data and model built once, by the main process
    records = [json.loads(x) for x in (data / "data.jsonl").read_text().splitlines()]
    assert len(records) == 8 and (model / "config.json").exists()
    # Each step's 2 prompts go one to each rank (TRL's sampler), and each rank scores its own 4
    # completions against the one judge server: over 2 steps, 4 different records reached it.
    def sent(rec):
        return any(all(json.dumps(a)[1:-1] in b for a in rec["visual_annotations"]) for b in bodies)

    assert all(r.get("visual_annotations") for r in records)
    # seed 1 draws 8 records with distinct annotations (seed 0 repeats one), so each is told apart in a body
    assert len({json.dumps(r["visual_annotations"]) for r in records}) == 8
    assert sum(sent(r) for r in records) == 4, len(bodies)
    logs = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
    assert [x["step"] for x in logs if "loss" in x] == [1, 2]  # one line per step, not one per rank
    assert sum("train_runtime" in x for x in logs) == 1
    assert sorted(p.name for p in out.glob("checkpoint-*")) == ["checkpoint-2"]
    assert (out / "model.safetensors").exists() or any(out.glob("model*.safetensors"))
