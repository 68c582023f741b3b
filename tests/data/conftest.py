"""Small hand-made records for the data-contract tests (no synth, no network)."""

from __future__ import annotations

import io
from typing import Callable

import pytest
from PIL import Image

from perception_r1.data import Record


def _png_bytes(w: int = 32, h: int = 24, color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), color).save(buf, format="PNG")
    return buf.getvalue()


@pytest.fixture
def make_png() -> Callable[..., bytes]:
    return _png_bytes


@pytest.fixture
def records() -> list[Record]:
    """Three valid records: bytes images of different sizes, one multiple-choice, annotations and meta."""
    return [
        Record(id=f"r{i}", images=[_png_bytes(32 + i, 24, (10 * i, 50, 90))], problem=f"Find AB in figure {i}.",
               answer="B" if i == 1 else str(i + 2), choices=["1", "3"] if i == 1 else None,
               visual_annotations=[f"AB = {i + 2}", "m\\angle ABC = 90^\\circ"],
               cot="<think>\nAB = 2\n</think>\n<answer>\n\\boxed{2}\n</answer>", source="test",
               meta={"family": "toy", "values": {"AB": i + 2}})
        for i in range(3)
    ]
