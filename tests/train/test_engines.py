"""What users of the engines ask for, on tiny models: dynamic sampling drops exactly the groups whose
accuracy has no variance; LoRA trains through TRL's peft_config (GRPO and SFT) and the saved adapter
evaluates; Qwen2-VL and Qwen3-VL train (GRPO, SFT) and evaluate like Qwen2.5-VL."""

from __future__ import annotations

import json
import math

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("trl")

from perception_r1.train.config import MethodArgs  # noqa: E402
from perception_r1.train.dynamic import zero_variance_groups  # noqa: E402

nan = math.nan


@pytest.mark.parametrize("values,group,expected", [
    ([1, 1, 1, 1, 0, 1, 0, 0], 4, [True] * 4 + [False] * 4),
    ([0, 0, 0, 0, 0, 0], 2, [True] * 6),
    ([0.5, 0.5, 0.25, 0.5], 2, [True, True, False, False]),
    ([nan, 1, 1, nan], 2, [True, True, True, True]),  # NaN (no value) is ignored
    ([nan, nan, 0, 1], 2, [True, True, False, False]),  # no value at all: nothing to learn from
])
def test_zero_variance_groups(values, group, expected):
    got = zero_variance_groups(torch.tensor(values, dtype=torch.float32), group)
    assert got.tolist() == expected


def _grpo_args(out, **kw):
    from trl import GRPOConfig

    base = dict(output_dir=str(out), max_steps=1, per_device_train_batch_size=8, num_generations=4,
                max_completion_length=6, learning_rate=1e-2, lr_scheduler_type="constant", bf16=False, use_cpu=True,
                gradient_checkpointing=False, logging_steps=1, save_strategy="no", report_to="none", seed=0,
                dataloader_num_workers=0)
    return GRPOConfig(**{**base, **kw})


def _sft_args(out, **kw):
    from trl import SFTConfig

    base = dict(output_dir=str(out), max_steps=2, per_device_train_batch_size=4, learning_rate=1e-2,
                lr_scheduler_type="constant", bf16=False, use_cpu=True, gradient_checkpointing=False, logging_steps=1,
                save_strategy="no", report_to="none", seed=0, dataloader_num_workers=0)
    return SFTConfig(**{**base, **kw})


def _method(model, data, **kw):
    return MethodArgs(model_name_or_path=str(model), dataset=str(data), min_pixels=3136, max_pixels=12544,
                      num_threads=1, samples_every=1, **kw)


def _plan(method, args, funcs):
    from perception_r1.train.callbacks import RewardRecorder
    from perception_r1.train.dataset import grpo_dataset, load_records_limited
    from perception_r1.train.grpo import Plan

    args.reward_weights = [1.0] * len(funcs)
    recorder = RewardRecorder(args.reward_weights)
    ds = grpo_dataset(load_records_limited(method.dataset), method.min_pixels, method.max_pixels)
    return Plan(ds, None, recorder.wrap(funcs), [f.__name__ for f in funcs], None, recorder, 2)


def _length(prompts, completions, **kw):
    return [float(len(c[0]["content"])) for c in completions]


def _eval(model, tmp_path, name):
    from perception_r1.cli.main import main
    from perception_r1.data.synth import write_synth

    data = tmp_path / "synth"
    if not data.exists():
        write_synth(data, 2, seed=0)
    out = tmp_path / f"eval-{name}"
    assert main(["eval", "--benchmark", "synth", "--data", str(data), "--model", str(model), "--max-new-tokens", "4",
                 "--batch-size", "2", "--max-pixels", "12544", "--out", str(out)]) == 0
    return json.loads((out / "summary.json").read_text())


@pytest.mark.slow
def test_dynamic_sampling_drops_constant_accuracy_groups(tiny_model, digits_data, tmp_path):
    from perception_r1.train.grpo import make_trainer

    seen = []

    def accuracy(prompts, completions, id, **kw):
        # r0-r3: every completion right (no variance); r4-r7: alternate right/wrong within the group
        out = [1.0 if int(i[1:]) < 4 else float(k % 2) for k, i in enumerate(id)]
        seen.append(list(id))
        return out

    method = _method(tiny_model, digits_data, dynamic_sampling=True)
    args = _grpo_args(tmp_path / "out", max_steps=2)
    trainer = make_trainer(method, args, _plan(method, args, [accuracy, _length]))
    outputs = []
    inner = trainer._generate_and_score_completions
    trainer._generate_and_score_completions = lambda inputs: outputs.append(inner(inputs)) or outputs[-1]
    trainer.train()
    assert len(outputs) == len(seen) == 2
    logged = [json.loads(x) for x in (tmp_path / "out" / "metrics.jsonl").read_text().splitlines()]
    for ids, out, log in zip(seen, outputs, logged):
        dropped = torch.tensor([int(i[1:]) < 4 for i in ids])
        assert (out["advantages"][dropped] == 0).all() and (out["completion_mask"][dropped] == 0).all()
        assert (out["completion_mask"][~dropped].sum(1) > 0).all()
        assert log["dynamic_sampling/dropped_frac"] == pytest.approx(dropped.float().mean().item())


def test_dynamic_sampling_key_must_be_a_reward(tiny_model, digits_data, tmp_path):
    from perception_r1.train.grpo import plan

    method = _method(tiny_model, digits_data, dynamic_sampling=True, use_accuracy=False)
    with pytest.raises(ValueError, match="dynamic_sampling_key 'accuracy' is not one of the enabled rewards"):
        plan(method, _grpo_args(tmp_path / "o"))


@pytest.mark.slow
def test_lora_grpo_and_sft_then_the_adapter_evaluates(tiny_model, digits_data, tmp_path):
    pytest.importorskip("peft")
    from transformers import AutoModelForImageTextToText

    from perception_r1.train.grpo import make_trainer
    from perception_r1.train.sft import train as sft_train

    method = _method(tiny_model, digits_data, use_peft=True, lora_r=4, lora_alpha=8)
    args = _grpo_args(tmp_path / "grpo")
    trainer = make_trainer(method, args, _plan(method, args, [_length]))
    trainer.train()
    trainable = [n for n, p in trainer.model.named_parameters() if p.requires_grad]
    assert trainable and all("lora_" in n for n in trainable)
    trainer.save_model(args.output_dir)
    assert (tmp_path / "grpo" / "adapter_config.json").exists()

    sft, _ = sft_train(method, _sft_args(tmp_path / "sft"))
    adapter = json.loads((tmp_path / "sft" / "adapter_config.json").read_text())
    assert adapter["r"] == 4 and adapter["base_model_name_or_path"] == str(tiny_model)
    reloaded = AutoModelForImageTextToText.from_pretrained(tmp_path / "sft")
    assert any("lora_" in n for n, _ in reloaded.named_parameters())
    summary = _eval(tmp_path / "sft", tmp_path, "lora")
    assert summary["total"] == 2


@pytest.mark.slow
@pytest.mark.parametrize("family", ["qwen2_vl", "qwen3_vl"])
def test_other_families_train_and_evaluate(family, digits_data, tmp_path):
    from perception_r1.models.families import build_family_model
    from perception_r1.train.grpo import make_trainer
    from perception_r1.train.sft import train as sft_train

    model = build_family_model(tmp_path / family, family)
    method = _method(model, digits_data)
    args = _grpo_args(tmp_path / "grpo")
    trainer = make_trainer(method, args, _plan(method, args, [_length]))
    assert type(trainer.model).__name__.lower().startswith(family.replace("_", ""))
    before = {k: v.clone() for k, v in trainer.model.state_dict().items()}
    trainer.train()
    assert any(not torch.equal(before[k], v) for k, v in trainer.model.state_dict().items())
    sft, _ = sft_train(method, _sft_args(tmp_path / "sft"))
    assert [h["loss"] for h in sft.state.log_history if "loss" in h]
    assert _eval(tmp_path / "sft", tmp_path, family)["total"] == 2
