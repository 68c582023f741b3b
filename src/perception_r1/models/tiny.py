"""The tiny offline VLM: a Qwen2.5-VL (`Qwen2_5_VLForConditionalGeneration`) built from a small config,
with a byte-level BPE tokenizer trained here on a generated geometry corpus and the Qwen2.5-VL
processor and chat template saved beside it. Nothing is downloaded; the same seed gives the same files.

It is the embedded default model of the demo and of every test that runs a model; real users pass a hub
id or a path instead. Load it with `AutoModelForImageTextToText.from_pretrained(path)` and
`AutoProcessor.from_pretrained(path)`.
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from perception_r1.data.prompt import SYSTEM_PROMPT

# Qwen2.5-VL's special tokens, in the order of the released tokenizer (there at ids 151643…151656);
# here they take ids 0…13 so the embedding table stays small.
SPECIAL_TOKENS = (
    "<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|object_ref_start|>", "<|object_ref_end|>",
    "<|box_start|>", "<|box_end|>", "<|quad_start|>", "<|quad_end|>", "<|vision_start|>",
    "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>",
)
TOKEN_ID = {tok: i for i, tok in enumerate(SPECIAL_TOKENS)}

# Qwen2 pre-tokenisation: `\p{N}` alone makes every digit its own token, so numbers are read digit by digit.
PRETOKENIZE_REGEX = (r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"""
                     r"""|\s*[\r\n]+|\s+(?!\S)|\s+""")

# The released Qwen2.5-VL chat template, byte for byte (TRL recognises it and swaps in its training variant).
CHAT_TEMPLATE = (
    "{% set image_count = namespace(value=0) %}{% set video_count = namespace(value=0) %}{% for message in messages %}"
    "{% if loop.first and message['role'] != 'system' %}<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
    "{% endif %}<|im_start|>{{ message['role'] }}\n{% if message['content'] is string %}{{ message['content'] }}"
    "<|im_end|>\n{% else %}{% for content in message['content'] %}{% if content['type'] == 'image' or 'image' in "
    "content or 'image_url' in content %}{% set image_count.value = image_count.value + 1 %}{% if add_vision_id %}"
    "Picture {{ image_count.value }}: {% endif %}<|vision_start|><|image_pad|><|vision_end|>{% elif content['type'] "
    "== 'video' or 'video' in content %}{% set video_count.value = video_count.value + 1 %}{% if add_vision_id %}"
    "Video {{ video_count.value }}: {% endif %}<|vision_start|><|video_pad|><|vision_end|>{% elif 'text' in content "
    "%}{{ content['text'] }}{% endif %}{% endfor %}<|im_end|>\n{% endif %}{% endfor %}{% if add_generation_prompt "
    "%}<|im_start|>assistant\n{% endif %}"
)


@dataclass(frozen=True)
class TinySpec:
    """One size preset: the text decoder, the vision tower and the processor's pixel bounds.

    The text head dimension (hidden / heads) must be twice the sum of `mrope_section` (Qwen2.5-VL's
    multimodal RoPE splits the rotary half into temporal/height/width sections). A vision merged token
    covers (patch_size * 2)^2 pixels, so `max_pixels` bounds the image tokens per picture.
    """

    vocab_size: int = 512
    hidden_size: int = 64
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    intermediate_size: int = 128
    mrope_section: tuple[int, int, int] = (2, 3, 3)
    tie_word_embeddings: bool = True
    vision_depth: int = 2
    vision_hidden_size: int = 64
    vision_heads: int = 2
    vision_intermediate_size: int = 128
    patch_size: int = 14
    window_size: int = 112
    fullatt_block_indexes: tuple[int, ...] = (1,)
    min_pixels: int = 56 * 56
    max_pixels: int = 112 * 112
    max_position_embeddings: int = 4096


# The presets, in one place so the demo research can add or tune one. `tiny` serves unit tests
# (~0.35 M parameters); `small` (~2.7 M) is the demo's model.
PRESETS: dict[str, TinySpec] = {
    "tiny": TinySpec(),
    "small": TinySpec(vocab_size=1024, hidden_size=128, num_hidden_layers=4, num_attention_heads=4,
                      num_key_value_heads=2, intermediate_size=512, mrope_section=(4, 6, 6),
                      vision_depth=4, vision_hidden_size=128, vision_heads=4, vision_intermediate_size=512,
                      fullatt_block_indexes=(1, 3), max_pixels=224 * 224),
}


def _corpus(seed: int, n: int = 3000) -> list[str]:
    """Training text for the tokenizer: the system prompt and synthetic geometry problems/CoTs in the
    paper's <think>/<answer>/\\boxed{} format, with the LaTeX the annotations use."""
    rng = random.Random(seed)
    letters = "ABCDEFGHJKLMNOPQRSTUVWXYZ"
    # Every prompt starts with the system prompt: weighting it makes BPE learn its words, so it costs
    # ~100 tokens instead of ~200 (small preset) in every forward pass.
    lines = [SYSTEM_PROMPT] * 300
    for _ in range(n):
        p = rng.sample(letters, 4)
        a, b, c = (rng.randint(1, 180) for _ in range(3))
        x = rng.choice("xyzf")
        tri, seg = f"{p[0]}{p[1]}{p[2]}", f"{p[0]}{p[1]}"
        lines += [
            f"Find m\\angle {tri}. In the figure, m\\angle {p[1]}{p[2]}{p[0]} = {a}^\\circ and "
            f"m\\angle {p[2]}{p[0]}{p[1]} = {b}^\\circ.",
            f"<think>\nThe angles of a triangle sum to 180^\\circ, so m\\angle {tri} = 180 - {a} - {b} = "
            f"{180 - a - b}.\n</think>\n<answer>\nm\\angle {tri} = \\boxed{{{180 - a - b}}}\n</answer>",
            f"Find the length of {seg}. {seg} = {a}, {p[1]}{p[2]} = {b}, {seg} \\perp {p[1]}{p[2]}, "
            f"{p[0]}{p[1]} \\parallel {p[2]}{p[3]}, {p[1]}{p[2]}{p[3]}{p[0]} is a parallelogram.",
            f"<think>\nBy the Pythagorean theorem, {seg}^2 = {a}^2 + {b}^2, so {seg} = \\sqrt{{{a * a + b * b}}}."
            f"\n</think>\n<answer>\n\\boxed{{\\sqrt{{{a * a + b * b}}}}}\n</answer>",
            f"{p[0]}{p[1]} = {c}{x} - {a}, O is the center of the circle, the radius is {a}, the area is "
            f"{a * a}\\pi and the circumference is {2 * a}\\pi. Solve for {x}: {x} = \\frac{{{a}}}{{{c}}} = {a / c:.2f}.",
            f"Choices:\n(A) {a}\n(B) {b}\n(C) {c}\n(D) {a + b}\n<answer>\n\\boxed{{{rng.choice('ABCD')}}}\n</answer>",
        ]
    return lines


def build_tokenizer(spec: TinySpec, seed: int = 0):
    """Train the byte-level BPE on the corpus and wrap it as transformers' `Qwen2Tokenizer`."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    from transformers import Qwen2Tokenizer

    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(PRETOKENIZE_REGEX), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=spec.vocab_size, special_tokens=list(SPECIAL_TOKENS),
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(_corpus(seed), trainer=trainer)
    state = json.loads(tok.to_str())["model"]
    merges = [tuple(m.split(" ")) if isinstance(m, str) else tuple(m) for m in state["merges"]]
    # As in Qwen2.5-VL-Instruct: generation ends at <|im_end|>, padding uses <|endoftext|>.
    tokenizer = Qwen2Tokenizer(vocab=state["vocab"], merges=merges, eos_token="<|im_end|>",
                               pad_token="<|endoftext|>", unk_token=None,
                               extra_special_tokens=[t for t in SPECIAL_TOKENS if t not in ("<|im_end|>", "<|endoftext|>")],
                               model_max_length=spec.max_position_embeddings)
    tokenizer.chat_template = CHAT_TEMPLATE
    for t in SPECIAL_TOKENS:
        if tokenizer.convert_tokens_to_ids(t) != TOKEN_ID[t]:
            raise RuntimeError(f"special token {t} got id {tokenizer.convert_tokens_to_ids(t)}, expected {TOKEN_ID[t]}")
    return tokenizer


def build_config(spec: TinySpec, vocab_size: int):
    from transformers import Qwen2_5_VLConfig

    text = dict(
        vocab_size=vocab_size, hidden_size=spec.hidden_size, intermediate_size=spec.intermediate_size,
        num_hidden_layers=spec.num_hidden_layers, num_attention_heads=spec.num_attention_heads,
        num_key_value_heads=spec.num_key_value_heads, max_position_embeddings=spec.max_position_embeddings,
        rope_parameters={"rope_type": "default", "rope_theta": 1_000_000.0, "mrope_section": list(spec.mrope_section)},
        bos_token_id=TOKEN_ID["<|endoftext|>"], eos_token_id=TOKEN_ID["<|im_end|>"],
        pad_token_id=TOKEN_ID["<|endoftext|>"], tie_word_embeddings=spec.tie_word_embeddings,
        max_window_layers=spec.num_hidden_layers,
    )
    vision = dict(
        depth=spec.vision_depth, hidden_size=spec.vision_hidden_size, num_heads=spec.vision_heads,
        intermediate_size=spec.vision_intermediate_size, patch_size=spec.patch_size, spatial_merge_size=2,
        temporal_patch_size=2, window_size=spec.window_size, out_hidden_size=spec.hidden_size,
        fullatt_block_indexes=list(spec.fullatt_block_indexes),
    )
    return Qwen2_5_VLConfig(
        text_config=text, vision_config=vision, tie_word_embeddings=spec.tie_word_embeddings,
        image_token_id=TOKEN_ID["<|image_pad|>"], video_token_id=TOKEN_ID["<|video_pad|>"],
        vision_start_token_id=TOKEN_ID["<|vision_start|>"], vision_end_token_id=TOKEN_ID["<|vision_end|>"],
        bos_token_id=TOKEN_ID["<|endoftext|>"], eos_token_id=TOKEN_ID["<|im_end|>"],
        pad_token_id=TOKEN_ID["<|endoftext|>"],
    )


def build_processor(tokenizer, spec: TinySpec):
    from transformers import Qwen2_5_VLProcessor, Qwen2VLImageProcessor, Qwen2VLVideoProcessor

    size = {"shortest_edge": spec.min_pixels, "longest_edge": spec.max_pixels}
    common = dict(size=size, patch_size=spec.patch_size, merge_size=2, temporal_patch_size=2)
    return Qwen2_5_VLProcessor(image_processor=Qwen2VLImageProcessor(**common), tokenizer=tokenizer,
                               video_processor=Qwen2VLVideoProcessor(**common), chat_template=CHAT_TEMPLATE)


def resolve_spec(size: str | TinySpec, **overrides) -> TinySpec:
    if isinstance(size, TinySpec):
        spec = size
    elif size in PRESETS:
        spec = PRESETS[size]
    else:
        raise ValueError(f"unknown tiny-model size {size!r}; choose one of {sorted(PRESETS)}")
    spec = replace(spec, **{k: v for k, v in overrides.items() if v is not None})
    head_dim = spec.hidden_size // spec.num_attention_heads
    if 2 * sum(spec.mrope_section) != head_dim:
        raise ValueError(f"mrope_section {spec.mrope_section} must sum to head_dim/2 = {head_dim // 2}")
    return spec


def build_tiny_model(out_dir: str | Path, size: str | TinySpec = "tiny", seed: int = 0, **overrides) -> Path:
    """Write model, tokenizer and processor to `out_dir`; deterministic for a given size and seed.

    `overrides` replace fields of the preset (e.g. `max_pixels=50176`).
    """
    import torch
    from transformers import GenerationConfig, Qwen2_5_VLForConditionalGeneration

    spec = resolve_spec(size, **overrides)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer(spec, seed)
    config = build_config(spec, vocab_size=len(tokenizer))
    torch.manual_seed(seed)
    model = Qwen2_5_VLForConditionalGeneration(config).eval()
    model.generation_config = GenerationConfig(
        bos_token_id=config.bos_token_id, eos_token_id=[TOKEN_ID["<|im_end|>"], TOKEN_ID["<|endoftext|>"]],
        pad_token_id=config.pad_token_id)
    model.save_pretrained(out)
    build_processor(tokenizer, spec).save_pretrained(out)
    info = {"size": size if isinstance(size, str) else "custom", "seed": seed, "spec": asdict(spec),
            "parameters": sum(p.numel() for p in model.parameters()), "bytes_on_disk": 0}
    info["bytes_on_disk"] = disk_size(out)
    (out / "tiny_model.json").write_text(json.dumps(info, indent=2) + "\n")
    return out


def disk_size(path: str | Path) -> int:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file())


def is_built(path: str | Path) -> bool:
    """A complete model folder: the tiny one, or any saved model (e.g. a fine-tuned tiny model)."""
    p = Path(path)
    return (p / "config.json").exists() and any(p.glob("model*.safetensors")) and (p / "tokenizer.json").exists()


def ensure_tiny_model(path: str | Path, size: str | TinySpec = "tiny", seed: int = 0, **overrides) -> Path:
    """Build the tiny model at `path` unless a model is already there (first-use setup). A folder that
    holds something else is an error, never overwritten."""
    p = Path(path)
    if is_built(p):
        return p
    if p.exists() and any(p.iterdir()):
        raise FileExistsError(f"{p} is not empty and holds no complete model; refusing to build the tiny model there")
    return build_tiny_model(p, size=size, seed=seed, **overrides)
