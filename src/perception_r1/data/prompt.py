"""The prompt every stage shares (training, evaluation, annotation): the paper's system prompt
asking for <think>/<answer>/\\boxed{}, and the conversational message list with the image."""

from __future__ import annotations

from typing import Any

SYSTEM_PROMPT = (
    "You are a helpful assistant. The user asks a question about an image, and you solve it. "
    "First think about the reasoning process step by step, describing the visual facts you use, "
    "then give the answer. Put the reasoning in <think> </think> tags and the answer in "
    "<answer> </answer> tags, with the final result in \\boxed{}, i.e. "
    "<think>\nreasoning process here\n</think>\n<answer>\nanswer here \\boxed{final answer}\n</answer>"
)


def question_text(problem: str, choices: list[str] | None = None) -> str:
    """The problem with lettered choices appended, and any leading `<image>` marker removed."""
    text = problem.replace("<image>", "").strip()
    if choices:
        letters = "ABCDEFGHIJ"
        text += "\nChoices:\n" + "\n".join(f"({letters[i]}) {c}" for i, c in enumerate(choices))
    return text


def build_messages(problem: str, choices: list[str] | None = None, n_images: int = 1,
                   system_prompt: str | None = SYSTEM_PROMPT) -> list[dict[str, Any]]:
    """Chat messages in the transformers multimodal format; images are passed beside them."""
    content: list[dict[str, Any]] = [{"type": "image"} for _ in range(n_images)]
    content.append({"type": "text", "text": question_text(problem, choices)})
    msgs: list[dict[str, Any]] = []
    if system_prompt:
        msgs.append({"role": "system", "content": [{"type": "text", "text": system_prompt}]})
    msgs.append({"role": "user", "content": content})
    return msgs
