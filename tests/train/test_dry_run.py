"""`train --dry-run` and `sft --dry-run` build and check everything but the model and write no file:
first-use synthetic data is checked in a temporary folder, the judge's disk cache is never opened."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

pytest.importorskip("trl")

from perception_r1.cli.main import main  # noqa: E402

CONFIGS = Path(__file__).resolve().parents[2] / "configs"


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.parametrize("command, config, extra", [
    ("train", "demo_cpu.yaml", ["--synth_n", "8"]),
    ("sft", "demo_cpu_sft.yaml", ["--synth_n", "8"]),
    ("train", "qwen2_5_vl_7b_geo3k.yaml", []),  # judge_cache set, data absent here
], ids=["train-demo", "sft-demo", "train-paper"])
def test_dry_run_writes_no_file(command, config, extra, tmp_path, monkeypatch, capsys):
    work, tmp = tmp_path / "work", tmp_path / "tmp"
    work.mkdir()
    tmp.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))  # the sandbox's temporary folder must be removed
    assert main([command, "--config", str(CONFIGS / config), "--dry-run", *extra]) == 0
    out = capsys.readouterr().out
    assert "dry run OK" in out and "no file written" in out
    assert _files(work) == []
    assert not list(tmp.glob("perception-r1-dry-run-*"))
    if extra:
        assert ("8 prompts" in out) if command == "train" else ("8 examples with a cot" in out)
