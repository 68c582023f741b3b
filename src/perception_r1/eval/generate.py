"""Batched greedy generation for evaluation (and the demo), with the training prompt.

transformers path (CPU or GPU): `build_messages` + the processor's chat template, left padding,
`do_sample=False`, images through `data.load_image` (RGB, pixel clamp). vLLM path (GPU, optional
extra `vllm`): the same prompt text and images, `temperature=0`.
This is the only eval module that imports torch / transformers / vLLM.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import torch
from tqdm import tqdm
from transformers import AutoModelForImageTextToText, AutoProcessor

from ..data import MAX_PIXELS, MIN_PIXELS, Record, load_image
from ..data.prompt import SYSTEM_PROMPT, build_messages


def prompt_messages(rec: Record, system_prompt: str | None = SYSTEM_PROMPT, user_suffix: str | None = None) -> list[dict]:
    """The training prompt for a record; choices are left out when the problem text (or the image)
    already shows them (`meta.hide_choices`, e.g. MathVista's query, MMMU-Pro vision)."""
    choices = None if rec.meta.get("hide_choices") else rec.choices
    return build_messages(rec.problem, choices, len(rec.images), system_prompt=system_prompt, user_suffix=user_suffix)


def generate(model_path: str | Path, records: Sequence[Record], max_new_tokens: int = 1024, batch_size: int = 8,
             min_pixels: int = MIN_PIXELS, max_pixels: int = MAX_PIXELS, *, device: str | None = None,
             system_prompt: str | None = SYSTEM_PROMPT, progress: bool = True, temperature: float = 0.0,
             n: int = 1, user_suffix: str | None = None,
             on_batch: Callable[[list[Record], list[str]], None] | None = None) -> list[str]:
    """`n` responses per record, record-major (greedy when `temperature` is 0, else sampled).

    Args:
        model_path: a local model folder (or hub id when online) loadable by AutoModelForImageTextToText.
        records: problems; images are paths or bytes.
        max_new_tokens: generation budget per response.
        batch_size: records per forward pass (left-padded).
        min_pixels, max_pixels: the image clamp (the paper's run: 3136 .. 1806336).
        device: "cpu", "cuda", ...; default: cuda when available.
        temperature, n: sampling temperature and responses per record (`--samples K`).
        on_batch: called with each batch's records and their `n` responses each as soon as they are
            generated (eval keeps them on disk, so an interrupted run loses at most one batch).
    """
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    processor = AutoProcessor.from_pretrained(str(model_path))
    processor.tokenizer.padding_side = "left"
    dtype = torch.bfloat16 if device.startswith("cuda") else torch.float32
    model = AutoModelForImageTextToText.from_pretrained(str(model_path), dtype=dtype).to(device).eval()
    pad_id = processor.tokenizer.pad_token_id
    if pad_id is None:
        pad_id = processor.tokenizer.eos_token_id
    out: list[str] = []
    batches = range(0, len(records), batch_size)
    for start in tqdm(batches, desc="generate", unit="batch", disable=not progress):
        batch = records[start:start + batch_size]
        texts = [processor.apply_chat_template(prompt_messages(r, system_prompt, user_suffix), tokenize=False,
                                               add_generation_prompt=True) for r in batch]
        images = [load_image(src, min_pixels, max_pixels) for r in batch for src in r.images]
        inputs = processor(text=texts, images=images or None, return_tensors="pt", padding=True).to(device)
        with torch.inference_mode():
            sampling = {"do_sample": True, "temperature": temperature} if temperature > 0 else {"do_sample": False}
            ids = model.generate(**inputs, max_new_tokens=max_new_tokens, pad_token_id=pad_id,
                                 num_return_sequences=n, **sampling)
        new = ids[:, inputs["input_ids"].shape[1]:]
        texts = processor.batch_decode(new, skip_special_tokens=True)
        if on_batch is not None:
            on_batch(list(batch), texts)
        out.extend(texts)
    return out


def generate_vllm(model_path: str | Path, records: Sequence[Record], max_new_tokens: int = 1024,
                  min_pixels: int = MIN_PIXELS, max_pixels: int = MAX_PIXELS, *,
                  system_prompt: str | None = SYSTEM_PROMPT, temperature: float = 0.0, n: int = 1,
                  user_suffix: str | None = None, **llm_kwargs) -> list[str]:
    """The same prompts through vLLM (`pip install perception-r1[vllm]`); `llm_kwargs` go to
    `vllm.LLM` (e.g. tensor_parallel_size, gpu_memory_utilization)."""
    try:
        from vllm import LLM, SamplingParams
    except ImportError as e:
        raise RuntimeError("the vLLM backend needs the `vllm` extra: pip install 'perception-r1[vllm]'") from e
    processor = AutoProcessor.from_pretrained(str(model_path))
    max_images = max((len(r.images) for r in records), default=1)
    llm = LLM(model=str(model_path), limit_mm_per_prompt={"image": max(1, max_images)}, **llm_kwargs)
    prompts = []
    for r in records:
        text = processor.apply_chat_template(prompt_messages(r, system_prompt, user_suffix), tokenize=False,
                                             add_generation_prompt=True)
        item: dict = {"prompt": text}
        if r.images:
            item["multi_modal_data"] = {"image": [load_image(s, min_pixels, max_pixels) for s in r.images]}
        prompts.append(item)
    results = llm.generate(prompts, SamplingParams(temperature=temperature, n=n, max_tokens=max_new_tokens))
    return [out.text for res in results for out in res.outputs[:n]]
