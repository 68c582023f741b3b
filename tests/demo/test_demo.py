"""The demo: config handling, the recipes it runs, the report's goals (fast) and a shortened run end to end
through the CLI from the shipped base (slow; no network)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from perception_r1.cli.demo import parse_overrides
from perception_r1.demo import make_config
from perception_r1.demo.config import ARM_CONFIGS, CONFIGS, DEMO_OUT
from perception_r1.demo.report import goals, pair_key

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("extra, expected", [
    (["--n_heldout", "7"], {"n_heldout": 7}),
    (["--base", "runs/x"], {"base": "runs/x"}),
    (["--n-dev", "3", "--grpo", "{'max_steps': 2}"], {"n_dev": 3, "grpo": {"max_steps": 2}}),
    ([], {}),
])
def test_parse_overrides(extra, expected):
    assert parse_overrides(extra) == expected


def test_parse_overrides_rejects_a_lone_key():
    with pytest.raises(SystemExit, match="--key value"):
        parse_overrides(["--n_heldout"])


def test_make_config_quick_and_unknown_key():
    assert make_config(quick=True).n_heldout < make_config().n_heldout
    assert make_config(quick=True, grpo={"learning_rate": 1e-5}).grpo["max_steps"] == 1
    with pytest.raises(ValueError, match="unknown demo settings \\['nope'\\]"):
        make_config(nope=1)


def _yaml(name: str) -> dict:
    return yaml.safe_load((CONFIGS / name).read_text())


def test_the_two_arms_differ_only_in_reward_weights_and_folder():
    acc, r1 = (_yaml(ARM_CONFIGS[a]) for a in ("accuracy_only", "perception_r1"))
    assert {k for k in acc.keys() | r1.keys() if acc.get(k) != r1.get(k)} == {"reward_weights", "output_dir"}
    assert acc["reward_weights"][:2] == r1["reward_weights"][:2] and acc["reward_weights"][2:] == [0.0, 0.0]
    assert r1["reward_weights"] == [r1["reward_alpha"], r1["reward_beta"], r1["reward_gamma"], 1.0]


def test_the_recipes_start_from_the_shipped_base():
    from perception_r1.demo.base import BASE_DIR

    for name in ARM_CONFIGS.values():
        assert (ROOT / _yaml(name)["model_name_or_path"]).resolve() == BASE_DIR


def test_no_shipped_config_writes_into_the_demo_folder():
    """`make demo` keeps its stages in runs/demo; a shipped config that wrote there would make a later
    demo reuse a stage it did not make."""
    demo_out = DEMO_OUT
    for path in sorted(CONFIGS.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text())
        for key in ("output_dir", "dataset", "model_name_or_path"):
            value = str(raw.get(key, ""))
            assert not (value == demo_out or value.startswith(demo_out + "/")), (path.name, key, value)


def _summary(base, acc_only, r1, b, c, p):
    return {"models": {"base": {"accuracy": base}, "accuracy_only": {"accuracy": acc_only[0], "perception": acc_only[1]},
                       "perception_r1": {"accuracy": r1[0], "perception": r1[1]}},
            "mcnemar": {pair_key("accuracy_only", "perception_r1", "perception_ok"): {"b": b, "c": c, "p_value": p}}}


@pytest.mark.parametrize("base, acc_only, r1, b, c, p, expected", [
    (0.4, (0.5, 0.40), (0.5, 0.55), 3, 20, 0.001, (True, True, True, True)),
    (0.4, (0.5, 0.40), (0.4, 0.45), 3, 20, 0.001, (False, True, False, True)),
    (0.4, (0.5, 0.40), (0.6, 0.60), 20, 3, 0.001, (True, False, True, True)),  # significant, the wrong way
    (0.4, (0.5, 0.40), (0.6, 0.60), 8, 12, 0.5, (True, False, True, True)),
    (0.55, (0.5, 0.40), (0.6, 0.60), 3, 20, 0.001, (True, True, True, False)),  # an arm below the base
])
def test_goals(base, acc_only, r1, b, c, p, expected):
    assert tuple(goals(_summary(base, acc_only, r1, b, c, p)).values()) == expected


def test_a_stage_made_with_other_settings_is_refused(tmp_path):
    from perception_r1.demo.pipeline import StageMismatch, _stage

    notes = []
    assert _stage(tmp_path / "s", {"n": 1}, lambda: {"x": 1}, notes.append)["x"] == 1
    assert _stage(tmp_path / "s", {"n": 1}, lambda: pytest.fail("reran a finished stage"), notes.append)["x"] == 1
    assert notes and "reused" in notes[0]
    with pytest.raises(StageMismatch, match="other settings"):
        _stage(tmp_path / "s", {"n": 2}, lambda: {"x": 2}, notes.append)


@pytest.mark.slow
def test_quick_demo_end_to_end(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    from perception_r1.cli.main import main

    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--quick", "--n_heldout", "6", "--eval_batch", "6"]) == 0
    s = json.loads((out / "summary.json").read_text())
    assert set(s["models"]) == {"base", "accuracy_only", "perception_r1"}
    for name in ("accuracy_only", "perception_r1"):
        assert set(s["models"][name]) == {"accuracy", "perception", "perception_ok"}
        metrics = [json.loads(x) for x in (out / f"grpo_{name}" / "metrics.jsonl").read_text().splitlines()]
        assert any("rewards/perception/mean" in m for m in metrics)
    assert len(s["mcnemar"]) == 4 and all(t["n"] == 6 for t in s["mcnemar"].values())
    assert s["diagnosis"]["base"]["items"] == 6
    assert json.loads((out / "base.json").read_text())["provenance"].endswith("provenance.json")
    report = (out / "report.md").read_text()
    assert report.startswith("# Perception-R1 demo") and "Diagnosis of the base" in report
    for png in ("rewards.png", "heldout.png"):
        assert (out / png).read_bytes()[:4] == b"\x89PNG"
    rows = [json.loads(x) for x in (out / "eval_heldout" / "perception_r1" / "results.jsonl").read_text().splitlines()]
    assert len(rows) == 6 and all("perception_ok" in r for r in rows)
    printed = capsys.readouterr()
    assert "{'loss'" not in printed.out + printed.err  # TRL's per-step dicts go to the log file
    assert any("loss" in json.loads(x) for x in (out / "grpo_perception_r1" / "metrics.jsonl").read_text().splitlines())
    # A rerun finds every stage done, says so, and only rewrites the report; other settings are refused.
    assert main(["demo", "--out", str(out), "--quick", "--n_heldout", "6", "--eval_batch", "6"]) == 0
    assert "reused" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="other settings"):
        main(["demo", "--out", str(out), "--quick", "--n_heldout", "5", "--eval_batch", "6"])


@pytest.mark.parametrize("arm", sorted(ARM_CONFIGS))
def test_the_demo_arm_is_what_train_config_resolves(arm):
    """`make demo`'s arm and `perception-r1 train --config configs/<its recipe>` resolve to the same
    settings, apart from the folders, seed and base the demo sets for its run."""
    from perception_r1.demo.pipeline import recipe
    from perception_r1.train.config import parse

    method, args = recipe(make_config(), arm)
    ref_method, ref_args = parse("grpo", ["--config", str(CONFIGS / ARM_CONFIGS[arm])])
    assert method.__dict__ == ref_method.__dict__
    assert {k: v for k, v in args.to_dict().items() if k != "logging_dir"} == \
        {k: v for k, v in ref_args.to_dict().items() if k != "logging_dir"}
