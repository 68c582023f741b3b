"""Tiny offline models of the other VLM families transformers ships with a processor that builds
offline: Qwen2-VL and Qwen3-VL, next to the Qwen2.5-VL of `models.tiny` (whose tokenizer, special
tokens and chat template they reuse, so prompts tokenise alike). They exist so the trainer and eval
are tested on each family's own modelling code (Qwen2-VL's vision tower and 1-D merger, Qwen3-VL's
interleaved M-RoPE, deepstack and learned position embeddings), not only on Qwen2.5-VL.

Load them like any checkpoint: `AutoModelForImageTextToText.from_pretrained(path)`.
"""

from __future__ import annotations

import json
from pathlib import Path

from .tiny import CHAT_TEMPLATE, TOKEN_ID, build_tokenizer, disk_size, resolve_spec

FAMILIES = ("qwen2_vl", "qwen2_5_vl", "qwen3_vl")
# The vision patch each family's released processor uses.
PATCH = {"qwen2_vl": 14, "qwen2_5_vl": 14, "qwen3_vl": 16}


def _ids() -> dict[str, int]:
    return dict(image_token_id=TOKEN_ID["<|image_pad|>"], video_token_id=TOKEN_ID["<|video_pad|>"],
                vision_start_token_id=TOKEN_ID["<|vision_start|>"], vision_end_token_id=TOKEN_ID["<|vision_end|>"])


def _text(spec, vocab_size: int, **rope_extra) -> dict:
    return dict(vocab_size=vocab_size, hidden_size=spec.hidden_size, intermediate_size=spec.intermediate_size,
                num_hidden_layers=spec.num_hidden_layers, num_attention_heads=spec.num_attention_heads,
                num_key_value_heads=spec.num_key_value_heads, max_position_embeddings=spec.max_position_embeddings,
                rope_parameters={"rope_type": "default", "rope_theta": 1_000_000.0,
                                 "mrope_section": list(spec.mrope_section), **rope_extra},
                bos_token_id=TOKEN_ID["<|endoftext|>"], eos_token_id=TOKEN_ID["<|im_end|>"],
                pad_token_id=TOKEN_ID["<|endoftext|>"], tie_word_embeddings=spec.tie_word_embeddings)


def build_family_config(family: str, spec, vocab_size: int):
    """The family's config class filled from a `TinySpec` (the vision tower sized like the text one)."""
    from transformers import Qwen2VLConfig, Qwen3VLConfig

    from .tiny import build_config

    tokens = dict(bos_token_id=TOKEN_ID["<|endoftext|>"], eos_token_id=TOKEN_ID["<|im_end|>"],
                  pad_token_id=TOKEN_ID["<|endoftext|>"], tie_word_embeddings=spec.tie_word_embeddings)
    if family == "qwen2_5_vl":
        return build_config(spec, vocab_size)
    if family == "qwen2_vl":
        vision = dict(depth=spec.vision_depth, embed_dim=spec.vision_hidden_size, hidden_size=spec.hidden_size,
                      num_heads=spec.vision_heads, mlp_ratio=spec.vision_intermediate_size // spec.vision_hidden_size,
                      patch_size=PATCH[family], spatial_merge_size=2, temporal_patch_size=2)
        return Qwen2VLConfig(text_config=_text(spec, vocab_size), vision_config=vision, **_ids(), **tokens)
    if family == "qwen3_vl":
        side = int(spec.max_pixels ** 0.5) // PATCH[family]
        vision = dict(depth=spec.vision_depth, hidden_size=spec.vision_hidden_size, num_heads=spec.vision_heads,
                      intermediate_size=spec.vision_intermediate_size, patch_size=PATCH[family], spatial_merge_size=2,
                      temporal_patch_size=2, out_hidden_size=spec.hidden_size, num_position_embeddings=side * side,
                      deepstack_visual_indexes=[spec.vision_depth - 1])
        text = _text(spec, vocab_size, mrope_interleaved=True)
        text.pop("tie_word_embeddings")
        return Qwen3VLConfig(text_config=text, vision_config=vision, **_ids(), **tokens)
    raise ValueError(f"unknown family {family!r}; choose one of {', '.join(FAMILIES)}")


def build_family_processor(family: str, tokenizer, spec):
    from transformers import (Qwen2_5_VLProcessor, Qwen2VLImageProcessor, Qwen2VLProcessor, Qwen2VLVideoProcessor,
                              Qwen3VLProcessor, Qwen3VLVideoProcessor)

    patch = PATCH[family]
    common = dict(size={"shortest_edge": spec.min_pixels, "longest_edge": spec.max_pixels}, patch_size=patch,
                  merge_size=2, temporal_patch_size=2)
    cls, video = {"qwen2_vl": (Qwen2VLProcessor, Qwen2VLVideoProcessor),
                  "qwen2_5_vl": (Qwen2_5_VLProcessor, Qwen2VLVideoProcessor),
                  "qwen3_vl": (Qwen3VLProcessor, Qwen3VLVideoProcessor)}[family]
    return cls(image_processor=Qwen2VLImageProcessor(**common), tokenizer=tokenizer, video_processor=video(**common),
               chat_template=CHAT_TEMPLATE)


def build_family_model(out_dir: str | Path, family: str, size: str = "tiny", seed: int = 0) -> Path:
    """Write a randomly initialised tiny model of `family` with tokenizer and processor to `out_dir`."""
    import torch
    from transformers import AutoModelForImageTextToText, GenerationConfig

    p = PATCH[family]
    spec = resolve_spec(size, min_pixels=(2 * p) ** 2 * 4, max_pixels=(2 * p) ** 2 * 16)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer(spec, seed)
    config = build_family_config(family, spec, len(tokenizer))
    torch.manual_seed(seed)
    model = AutoModelForImageTextToText.from_config(config).eval()
    model.generation_config = GenerationConfig(
        bos_token_id=TOKEN_ID["<|endoftext|>"], eos_token_id=[TOKEN_ID["<|im_end|>"], TOKEN_ID["<|endoftext|>"]],
        pad_token_id=TOKEN_ID["<|endoftext|>"])
    model.save_pretrained(out)
    build_family_processor(family, tokenizer, spec).save_pretrained(out)
    info = {"family": family, "size": size, "seed": seed, "parameters": sum(x.numel() for x in model.parameters())}
    info["bytes_on_disk"] = disk_size(out)
    (out / "tiny_model.json").write_text(json.dumps(info, indent=2) + "\n")
    return out
