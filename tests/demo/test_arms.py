"""The GRPO arms: trained side by side in worker processes, resumed after an interruption, and a worker's
death reported, never waited on (slow: each runs a few real GRPO steps from the shipped base)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time

import pytest

from perception_r1.demo import make_config
from perception_r1.demo.arms import ArmFailed, train_arms
from perception_r1.demo.base import base_path
from perception_r1.demo.pipeline import ARM_NAMES, StageMismatch, _stage, run_grpo, synth_options


@pytest.fixture()
def train(tmp_path):
    from perception_r1.data.synth import write_synth

    options, _ = synth_options(make_config(quick=True))
    write_synth(tmp_path / "train", 8, 0, **options)
    return str(tmp_path / "train")


def test_a_stage_started_with_other_settings_is_refused(tmp_path):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "started.json").write_text(json.dumps({"n": 1}))
    with pytest.raises(StageMismatch, match="unfinished stage started with other settings"):
        _stage(tmp_path / "s", {"n": 2}, lambda: pytest.fail("ran over another run's stage"), print)
    assert _stage(tmp_path / "s", {"n": 1}, lambda: {"x": 1}, print)["x"] == 1


@pytest.mark.slow
def test_an_interrupted_arm_continues_from_its_last_checkpoint(tmp_path, train, monkeypatch):
    import torch
    from safetensors.torch import load_file

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    cfg = make_config(quick=True, grpo={"max_steps": 3, "save_strategy": "steps", "save_steps": 1,
                                                  "save_total_limit": 5})
    out = tmp_path / "arm"
    run_grpo(cfg, "perception_r1", str(base_path()), train, out, print)
    first = json.loads((out / "done.json").read_text())
    assert first["steps"] == 3 and first["resumed_from"] is None
    # What an interruption during step 3 leaves: checkpoints 1 and 2 and started.json, no done.json.
    (out / "done.json").unlink()
    shutil.rmtree(out / "checkpoint-3")
    notes: list[str] = []
    run_grpo(cfg, "perception_r1", str(base_path()), train, out, notes.append)
    again = json.loads((out / "done.json").read_text())
    assert again["resumed_from"].endswith("checkpoint-2") and again["steps"] == 3
    assert any("continuing the interrupted run" in n for n in notes)
    # The resumed arm ends with the weights the uninterrupted run ended with.
    resumed = load_file(out / "model.safetensors")
    shutil.rmtree(out)
    run_grpo(cfg, "perception_r1", str(base_path()), train, out, print)
    whole = load_file(out / "model.safetensors")
    assert resumed.keys() == whole.keys()
    assert all(torch.equal(resumed[k], whole[k]) for k in whole), "resuming changed the trained weights"


@pytest.mark.slow
def test_both_arms_train_at_once_and_a_rerun_reuses_them(tmp_path, train, monkeypatch, caplog):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    cfg = make_config(quick=True, grpo={"max_steps": 2})
    arms = {arm: tmp_path / arm for arm in ARM_NAMES}
    notes: list[str] = []
    assert train_arms(cfg, arms, str(base_path()), train, notes.append) == {a: str(p) for a, p in arms.items()}
    assert "did not exit" not in caplog.text  # each worker stopped its own pools and left by itself
    for arm, out in arms.items():
        done = json.loads((out / "done.json").read_text())
        assert done["arm"] == arm and done["steps"] == 2
        assert (out / "model.safetensors").exists()
        # Every reward was computed: a worker that cannot start math-verify's pool would leave r_a missing.
        metrics = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
        assert all(m.get("accuracy/missing", 0) == 0 and m.get("accuracy/failures", 0) == 0 for m in metrics)
        assert all(m.get("perception/missing", 0) == 0 and m.get("perception/judge_failures", 0) == 0 for m in metrics)
    assert train_arms(cfg, arms, str(base_path()), train, notes.append) == {a: str(p) for a, p in arms.items()}
    assert sum("reused" in n for n in notes) == 2


@pytest.mark.slow
def test_a_killed_worker_fails_the_run_and_stops_the_other(tmp_path, train, monkeypatch):
    """As the kernel's out-of-memory killer would: SIGKILL to one worker mid-training."""
    import multiprocessing

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    cfg = make_config(quick=True, grpo={"max_steps": 500})
    arms = {arm: tmp_path / arm for arm in ARM_NAMES}
    caught: list[BaseException] = []

    def run():
        try:
            train_arms(cfg, arms, str(base_path()), train, print)
        except BaseException as e:  # noqa: BLE001 — the test reads what the parent raised
            caught.append(e)

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.time() + 120
    while time.time() < deadline and not all((p / "metrics.jsonl").exists() for p in arms.values()):
        time.sleep(0.5)
    workers = [p for p in multiprocessing.active_children() if p.name.startswith("grpo ")]
    assert len(workers) == 2, "both arms should be training"
    os.kill(workers[0].pid, signal.SIGKILL)
    thread.join(timeout=60)
    assert not thread.is_alive(), "the parent waited on the surviving arm"
    assert len(caught) == 1 and isinstance(caught[0], ArmFailed) and "died" in str(caught[0])
    assert not [p for p in multiprocessing.active_children() if p.name.startswith("grpo ")]


@pytest.mark.slow
def test_a_workers_error_is_raised_in_the_parent_as_itself(tmp_path, train, monkeypatch):
    """A rerun after the settings changed: the arm's worker refuses its folder, and the parent raises that
    StageMismatch (a user's error, one line from the CLI), not a generic failure; the other arm is stopped."""
    import multiprocessing

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    cfg = make_config(quick=True, grpo={"max_steps": 500})
    arms = {arm: tmp_path / arm for arm in ARM_NAMES}
    arms["perception_r1"].mkdir()
    (arms["perception_r1"] / "started.json").write_text(json.dumps({"other": "settings"}))
    with pytest.raises(StageMismatch, match="unfinished stage started with other settings"):
        train_arms(cfg, arms, str(base_path()), train, print)
    assert not [p for p in multiprocessing.active_children() if p.name.startswith("grpo ")]
