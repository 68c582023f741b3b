"""The pretraining recipe of the tiny base: the stream, the collator's completion-only labels, and the
shipped recipe (configs/demo_pretrain.yaml) run for a few steps through the CLI, resumed, and saved."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")

from perception_r1.train.pretrain import Collator, PretrainArgs, SynthStream  # noqa: E402

CONFIG = Path(__file__).resolve().parents[2] / "configs" / "demo_pretrain.yaml"


def test_stream_is_deterministic_mixes_choices_and_system_prompts():
    a = PretrainArgs(choice_share=0.5, system_prompt_every=2)
    s1, s2 = SynthStream(a, batch_size=4), SynthStream(a, batch_size=4)
    items = [s1.item(i) for i in range(16)]
    assert [(r.id, r.answer, full) for r, full in items] == [(r.id, r.answer, f) for r, f in (s2.item(i) for i in range(16))]
    assert [full for _, full in items] == [True] * 4 + [False] * 4 + [True] * 4 + [False] * 4
    mc = [r for r, _ in items if r.choices]
    assert 0 < len(mc) < 16 and all(r.answer in "ABCD" for r in mc)
    assert {r.meta["family"] for r, _ in items} == {"rectangle", "segment_sum", "circle"}


def test_bad_args_are_refused():
    with pytest.raises(ValueError, match="choice_share"):
        PretrainArgs(choice_share=1.5)
    with pytest.raises(ValueError, match="system_prompt_every"):
        PretrainArgs(system_prompt_every=0)


def test_collator_puts_the_loss_on_the_completion_only(tiny_model):
    from transformers import AutoProcessor

    proc = AutoProcessor.from_pretrained(tiny_model)
    stream = SynthStream(PretrainArgs(), batch_size=2)
    items = [stream.item(i) for i in range(2, 4)]  # one batch with the system prompt, one without
    items = [items[0], (items[1][0], not items[1][1])]
    batch = Collator(proc)(items)
    tok = proc.tokenizer
    for row, (rec, _) in enumerate(items):
        kept = batch["labels"][row][batch["labels"][row] != -100]
        assert tok.decode(kept) == rec.cot + "<|im_end|>"
    assert batch["pixel_values"].shape[0] == int(batch["image_grid_thw"].prod(dim=1).sum())


@pytest.mark.slow
def test_recipe_runs_resumes_and_saves(tmp_path):
    from perception_r1.cli.main import main

    out = tmp_path / "pretrain"
    small = ["--config", str(CONFIG), "--output_dir", str(out), "--per_device_train_batch_size", "2",
             "--save_steps", "1", "--logging_steps", "1", "--size", "tiny", "--model_overrides",
             json.dumps({"max_pixels": 12544})]
    assert main(["pretrain", *small, "--max_steps", "1"]) == 0
    assert main(["pretrain", *small, "--max_steps", "2"]) == 0  # resumes from checkpoint-1
    state = json.loads((out / "checkpoint-2" / "trainer_state.json").read_text())
    assert state["global_step"] == 2
    rows = [json.loads(x) for x in (out / "metrics.jsonl").read_text().splitlines()]
    assert [r["step"] for r in rows if "loss" in r] == [1, 2]
    final = out / "final"
    assert (final / "model.safetensors").exists() and (final / "tokenizer.json").exists()
    assert json.loads((final / "pretrain_args.json").read_text())["global_step"] == 2
    from transformers import AutoModelForImageTextToText

    AutoModelForImageTextToText.from_pretrained(final)


def test_cli_error_is_one_line(capsys):
    from perception_r1.cli.main import main

    assert main(["pretrain", "--config", str(CONFIG), "--choice_share", "2"]) == 2
    assert capsys.readouterr().err.strip().startswith("perception-r1 pretrain: error: choice_share")


def test_recipe_loads_into_its_dataclasses():
    import yaml

    from perception_r1.cli.pretrain import parser

    assert CONFIG.read_text().splitlines()[0] == "# perception-r1 pretrain --config configs/demo_pretrain.yaml"
    pargs, targs = parser().parse_args_and_config(args=["--config", str(CONFIG)])
    for key, value in yaml.safe_load(CONFIG.read_text()).items():
        got = getattr(pargs if hasattr(pargs, key) else targs, key)
        if key not in ("report_to", "lr_scheduler_type", "accelerator_config"):
            assert got == value, key
