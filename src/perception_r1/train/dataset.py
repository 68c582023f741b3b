"""Contract records -> the conversational multimodal datasets TRL's trainers take.

GRPO: `prompt` (the `data.prompt` preset's messages: user turn with image placeholders, and a system
prompt or a user-turn instruction),
`images` (PIL, clamped to [min_pixels, max_pixels] as in the paper's run), and the columns the reward
reads — `id`, `answer`, `choices`, `visual_annotations` — which TRL hands to every reward function,
repeated once per generation. SFT: the same prompt and images, with the teacher `cot` as the assistant
completion (prompt-completion format, so the loss covers the completion only).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from perception_r1.data import Record, RecordError, load_image, load_records
from perception_r1.data.prompt import DEFAULT_PRESET, preset_messages

log = logging.getLogger("perception_r1.train")

REWARD_COLUMNS = ("id", "answer", "choices", "visual_annotations")


def ensure_dataset(path: str | Path, synth_n: int | None, seed: int = 0, options: dict | None = None) -> Path:
    """The dataset path; when missing and `synth_n` is set, the synthetic world is generated there first
    (by the main process only, while the others wait: several GPUs must not write one folder at once)."""
    from accelerate import PartialState

    p = Path(path)
    with PartialState().main_process_first():
        if p.exists():
            return p
        if not synth_n:
            raise FileNotFoundError(f"dataset {p} does not exist (set synth_n to generate synthetic data there)")
        from perception_r1.data.synth import write_synth

        log.info("generating %d synthetic records in %s", synth_n, p)
        write_synth(p, n=synth_n, seed=seed, **(options or {}))
    return p


def _images(rec: Record, min_pixels: int, max_pixels: int) -> list:
    try:
        return [load_image(src, min_pixels, max_pixels) for src in rec.images]
    except Exception as e:  # noqa: BLE001 — re-raised naming the record and field
        raise RecordError(rec.id, "images", f"cannot load: {e}") from e


def prompt_row(rec: Record, min_pixels: int, max_pixels: int, preset: str = DEFAULT_PRESET) -> dict[str, Any]:
    """One GRPO row: prompt messages (in the named `data.prompt` preset), images and the reward's columns."""
    return {
        "id": rec.id,
        "prompt": preset_messages(rec.problem, rec.choices, n_images=len(rec.images), preset=preset),
        "images": _images(rec, min_pixels, max_pixels),
        "answer": rec.answer,
        "choices": rec.choices,
        "visual_annotations": rec.visual_annotations,
    }


def sft_row(rec: Record, min_pixels: int, max_pixels: int, preset: str = DEFAULT_PRESET) -> dict[str, Any]:
    """One SFT row: the GRPO prompt plus the teacher trajectory as the assistant's completion."""
    row = prompt_row(rec, min_pixels, max_pixels, preset)
    row["completion"] = [{"role": "assistant", "content": [{"type": "text", "text": rec.cot}]}]
    return row


def _to_dataset(rows: list[dict[str, Any]]):
    import datasets

    if not rows:
        raise ValueError("no usable records")
    return datasets.Dataset.from_list(rows)


def load_records_limited(path: str | Path, max_samples: int | None = None) -> list[Record]:
    records = load_records(path)
    return records[:max_samples] if max_samples else records


def grpo_dataset(records: list[Record], min_pixels: int, max_pixels: int, preset: str = DEFAULT_PRESET):
    return _to_dataset([prompt_row(r, min_pixels, max_pixels, preset) for r in records])


class NoCotError(ValueError):
    """SFT was given data without any reference trajectory (`cot`)."""


def sft_dataset(records: list[Record], min_pixels: int, max_pixels: int, preset: str = DEFAULT_PRESET):
    """Records without a `cot` cannot teach anything: they are left out, counted and logged; with none
    at all, NoCotError says which data carries one."""
    usable = [r for r in records if r.cot and r.cot.strip()]
    skipped = len(records) - len(usable)
    if skipped:
        log.warning("sft: %d of %d records have no `cot` and are left out (first: %r)", skipped, len(records),
                    next(r.id for r in records if not (r.cot and r.cot.strip())))
    if not usable:
        raise NoCotError(f"none of the {len(records)} records has a 'cot' field (the reference trajectory SFT "
                         "trains on): only `perception-r1 annotate` output (and `perception-r1 synth`) carries one; "
                         "the release parquet and `perception-r1 convert` output do not (docs/data.md)")
    return _to_dataset([sft_row(r, min_pixels, max_pixels, preset) for r in usable])
