"""Short real runs on the tiny model (slow): the reward wiring receives each completion's own columns,
GRPO changes the weights, SFT lowers the loss, resume restores the step and the optimizer state."""

from __future__ import annotations

import re

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("trl")

from perception_r1.train.config import MethodArgs  # noqa: E402

pytestmark = pytest.mark.slow


def _grpo_args(out, **kw):
    from trl import GRPOConfig

    base = dict(output_dir=str(out), max_steps=2, per_device_train_batch_size=8, num_generations=4,
                max_completion_length=8, learning_rate=1e-2, lr_scheduler_type="constant", bf16=False,
                use_cpu=True, gradient_checkpointing=False, logging_steps=1, save_strategy="no",
                report_to="none", seed=0, dataloader_num_workers=0)
    return GRPOConfig(**{**base, **kw})


def _method(tiny_model, digits_data, **kw):
    return MethodArgs(model_name_or_path=str(tiny_model), dataset=str(digits_data), min_pixels=3136,
                      max_pixels=12544, num_threads=2, samples_every=1, **kw)


def _scripted_plan(method, args, calls):
    """A Plan whose one reward records its columns and pays for length (so groups have variance)."""
    from perception_r1.train.callbacks import RewardRecorder
    from perception_r1.train.dataset import grpo_dataset, load_records_limited
    from perception_r1.train.grpo import Plan

    def length(prompts, completions, **kw):
        calls.append({"prompts": prompts, **{k: kw[k] for k in ("id", "answer", "visual_annotations", "choices")}})
        return [float(len(c[0]["content"])) for c in completions]

    args.reward_weights = [1.0]
    recorder = RewardRecorder([1.0])
    ds = grpo_dataset(load_records_limited(method.dataset), method.min_pixels, method.max_pixels)
    return Plan(ds, None, recorder.wrap([length]), ["length"], None, recorder, 2)


def test_reward_columns_line_up_and_grpo_changes_weights(tiny_model, digits_data, tmp_path):
    from transformers import AutoModelForImageTextToText

    from perception_r1.train.grpo import make_trainer

    method = _method(tiny_model, digits_data)
    args = _grpo_args(tmp_path / "out")
    calls: list[dict] = []
    trainer = make_trainer(method, args, _scripted_plan(method, args, calls))
    trainer.train()
    assert len(calls) == 2
    for call in calls:
        ids = call["id"]
        assert len(ids) == 8 and ids[:4] == [ids[0]] * 4 and ids[4:] == [ids[4]] * 4  # groups of G
        for i, rid in enumerate(ids):
            user_text = call["prompts"][i][-1]["content"][-1]["text"]
            assert re.search(r"\[item (r\d)\]", user_text).group(1) == rid
            k = int(rid[1:])
            assert call["answer"][i] == str(k) and call["choices"][i] is None
            assert call["visual_annotations"][i] == ([f"the digit is {k}"] if k % 2 == 0 else None)
    before = AutoModelForImageTextToText.from_pretrained(tiny_model).state_dict()
    after = trainer.model.state_dict()
    changed = [k for k in before if not torch.equal(before[k], after[k].to(before[k].dtype))]
    assert changed, "no parameter moved"
    assert (tmp_path / "out" / "metrics.jsonl").exists() and (tmp_path / "out" / "samples.jsonl").exists()


def test_resume_restores_step_and_optimizer(tiny_model, digits_data, tmp_path):
    from transformers import TrainerCallback

    from perception_r1.train.grpo import make_trainer
    from perception_r1.train.run import last_checkpoint

    out = tmp_path / "out"
    method = _method(tiny_model, digits_data)
    args = _grpo_args(out, max_steps=2, save_strategy="steps", save_steps=2)
    make_trainer(method, args, _scripted_plan(method, args, [])).train()
    ckpt = last_checkpoint(out)
    assert ckpt.endswith("checkpoint-2")
    saved = torch.load(f"{ckpt}/optimizer.pt", weights_only=False)["state"]

    seen = {}

    class Probe(TrainerCallback):
        def on_step_begin(self, args, state, control, optimizer=None, **kw):
            if "step" not in seen:
                seen["step"] = state.global_step
                seen["state"] = {i: {k: v.clone() for k, v in s.items()}
                                 for i, s in enumerate(optimizer.state.values())}

    args = _grpo_args(out, max_steps=3, save_strategy="steps", save_steps=2)
    trainer = make_trainer(method, args, _scripted_plan(method, args, []))
    trainer.add_callback(Probe())
    trainer.train(resume_from_checkpoint=ckpt)
    assert seen["step"] == 2 and trainer.state.global_step == 3
    assert len(seen["state"]) == len(saved) > 0
    for i, s in saved.items():
        assert torch.equal(seen["state"][i]["exp_avg"], s["exp_avg"])


def test_sft_lowers_loss(tiny_model, digits_data, tmp_path):
    from trl import SFTConfig

    from perception_r1.train.sft import train

    args = SFTConfig(output_dir=str(tmp_path / "sft"), max_steps=16, per_device_train_batch_size=8,
                     learning_rate=3e-3, lr_scheduler_type="constant", bf16=False, use_cpu=True,
                     gradient_checkpointing=False, logging_steps=4, save_strategy="no", report_to="none",
                     seed=0, dataloader_num_workers=0)
    trainer, _ = train(_method(tiny_model, digits_data), args)
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    assert len(losses) == 4 and losses[-1] < 0.8 * losses[0]
