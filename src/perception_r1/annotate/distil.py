"""Distil and verify (Perception-R1 §3.1): K teacher trajectories per problem, kept when correct.

Images go to the teacher as base64 PNG data URLs after the data contract's normalisation (`load_image`:
RGB, pixel count clamped), the same pixels the policy will see. The K samples are asked for with `n=K`
in one request; a server that returns fewer choices (some ignore `n`) gets the missing samples as single
requests, the shortfall is noted in the journal, and later problems go straight to single requests.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..data import Record
from ..data.images import data_url
from ..rewards.accuracy import extract_answer, is_correct
from .ask import Asker
from .prompts import teacher_messages

N_SUPPORT_META = "teacher_n_supported"


def image_data_urls(images: list[str | bytes], min_pixels: int, max_pixels: int) -> list[str]:
    """`data:image/png;base64,…` for each image, normalised with `load_image`."""
    return [data_url(img, min_pixels, max_pixels) for img in images]


@dataclass
class Distilled:
    texts: list[str]
    n_shortfall: bool  # the batched request came back with fewer than K choices


async def distil(asker: Asker, record: Record, data_urls: list[str], k: int) -> Distilled:
    """K trajectories for one problem (raises LLMError when a request fails for good)."""
    messages = teacher_messages(record.problem, record.choices, data_urls)
    texts: list[str] = []
    shortfall = False
    n_supported = asker.journal.get_meta(N_SUPPORT_META)
    if k > 1 and n_supported != "false":
        entry = await asker.ask(record.id, f"n{k}", messages, n=k)
        texts = entry.texts[:k]
        if len(entry.texts) < k:
            shortfall = True
            asker.journal.add_note(entry.key, f"server returned {len(entry.texts)} of n={k} choices")
            asker.journal.set_meta(N_SUPPORT_META, "false")
        elif n_supported is None:
            asker.journal.set_meta(N_SUPPORT_META, "true")
    for i in range(len(texts), k):
        entry = await asker.ask(record.id, i, messages, n=1)
        texts.append(entry.texts[0])
    return Distilled(texts, shortfall)


def verify(texts: list[str], record: Record) -> list[bool]:
    """Which trajectories reach the ground truth: the accuracy reward's one definition of correct
    (`extract_answer` + `is_correct`, multiple choice by letter or text)."""
    return [is_correct(extract_answer(t), record.answer, record.choices) for t in texts]
