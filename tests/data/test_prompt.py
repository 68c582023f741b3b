"""Prompt presets: where the instruction goes, verbatim."""

import pytest

from perception_r1.data.prompt import RELEASE_INSTRUCTION, SYSTEM_PROMPT, preset_messages


def test_release_preset_is_user_turn_instruction_without_system_prompt():
    msgs = preset_messages("<image>Find x.", ["1", "2"], n_images=1, preset="release")
    assert [m["role"] for m in msgs] == ["user"]
    assert msgs[0]["content"][0] == {"type": "image"}
    assert msgs[0]["content"][1]["text"] == "Find x.\nChoices:\n(A) 1\n(B) 2 " + RELEASE_INSTRUCTION
    assert RELEASE_INSTRUCTION.startswith("You FIRST think about the reasoning process as an internal monologue")
    assert RELEASE_INSTRUCTION.endswith("The final answer MUST BE put in \\boxed{} in <answer> </answer> tags.")


def test_default_preset_is_the_system_prompt():
    msgs = preset_messages("Find x.", n_images=2)
    assert msgs[0] == {"role": "system", "content": [{"type": "text", "text": SYSTEM_PROMPT}]}
    assert msgs[1]["content"][-1]["text"] == "Find x." and len(msgs[1]["content"]) == 3


def test_unknown_preset_names_the_choices():
    with pytest.raises(ValueError, match="unknown prompt preset 'paper'; choose one of perception_r1, release"):
        preset_messages("Find x.", preset="paper")


def test_eval_generates_with_the_chosen_preset(monkeypatch):
    pytest.importorskip("transformers")
    from perception_r1.data import Record
    from perception_r1.eval import generate as gen
    from perception_r1.eval.run import EvalConfig, _generate

    seen = []

    def fake(model, records, *a, system_prompt, user_suffix, **kw):
        seen.extend(gen.prompt_messages(r, system_prompt, user_suffix) for r in records)
        return ["x"] * len(records)

    monkeypatch.setattr(gen, "generate", fake)
    rec = Record(id="a", images=[], problem="Find x.", answer="1")
    cfg = EvalConfig(benchmark="synth", data="d", out="o", model="m", prompt_preset="release")
    assert _generate(cfg, [rec], temperature=0.0, n=1) == ["x"]
    assert seen == [preset_messages("Find x.", n_images=0, preset="release")]
