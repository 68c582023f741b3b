"""Resume restores what was trained (slow): for GRPO and SFT, a run stopped after its step-2 checkpoint and
resumed holds the checkpoint's weights before step 3 and logs the same losses as an uninterrupted run;
a checkpoint of another model is refused in one line, not partially loaded; nothing logs missing keys."""

from __future__ import annotations

import logging

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("trl")

from transformers import TrainerCallback  # noqa: E402

from perception_r1.train.config import MethodArgs  # noqa: E402

pytestmark = pytest.mark.slow

STEPS = 4
COMMON = dict(max_steps=STEPS, per_device_train_batch_size=8, learning_rate=1e-2, lr_scheduler_type="linear",
              warmup_steps=1, bf16=False, use_cpu=True, gradient_checkpointing=False, logging_steps=1,
              save_strategy="steps", save_steps=2, report_to="none", seed=0, dataloader_num_workers=0)


class StopAfter(TrainerCallback):
    """Ends the run after `step` (its checkpoint is written first): a preemption."""

    def __init__(self, step):
        self.step = step

    def on_step_end(self, args, state, control, **kw):
        if state.global_step == self.step:
            control.should_training_stop = True


class FirstStepWeights(TrainerCallback):
    """The model's weights when the first step of this process begins (after any resume)."""

    def __init__(self):
        self.weights = None

    def on_step_begin(self, args, state, control, model=None, **kw):
        if self.weights is None:
            self.weights = {k: v.detach().clone() for k, v in model.state_dict().items()}


def _method(tiny_model, digits_data, **kw):
    return MethodArgs(model_name_or_path=str(tiny_model), dataset=str(digits_data), min_pixels=3136,
                      max_pixels=12544, num_threads=1, samples_every=1, **kw)


def _grpo(tiny_model, digits_data, out, callbacks):
    from trl import GRPOConfig

    from perception_r1.train.callbacks import RewardRecorder
    from perception_r1.train.dataset import grpo_dataset, load_records_limited
    from perception_r1.train.grpo import Plan, make_trainer

    def length(completions, **kw):  # groups differ, so the GRPO loss and the update are not zero
        return [float(len(c[0]["content"])) for c in completions]

    method = _method(tiny_model, digits_data)
    args = GRPOConfig(output_dir=str(out), num_generations=4, max_completion_length=8, beta=0.04, **COMMON)
    args.reward_weights = [1.0]
    recorder = RewardRecorder([1.0])
    ds = grpo_dataset(load_records_limited(method.dataset), method.min_pixels, method.max_pixels)
    trainer = make_trainer(method, args, Plan(ds, None, recorder.wrap([length]), ["length"], None, recorder, 2))
    for cb in callbacks:
        trainer.add_callback(cb)
    return trainer


def _sft(tiny_model, digits_data, out, callbacks, **method_kw):
    from trl import SFTConfig

    from perception_r1.train.sft import datasets_for, make_trainer

    method = _method(tiny_model, digits_data, **method_kw)
    args = SFTConfig(output_dir=str(out), **COMMON)
    trainer = make_trainer(method, args, *datasets_for(method))
    for cb in callbacks:
        trainer.add_callback(cb)
    return trainer


def _losses(trainer):
    return {h["step"]: h["loss"] for h in trainer.state.log_history if "loss" in h}


@pytest.fixture
def transformers_log(caplog):
    caplog.set_level(logging.WARNING, logger="transformers")
    return caplog


@pytest.mark.parametrize("build", [_grpo, _sft], ids=["train", "sft"])
def test_resume_restores_weights_and_continues_the_losses(build, tiny_model, digits_data, tmp_path,
                                                          transformers_log):
    from safetensors.torch import load_file
    from transformers import AutoModelForImageTextToText

    from perception_r1.train.checkpoint import to_model_keys

    whole = build(tiny_model, digits_data, tmp_path / "whole", [])
    whole.train()
    expected = _losses(whole)
    assert sorted(expected) == [1, 2, 3, 4]

    out = tmp_path / "cut"
    build(tiny_model, digits_data, out, [StopAfter(2)]).train()
    assert (out / "checkpoint-2").is_dir() and not (out / "checkpoint-4").exists()

    probe = FirstStepWeights()
    resumed = build(tiny_model, digits_data, out, [probe])
    resumed.train(resume_from_checkpoint=str(out / "checkpoint-2"))
    saved = to_model_keys(resumed.model, load_file(out / "checkpoint-2" / "model.safetensors"))
    base = AutoModelForImageTextToText.from_pretrained(tiny_model).state_dict()
    assert saved and all(torch.equal(probe.weights[k], v) for k, v in saved.items())
    assert any(not torch.equal(base[k], v) for k, v in saved.items()), "checkpoint-2 holds the base weights"
    got = _losses(resumed)
    assert sorted(got) == [1, 2, 3, 4]  # steps 1-2 come from the checkpoint's log history
    for step in (3, 4):
        assert got[step] == pytest.approx(expected[step], rel=1e-4, abs=1e-6), (step, got, expected)
    assert "missing keys" not in transformers_log.text and "unexpected keys" not in transformers_log.text


@pytest.mark.parametrize("family", ["qwen2_vl", "qwen3_vl", "lora"])
def test_resume_of_other_families_and_lora_continues_the_losses(family, tiny_model, digits_data, tmp_path,
                                                                 transformers_log):
    """Each family's checkpoint layout (and a LoRA adapter, loaded by PEFT) resumes to the same losses."""
    if family == "lora":
        pytest.importorskip("peft")
        model, kw = tiny_model, dict(use_peft=True, lora_r=4, lora_alpha=8)
    else:
        from perception_r1.models.families import build_family_model

        model, kw = build_family_model(tmp_path / family, family), {}
    whole = _sft(model, digits_data, tmp_path / "whole", [], **kw)
    whole.train()
    _sft(model, digits_data, tmp_path / "cut", [StopAfter(2)], **kw).train()
    resumed = _sft(model, digits_data, tmp_path / "cut", [], **kw)
    resumed.train(resume_from_checkpoint=str(tmp_path / "cut" / "checkpoint-2"))
    expected, got = _losses(whole), _losses(resumed)
    for step in (3, 4):
        assert got[step] == pytest.approx(expected[step], rel=1e-4, abs=1e-6), (step, got, expected)
    assert "missing keys" not in transformers_log.text and "unexpected keys" not in transformers_log.text


def _other_model(ckpt, tiny_model, tmp_path):
    from transformers import AutoModelForImageTextToText

    from perception_r1.models.tiny import build_tiny_model

    other = build_tiny_model(tmp_path / "other", size="small", seed=0)
    AutoModelForImageTextToText.from_pretrained(other).save_pretrained(ckpt)


def _truncated(ckpt, tiny_model, tmp_path):
    from safetensors.torch import load_file, save_file
    from transformers import AutoModelForImageTextToText

    AutoModelForImageTextToText.from_pretrained(tiny_model).save_pretrained(ckpt)
    sd = load_file(ckpt / "model.safetensors")
    sd.pop(next(k for k in sorted(sd) if "layers.1." in k))
    save_file(sd, ckpt / "model.safetensors", metadata={"format": "pt"})


@pytest.mark.parametrize("make", [_other_model, _truncated], ids=["other-model", "truncated"])
def test_checkpoint_that_does_not_match_is_refused(make, tiny_model, digits_data, tmp_path):
    from perception_r1.train.checkpoint import CheckpointMismatch

    ckpt = tmp_path / "out" / "checkpoint-2"
    make(ckpt, tiny_model, tmp_path)
    trainer = _sft(tiny_model, digits_data, tmp_path / "out", [])
    before = {k: v.clone() for k, v in trainer.model.state_dict().items()}
    with pytest.raises(CheckpointMismatch, match="does not match the model"):
        trainer._load_from_checkpoint(str(ckpt))
    assert all(torch.equal(before[k], v) for k, v in trainer.model.state_dict().items())  # nothing half-loaded


def test_cli_resume_from_a_mismatched_checkpoint_ends_in_one_line(tiny_model, digits_data, tmp_path, capsys):
    from perception_r1.cli.main import main

    out = tmp_path / "out"
    _other_model(out / "checkpoint-2", tiny_model, tmp_path)
    rc = main(["sft", "--model_name_or_path", str(tiny_model), "--dataset", str(digits_data), "--output_dir",
               str(out), "--max_steps", "4", "--use_cpu", "True", "--bf16", "False", "--report_to", "none",
               "--max_pixels", "12544", "--num_threads", "1", "--resume"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2
    assert err[-1].startswith("perception-r1 sft: error: checkpoint ") and "does not match the model" in err[-1]
    assert "Traceback" not in "\n".join(err) and not (out / "checkpoint-4").exists()
