"""The path from the released data to a run, as README.md and docs/data.md give it: `convert` of the
Perception-R1 release parquet (a fixture in its layout: `images`, `problem`, `answer`, `visual_key_info`,
the columns the release's `verl/utils/dataset.py` reads) into the folder the paper configs name, then
`validate`, then `train --dry-run` with the paper config; the SFT baseline on that data, which has no
`cot`, refusing in one line that says which data it needs; and Geometry3K + `annotate` (loopback teacher
and extractor) writing the same folder, which the SFT baseline accepts."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RELEASE_FIXTURE = ROOT / "tests" / "fixtures" / "annotate" / "perception_r1.parquet"


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "perception_r1.cli.main", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_release_parquet_to_paper_config_dry_run(tmp_path):
    data = "data/geometry3k_perception"  # the dataset every configs/qwen2_5_vl_7b_*.yaml names
    for config in ROOT.glob("configs/qwen2_5_vl_7b_*.yaml"):
        assert f"dataset: {data}" in config.read_text(), config.name
    done = _cli(tmp_path, "convert", "perception-r1", str(RELEASE_FIXTURE), "--out", data)
    assert done.returncode == 0, done.stderr
    assert "converted 4 perception-r1 problems" in done.stdout and "3 with visual annotations" in done.stdout

    done = _cli(tmp_path, "validate", data)
    assert done.returncode == 0 and "OK: 4 record(s)" in done.stdout, done.stderr

    done = _cli(tmp_path, "train", "--config", str(ROOT / "configs" / "qwen2_5_vl_7b_geo3k.yaml"), "--dry-run")
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"{data}: 4 prompts, 3 with visual annotations" in done.stdout
    assert "dry run OK" in done.stdout

    done = _cli(tmp_path, "sft", "--config", str(ROOT / "configs" / "qwen2_5_vl_7b_geo3k_sft.yaml"), "--dry-run")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"perception-r1 sft: error: {data}: none of the 4 records has a 'cot' field")
    assert "perception-r1 annotate" in last


REAL_G3K = ROOT.parent / "shared" / "data" / "geometry3k_examples"
GOLD = {"Find y.": "C", "Find \\sin x.": "D"}  # problems 15 and 19


def _teacher_and_extractor(body):
    content = body["messages"][-1]["content"]
    if isinstance(content, str):  # the extractor
        return '["AB = 10", "m\\\\angle ABC = 60^\\\\circ"]'
    text = " ".join(p.get("text", "") for p in content if p["type"] == "text")
    letter = next(v for k, v in GOLD.items() if k in text)
    return [f"<think>\nFrom the figure, AB = 10 and m∠ABC = 60°.\n</think>\n<answer>\n\\boxed{{{letter}}}\n</answer>"]


@pytest.mark.slow
@pytest.mark.skipif(not REAL_G3K.exists(), reason=f"real Geometry3K examples not found at {REAL_G3K}")
def test_geometry3k_plus_annotate_feeds_the_sft_baseline(tmp_path):
    from perception_r1.annotate.converters import from_geometry3k
    from perception_r1.data import write_folder
    from perception_r1.llm.loopback import LoopbackServer

    write_folder([r for r in from_geometry3k(REAL_G3K) if r.problem in GOLD], tmp_path / "data" / "geometry3k")
    data = "data/geometry3k_perception"
    with LoopbackServer(_teacher_and_extractor) as srv:
        done = _cli(tmp_path, "annotate", "--data", "data/geometry3k", "--out", data, "--teacher-url", srv.url,
                    "--teacher-model", "t", "--extractor-url", srv.url, "--extractor-model", "e", "--samples", "1",
                    "--no-progress")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "kept 2/2 problems" in done.stdout
    assert _cli(tmp_path, "validate", data).returncode == 0
    done = _cli(tmp_path, "sft", "--config", str(ROOT / "configs" / "qwen2_5_vl_7b_geo3k_sft.yaml"), "--dry-run")
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"{data}: 2 examples with a cot" in done.stdout
