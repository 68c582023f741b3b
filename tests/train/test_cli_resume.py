"""The acceptance run (slow): `perception-r1 train --config configs/demo_cpu.yaml --max_steps 4
--save_steps 2`, killed with SIGKILL once checkpoint-2 is written, then rerun with `--resume`: it loads
checkpoint-2 without missing keys, ends at step 4 with checkpoint-4, and metrics.jsonl holds every reward
component for steps 1-4, once each.
Shrunk for CI: the tiny model, 8 synthetic records generated on first use, 8-token completions."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("trl")
pytestmark = pytest.mark.slow

CONFIG = Path(__file__).resolve().parents[2] / "configs" / "demo_cpu.yaml"
COMPONENTS = ("format", "accuracy", "perception", "repetition")


def _cmd(out: Path, tiny_model: Path, data: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "perception_r1.cli.main", "train", "--config", str(CONFIG),
            "--max_steps", "4", "--save_steps", "2", "--output_dir", str(out),
            "--model_name_or_path", str(tiny_model), "--dataset", str(data), "--synth_n", "8",
            "--max_pixels", "12544", "--max_completion_length", "8", "--report_to", "none", *extra]


def test_kill_after_checkpoint_2_then_resume(tiny_model, tmp_path):
    out, data = tmp_path / "run", tmp_path / "synth"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    proc = subprocess.Popen(_cmd(out, tiny_model, data), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    marker = out / "checkpoint-2" / "trainer_state.json"  # written last in a checkpoint
    deadline = time.time() + 240
    while not marker.exists() and proc.poll() is None and time.time() < deadline:
        time.sleep(0.2)
    assert marker.exists(), f"no checkpoint-2 (rc={proc.poll()}): {proc.stderr.read()[-2000:] if proc.poll() else ''}"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (out / "checkpoint-4").exists()

    done = subprocess.run(_cmd(out, tiny_model, data, "--resume"), env=env, capture_output=True, text=True,
                          timeout=240)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "missing keys" not in done.stderr and "unexpected keys" not in done.stderr
    assert "resuming from" in done.stderr and "checkpoint-2" in done.stderr
    assert (out / "checkpoint-4" / "trainer_state.json").exists()
    assert json.loads((out / "checkpoint-4" / "trainer_state.json").read_text())["global_step"] == 4
    rows = [json.loads(ln) for ln in (out / "metrics.jsonl").read_text().splitlines()]
    steps = [r["step"] for r in rows if "loss" in r]
    assert steps == [1, 2, 3, 4]
    for r in rows:
        if "loss" in r:
            for c in COMPONENTS:
                assert f"rewards/{c}/mean" in r and f"rewards/{c}/std" in r, (r["step"], c)
            assert "frac_reward_zero_std" in r and "perception/judge_requests" in r
