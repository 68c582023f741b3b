"""GRPO with the Perception-R1 reward: thin wiring over TRL's `GRPOTrainer` (no loop of our own).

Paper eq. 1: r = α·r_f + β·r_a + γ·r_v + r_p, one TRL reward function per term
(`rewards.trl.make_reward_funcs`) with `GRPOConfig.reward_weights = [α, β, γ, 1]`; TRL sums the weighted
terms with `nansum` and normalises advantages per group (`scale_rewards="group"`: Â = (r − mean)/std).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from perception_r1.rewards.format import FORMAT_PATTERN

from .config import MethodArgs, resolve_model
from .dataset import ensure_dataset, grpo_dataset, load_records_limited
from .run import run


@dataclass
class Plan:
    """Everything a run needs except the model: what `--dry-run` builds and checks."""

    train_dataset: Any
    eval_dataset: Any
    reward_funcs: list[Callable]
    reward_names: list[str]
    judge: Any
    recorder: Any
    prompts_per_step: float

    def summary(self, method: MethodArgs, args) -> str:
        w = dict(zip(self.reward_names, args.reward_weights))
        ds = self.train_dataset
        n_ann = sum(bool(a) for a in ds["visual_annotations"]) if ds is not None else 0
        lines = [
            f"model        {method.model_name_or_path}",
            f"data         {method.dataset}: " + (f"{len(ds)} prompts, {n_ann} with visual annotations"
                                                   if ds is not None else "MISSING (not checked)"),
            f"rewards      {', '.join(f'{k}×{v:g}' for k, v in w.items())}",
            "judge        " + (f"{method.judge}, on_error={method.judge_on_error}, missing r_v within a group: "
                                f"{method.missing_perception}" if self.judge is not None else "(none: r_v disabled)"),
            f"prompt       {prompt_summary(method.prompt_preset)}",
            f"format       r_f pattern {method.format_pattern or FORMAT_PATTERN!r}",
            f"GRPO         G={args.num_generations}, T={args.temperature}, KL beta={args.beta}, "
            f"scale_rewards={args.scale_rewards}, clip=({args.epsilon}, {args.epsilon_high or args.epsilon}), "
            f"dual-clip delta={args.delta}",
            f"loss         {args.loss_type}: {LOSS_AGGREGATION.get(args.loss_type, 'see TRL GRPOConfig.loss_type')}, "
            f"micro-batch {args.per_device_train_batch_size} completions",
            f"batch        {self.prompts_per_step:g} prompts × {args.num_generations} per optimizer step "
            f"(steps_per_generation {args.steps_per_generation})",
            f"optimizer    lr {args.learning_rate}, weight decay {args.weight_decay}, warm-up "
            f"{args.warmup_steps}, epochs {args.num_train_epochs}, max_steps {args.max_steps}",
            f"generation   max_completion_length {args.max_completion_length}, vLLM "
            f"{args.vllm_mode if args.use_vllm else 'off'}",
            f"precision    bf16={args.bf16}, gradient checkpointing={args.gradient_checkpointing}",
            "adapter      " + (f"LoRA r={method.lora_r}, alpha={method.lora_alpha}, on {method.lora_target_modules}"
                                + (", 4-bit base (QLoRA)" if method.load_in_4bit else "") if method.use_peft
                                else "none (all weights train)"),
            "dyn-sampling " + (f"drop groups with constant {method.dynamic_sampling_key}" if method.dynamic_sampling
                                 else "off"),
        ]
        return "\n".join(lines)


# How each TRL 1.16 loss_type averages the per-token losses (GRPOTrainer.compute_loss).
LOSS_AGGREGATION = {
    "bnpo": "token mean over each micro-batch, divided by the accumulation steps",
    "dapo": "token mean over the whole generation batch (all processes)",
    "grpo": "mean over sequences of each sequence's token mean",
    "dr_grpo": "token sum / (sequences × max_completion_length)",
}


def prompt_summary(preset: str) -> str:
    from perception_r1.data.prompt import prompt_preset

    p = prompt_preset(preset)
    where = f"system prompt {p.system_prompt!r}" if p.system_prompt else "no system prompt"
    return f"{preset}: {where}" + (f"; user turn ends with {p.user_suffix!r}" if p.user_suffix else "")


def build_judge(method: MethodArgs):
    if not method.use_perception:
        return None
    from perception_r1.judges import build_judge as registry

    return registry(method.judge, **method.judge_kwargs())


def batch_geometry(args, num_processes: int) -> float:
    """Prompts per optimizer step; each generation batch must hold whole groups of `num_generations`."""
    completions = args.per_device_train_batch_size * num_processes * args.gradient_accumulation_steps
    if completions % args.num_generations:
        raise ValueError(f"per_device_train_batch_size × processes × gradient_accumulation_steps = {completions} "
                         f"completions per step is not a multiple of num_generations = {args.num_generations}")
    return completions / args.num_generations


def plan(method: MethodArgs, args, *, num_processes: int | None = None, require_data: bool = True) -> Plan:
    """Data, judge and reward functions (wrapped for observability); fills `args.reward_weights`."""
    from perception_r1.rewards.trl import make_reward_funcs

    from .callbacks import RewardRecorder
    from .missing_rv import with_missing_policy

    path = Path(method.dataset)
    if require_data or path.exists() or method.synth_n:
        path = ensure_dataset(path, method.synth_n, method.synth_seed, method.synth_options)
        train_ds = grpo_dataset(load_records_limited(path, method.max_samples), method.min_pixels, method.max_pixels,
                                method.prompt_preset)
    else:
        train_ds = None
    eval_ds = None
    if method.eval_dataset:
        eval_ds = grpo_dataset(load_records_limited(method.eval_dataset), method.min_pixels, method.max_pixels,
                               method.prompt_preset)
    judge = build_judge(method)
    funcs, weights = make_reward_funcs(method.reward_config(), judge)
    funcs = [with_missing_policy(f, method.missing_perception) if f.__name__ == "perception" else f for f in funcs]
    if args.reward_weights is None:
        args.reward_weights = weights
    elif len(args.reward_weights) != len(funcs):
        raise ValueError(f"reward_weights has {len(args.reward_weights)} values for the {len(funcs)} enabled "
                         f"rewards {[f.__name__ for f in funcs]}")
    recorder = RewardRecorder(args.reward_weights)
    names = [f.__name__ for f in funcs]
    if method.dynamic_sampling and method.dynamic_sampling_key not in names:
        raise ValueError(f"dynamic_sampling_key {method.dynamic_sampling_key!r} is not one of the enabled rewards {names}")
    prompts = batch_geometry(args, num_processes or args.world_size)
    return Plan(train_ds, eval_ds, recorder.wrap(funcs), names, judge, recorder, prompts)


def make_trainer(method: MethodArgs, args, p: Plan):
    from trl import GRPOTrainer

    from .callbacks import MetricsJsonl, SamplesJsonl
    from .checkpoint import strict_resume
    from .lora import peft_config, quantized_init_kwargs

    out = Path(args.output_dir)
    callbacks = [MetricsJsonl(out / "metrics.jsonl"),
                 SamplesJsonl(out / "samples.jsonl", p.recorder, method.samples_every, method.samples_per_step)]
    args.model_init_kwargs = quantized_init_kwargs(method, args.model_init_kwargs)
    kwargs = dict(model=resolve_model(method), reward_funcs=p.reward_funcs, args=args, train_dataset=p.train_dataset,
                  eval_dataset=p.eval_dataset, callbacks=callbacks, peft_config=peft_config(method))
    if method.dynamic_sampling:
        from .dynamic import DynamicSamplingGRPOTrainer

        return strict_resume(DynamicSamplingGRPOTrainer)(**kwargs, dynamic_sampling_key=method.dynamic_sampling_key)
    return strict_resume(GRPOTrainer)(**kwargs)


def train(method: MethodArgs, args, *, resume: bool = False) -> Any:
    """Run GRPO (`run.run`: with `resume`, from the newest checkpoint in `output_dir`)."""
    p = plan(method, args)
    return run(method, args, lambda: make_trainer(method, args, p), resume=resume)


__all__ = ["Plan", "plan", "make_trainer", "train", "batch_geometry"]
