"""The shipped base model: its weights are the ones its provenance names, and re-measuring it on the
fixed set gives the figures the provenance records (slow). A changed base is refused by the demo."""

from __future__ import annotations

import json
import shutil

import pytest

from perception_r1.demo.base import BASE_DIR, PROVENANCE, WEIGHTS, diagnosis, provenance, sha256, verify
from perception_r1.demo.config import DemoError


def test_provenance_names_the_weights_and_the_command():
    prov = provenance()
    assert sha256(BASE_DIR / WEIGHTS) == prov["sha256"]
    assert prov["command"] == f"perception-r1 pretrain --config configs/demo_pretrain.yaml --max_steps {prov['steps']}"
    assert prov["samples_seen"] == prov["steps"] * prov["batch_size"] and prov["wall_s"] > 0
    assert set(prov["measured"]) >= {"accuracy", "perception", "perception_ok", "diagnosis", "set"}
    assert verify(BASE_DIR)["sha256"] == prov["sha256"]


def test_a_changed_base_is_refused(tmp_path):
    copy = tmp_path / "base"
    shutil.copytree(BASE_DIR, copy)
    prov = json.loads((copy / PROVENANCE).read_text())
    (copy / PROVENANCE).write_text(json.dumps({**prov, "sha256": "0" * 64}))
    with pytest.raises(DemoError, match="differs from provenance.json"):
        verify(copy)


def test_diagnosis_counts_wrong_answers_with_a_misread_fact():
    rows = [{"correct": True, "perception_ok": True}, {"correct": False, "perception_ok": True},
            {"correct": False, "perception_ok": False}, {"correct": True, "perception_ok": False},
            {"correct": False, "perception_ok": False}]
    d = diagnosis(rows)
    assert (d["wrong"], d["wrong_with_misread_fact"]) == (3, 2)
    assert d["share_of_wrong_with_misread_fact"] == pytest.approx(2 / 3)
    assert d["accuracy_when_all_facts_read"] == 0.5 and d["accuracy_when_a_fact_misread"] == pytest.approx(1 / 3)


@pytest.mark.slow
def test_shipped_base_re_measured_on_its_fixed_set(tmp_path, monkeypatch):
    pytest.importorskip("torch")
    import torch

    from perception_r1.demo.base import measure

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    torch.set_num_threads(1)
    want = provenance()["measured"]
    got = measure(BASE_DIR, tmp_path, want["set"]["synth_options"], n=want["set"]["n"], seed=want["set"]["seed"])
    # Greedy decoding on CPU; another CPU's float rounding may flip an item or two, never more.
    for key in ("accuracy", "perception", "perception_ok"):
        assert got[key] == pytest.approx(want[key], abs=0.03), key
