"""`perception-r1 serve-loopback` serves on a port from the shell: GET /v1/models (what
scripts/train_7b_geo3k.sh polls with curl before training), GET /health, and judge replies the
OpenAI judge parses."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import urllib.request

import pytest

from perception_r1.judges.openai_judge import DEFAULT_MODEL, OpenAIJudge


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served():
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "perception_r1.cli.main", "serve-loopback", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
    try:
        line = proc.stdout.readline()
        assert line.startswith(f"serving judge replies at http://127.0.0.1:{port}/v1"), line + proc.stderr.read()
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


def test_models_health_and_judge_replies(served):
    base = f"http://127.0.0.1:{served}"
    models = json.loads(urllib.request.urlopen(f"{base}/v1/models", timeout=10).read())
    assert [m["id"] for m in models["data"]] == [DEFAULT_MODEL]
    assert urllib.request.urlopen(f"{base}/health", timeout=10).status == 200
    judge = OpenAIJudge(f"{base}/v1", DEFAULT_MODEL)
    assert judge.judge("<think>\nAB = 3 and CD = 4.\n</think>\n<answer>\n\\boxed{7}\n</answer>",
                       ["AB = 3", "EF = 9"]) == [1, 0]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_train_script_wait_loop_sees_the_server(served):
    url = f"http://127.0.0.1:{served}/v1"
    check = subprocess.run(["bash", "-c", 'curl -sf "${JUDGE_URL%/}/models" > /dev/null'],
                           env={**os.environ, "JUDGE_URL": url}, timeout=30)
    assert check.returncode == 0


def test_port_in_use_is_one_line(served):
    out = subprocess.run([sys.executable, "-m", "perception_r1.cli.main", "serve-loopback", "--port", str(served)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert out.stderr.strip().startswith(f"perception-r1 serve-loopback: cannot listen on 127.0.0.1:{served}")
    assert "Traceback" not in out.stderr
