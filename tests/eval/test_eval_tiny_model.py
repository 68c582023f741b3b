"""End to end on CPU: `perception-r1 eval --model` with the tiny Qwen2.5-VL over a few synth items
(generation, extraction, scoring, perception with the symbolic judge), then compare and mcnemar on
the two runs of it. Slow: builds the tiny model (~15 s) and generates a few tokens."""

import json

import pytest

from perception_r1.cli.main import main
from perception_r1.data.synth import write_synth
from perception_r1.models.tiny import ensure_tiny_model

pytestmark = pytest.mark.slow


def test_eval_model_end_to_end_on_synth(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model = ensure_tiny_model(tmp_path / "tiny", size="tiny", seed=0)
    write_synth(tmp_path / "synth", 4, seed=0)
    common = ["eval", "--benchmark", "synth", "--data", str(tmp_path / "synth"), "--model", str(model),
              "--max-new-tokens", "6", "--batch-size", "2", "--max-pixels", "12544"]
    assert main(common + ["--out", str(tmp_path / "a")]) == 0
    rows = [json.loads(x) for x in (tmp_path / "a" / "results.jsonl").read_text().splitlines()]
    assert len(rows) == 4
    for r in rows:  # an untrained model: answers are wrong but every field is there
        assert {"id", "response", "extracted", "correct", "family", "perception", "perception_ok"} <= set(r)
        assert r["correct"] is False and 0.0 <= r["perception"] <= 1.0
    summary = json.loads((tmp_path / "a" / "summary.json").read_text())
    assert summary["total"] == 4 and summary["perception"]["items"] == 4
    # A rerun into the finished folder is refused; with --resume it reuses the saved responses (no generation).
    saved = (tmp_path / "a" / "responses.jsonl").read_text()
    assert main(common + ["--out", str(tmp_path / "a")]) == 2
    assert main(common + ["--out", str(tmp_path / "a"), "--resume"]) == 0
    assert (tmp_path / "a" / "responses.jsonl").read_text() == saved
    # --samples 2: two sampled responses per item beside the greedy one, kept and reused on a rerun.
    assert main(common + ["--out", str(tmp_path / "a"), "--resume", "--samples", "2", "--temperature", "1.0"]) == 0
    samples = (tmp_path / "a" / "samples.jsonl").read_text()
    assert sorted((json.loads(x)["id"], json.loads(x)["sample"]) for x in samples.splitlines()) == sorted(
        (r["id"], j) for r in rows for j in range(2))
    sampling = json.loads((tmp_path / "a" / "summary.json").read_text())["sampling"]
    assert sampling["k"] == 2
    assert 0.0 <= sampling["min"] <= sampling["avg_at_k"] <= sampling["max"] <= sampling["pass_at_k"] <= 1.0
    assert main(common + ["--out", str(tmp_path / "a"), "--resume", "--samples", "2"]) == 0
    assert (tmp_path / "a" / "samples.jsonl").read_text() == samples
    assert (tmp_path / "a" / "responses.jsonl").read_text() == saved
    # The same responses scored as a second run: McNemar finds no discordant pair.
    assert main(["eval", "--benchmark", "synth", "--data", str(tmp_path / "synth"),
                 "--responses", str(tmp_path / "a" / "responses.jsonl"), "--out", str(tmp_path / "b")]) == 0
    assert main(["mcnemar", str(tmp_path / "a" / "results.jsonl"), str(tmp_path / "b" / "results.jsonl"),
                 "--field", "perception_ok"]) == 0
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(tmp_path / "cmp")]) == 0
    assert (tmp_path / "cmp" / "compare.png").exists()
