"""Run configuration: our method knobs (`MethodArgs`) beside TRL's own `GRPOConfig` / `SFTConfig`.

One YAML file sets both (TRL's keys and ours side by side, flat), and every key can be overridden on
the command line in HF/TRL style (`--learning_rate 1e-5 --reward_gamma 0.5`): `TrlParser` fills the
dataclasses from the YAML first and the command line second, and rejects unknown keys.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from perception_r1.data import MAX_PIXELS, MIN_PIXELS
from perception_r1.data.prompt import DEFAULT_PRESET, PROMPT_PRESETS, prompt_preset
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
        if not 0 < self.min_pixels <= self.max_pixels:
            raise ValueError(f"need 0 < min_pixels <= max_pixels, got {self.min_pixels}, {self.max_pixels}")

    def reward_config(self) -> RewardConfig:
        return RewardConfig(alpha=self.reward_alpha, beta=self.reward_beta, gamma=self.reward_gamma,
                            ngram=self.ngram_size, max_penalty=self.max_penalty, use_format=self.use_format,
                            use_accuracy=self.use_accuracy, use_perception=self.use_perception,
                            use_repetition=self.use_repetition, format_pattern=self.format_pattern)

    def judge_kwargs(self) -> dict[str, Any]:
        """Options for `judges.build_judge`: the named fields that are set, then `judge_options`."""
        named = {"url": self.judge_url, "model": self.judge_model, "api_key_env": self.judge_api_key_env,
                 "timeout": self.judge_timeout, "max_retries": self.judge_max_retries,
                 "concurrency": self.judge_concurrency, "cache": self.judge_cache}
        opts = {k: v for k, v in named.items() if v is not None}
        opts["on_error"] = self.judge_on_error
        opts.update(self.judge_options or {})
        return opts


def _as_dict(value: Any, name: str) -> dict | None:
    if value is None or isinstance(value, dict):
        return value
    try:
        parsed = json.loads(value)
    except json.JSONDecodeError as e:
        raise ValueError(f"{name}: expected a JSON object, got {value!r}") from e
    if not isinstance(parsed, dict):
        raise ValueError(f"{name}: expected a JSON object, got {value!r}")
    return parsed


def parse(kind: str, argv: list[str]) -> tuple[MethodArgs, Any]:
    """Fill (MethodArgs, GRPOConfig|SFTConfig) from `--config FILE.yaml` and `--key value` overrides."""
    argv = list(argv)
    if "--config" in argv[:-1]:
        check_yaml_types(argv[argv.index("--config") + 1], kind)
    method, train = parser_for(kind).parse_args_and_config(args=argv)
    return method, train


_SCALARS = {"str": (str,), "int": (int,), "float": (int, float), "bool": (bool,)}


def check_yaml_types(path: str, kind: str) -> None:
    """ValueError naming the key when a YAML value has the wrong type for its field (argparse converts
    only command-line strings; a YAML list or number would reach the dataclass as it is)."""
    import dataclasses

    import yaml
    from trl import GRPOConfig, SFTConfig

    text = Path(path).read_text(encoding="utf-8")
    values = yaml.safe_load(text)
    if not isinstance(values, dict):
        return  # TrlParser reports a file that is not a mapping
    fields = {f.name: f.type for cls in (MethodArgs, {"grpo": GRPOConfig, "sft": SFTConfig}[kind])
              for f in dataclasses.fields(cls)}
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
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise ValueError(f"{path}: {key}: expected {' or '.join(names)}, got {type(value).__name__} {value!r}")


def parser_for(kind: str):
    """TRL's parser over (MethodArgs, GRPOConfig|SFTConfig); no abbreviations, so a typo is an error."""
    from trl import GRPOConfig, SFTConfig, TrlParser

    train_cls = {"grpo": GRPOConfig, "sft": SFTConfig}[kind]
    return TrlParser((MethodArgs, train_cls), allow_abbrev=False, prog=f"perception-r1 {'train' if kind == 'grpo' else 'sft'}")


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
