"""LoRA / QLoRA through TRL's `peft_config` (the `peft` extra): TRL wraps the policy in a PEFT model,
trains only the adapter and saves the adapter (adapter_config.json + adapter_model.safetensors) with the
processor; `AutoModelForImageTextToText.from_pretrained(adapter_dir)` loads base + adapter again, so
`perception-r1 eval --model OUTPUT_DIR` evaluates it as it is."""

from __future__ import annotations

from typing import Any

from .config import MethodArgs


def peft_config(method: MethodArgs):
    """The `peft.LoraConfig` the method asks for, or None without `use_peft`."""
    if not method.use_peft:
        return None
    try:
        from peft import LoraConfig
    except ImportError as e:
        raise ValueError("use_peft needs the peft package: pip install 'perception-r1[peft]'") from e
    targets = method.lora_target_modules
    return LoraConfig(r=method.lora_r, lora_alpha=method.lora_alpha, lora_dropout=method.lora_dropout,
                      target_modules=targets if targets == "all-linear" else [t.strip() for t in targets.split(",")],
                      task_type="CAUSAL_LM")


def quantized_init_kwargs(method: MethodArgs, model_init_kwargs: dict[str, Any] | None) -> dict[str, Any] | None:
    """QLoRA: the base weights load in 4-bit NF4 (bitsandbytes, CUDA only), bf16 compute."""
    if not method.load_in_4bit:
        return model_init_kwargs
    if not method.use_peft:
        raise ValueError("load_in_4bit (QLoRA) trains an adapter: set use_peft too")
    import torch
    from transformers import BitsAndBytesConfig

    quant = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                               bnb_4bit_compute_dtype=torch.bfloat16)
    return {**(model_init_kwargs or {}), "quantization_config": quant}
