"""Our teacher and extractor prompts (Perception-R1 §3.1, offline annotation construction).

The teacher (a multimodal model) solves the problem in the shared `<think>`/`<answer>` format and is asked
to state every visual fact it reads off the figure, so the extractor has something to extract. The
extractor (a text-only model) turns one correct trajectory into a JSON array of atomic visual facts.
The few-shot examples below are our own. Bump PROMPT_VERSION whenever a prompt changes: it is part of
every journal key, so changed prompts are sent again and unchanged ones are never paid for twice.
"""

from __future__ import annotations

import json
from typing import Any

from ..data.prompt import SYSTEM_PROMPT, build_messages

PROMPT_VERSION = "v1"

TEACHER_SYSTEM = SYSTEM_PROMPT + (
    "\nIn your reasoning, first state every fact you read off the figure that you rely on (lengths, angle "
    "measures and expressions, right-angle and tick marks, parallel or perpendicular lines, tangents, which "
    "points lie on which lines or circles, named shapes), then derive the answer from them. "
    "For a multiple-choice question, box the letter of the correct choice.\n"
    "Example of the expected shape (for a figure showing a right triangle with legs 6 and 8):\n"
    "<think>\nFrom the figure: triangle PQR has a right angle at Q; PQ = 6; QR = 8.\n"
    "By the Pythagorean theorem PR = sqrt(6^2 + 8^2) = 10.\n</think>\n<answer>\nPR = \\boxed{10}\n</answer>"
)

EXTRACTOR_SYSTEM = (
    "You read a worked solution to a geometry or diagram problem and list the visual facts it relies on: "
    "facts that can be read directly off the figure (labelled lengths, angle measures or expressions, "
    "right-angle marks, equal-length tick marks, parallel or perpendicular lines, tangency, points on lines "
    "or circles, the kind of shape drawn). One atomic fact per item, written briefly with the figure's own "
    "labels. Do NOT include facts given only in the question text, quantities the solution computes, "
    "theorems, equations it sets up, or the final answer. "
    "Reply with a JSON array of strings and nothing else."
)

# (problem, solution, facts) — our own examples, covering a figure-reading solution with derived steps
# that must be left out, and a multiple-choice one.
FEW_SHOT: list[tuple[str, str, list[str]]] = [
    (
        "Find the length of AC.",
        "<think>\nThe figure shows triangle ABC with a right angle at B. AB is labelled 5 and BC is labelled 12. "
        "Since the angle at B is 90 degrees, AC is the hypotenuse, so AC^2 = 5^2 + 12^2 = 169 and AC = 13.\n"
        "</think>\n<answer>\n\\boxed{13}\n</answer>",
        ["∠ABC = 90°", "AB = 5", "BC = 12"],
    ),
    (
        "Find x.\nChoices:\n(A) 20\n(B) 25\n(C) 30\n(D) 35",
        "<think>\nIn the diagram, lines l and m are marked parallel and a transversal t crosses them. The angle at "
        "the top intersection is labelled (3x + 10)° and the alternate interior angle at the bottom intersection "
        "is labelled 85°. Alternate interior angles are equal, so 3x + 10 = 85, hence x = 25, which is choice B.\n"
        "</think>\n<answer>\n\\boxed{B}\n</answer>",
        ["l ∥ m", "transversal t crosses l and m", "angle at the top intersection = (3x + 10)°",
         "alternate interior angle at the bottom intersection = 85°"],
    ),
]

REPAIR_INSTRUCTION = (
    "Your reply could not be used: {error}. Reply again with only a JSON array of strings, "
    'for example ["AB = 5", "∠ABC = 90°"], with no other text.'
)


def image_url_part(data_url: str) -> dict[str, Any]:
    return {"type": "image_url", "image_url": {"url": data_url}}


def teacher_messages(problem: str, choices: list[str] | None, data_urls: list[str]) -> list[dict[str, Any]]:
    """OpenAI-protocol messages for the teacher: the shared prompt (`build_messages`) with each image
    placeholder replaced by its base64 data URL."""
    msgs = build_messages(problem, choices, n_images=len(data_urls), system_prompt=TEACHER_SYSTEM)
    urls = iter(data_urls)
    for msg in msgs:
        msg["content"] = [image_url_part(next(urls)) if part["type"] == "image" else part for part in msg["content"]]
    return msgs


def _extractor_user(problem: str, solution: str) -> str:
    return f"Problem:\n{problem}\n\nSolution:\n{solution}"


def extractor_messages(problem: str, solution: str) -> list[dict[str, Any]]:
    """Text-only messages for the extractor: instructions, our few-shot pairs, then the trajectory."""
    msgs: list[dict[str, Any]] = [{"role": "system", "content": EXTRACTOR_SYSTEM}]
    for p, s, facts in FEW_SHOT:
        msgs.append({"role": "user", "content": _extractor_user(p, s)})
        msgs.append({"role": "assistant", "content": json.dumps(facts, ensure_ascii=False)})
    msgs.append({"role": "user", "content": _extractor_user(problem, solution)})
    return msgs


def repair_messages(first: list[dict[str, Any]], bad_reply: str, error: str) -> list[dict[str, Any]]:
    """The extraction conversation continued with the invalid reply and a repair instruction."""
    return first + [{"role": "assistant", "content": bad_reply},
                    {"role": "user", "content": REPAIR_INSTRUCTION.format(error=error)}]
