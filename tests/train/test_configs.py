"""Every shipped YAML loads into its dataclasses (MethodArgs + GRPOConfig/SFTConfig), starts with the
command that runs it, and each paper ablation differs from the paper config only where it says."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

pytest.importorskip("trl")

from perception_r1.train.config import parse  # noqa: E402

CONFIGS = Path(__file__).resolve().parents[2] / "configs"
# The pretraining recipe fills other dataclasses (PretrainArgs + TrainingArguments): tests/train/test_pretrain.py.
RUNS = sorted(p for p in CONFIGS.glob("*.yaml") if not p.stem.endswith("_pretrain"))
PAPER = CONFIGS / "qwen2_5_vl_7b_geo3k.yaml"


def _kind(path: Path) -> str:
    return "sft" if path.stem.endswith("_sft") else "grpo"


def test_configs_exist():
    names = {p.stem for p in RUNS}
    assert {"demo_cpu", "demo_cpu_sft", "qwen2_5_vl_7b_geo3k", "qwen2_5_vl_7b_geo3k_accuracy_only",
            "qwen2_5_vl_7b_geo3k_no_rv", "qwen2_5_vl_7b_geo3k_no_rp", "qwen2_5_vl_7b_geo3k_mllm_rm",
            "qwen2_5_vl_7b_geo3k_sft"} <= names


@pytest.mark.parametrize("path", RUNS, ids=lambda p: p.stem)
def test_config_loads_into_dataclasses(path):
    first = path.read_text().splitlines()[0]
    assert first.startswith("# ") and f"--config configs/{path.name}" in first
    assert (" sft " in first) == (_kind(path) == "sft")
    # use_cpu: the GPU configs ask for bf16, which TrainingArguments refuses on a CPU-only machine.
    method, args = parse(_kind(path), ["--config", str(path), "--use_cpu", "True"])
    raw = yaml.safe_load(path.read_text())
    for key, value in raw.items():
        target = method if hasattr(method, key) else args
        got = getattr(target, key)
        if key not in ("report_to", "lr_scheduler_type", "save_strategy", "model_init_kwargs", "synth_options"):
            assert got == value, key


def test_paper_config_is_the_released_run():
    method, args = parse("grpo", ["--config", str(PAPER), "--use_cpu", "True"])
    assert (method.reward_alpha, method.reward_beta, method.reward_gamma) == (0.1, 0.9, 0.7)
    assert (method.ngram_size, method.max_penalty) == (20, -2.0)
    assert (method.min_pixels, method.max_pixels) == (3136, 1806336)
    assert (args.learning_rate, args.weight_decay, args.warmup_steps) == (1e-6, 1e-3, 0.05)
    assert (args.num_generations, args.temperature, args.beta, args.num_train_epochs) == (8, 1.0, 0.0, 25)
    assert args.max_completion_length == 4096 and args.bf16 and args.gradient_checkpointing
    completions = args.per_device_train_batch_size * method.expected_num_processes * args.gradient_accumulation_steps
    assert completions == 128 * 8
    assert args.scale_rewards == "group" and args.use_vllm
    # the release (EasyR1 fork): its user-turn prompt, dual-clip 3.0, token mean per micro-batch of 8
    assert method.prompt_preset == "release" and args.delta == 3.0
    assert args.loss_type == "bnpo" and args.per_device_train_batch_size == 8


def test_paper_config_format_rule_is_the_release_rule():
    from perception_r1.rewards.format import format_reward

    method, _ = parse("grpo", ["--config", str(PAPER), "--use_cpu", "True"])
    ok = "<think>\nAB = 3\n</think>\n<answer>\nx = \\boxed{3}\n</answer>"
    assert format_reward(ok, method.format_pattern) == 1.0
    assert format_reward(ok.replace("{3}", "{}"), method.format_pattern) == 0.0  # the release needs a non-empty box
    assert format_reward(ok + " ", method.format_pattern) == 0.0


@pytest.mark.parametrize("name,changed", [
    ("qwen2_5_vl_7b_geo3k_accuracy_only", {"use_perception": False, "use_repetition": False}),
    ("qwen2_5_vl_7b_geo3k_no_rv", {"use_perception": False}),
    ("qwen2_5_vl_7b_geo3k_no_rp", {"use_repetition": False}),
    ("qwen2_5_vl_7b_geo3k_mllm_rm", {"judge": "mllm", "judge_model": "Qwen/Qwen2.5-VL-32B-Instruct"}),
])
def test_ablation_differs_only_where_it_says(name, changed):
    base = yaml.safe_load(PAPER.read_text())
    abl = yaml.safe_load((CONFIGS / f"{name}.yaml").read_text())
    diff = {k: v for k, v in abl.items() if base.get(k) != v and k not in ("output_dir", "judge_cache")}
    assert diff == changed
    assert abl["output_dir"] != base["output_dir"]


@pytest.mark.parametrize("name", ["qwen2_5_vl_7b_geo3k", "qwen2_5_vl_7b_geo3k_mllm_rm"])
def test_paper_dry_run_without_gpu(name, capsys, tmp_path, monkeypatch):
    from perception_r1.cli.main import main

    monkeypatch.chdir(tmp_path)  # the judge cache's folder is created relative to the working directory
    assert main(["train", "--config", str(CONFIGS / f"{name}.yaml"), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "128 prompts × 8 per optimizer step" in out and "dry run OK" in out
    assert "KL beta=0.0" in out and "clip=(0.2, 0.3)" in out and "dual-clip delta=3.0" in out
    assert "loss         bnpo: token mean over each micro-batch" in out and "micro-batch 8 completions" in out
    assert "prompt       release: no system prompt; user turn ends with 'You FIRST think" in out
    assert "\\\\boxed{.+?}" in out


@pytest.mark.parametrize("name", sorted(p.name for p in (CONFIGS / "accelerate").glob("*.yaml")))
def test_accelerate_configs_shard_everything(name):
    raw = yaml.safe_load((CONFIGS / "accelerate" / name).read_text())
    if raw["distributed_type"] == "DEEPSPEED":
        assert raw["deepspeed_config"]["zero_stage"] == 3
    else:
        fsdp = raw["fsdp_config"]
        assert raw["distributed_type"] == "FSDP" and fsdp["fsdp_version"] == 2 and fsdp["fsdp_reshard_after_forward"]
        from transformers.models.qwen2_5_vl import modeling_qwen2_5_vl

        for cls in fsdp["fsdp_transformer_layer_cls_to_wrap"].split(","):
            assert hasattr(modeling_qwen2_5_vl, cls), cls
    assert raw["num_processes"] == 8 * raw["num_machines"]


@pytest.mark.parametrize("extra,message", [
    (["--learning_rat", "3"], "not used by the HfArgumentParser"),   # no abbreviations: a typo is an error
    (["--judge", "gpt"], "judge must be one of"),
])
def test_cli_reports_bad_keys_in_one_line(extra, message, capsys, tmp_path, monkeypatch):
    from perception_r1.cli.main import main

    monkeypatch.chdir(tmp_path)
    assert main(["train", "--config", str(CONFIGS / "demo_cpu.yaml"), "--dry-run", *extra]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
