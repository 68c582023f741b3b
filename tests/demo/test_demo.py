"""The demo: config handling (fast) and a shortened run end to end through the CLI (slow; no network)."""

from __future__ import annotations

import json

import pytest

from perception_r1.cli.demo import parse_overrides
from perception_r1.demo import make_config
from perception_r1.demo.report import goals


@pytest.mark.parametrize("extra, expected", [
    (["--sft_steps", "7"], {"sft_steps": 7}),
    (["--families", "circle"], {"families": "circle"}),
    (["--sft-lr", "3e-4", "--model_overrides", "{'vision_depth': 1}"], {"sft_lr": 3e-4, "model_overrides": {"vision_depth": 1}}),
    ([], {}),
])
def test_parse_overrides(extra, expected):
    assert parse_overrides(extra) == expected


def test_parse_overrides_rejects_a_lone_key():
    with pytest.raises(SystemExit, match="--key value"):
        parse_overrides(["--sft_steps"])


def test_make_config_quick_and_unknown_key():
    assert make_config(quick=True).sft_steps < make_config().sft_steps
    assert make_config(grpo_steps=3).grpo_steps == 3
    with pytest.raises(ValueError, match="unknown demo settings \\['nope'\\]"):
        make_config(nope=1)


@pytest.mark.parametrize("acc_only, r1, b, c, p, expected", [
    ((0.5, 0.40), (0.5, 0.55), 3, 20, 0.001, (True, True, True)),
    ((0.5, 0.40), (0.4, 0.45), 3, 20, 0.001, (False, False, True)),
    ((0.5, 0.40), (0.6, 0.60), 20, 3, 0.001, (True, True, False)),  # significant, but the wrong way
    ((0.5, 0.40), (0.6, 0.60), 8, 12, 0.5, (True, True, False)),
])
def test_goals(acc_only, r1, b, c, p, expected):
    s = {"arms": {"accuracy_only": {"accuracy": acc_only[0], "perception": acc_only[1]},
                  "perception_r1": {"accuracy": r1[0], "perception": r1[1]}},
         "mcnemar": {"b": b, "c": c, "p_value": p}}
    assert tuple(goals(s).values()) == expected


@pytest.mark.slow
def test_quick_demo_end_to_end(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from perception_r1.cli.main import main

    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--quick", "--n_heldout", "6", "--eval_batch", "6"]) == 0
    s = json.loads((out / "summary.json").read_text())
    for name in ("accuracy_only", "perception_r1"):
        assert set(s["arms"][name]) == {"accuracy", "perception", "perception_ok"}
        metrics = [json.loads(x) for x in (out / f"grpo_{name}" / "metrics.jsonl").read_text().splitlines()]
        assert any("rewards/perception/mean" in m for m in metrics)
    assert s["mcnemar"]["n"] == 6 and {"b", "c", "p_value"} <= set(s["mcnemar"])
    assert (out / "report.md").read_text().startswith("# Perception-R1 demo")
    for png in ("rewards.png", "heldout.png"):
        assert (out / png).read_bytes()[:4] == b"\x89PNG"
    rows = [json.loads(x) for x in (out / "eval_heldout" / "perception_r1" / "results.jsonl").read_text().splitlines()]
    assert len(rows) == 6 and all("perception_ok" in r for r in rows)
    # A rerun finds every stage done and only rewrites the report.
    assert main(["demo", "--out", str(out), "--quick", "--n_heldout", "6", "--eval_batch", "6"]) == 0


def test_rerun_with_other_settings_is_refused(tmp_path):
    from perception_r1.demo.pipeline import run_one

    (tmp_path / "config.json").write_text(json.dumps(make_config(sft_steps=1).to_dict()))
    with pytest.raises(ValueError, match="other settings"):
        run_one(make_config(sft_steps=2), tmp_path)
