"""The `mllm` judge: the paper's "MLLM as reward model" baseline (Perception-R1, arXiv 2506.07218,
ablations: an MLLM that sees the image scores the response's visual descriptions 0–1).

A multimodal OpenAI-compatible server (e.g. Qwen2.5-VL-32B on vLLM) sees the record's image(s)
(normalised with `data.load_image`, sent as base64 PNG data URLs) and the fenced response, and
answers `<score>X</score>`, 0 <= X <= 1, for the accuracy of the response's visual descriptions. It
needs no annotations. A reply without exactly one in-range score is re-asked, then handled by the
failure policy.

It is a scoring judge: it overrides the one judge call, `ascore_batch`, and its score is r_v; it
has no per-annotation verdicts (`ajudge_batch` is an error).
"""

from __future__ import annotations

import hashlib
import json
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..data.images import MAX_PIXELS, MIN_PIXELS, data_url
from ..llm import DiskCache, cache_key
from .base import Item, Judgment, NO_JUDGMENT
from .openai_judge import DEFAULT_CONCURRENCY, DEFAULT_URL, OpenAIJudge, gather_or_cancel
from .prompts import MLLM_PROMPT_VERSION, MLLM_SYSTEM, mllm_user_text, parse_score

DEFAULT_MLLM = "Qwen/Qwen2.5-VL-32B-Instruct"


class MLLMJudge(OpenAIJudge):
    """Args as OpenAIJudge, plus `min_pixels` / `max_pixels` for the image clamp."""

    name = "mllm"

    def __init__(self, url: str = DEFAULT_URL, model: str = DEFAULT_MLLM, *, api_key_env: str = "OPENAI_API_KEY",
                 timeout: float = 60.0, concurrency: int = DEFAULT_CONCURRENCY, max_retries: int = 4, parse_retries: int = 2,
                 cache: str | Path | DiskCache | None = None, on_error: str = "raise",
                 max_tokens: int | None = None, backoff: float = 0.5,
                 min_pixels: int = MIN_PIXELS, max_pixels: int = MAX_PIXELS):
        super().__init__(url, model, api_key_env=api_key_env, timeout=timeout, concurrency=concurrency,
                         max_retries=max_retries, parse_retries=parse_retries, cache=cache, on_error=on_error,
                         max_tokens=max_tokens, backoff=backoff)
        self.pixels = (min_pixels, max_pixels)
        # A GRPO group shows one image with G responses: encode it once.
        self._urls: OrderedDict[str, str] = OrderedDict()

    async def ajudge_batch(self, items, images=None):
        raise TypeError("the mllm judge gives one 0-1 score per response (r_v), not per-annotation verdicts: "
                        "use ascore_batch() / score_batch()")

    async def ascore_batch(self, items: Sequence[Item], images: Sequence[Any] | None = None) -> list[Judgment]:
        """r_v per item (its annotations are not used); `images[i]` is the record's image or list of
        images (path or bytes). An item without an image is a failed judgment."""
        images = [None] * len(items) if images is None else images
        if len(images) != len(items):
            raise ValueError(f"{len(items)} items but {len(images)} image entries")
        results = [NO_JUDGMENT] * len(items)
        groups: dict[str, tuple[list[int], list[Any]]] = {}
        for i, ((response, _), imgs) in enumerate(zip(items, images)):
            imgs = [] if imgs is None else imgs if isinstance(imgs, (list, tuple)) else [imgs]
            try:
                hashes = [_digest(img) for img in imgs]
            except (OSError, TypeError) as e:
                self._failed(f"image unreadable: {type(e).__name__}: {e} (response {response[:60]!r})")
                continue  # under the skip policy: no judgment
            key = cache_key("mllm-judge", self.client.base_url, self.client.model, self.sampling(), MLLM_PROMPT_VERSION,
                            self.pixels, hashes, response)
            groups.setdefault(key, ([], list(imgs)))[0].append(i)
        todo = []
        for key, (idx, imgs) in groups.items():
            self.stats.extra["deduplicated"] += len(idx) - 1
            hit = self.cache.get(key)
            if hit is None:
                todo.append((key, idx, imgs))
                continue
            self.stats.cache_hits += len(idx)
            for i in idx:
                results[i] = Judgment(json.loads(hit))
        try:
            scores = await gather_or_cancel(self._score_one(key, items[idx[0]][0], imgs) for key, idx, imgs in todo)
        finally:
            self.stats.extra["http_retries"] = self.client.stats.retries
            self.cache.flush()  # the batch's verdicts in one transaction (DiskCache batches commits)
        for (_, idx, _), s in zip(todo, scores):
            for i in idx:
                results[i] = Judgment(s)
        return results

    async def _score_one(self, key: str, response: str, imgs: list[Any]) -> float | None:
        if not imgs:
            return self._failed(f"no image to judge the response against (response {response[:60]!r})")
        try:
            urls = [self._data_url(img) for img in imgs]
        except Exception as e:  # noqa: BLE001 — Pillow raises many types for a corrupt image; all mean "unreadable"
            return self._failed(f"image unreadable: {type(e).__name__}: {e} (response {response[:60]!r})")
        content: list[dict[str, Any]] = [{"type": "image_url", "image_url": {"url": url}} for url in urls]
        content.append({"type": "text", "text": mllm_user_text(response)})
        messages = [{"role": "system", "content": MLLM_SYSTEM}, {"role": "user", "content": content}]
        return await self._ask(key, messages, parse_score, response, "score reply {n} time(s)")

    def _data_url(self, img: str | bytes) -> str:
        h = _digest(img)
        if h not in self._urls:
            self._urls[h] = data_url(img, *self.pixels)
            if len(self._urls) > 256:
                self._urls.popitem(last=False)
        return self._urls[h]


def _digest(img: str | bytes | Path) -> str:
    data = img if isinstance(img, (bytes, bytearray)) else Path(img).read_bytes()
    return hashlib.sha256(data).hexdigest()
