"""Run configuration: our method knobs (`MethodArgs`) beside TRL's own `GRPOConfig` / `SFTConfig`.

One YAML file sets both (TRL's keys and ours side by side, flat), and every key can be overridden on
the command line in HF/TRL style (`--learning_rate 1e-5 --reward_gamma 0.5`): `TrlParser` fills the
dataclasses from the YAML first and the command line second, and rejects unknown keys.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from perception_r1.data import MAX_PIXELS, MIN_PIXELS, read_text
from perception_r1.data.prompt import DEFAULT_PRESET, PROMPT_PRESETS, prompt_preset
from perception_r1.urls import is_http_url
from perception_r1.judges import JUDGES
from perception_r1.judges.base import ON_ERROR_POLICIES
from perception_r1.rewards.composite import RewardConfig

_R = RewardConfig()  # the reward's defaults live there; the fields below only rename them


@dataclass
class MethodArgs:
    """Perception-R1 settings that TRL does not have: model/data locations and first-use builds,
    image bounds, the reward (paper eq. 1: r = α·r_f + β·r_a + γ·r_v + r_p) and its judge, logging."""

    model_name_or_path: str = field(default="runs/tiny-model", metadata={
        "help": "hub id or local path of the policy (a Qwen2.5-VL-style image-text-to-text model)"})
    tiny_model_size: str | None = field(default=None, metadata={
        "help": "if set and model_name_or_path does not exist, build the tiny offline model of this size there"})
    dataset: str = field(default="runs/synth", metadata={
        "help": "training data in the data contract (folder with data.jsonl, parquet, or datasets folder)"})
    eval_dataset: str | None = field(default=None, metadata={"help": "optional evaluation data, same layouts"})
    synth_n: int | None = field(default=None, metadata={
        "help": "if set and `dataset` does not exist, generate this many synthetic records there first"})
    synth_seed: int = field(default=0, metadata={"help": "seed of the first-use synthetic data"})
    synth_options: dict | str | None = field(default=None, metadata={
        "help": "extra knobs for data.synth.write_synth (a mapping in YAML, JSON on the command line)"})
    max_samples: int | None = field(default=None, metadata={"help": "use only the first N records"})
    min_pixels: int = field(default=MIN_PIXELS, metadata={"help": "images are resized up to at least this many pixels"})
    max_pixels: int = field(default=MAX_PIXELS, metadata={"help": "images are resized down to at most this many pixels"})
    prompt_preset: str = field(default=DEFAULT_PRESET, metadata={
        "help": f"prompt of every record (data.prompt): one of {', '.join(PROMPT_PRESETS)}; 'release' is the "
                "released run's (no system prompt, the instruction at the end of the user turn)"})
    # The reward (GRPO only). Names carry a `reward_` prefix: `beta` is TRL's KL coefficient.
    reward_alpha: float = field(default=_R.alpha, metadata={"help": "α, weight of the format reward r_f"})
    reward_beta: float = field(default=_R.beta, metadata={"help": "β, weight of the accuracy reward r_a"})
    reward_gamma: float = field(default=_R.gamma, metadata={"help": "γ, weight of the perception reward r_v"})
    ngram_size: int = field(default=_R.ngram, metadata={"help": "n of the repetition penalty r_p"})
    max_penalty: float = field(default=_R.max_penalty, metadata={"help": "P of the repetition penalty r_p"})
    use_format: bool = field(default=_R.use_format, metadata={"help": "include r_f"})
    use_accuracy: bool = field(default=_R.use_accuracy, metadata={"help": "include r_a"})
    use_perception: bool = field(default=_R.use_perception, metadata={"help": "include r_v (needs a judge)"})
    use_repetition: bool = field(default=_R.use_repetition, metadata={"help": "include r_p"})
    format_pattern: str | None = field(default=_R.format_pattern, metadata={
        "help": "regular expression r_f requires of the whole response (re.fullmatch, DOTALL); default rewards.format's"})
    missing_perception: str = field(default="group_mean", metadata={
        "help": "a completion whose r_v is missing while others of its group have one (skipped judgment): "
                "'group_mean' gives it their mean, 'omit' leaves r_v out of its total (TRL nansum)"})
    judge: str = field(default="symbolic", metadata={"help": f"judge of r_v: one of {', '.join(JUDGES)}"})
    judge_url: str | None = field(default=None, metadata={"help": "OpenAI-compatible base URL (…/v1) of the judge"})
    judge_model: str | None = field(default=None, metadata={"help": "model name served at judge_url"})
    judge_api_key_env: str | None = field(default=None, metadata={
        "help": "name of the environment variable holding the judge's API key (the key never enters configs)"})
    judge_timeout: float | None = field(default=None, metadata={"help": "seconds per judge request"})
    judge_max_retries: int | None = field(default=None, metadata={
        "help": "retries per judge request", "aliases": ["--judge-retries"]})
    judge_concurrency: int | None = field(default=None, metadata={"help": "concurrent judge requests"})
    judge_on_error: str = field(default="skip", metadata={
        "help": "a judgment that fails after retries: 'skip' (no r_v for that sample, counted) or 'raise'",
        "aliases": ["--on-judge-error"]})
    judge_cache: str | None = field(default=None, metadata={"help": "disk cache of judgments (path)"})
    judge_options: dict | str | None = field(default=None, metadata={
        "help": "further keyword options for judges.build_judge (mapping in YAML, JSON on the command line)"})
    # GRPO options TRL lacks, and LoRA (passed to TRL as peft_config).
    dynamic_sampling: bool = field(default=False, metadata={
        "help": "drop the groups whose `dynamic_sampling_key` reward has no variance from the loss (DAPO dynamic "
                "sampling without refill); logged as dynamic_sampling/dropped_frac"})
    dynamic_sampling_key: str = field(default="accuracy", metadata={"help": "the reward whose variance decides"})
    use_peft: bool = field(default=False, metadata={"help": "train a LoRA adapter instead of all weights (peft extra)"})
    lora_r: int = field(default=16, metadata={"help": "LoRA rank"})
    lora_alpha: int = field(default=32, metadata={"help": "LoRA scaling alpha"})
    lora_dropout: float = field(default=0.05, metadata={"help": "LoRA dropout"})
    lora_target_modules: str = field(default="all-linear", metadata={
        "help": "modules that get adapters: 'all-linear' or comma-separated names (e.g. q_proj,v_proj)"})
    load_in_4bit: bool = field(default=False, metadata={
        "help": "QLoRA: load the base model in 4-bit NF4 (bitsandbytes, CUDA) under the adapter"})
    # Run plumbing.
    samples_every: int = field(default=10, metadata={
        "help": "write a sample of completions with their rewards to OUTPUT_DIR/samples.jsonl every N steps"})
    samples_per_step: int = field(default=8, metadata={"help": "completions per sample written"})
    expected_num_processes: int | None = field(default=None, metadata={
        "help": "training processes (GPUs) this config is meant for; --dry-run checks the batch geometry with it"})
    num_threads: int | None = field(default=None, metadata={
        "help": "torch CPU threads (default: all cores, at most 4); 1 suits the tiny model on a shared CPU"})

    def __post_init__(self):
        self.synth_options = _as_dict(self.synth_options, "synth_options")
        self.judge_options = _as_dict(self.judge_options, "judge_options")
        if self.judge not in JUDGES:
            raise ValueError(f"judge must be one of {tuple(JUDGES)}, got {self.judge!r}")
        if self.missing_perception not in ("group_mean", "omit"):
            raise ValueError(f"missing_perception must be 'group_mean' or 'omit', got {self.missing_perception!r}")
        if self.judge_on_error not in ON_ERROR_POLICIES:
            raise ValueError(f"judge_on_error must be one of {ON_ERROR_POLICIES}, got {self.judge_on_error!r}")
        prompt_preset(self.prompt_preset)
        check_bounds(vars(self), METHOD_BOUNDS)
        if not 0 < self.min_pixels <= self.max_pixels:
            raise ValueError(f"need 0 < min_pixels <= max_pixels, got {self.min_pixels}, {self.max_pixels}")
        if self.tiny_model_size is not None:
            from perception_r1.models.tiny import PRESETS

            if self.tiny_model_size not in PRESETS:
                raise ValueError(f"tiny_model_size: expected one of {', '.join(PRESETS)}, got {self.tiny_model_size!r}")
        if self.judge_url is not None and not is_http_url(self.judge_url):
            raise ValueError(f"judge_url: must be an http(s) URL such as http://localhost:8000/v1, got {self.judge_url!r}")
        if not self.lora_target_modules.strip():
            raise ValueError("lora_target_modules: expected 'all-linear' or comma-separated module names, got ''")
        if self.format_pattern is not None:
            try:
                re.compile(self.format_pattern)
            except re.error as e:
                raise ValueError(f"format_pattern: not a regular expression ({e})") from None
        check_model_path(self.model_name_or_path, "model_name_or_path", self.tiny_model_size)
        if self.use_perception:
            self._check_judge_options()

    def _check_judge_options(self) -> None:
        """An option the chosen judge does not take is this config's mistake, named by its field, before
        any data is read (not a TypeError from deep inside the judge's constructor)."""
        from perception_r1.judges import judge_options

        accepted = set(judge_options(self.judge))
        fields = {v: k for k, v in _JUDGE_FIELDS.items()}
        for opt in sorted(set(self.judge_kwargs()) - accepted):
            where = f"{fields[opt]}" if opt in fields else f"judge_options: {opt!r}"
            raise ValueError(f"{where}: judge {self.judge!r} does not take this option; it takes: "
                             f"{', '.join(sorted(accepted))}")

    def reward_config(self) -> RewardConfig:
        return RewardConfig(alpha=self.reward_alpha, beta=self.reward_beta, gamma=self.reward_gamma,
                            ngram=self.ngram_size, max_penalty=self.max_penalty, use_format=self.use_format,
                            use_accuracy=self.use_accuracy, use_perception=self.use_perception,
                            use_repetition=self.use_repetition, format_pattern=self.format_pattern)

    def judge_kwargs(self) -> dict[str, Any]:
        """Options for `judges.build_judge`: the named fields that are set, then `judge_options`."""
        named = {opt: getattr(self, name) for name, opt in _JUDGE_FIELDS.items()}
        opts = {k: v for k, v in named.items() if v is not None}
        opts["on_error"] = self.judge_on_error
        opts.update(self.judge_options or {})
        return opts


def check_model_path(path: str, name: str, tiny_model_size: str | None = None) -> None:
    """A local path given as the model must be a model folder (config.json, or a LoRA adapter's
    adapter_config.json), so a dry run fails where the run would; a path that does not exist may be a
    hub id (or the tiny model's place, with `tiny_model_size`, which another process may be writing)."""
    p = Path(path)
    if not p.exists():
        return
    if p.is_file():
        raise ValueError(f"{name}: {path} is a file, not a model folder")
    if tiny_model_size:
        return  # models.tiny.ensure_tiny_model builds it, or refuses a folder that holds something else
    if not ((p / "config.json").is_file() or (p / "adapter_config.json").is_file()):
        raise ValueError(f"{name}: {path} holds no model (no config.json)")


# MethodArgs field -> the `judges.build_judge` option it sets.
_JUDGE_FIELDS = {"judge_url": "url", "judge_model": "model", "judge_api_key_env": "api_key_env",
                 "judge_timeout": "timeout", "judge_max_retries": "max_retries",
                 "judge_concurrency": "concurrency", "judge_cache": "cache"}


def _as_dict(value: Any, name: str) -> dict | None:
    if value is None or isinstance(value, dict):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{name}: expected a mapping (or a JSON object), got {type(value).__name__} {value!r}")
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as e:
        raise ValueError(f"{name}: expected a JSON object, got {value!r}") from e
    if not isinstance(parsed, dict):
        raise ValueError(f"{name}: expected a JSON object, got {value!r}")
    return parsed


@dataclass(frozen=True)
class Bound:
    """The values a numeric field may take: `lo <= x` (`lo < x` when `lo_open`), `x <= hi` (`x < hi`
    when `hi_open`), or one of the sentinels `also` (e.g. max_steps -1: train by epochs). NaN and
    infinity never pass; None (an unset optional field) always does."""

    lo: float | None = None
    hi: float | None = None
    lo_open: bool = False
    hi_open: bool = False
    also: tuple[float, ...] = ()

    def allows(self, x: float) -> bool:
        if x in self.also:
            return True
        if not math.isfinite(x):
            return False
        if self.lo is not None and (x <= self.lo if self.lo_open else x < self.lo):
            return False
        return not (self.hi is not None and (x >= self.hi if self.hi_open else x > self.hi))

    def __str__(self) -> str:
        def num(x: float) -> str:
            return str(int(x)) if float(x).is_integer() else f"{x:g}"

        lo = None if self.lo is None else f"{'>' if self.lo_open else '>='} {num(self.lo)}"
        hi = None if self.hi is None else f"{'<' if self.hi_open else '<='} {num(self.hi)}"
        text = " and ".join(t for t in (lo, hi) if t) or "a finite number"
        return text + "".join(f" (or {num(a)})" for a in self.also)


AT_LEAST_1 = Bound(1)
NON_NEGATIVE = Bound(0)
POSITIVE = Bound(0, lo_open=True)
FRACTION = Bound(0, 1, hi_open=True)  # [0, 1)
SEED = Bound(0, 2**32 - 1)  # numpy's seed range
SIZE = Bound(1, 2**20)  # a batch, group or length past a million is a typo: no accelerator holds it

# Our knobs (checked in MethodArgs.__post_init__, so a config built in code is checked too).
METHOD_BOUNDS: dict[str, Bound] = {
    "synth_n": AT_LEAST_1, "synth_seed": SEED, "max_samples": AT_LEAST_1, "min_pixels": AT_LEAST_1,
    "max_pixels": AT_LEAST_1, "reward_alpha": NON_NEGATIVE, "reward_beta": NON_NEGATIVE,
    "reward_gamma": NON_NEGATIVE, "ngram_size": AT_LEAST_1, "max_penalty": Bound(hi=0),  # a penalty: <= 0
    "judge_timeout": POSITIVE, "judge_max_retries": NON_NEGATIVE, "judge_concurrency": AT_LEAST_1,
    "lora_r": AT_LEAST_1, "lora_alpha": POSITIVE, "lora_dropout": FRACTION, "samples_every": AT_LEAST_1,
    "samples_per_step": NON_NEGATIVE, "expected_num_processes": AT_LEAST_1, "num_threads": AT_LEAST_1,
}
# transformers' TrainingArguments (train, sft and pretrain): it accepts most nonsense silently
# (max_steps -4 trains by epochs, a learning rate of 0 or a batch of 0 crash or do nothing later).
TRAINING_BOUNDS: dict[str, Bound] = {
    "max_steps": Bound(1, also=(-1,)), "num_train_epochs": POSITIVE, "per_device_train_batch_size": SIZE,
    "per_device_eval_batch_size": SIZE, "gradient_accumulation_steps": SIZE,
    "eval_accumulation_steps": AT_LEAST_1, "learning_rate": POSITIVE, "warmup_steps": NON_NEGATIVE,
    "weight_decay": NON_NEGATIVE, "adam_beta1": FRACTION, "adam_beta2": FRACTION, "adam_epsilon": POSITIVE,
    "max_grad_norm": NON_NEGATIVE, "label_smoothing_factor": FRACTION, "logging_steps": POSITIVE,
    "eval_steps": POSITIVE, "save_steps": POSITIVE, "save_total_limit": AT_LEAST_1, "seed": SEED,
    "data_seed": SEED, "dataloader_num_workers": NON_NEGATIVE,
}
# TRL's GRPOConfig / SFTConfig on top of TrainingArguments.
TRL_BOUNDS: dict[str, dict[str, Bound]] = {
    "grpo": {
        "num_generations": Bound(2, 2**20), "num_generations_eval": SIZE, "max_completion_length": SIZE,
        "generation_batch_size": SIZE, "steps_per_generation": AT_LEAST_1, "temperature": POSITIVE,
        "top_p": Bound(0, 1, lo_open=True), "top_k": Bound(0, also=(-1,)), "min_p": Bound(0, 1),
        "repetition_penalty": POSITIVE, "vllm_gpu_memory_utilization": Bound(0, 1, lo_open=True),
        "vllm_max_model_length": SIZE, "vllm_tensor_parallel_size": AT_LEAST_1, "beta": NON_NEGATIVE,
        "num_iterations": AT_LEAST_1, "epsilon": POSITIVE, "epsilon_high": POSITIVE,
        "delta": Bound(1, lo_open=True), "num_completions_to_print": NON_NEGATIVE,
    },
    "sft": {"max_length": SIZE, "dataset_num_proc": AT_LEAST_1},
}


def check_bounds(values: Mapping[str, Any], bounds: Mapping[str, Bound]) -> None:
    """ValueError naming the first field whose value is out of its bound (or not a number)."""
    for name, bound in bounds.items():
        value = values.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{name}: expected a number {bound}, got {type(value).__name__} {value!r}")
        if not bound.allows(value):
            raise ValueError(f"{name}: must be {bound}, got {value!r}")


def check_reward_weights(weights: Any) -> None:
    """`reward_weights` must be a list of finite numbers (its length is checked against the enabled
    rewards in `parse`): a YAML list is not converted by argparse, so `[a, 1]` would reach TRL as is."""
    if weights is None:
        return
    if not isinstance(weights, (list, tuple)) or not weights:
        raise ValueError(f"reward_weights: expected a non-empty list of numbers, got {weights!r}")
    for w in weights:
        if isinstance(w, bool) or not isinstance(w, (int, float)) or not math.isfinite(w):
            raise ValueError(f"reward_weights: expected finite numbers, got {w!r} in {list(weights)}")


def parse(kind: str, argv: list[str]) -> tuple[MethodArgs, Any]:
    """Fill (MethodArgs, GRPOConfig|SFTConfig) from `--config FILE.yaml` and `--key value` overrides."""
    method, train = parser_for(kind).parse_args_and_config(args=list(argv))
    if kind == "grpo" and train.reward_weights is not None:
        names = method.reward_config().enabled()
        if len(train.reward_weights) != len(names):
            raise ValueError(f"reward_weights: {len(train.reward_weights)} values for the {len(names)} enabled "
                             f"rewards {names}")
    return method, train


_SCALARS = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,)}


def check_config_file(path: str, dataclass_types) -> None:
    """ValueError naming the file and line when the YAML file is not UTF-8, not YAML or not a mapping,
    and naming the key when a value has the wrong type for its field (argparse converts only
    command-line strings; a YAML list or number would reach the dataclass as it is)."""
    import dataclasses

    import yaml

    try:
        values = yaml.safe_load(read_text(path))
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        what = "; ".join(str(x) for x in (getattr(e, "context", None), getattr(e, "problem", None)) if x) or str(e)
        raise ValueError(f"{path}: {where}not valid YAML ({what})") from None
    if not isinstance(values, dict):
        raise ValueError(f"{path}: expected a mapping of config keys to values, got "
                         f"{'an empty file' if values is None else type(values).__name__}")
    fields = {f.name: f.type for cls in dataclass_types for f in dataclasses.fields(cls)}
    for key, value in values.items():
        hint = fields.get(key)
        if hint is None or value is None:
            continue  # unknown keys are TrlParser's error; null keeps a default
        names = [n.strip() for n in str(getattr(hint, "__name__", hint)).replace("Optional[", "").rstrip("]")
                 .split("|") if n.strip() != "None"]
        allowed = [_SCALARS[n] for n in names if n in _SCALARS]
        if len(allowed) != len(names):
            continue  # a list, dict, Literal or enum field: TRL's own checks apply
        types = tuple(t for ts in allowed for t in ts)
        if str in types:  # a JSON-valued string field (synth_options, …) also takes the YAML object itself
            types += (dict, list)
        if isinstance(value, str) and str not in types and _parses_as(value, types):
            continue  # YAML 1.1 reads `1e-4` as a string; argparse converts it as it converts `--learning_rate 1e-4`
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise ValueError(f"{path}: {key}: expected {' or '.join(names)}, got {type(value).__name__} {value!r}")


def _parses_as(text: str, types: tuple[type, ...]) -> bool:
    for t in types:
        if t in (int, float):
            try:
                t(text)
                return True
            except ValueError:
                pass
    return False


def checked_parser(dataclass_types: tuple, bounds: Mapping[str, Bound], prog: str):
    """TRL's parser over `dataclass_types` (no abbreviations, so a typo is an error) that checks `bounds`
    on the parsed values before any dataclass is built (TRL's own `__post_init__` divides by
    num_generations), and whose usage errors are a ValueError (the CLI's one line), not usage + exit."""
    from trl import TrlParser

    class Parser(TrlParser):
        def error(self, message: str):
            raise ValueError(message)

        def parse_args_and_config(self, args=None, **kwargs):
            args = list(sys.argv[1:] if args is None else args)
            if "--config" in args[:-1]:
                check_config_file(args[args.index("--config") + 1], self.dataclass_types)
            return super().parse_args_and_config(args, **kwargs)

        def parse_known_args(self, args=None, namespace=None):
            ns, rest = super().parse_known_args(args, namespace)
            check_bounds(vars(ns), bounds)
            check_reward_weights(getattr(ns, "reward_weights", None))
            return ns, rest

    return Parser(dataclass_types, allow_abbrev=False, prog=prog)


def parser_for(kind: str):
    """The parser of `perception-r1 train` (kind "grpo") or `sft`: MethodArgs beside TRL's config."""
    from trl import GRPOConfig, SFTConfig

    train_cls = {"grpo": GRPOConfig, "sft": SFTConfig}[kind]
    return checked_parser((MethodArgs, train_cls), {**TRAINING_BOUNDS, **TRL_BOUNDS[kind]},
                          f"perception-r1 {'train' if kind == 'grpo' else 'sft'}")


def set_threads(method: MethodArgs) -> int:
    """Use the cores we have (capped: more threads than cores only thrashes on a shared CPU)."""
    import torch

    n = method.num_threads or min(4, os.cpu_count() or 1)
    torch.set_num_threads(n)
    return n


def resolve_model(method: MethodArgs) -> str:
    """The policy path; a missing local path with `tiny_model_size` set is built there first (by the
    main process, while the others wait)."""
    path = Path(method.model_name_or_path)
    if method.tiny_model_size:
        from accelerate import PartialState

        from perception_r1.models.tiny import ensure_tiny_model

        with PartialState().main_process_first():
            if not path.exists():
                logging.getLogger("perception_r1.train").info(
                    "building the tiny %r model at %s (tiny_model_size is set and the path does not exist)",
                    method.tiny_model_size, path)
            ensure_tiny_model(path, size=method.tiny_model_size)
    return str(path) if path.exists() else method.model_name_or_path
