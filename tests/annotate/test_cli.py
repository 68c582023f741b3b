"""`perception-r1 annotate` run as a user runs it (a subprocess) against loopback servers:
killed with SIGKILL mid-way and rerun; API keys never written; --dry-run sends nothing."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import both, faulty_extractor, is_extractor, teacher, trajectory

from perception_r1.annotate.journal import JOURNAL_NAME, fingerprint
from perception_r1.data import load_records
from perception_r1.llm.loopback import LoopbackServer

CLI = [sys.executable, "-m", "perception_r1.cli.main", "annotate"]
SECRET = "sk-test-DO-NOT-LEAK-8f3a1c"
KEPT = [f"p{i}" for i in range(9) if i % 3 != 0]


def _args(dataset, out, url, *extra):
    return [*CLI, "--data", str(dataset), "--out", str(out), "--teacher-url", url, "--teacher-model", "teacher",
            "--extractor-url", url, "--extractor-model", "extractor", "--samples", "2", "--no-progress",
            "--api-key-env", "MY_TEACHER_KEY", *extra]


def _env():
    return {**os.environ, "MY_TEACHER_KEY": SECRET, "HF_HUB_OFFLINE": "1"}


def _answered(out: Path) -> set[str]:
    db = sqlite3.connect(out / JOURNAL_NAME)
    try:
        return {r[0] for r in db.execute("SELECT fingerprint FROM requests WHERE status = 'answered'")}
    finally:
        db.close()


def _n_answered(out: Path) -> int:
    try:
        return len(_answered(out))
    except sqlite3.Error:
        return 0


@pytest.mark.slow
def test_kill_9_then_rerun_keeps_the_right_problems_and_repeats_no_answered_request(dataset, tmp_path):
    out = tmp_path / "out"
    with LoopbackServer(both, latency=0.15, capacity=2) as srv:
        proc = subprocess.Popen(_args(dataset, out, srv.url, "--concurrency", "2"), env=_env(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.time() + 60
        while _n_answered(out) < 5 and proc.poll() is None and time.time() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        _, err1 = proc.communicate()
        assert proc.returncode == -signal.SIGKILL, "the first run finished before it could be killed"
        assert not (out / "data.jsonl").exists()
        before = _answered(out)
        assert 5 <= len(before) < 15
        mark = len(srv.requests)
        rerun = subprocess.run(_args(dataset, out, srv.url, "--concurrency", "2", "--resume"), env=_env(),
                               capture_output=True, text=True, timeout=60)
        assert rerun.returncode == 0, rerun.stderr
        resent = [fingerprint(b["messages"]) for b in srv.requests[mark:]]
    assert not set(resent) & before, "an answered request was sent again"
    assert len(resent) == 15 - len(before)  # a full run answers 9 teacher (n=2) + 6 extraction requests
    recs = {r.id: r for r in load_records(out)}
    assert sorted(recs) == sorted(KEPT)
    for rid, rec in recs.items():
        i = int(rid[1:])
        assert rec.cot == trajectory(i, correct=True)
        assert rec.visual_annotations == [f"AB = {i}", "angle ABC = 90°"]
    dropped = [json.loads(x)["id"] for x in (out / "dropped.jsonl").read_text().splitlines()]
    assert sorted(dropped) == ["p0", "p3", "p6"]
    assert "Keep rate: 6/9" in (out / "report.md").read_text()
    # the key is in the environment only: not in any file under OUT, not in anything printed
    for f in out.rglob("*"):
        if f.is_file():
            assert SECRET.encode() not in f.read_bytes(), f
    for text in (err1.decode(), rerun.stdout, rerun.stderr):
        assert SECRET not in text


@pytest.mark.slow
def test_dry_run_sends_nothing_and_writes_nothing(dataset, tmp_path):
    out = tmp_path / "out"
    with LoopbackServer(both) as srv:
        res = subprocess.run(_args(dataset, out, srv.url, "--dry-run", "--limit", "4"), env=_env(),
                             capture_output=True, text=True, timeout=60)
        assert srv.requests == []
    assert res.returncode == 0, res.stderr
    assert "4 problems" in res.stdout and "estimate" in res.stdout and "4 requests with n=2" in res.stdout
    assert "chars]" in res.stdout and SECRET not in res.stdout
    assert '"text": "Find x in figure 0.\\nChoices:' in res.stdout
    assert not out.exists()


@pytest.mark.slow
def test_faults_through_the_command_are_retried_repaired_or_dropped_and_reported(dataset, tmp_path):
    out = tmp_path / "out"
    faults = {0: "500", 1: "429", 2: "timeout"}
    handler = lambda b: faulty_extractor(b) if is_extractor(b) else teacher(b)  # noqa: E731
    with LoopbackServer(handler, faults=lambda i, b: faults.get(i), timeout_sleep=3.0, retry_after=0.1) as srv:
        res = subprocess.run(_args(dataset, out, srv.url, "--timeout", "1.5"), env=_env(), capture_output=True,
                             text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    assert "kept 5/9" in res.stdout
    dropped = {json.loads(x)["id"]: json.loads(x) for x in (out / "dropped.jsonl").read_text().splitlines()}
    assert "invalid after repair" in dropped["p2"]["reason"]
    report = (out / "report.md").read_text()
    assert "HTTP 500: 1" in report and "HTTP 429: 1" in report and "timeout (request over 1.5 s): 1" in report
    assert "invalid JSON: 3; repaired by the retry: 1" in report
