"""The prompt every stage shares (training, evaluation, annotation): a named preset asking for
<think>/<answer>/\\boxed{}, and the conversational message list with the image.

Presets (`PROMPT_PRESETS`): `perception_r1` (the default) puts the instruction in a system prompt;
`release` is the released Perception-R1 run's prompt: no system message, the instruction appended to
the user turn after a space (its `data.format_prompt`, used in training and in evaluation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SYSTEM_PROMPT = (
    "You are a helpful assistant. The user asks a question about an image, and you solve it. "
    "First think about the reasoning process step by step, describing the visual facts you use, "
    "then give the answer. Put the reasoning in <think> </think> tags and the answer in "
    "<answer> </answer> tags, with the final result in \\boxed{}, i.e. "
    "<think>\nreasoning process here\n</think>\n<answer>\nanswer here \\boxed{final answer}\n</answer>"
)

# The released run's instruction, verbatim (Perception-R1 release, examples/run_qwen2_5_vl_7b_geo3k_visual_swanlab.sh).
RELEASE_INSTRUCTION = (
    "You FIRST think about the reasoning process as an internal monologue and then provide the final answer. "
    "The reasoning process MUST BE enclosed within <think> </think> tags, and the answer process MUST BE "
    "enclosed within <answer> </answer> tags. The final answer MUST BE put in \\boxed{} in <answer> </answer> tags."
)


@dataclass(frozen=True)
class PromptPreset:
    """Where the instruction goes: a system prompt, a suffix of the user turn, or both."""

    system_prompt: str | None
    user_suffix: str | None = None


PROMPT_PRESETS: dict[str, PromptPreset] = {
    "perception_r1": PromptPreset(SYSTEM_PROMPT),
    "release": PromptPreset(None, RELEASE_INSTRUCTION),
}
DEFAULT_PRESET = "perception_r1"


def prompt_preset(name: str) -> PromptPreset:
    if name not in PROMPT_PRESETS:
        raise ValueError(f"unknown prompt preset {name!r}; choose one of {', '.join(PROMPT_PRESETS)}")
    return PROMPT_PRESETS[name]


def question_text(problem: str, choices: list[str] | None = None) -> str:
    """The problem with lettered choices appended, and any leading `<image>` marker removed."""
    text = problem.replace("<image>", "").strip()
    if choices:
        letters = "ABCDEFGHIJ"
        text += "\nChoices:\n" + "\n".join(f"({letters[i]}) {c}" for i, c in enumerate(choices))
    return text


def build_messages(problem: str, choices: list[str] | None = None, n_images: int = 1,
                   system_prompt: str | None = SYSTEM_PROMPT, user_suffix: str | None = None) -> list[dict[str, Any]]:
    """Chat messages in the transformers multimodal format; images are passed beside them."""
    content: list[dict[str, Any]] = [{"type": "image"} for _ in range(n_images)]
    text = question_text(problem, choices)
    content.append({"type": "text", "text": f"{text} {user_suffix}" if user_suffix else text})
    msgs: list[dict[str, Any]] = []
    if system_prompt:
        msgs.append({"role": "system", "content": [{"type": "text", "text": system_prompt}]})
    msgs.append({"role": "user", "content": content})
    return msgs


def preset_messages(problem: str, choices: list[str] | None = None, n_images: int = 1,
                    preset: str = DEFAULT_PRESET) -> list[dict[str, Any]]:
    """`build_messages` with the named preset's instruction placement."""
    p = prompt_preset(preset)
    return build_messages(problem, choices, n_images, system_prompt=p.system_prompt, user_suffix=p.user_suffix)
