"""`--dry-run`: show the first requests (image data truncated) and estimate requests and tokens.

Nothing is sent and nothing is written. Token counts are estimates: text at ~4 characters per token,
images at one token per 28x28 patch of the normalised image (Qwen2.5-VL's rule; hosted APIs differ),
trajectories at ASSUMED_TRAJECTORY_TOKENS each (capped by --max-tokens).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..data import load_image
from ..data.prompt import question_text
from .distil import image_data_urls
from .pipeline import AnnotateConfig, load_input
from .prompts import extractor_messages, teacher_messages

ASSUMED_TRAJECTORY_TOKENS = 600
ASSUMED_FACTS_TOKENS = 80
_DATA_RE = re.compile(r"(data:image/[a-z]+;base64,)([A-Za-z0-9+/=]{40})[A-Za-z0-9+/=]*")


def truncate_images(obj: Any) -> Any:
    """A copy with base64 image data cut to 40 characters and its full length stated."""
    text = json.dumps(obj, ensure_ascii=False)
    return json.loads(_DATA_RE.sub(lambda m: f"{m.group(1)}{m.group(2)}…[{len(m.group(0)) - len(m.group(1))} chars]", text))


def _text_tokens(messages: list[dict[str, Any]]) -> int:
    chars = 0
    for m in messages:
        parts = m["content"] if isinstance(m["content"], list) else [{"type": "text", "text": m["content"]}]
        chars += sum(len(p.get("text", "")) for p in parts)
    return chars // 4 + 4 * len(messages)


def dry_run(cfg: AnnotateConfig, show: int = 2) -> str:
    """The text `--dry-run` prints."""
    records = load_input(cfg)
    k = cfg.samples
    lines = [f"dry run: {len(records)} problems from {cfg.data}; nothing is sent", ""]
    teacher_prompt = image_tokens = 0
    for i, rec in enumerate(records):
        if i < show:
            msgs = teacher_messages(rec.problem, rec.choices, image_data_urls(rec.images, cfg.min_pixels, cfg.max_pixels))
            body = {"model": cfg.teacher_model, "messages": msgs, "n": k, "temperature": cfg.temperature,
                    "max_tokens": cfg.max_tokens}
            lines += [f"--- request {i + 1}: POST {cfg.teacher_url.rstrip('/')}/chat/completions (distil, {rec.id})",
                      json.dumps(truncate_images(body), ensure_ascii=False, indent=2), ""]
        else:
            msgs = teacher_messages(rec.problem, rec.choices, ["" for _ in rec.images])
        teacher_prompt += _text_tokens(msgs)
        for img in rec.images:
            w, h = load_image(img, cfg.min_pixels, cfg.max_pixels).size
            image_tokens += max(1, (w // 28) * (h // 28))
    traj = min(ASSUMED_TRAJECTORY_TOKENS, cfg.max_tokens)
    if records:
        extractor_prompt = _text_tokens(extractor_messages(question_text(records[0].problem, records[0].choices), "")) + traj
        ext = {"model": cfg.extractor_model, "messages": extractor_messages(question_text(records[0].problem,
                                                                                        records[0].choices),
                                                                            "<the first correct trajectory>"),
               "temperature": 0.0, "max_tokens": cfg.extractor_max_tokens}
        lines += [f"--- extraction request shape: POST {cfg.extractor_url.rstrip('/')}/chat/completions",
                  json.dumps(ext, ensure_ascii=False, indent=2), ""]
    else:
        extractor_prompt = 0
    n = len(records)
    lines += [
        "estimate (upper bounds: every problem kept, no retries or repairs):",
        f"  distil:  {n} requests with n={k} (or {n * k} single requests if the server ignores n); "
        f"prompt ≈ {teacher_prompt + image_tokens} tokens ({image_tokens} for images), "
        f"completion ≈ {n * k * traj} tokens (≈{traj} per trajectory; at most {n * k * cfg.max_tokens})",
        f"  extract: ≤ {n} requests (+ ≤ {n} repairs); prompt ≈ {n * extractor_prompt} tokens, "
        f"completion ≈ {n * ASSUMED_FACTS_TOKENS} tokens",
    ]
    return "\n".join(lines)
