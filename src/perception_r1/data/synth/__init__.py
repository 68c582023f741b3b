"""The synthetic geometry world: Geometry3K-like diagrams drawn with Pillow, each with the exact visual facts
(annotations) its solution needs, a reference CoT in the paper's format, and the answer.

Record i depends only on (seed, i, knobs), so `generate(10, s)` is a prefix of `generate(40, s)` and the
same call always gives the same bytes. By default the values needed are only in the image (MathVerse's
vision-dominant setting); `values_in_text=True` also states them in the problem text. `choices=N` makes a
multiple-choice problem as in Geometry3K: N candidate answers, the answer a letter."""

from __future__ import annotations

import random
import shutil
from collections import Counter
from dataclasses import replace
from pathlib import Path

from ..loaders import write_folder
from ..schema import Record
from .families import FAMILIES
from .presets import PRESETS, Preset

# A side past this is ~9x the paper run's pixel cap (max_pixels 1806336 ~ 1344^2) and only spends memory.
MAX_IMAGE_SIZE = 4096
from .render import render
from .scene import Figure

# Choice letters, as Geometry3K's (A)…(D) and data.prompt's lettering.
LETTERS = "ABCDEFGHIJ"

__all__ = ["generate", "write_synth", "FAMILIES", "PRESETS", "Preset", "make_record"]


def generate(n: int, seed: int = 0, *, difficulty: str = "medium", families: list[str] | str | None = None,
             image_size: int | None = None, font_scale: float = 1.0, values_in_text: bool = False,
             choices: int = 0, preset: Preset | None = None, progress: bool = False) -> list[Record]:
    """n records, families taken in turn (so every family appears once n >= the number of families).

    Args:
        difficulty: a PRESETS name (easy | medium | hard); `preset` overrides it with a custom Preset.
        families: names from FAMILIES (a list or a comma-separated string); default the preset's (all but
            parallel_transversal for easy, all otherwise).
        image_size: side of the square image in pixels (default: the preset's).
        font_scale: multiplies the preset's label and point-name sizes.
        values_in_text: also state the facts in the problem text.
        choices: 0 for a free-form answer; N >= 2 for N lettered choices (the answer is the letter).
    """
    p = preset or _preset(difficulty)
    if image_size is not None:
        if not 28 <= image_size <= MAX_IMAGE_SIZE:
            raise ValueError(f"image_size must be between 28 and {MAX_IMAGE_SIZE} pixels, got {image_size}")
        p = replace(p, image_size=image_size)
    if font_scale <= 0:
        raise ValueError(f"font_scale must be positive, got {font_scale}")
    if choices == 1 or not 0 <= choices <= len(LETTERS):
        raise ValueError(f"choices must be 0 or 2..{len(LETTERS)}, got {choices}")
    names = _families(families if families is not None else p.families)
    indices = range(n)
    if progress:
        from tqdm import tqdm

        indices = tqdm(indices, desc="synth", unit="rec", disable=None)
    return [make_record(seed, i, names[i % len(names)], p, font_scale, values_in_text, choices) for i in indices]


def make_record(seed: int, index: int, family: str, p: Preset, font_scale: float = 1.0,
                values_in_text: bool = False, choices: int = 0) -> Record:
    key = f"perception-r1-synth/{seed}/{index}"
    rng = random.Random(key)
    fig = FAMILIES[family](rng, p)
    png, labels = render(fig.scene, p, rng, p.image_size, font_scale)
    options, letter = (candidate_answers(fig, family, p, choices, key) if choices else (None, None))
    return Record(
        id=f"synth-{seed}-{index:05d}",
        images=[png],
        problem=problem_text(fig, values_in_text),
        answer=letter or fig.answer,
        choices=options,
        visual_annotations=list(fig.facts),
        cot=cot_text(fig, p.short_cot, letter),
        source="synth",
        meta={"family": family, "variant": fig.variant, "difficulty": p.name, "values": fig.values,
              "value": fig.answer, "distractors": fig.distractors, "image_size": p.image_size, "labels": labels},
    )


def candidate_answers(fig: Figure, family: str, p: Preset, n: int, key: str) -> tuple[list[str], str]:
    """n choices and the right letter. The wrong ones are answers of other figures of the same family and
    question form, so they are as plausible as the right one; a reader who misreads a value usually
    finds its result missing from the list and can only guess (the lucky guess of Geometry3K's format).
    Drawn from their own random stream, so the figure and image do not depend on `n`."""
    rng = random.Random(key + "/choices")
    wrong: list[str] = []
    for _ in range(100 * n):
        other = FAMILIES[family](rng, p)
        if other.variant == fig.variant and other.answer != fig.answer and other.answer not in wrong:
            wrong.append(other.answer)
            if len(wrong) == n - 1:
                break
    else:
        raise ValueError(f"{family}: cannot find {n - 1} distinct wrong answers for {fig.answer!r}")
    right = rng.randrange(n)
    return wrong[:right] + [fig.answer] + wrong[right:], LETTERS[right]


def problem_text(fig: Figure, values_in_text: bool) -> str:
    parts = [fig.context] if fig.context else []
    if values_in_text:
        parts.append("Given " + _join(fig.facts) + ".")
    parts.append(fig.question)
    return " ".join(parts)


def cot_text(fig: Figure, short: bool, letter: str | None = None) -> str:
    """The paper's format; the reasoning states every annotation verbatim, then solves; with choices the
    box holds the letter of the choice equal to the result."""
    boxed = letter or fig.answer
    if short:
        think = ", ".join(fig.facts) + ".\n" + fig.short
        final = f"\\boxed{{{boxed}}}"
    else:
        think = "From the figure, " + _join(fig.facts) + ".\n" + "\n".join(fig.steps)
        final = f"The answer is \\boxed{{{boxed}}}."
    return f"<think>\n{think}\n</think>\n<answer>\n{final}\n</answer>"


def write_synth(out: str | Path, n: int, seed: int = 0, *, overwrite: bool = False, progress: bool = False,
                **knobs) -> Counter:
    """Generate and write the folder layout (data.jsonl + images/); returns the count per family."""
    out = Path(out)
    if (out / "data.jsonl").exists():
        if not overwrite:
            raise FileExistsError(f"{out}/data.jsonl exists (pass overwrite=True / --overwrite to replace it)")
        # Only what write_folder wrote, so a smaller rerun leaves no stale images behind.
        (out / "data.jsonl").unlink()
        shutil.rmtree(out / "images", ignore_errors=True)
    records = generate(n, seed, progress=progress, **knobs)
    write_folder(records, out)
    return Counter(r.meta["family"] for r in records)


def _preset(name: str) -> Preset:
    if name not in PRESETS:
        raise ValueError(f"unknown difficulty {name!r}; choose from {', '.join(PRESETS)}")
    return PRESETS[name]


def _families(families: list[str] | str | None) -> list[str]:
    if families is None:
        return list(FAMILIES)
    names = [f.strip() for f in families.split(",")] if isinstance(families, str) else list(families)
    names = [f for f in names if f]
    unknown = [f for f in names if f not in FAMILIES]
    if unknown or not names:
        raise ValueError(f"unknown families {unknown}; choose from {', '.join(FAMILIES)}")
    return names


def _join(facts: list[str]) -> str:
    return facts[0] if len(facts) == 1 else ", ".join(facts[:-1]) + " and " + facts[-1]
