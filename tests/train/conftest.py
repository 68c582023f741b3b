"""Shared fixtures of the training tests: the tiny model (built once) and a small digit dataset whose
problem text names each record, so a test can check that a completion's columns belong to its prompt."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    pytest.importorskip("torch")
    from perception_r1.models.tiny import build_tiny_model

    return build_tiny_model(tmp_path_factory.mktemp("tiny-model"), size="tiny", seed=0)


@pytest.fixture(scope="session")
def digits_data(tmp_path_factory):
    from PIL import Image, ImageDraw

    from perception_r1.data import Record, write_folder

    root = tmp_path_factory.mktemp("digits")
    records = []
    for i in range(8):
        img = Image.new("RGB", (56, 56), "white")
        ImageDraw.Draw(img).text((22, 20), str(i), fill="black")
        path = root / f"d{i}.png"
        img.save(path)
        records.append(Record(
            id=f"r{i}", images=[str(path)], problem=f"Which digit is drawn? [item r{i}]", answer=str(i),
            visual_annotations=[f"the digit is {i}"] if i % 2 == 0 else None,
            cot=f"<think>\nThe digit is {i}.\n</think>\n<answer>\n\\boxed{{{i}}}\n</answer>"))
    write_folder(records, root / "data")
    return root / "data"
