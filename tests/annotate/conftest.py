"""Shared helpers for the annotation tests: a tiny dataset and scripted teacher/extractor handlers.

Problem i asks "Find x in figure i."; its gold answer is i (multiple choice when i is even, with the
right choice at letter B). The scripted teacher answers correctly except for problems where i % 3 == 0
(every sample wrong), and for i % 3 == 1 its first sample is wrong and the second right. The scripted
extractor reads the facts the teacher stated ("From the figure: ...") and repeats one, so dedupe is tested.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from PIL import Image

from perception_r1.data import Record, write_folder

_FIG_RE = re.compile(r"figure (\d+)\.")


def make_dataset(out: Path, n: int) -> Path:
    """n problems with one small PNG each, written in the data contract's folder layout."""
    records = []
    for i in range(n):
        out.parent.mkdir(parents=True, exist_ok=True)
        img = Image.new("RGB", (40 + i, 30), (255, 255, 255))
        path = out.parent / f"src_img_{i}.png"
        img.save(path)
        choices = [str(i + 1), str(i), str(i + 2)] if i % 2 == 0 else None
        records.append(Record(id=f"p{i}", images=[str(path)], problem=f"<image>Find x in figure {i}.",
                              answer="B" if choices else str(i), choices=choices))
    return write_folder(records, out)


def _user_text(body: dict) -> str:
    content = body["messages"][-1]["content"]
    return content if isinstance(content, str) else " ".join(p.get("text", "") for p in content if p["type"] == "text")


def trajectory(i: int, correct: bool) -> str:
    answer = ("B" if i % 2 == 0 else str(i)) if correct else "999"
    return (f"<think>\nFrom the figure: AB = {i}; angle ABC = 90°.\nSo x = {answer}.\n</think>\n"
            f"<answer>\n\\boxed{{{answer}}}\n</answer>")


def teacher(body: dict) -> list[str]:
    i = int(_FIG_RE.search(_user_text(body)).group(1))
    n = int(body.get("n") or 1)
    return [trajectory(i, correct=i % 3 != 0 and not (i % 3 == 1 and s == 0)) for s in range(n)]


def extractor(body: dict) -> str:
    text = _user_text(body)
    if "could not be used" in text:  # repair request: answer from the original trajectory
        text = _user_text({"messages": body["messages"][:-2]})
    facts = re.search(r"From the figure: (.*?)\.\n", text).group(1).split("; ")
    return json.dumps(facts + [facts[0] + " "])


def faulty_extractor(body: dict) -> str:
    """p1: invalid JSON first, valid after the repair; p2: invalid twice; the others valid."""
    repair = "could not be used" in body["messages"][-1]["content"]
    original = body["messages"][-3 if repair else -1]["content"]  # a repair appends (assistant, user)
    if "figure 1." in original:
        return extractor(body) if repair else "Facts: AB = 1 and a right angle"
    if "figure 2." in original:
        return '["AB = 2", '
    return extractor(body)


def is_extractor(body: dict) -> bool:
    return isinstance(body["messages"][-1]["content"], str)


def both(body: dict):
    """One server playing both roles (the extractor's messages are plain strings)."""
    return extractor(body) if is_extractor(body) else teacher(body)


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    return make_dataset(tmp_path / "data", 9)
