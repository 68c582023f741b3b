"""Strict resume of model weights from a Trainer checkpoint.

transformers 5 saves checkpoints in the hub's original key layout (`save_pretrained` reverts the model's
weight conversions: Qwen2.5-VL's `model.language_model.layers.*` is written as `model.layers.*`), but
`Trainer._load_from_checkpoint` feeds the file to `model.load_state_dict(..., strict=False)` without
converting the keys back (transformers issues #43701, #48805). Every key then misses, a warning is logged
and training silently continues from the base weights. `StrictResume` loads the checkpoint through the same
conversion mapping `from_pretrained` applies and raises `CheckpointMismatch` unless every parameter of the
model is restored; optimizer, scheduler, RNG and step stay with the Trainer.
"""

from __future__ import annotations

import functools
import json
from copy import deepcopy
from pathlib import Path
from typing import Any

WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
INDEX_FILES = ("model.safetensors.index.json", "pytorch_model.bin.index.json")


class CheckpointMismatch(RuntimeError):
    """The checkpoint's weights do not fill the model (wrong model, or a truncated checkpoint)."""


def checkpoint_files(ckpt: str | Path) -> list[Path]:
    """The weight files of a full-model checkpoint (one file, or the shards its index names); [] if none."""
    ckpt = Path(ckpt)
    for name in WEIGHT_FILES:
        if (ckpt / name).is_file():
            return [ckpt / name]
    for name in INDEX_FILES:
        if (ckpt / name).is_file():
            shards = json.loads((ckpt / name).read_text(encoding="utf-8"))["weight_map"].values()
            return [ckpt / s for s in sorted(set(shards))]
    return []


def to_model_keys(model: Any, state_dict: dict[str, Any]) -> dict[str, Any]:
    """Checkpoint tensors under the model's own names: the renamings and converters `from_pretrained`
    applies (`transformers.conversion_mapping`), run on an in-memory state dict."""
    from transformers.conversion_mapping import get_model_conversion_mapping
    from transformers.core_model_loading import WeightConverter, WeightRenaming, rename_source_key

    mapping = get_model_conversion_mapping(model)
    renamings = [m for m in mapping if isinstance(m, WeightRenaming)]
    converters = [m for m in mapping if isinstance(m, WeightConverter)]
    by_pattern = {p: c for c in converters for p in c.source_patterns}
    expected = model.state_dict()
    pending: dict[str, Any] = {}
    out: dict[str, Any] = {}
    for key, tensor in state_dict.items():
        name, pattern = rename_source_key(key, renamings, converters, model.base_model_prefix, expected)
        if name not in expected and key in expected:  # already in the model's layout
            name, pattern = key, None
        if pattern is None:
            out[name] = tensor
        else:
            pending.setdefault(name, deepcopy(by_pattern[pattern])).add_tensor(name, key, pattern, tensor)
    for name, converter in pending.items():
        for target, value in converter.convert(name, model=model, config=model.config).items():
            out[target] = value[0] if isinstance(value, list) else value
    return out


def load_weights_strict(model: Any, ckpt: str | Path) -> None:
    """Copy the checkpoint's weights into `model` in place (parameters keep their identity, so ties and an
    optimizer built later stay valid); raise `CheckpointMismatch` naming what does not match."""
    from transformers.modeling_utils import load_state_dict

    files = checkpoint_files(ckpt)
    if not files:
        raise CheckpointMismatch(f"{ckpt}: no model weights ({' or '.join(WEIGHT_FILES + INDEX_FILES)})")
    raw: dict[str, Any] = {}
    for f in files:
        raw.update(load_state_dict(f, map_location="cpu"))
    state = to_model_keys(model, raw)
    del raw
    own = model.state_dict()
    unexpected = sorted(set(state) - set(own))
    mismatched = sorted(k for k in set(state) & set(own) if tuple(state[k].shape) != tuple(own[k].shape))
    loaded = {own[k].data_ptr() for k in state if k in own}
    # A tied weight (lm_head ↔ embed_tokens) is saved once; it is restored when the tensor it shares is.
    missing = sorted(k for k in set(own) - set(state) if own[k].data_ptr() not in loaded)
    if missing or unexpected or mismatched:
        def head(keys):
            return f"{len(keys)} ({', '.join(map(str, keys[:3]))}{', …' if len(keys) > 3 else ''})"
        raise CheckpointMismatch(
            f"checkpoint {ckpt} does not match the model {type(model).__name__}: missing {head(missing)}, "
            f"unexpected {head(unexpected)}, wrong shape {head(mismatched)}; refusing a partial load "
            "(resume with the model the run was started with)")
    model.load_state_dict(state, strict=False)


class StrictResume:
    """Trainer mixin: resume loads every weight of a full-model checkpoint or fails. PEFT adapters,
    FSDP, DeepSpeed and SageMaker checkpoints keep the Trainer's own loaders."""

    def _load_from_checkpoint(self, resume_from_checkpoint: str, model: Any = None) -> None:
        from transformers.modeling_utils import PreTrainedModel
        from transformers.utils import is_sagemaker_mp_enabled

        target = self.model if model is None else model
        plain = (isinstance(target, PreTrainedModel) and not getattr(target, "_hf_peft_config_loaded", False)
                 and not self.is_fsdp_enabled and not self.is_deepspeed_enabled and not is_sagemaker_mp_enabled())
        if not plain or not checkpoint_files(resume_from_checkpoint):
            return super()._load_from_checkpoint(resume_from_checkpoint, model)
        load_weights_strict(target, resume_from_checkpoint)


@functools.cache
def strict_resume(trainer_cls: type) -> type:
    """`trainer_cls` with `StrictResume` (same name, so TRL's tags and model cards are unchanged)."""
    return type(trainer_cls.__name__, (StrictResume, trainer_cls), {"__module__": __name__})


__all__ = ["CheckpointMismatch", "StrictResume", "strict_resume", "checkpoint_files", "load_weights_strict", "to_model_keys"]
