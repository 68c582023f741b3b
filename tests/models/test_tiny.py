"""The tiny Qwen2.5-VL: offline save/reload through the Auto classes, a forward pass with an image,
`generate`, the tokenizer's special tokens, determinism. No network."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")

from PIL import Image, ImageDraw  # noqa: E402

from perception_r1.data import load_image  # noqa: E402
from perception_r1.data.prompt import build_messages  # noqa: E402
from perception_r1.models.tiny import (  # noqa: E402
    CHAT_TEMPLATE, SPECIAL_TOKENS, TOKEN_ID, build_tiny_model, ensure_tiny_model, resolve_spec)


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    return build_tiny_model(tmp_path_factory.mktemp("tiny"), size="tiny", seed=0)


@pytest.fixture(scope="module")
def loaded(tiny_dir, monkeypatch_module):
    from transformers import AutoModelForImageTextToText, AutoProcessor

    return AutoModelForImageTextToText.from_pretrained(tiny_dir).eval(), AutoProcessor.from_pretrained(tiny_dir)


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    mp.setenv("HF_HUB_OFFLINE", "1")
    yield mp
    mp.undo()


@pytest.fixture
def image_path(tmp_path):
    img = Image.new("RGB", (90, 70), "white")
    ImageDraw.Draw(img).text((30, 25), "AB = 7", fill="black")
    path = tmp_path / "fig.png"
    img.save(path)
    return path


def test_reloads_offline_as_qwen2_5_vl(loaded, tiny_dir):
    model, proc = loaded
    assert type(model).__name__ == "Qwen2_5_VLForConditionalGeneration"
    assert type(proc).__name__ == "Qwen2_5_VLProcessor"
    info = json.loads((tiny_dir / "tiny_model.json").read_text())
    assert info["parameters"] == sum(p.numel() for p in model.parameters())
    assert 100_000 < info["parameters"] < 1_000_000


@pytest.mark.parametrize("token", SPECIAL_TOKENS)
def test_special_token_ids_match_config(loaded, token):
    model, proc = loaded
    tok = proc.tokenizer
    assert tok.convert_tokens_to_ids(token) == TOKEN_ID[token]
    assert tok(token, add_special_tokens=False).input_ids == [TOKEN_ID[token]]
    cfg = model.config
    expected = {"<|image_pad|>": cfg.image_token_id, "<|video_pad|>": cfg.video_token_id,
                "<|vision_start|>": cfg.vision_start_token_id, "<|vision_end|>": cfg.vision_end_token_id}
    if token in expected:
        assert TOKEN_ID[token] == expected[token]


@pytest.mark.parametrize("text", [
    "m\\angle ABC = 90^\\circ",
    "<think>\nAB = 12\n</think>\n<answer>\n\\boxed{169}\n</answer>",
    "JK = 3f - 6, AB \\parallel CD, O is the center of the circle",
])
def test_tokenizer_round_trips_and_splits_digits(loaded, text):
    tok = loaded[1].tokenizer
    ids = tok(text, add_special_tokens=False).input_ids
    assert tok.decode(ids) == text
    pieces = [p.lstrip("Ġ") for p in tok.convert_ids_to_tokens(ids)]
    assert all(len(p) == 1 for p in pieces if any(ch.isdigit() for ch in p))


def test_eos_and_chat_template(loaded):
    model, proc = loaded
    assert proc.tokenizer.eos_token == "<|im_end|>" and proc.tokenizer.pad_token == "<|endoftext|>"
    assert proc.chat_template == CHAT_TEMPLATE
    trl_templates = pytest.importorskip("trl.chat_template_utils")
    assert CHAT_TEMPLATE == trl_templates.qwen2_5_vl_chat_template  # so TRL swaps in its training template


def test_forward_and_generate_with_image(loaded, image_path):
    model, proc = loaded
    img = load_image(str(image_path), min_pixels=3136, max_pixels=12544)
    text = proc.apply_chat_template(build_messages("Find AB.", None, 1), add_generation_prompt=True, tokenize=False)
    assert text.count("<|image_pad|>") == 1 and text.endswith("<|im_start|>assistant\n")
    inputs = proc(text=[text], images=[img], return_tensors="pt")
    n_image_tokens = int((inputs.input_ids == TOKEN_ID["<|image_pad|>"]).sum())
    assert n_image_tokens == int(inputs.image_grid_thw.prod()) // 4 > 0
    with torch.no_grad():
        logits = model(**inputs).logits
        blank = model(**proc(text=[text], images=[Image.new("RGB", img.size, "white")], return_tensors="pt")).logits
    assert logits.shape == (1, inputs.input_ids.shape[1], model.config.text_config.vocab_size)
    assert torch.isfinite(logits).all()
    assert not torch.allclose(logits[0, -1], blank[0, -1])  # the image reaches the logits
    out = model.generate(**inputs, max_new_tokens=5, do_sample=False)
    assert 1 <= out.shape[1] - inputs.input_ids.shape[1] <= 5


def test_deterministic_and_ensure_reuses(tmp_path, tiny_dir):
    again = build_tiny_model(tmp_path / "again", size="tiny", seed=0)
    for name in ("model.safetensors", "tokenizer.json", "config.json"):
        assert (again / name).read_bytes() == (tiny_dir / name).read_bytes(), name
    stamp = (again / "model.safetensors").stat().st_mtime_ns
    assert ensure_tiny_model(again) == again
    assert (again / "model.safetensors").stat().st_mtime_ns == stamp


@pytest.mark.parametrize("size,overrides,error", [
    ("huge", {}, "unknown tiny-model size"),
    ("tiny", {"mrope_section": (1, 1, 1)}, "mrope_section"),
])
def test_bad_spec_is_named(tmp_path, size, overrides, error):
    with pytest.raises(ValueError, match=error):
        build_tiny_model(tmp_path / "bad", size=size, **overrides)


def test_overrides_replace_preset_fields():
    spec = resolve_spec("tiny", max_pixels=50176, min_pixels=None)
    assert spec.max_pixels == 50176 and spec.min_pixels == resolve_spec("tiny").min_pixels


def test_cli_builds_and_reports(tmp_path, capsys):
    from perception_r1.cli.main import main

    assert main(["tiny-model", "--out", str(tmp_path / "m"), "--size", "tiny", "--max-pixels", "6272"]) == 0
    assert "parameters" in capsys.readouterr().out
    info = json.loads((tmp_path / "m" / "tiny_model.json").read_text())
    assert info["spec"]["max_pixels"] == 6272


def test_ensure_never_overwrites_a_saved_model_or_other_files(tmp_path, tiny_dir):
    import shutil

    tuned = tmp_path / "tuned"  # a fine-tuned model: saved by a trainer, no tiny_model.json
    shutil.copytree(tiny_dir, tuned)
    (tuned / "tiny_model.json").unlink()
    stamp = (tuned / "model.safetensors").stat().st_mtime_ns
    assert ensure_tiny_model(tuned) == tuned
    assert (tuned / "model.safetensors").stat().st_mtime_ns == stamp and not (tuned / "tiny_model.json").exists()
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="refusing"):
        ensure_tiny_model(other)
