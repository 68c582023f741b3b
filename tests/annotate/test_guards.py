"""`annotate` never loses work or leaks a key: an output that is the input, or that holds a previous run, is
refused; every input problem is found before the first paid request; whatever a server echoes, the key
never reaches the journal or an output; a changed server or sampling parameter is asked again."""

from __future__ import annotations

import json
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import both

from perception_r1.annotate.journal import JOURNAL_NAME
from perception_r1.cli.main import main
from perception_r1.llm.loopback import LoopbackServer

SECRET = "sk-guard-7e1d0c55aa"


def _args(data, out, url, *extra):
    return ["annotate", "--data", str(data), "--out", str(out), "--teacher-url", url, "--teacher-model", "t",
            "--extractor-url", url, "--extractor-model", "e", "--samples", "2", "--no-progress",
            "--max-retries", "0", "--api-key-env", "GUARD_KEY", *extra]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _error_line(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err and len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize("out", ["same", "data.jsonl", "parent"])
def test_out_that_is_or_holds_the_input_is_refused(out, dataset, capsys, monkeypatch):
    before = _snapshot(dataset.parent)
    target = {"same": dataset, "data.jsonl": dataset, "parent": dataset.parent}[out]
    data = dataset / "data.jsonl" if out == "data.jsonl" else dataset
    with LoopbackServer(both) as srv:
        for extra in ([], ["--overwrite"], ["--resume"]):
            assert main(_args(data, target, srv.url, *extra)) == 2
            assert "would overwrite the input" in _error_line(capsys)
        assert srv.requests == []
    assert _snapshot(dataset.parent) == before


def test_previous_run_needs_resume_or_overwrite(dataset, tmp_path, capsys):
    out = tmp_path / "out"
    with LoopbackServer(both) as srv:
        assert main(_args(dataset, out, srv.url)) == 0
        sent = len(srv.requests)
        finished = _snapshot(out)
        assert main(_args(dataset, out, srv.url)) == 2
        assert "holds a previous run" in _error_line(capsys) and _snapshot(out) == finished
        assert main(_args(dataset, out, srv.url, "--resume")) == 0
        assert main(_args(dataset, out, srv.url, "--overwrite")) == 0
        assert len(srv.requests) == sent  # both reruns answered from the journal
    assert (out / "data.jsonl").read_text() == finished["data.jsonl"].decode()


def _write_rows(folder: Path, rows: list[dict]) -> None:
    (folder / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))


def _rows(dataset: Path) -> list[dict]:
    return [json.loads(line) for line in (dataset / "data.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("bad, expected", [
    ("duplicate id", "record 'p0': field 'id'"),
    ("string annotations", "record 'p4': field 'visual_annotations'"),
    ("choices a string", "record 'p4': field 'choices'"),
    ("null annotation", "record 'p4': field 'visual_annotations[1]'"),
    ("image outside", "record 'p4': field 'images[0]': outside the dataset folder"),
    ("truncated image", "record 'p4': field 'images[0]': does not decode"),
    ("broken json", "field 'json'"),
    ("not utf-8", "line 5 is not UTF-8"),
    ("empty", "no records"),
])
@pytest.mark.parametrize("dry_run", [False, True])
def test_input_problems_are_found_before_the_first_request(bad, expected, dry_run, dataset, tmp_path, capsys):
    rows = _rows(dataset)
    (tmp_path / "private.png").write_bytes((dataset / rows[0]["images"][0]).read_bytes())
    if bad == "duplicate id":
        rows[7]["id"] = "p0"
    elif bad == "string annotations":
        rows[4]["visual_annotations"] = "AB = 3"
    elif bad == "choices a string":
        rows[4]["choices"], rows[4]["answer"] = "ABCD", "A"
    elif bad == "null annotation":
        rows[4]["visual_annotations"] = ["AB = 3", None]
    elif bad == "image outside":
        rows[4]["images"] = ["../private.png"]  # the file exists
    elif bad == "truncated image":
        img = dataset / rows[4]["images"][0]
        img.write_bytes(img.read_bytes()[:60])
    elif bad == "empty":
        rows = []
    _write_rows(dataset, rows)
    if bad == "broken json":
        with open(dataset / "data.jsonl", "a") as f:
            f.write('{"id": "p9", \n')
    if bad == "not utf-8":
        lines = (dataset / "data.jsonl").read_bytes().splitlines(keepends=True)
        lines[4] = lines[4].replace(b"figure 4", b"figure \xff")
        (dataset / "data.jsonl").write_bytes(b"".join(lines))
    with LoopbackServer(both) as srv:
        code = main(_args(dataset, tmp_path / "out", srv.url, *(["--dry-run"] if dry_run else [])))
        assert srv.requests == []
    assert code == 2
    assert expected in _error_line(capsys)
    assert not (tmp_path / "out" / "data.jsonl").exists()


def test_echoed_key_never_reaches_the_journal_or_outputs(dataset, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GUARD_KEY", SECRET)
    out = tmp_path / "out"

    def handler(body):
        return [f"I saw Authorization: Bearer {SECRET} and {SECRET}"] * int(body.get("n") or 1)

    with LoopbackServer(handler) as srv:
        assert main(_args(dataset, out, srv.url)) == 0
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.name == JOURNAL_NAME for p in files)
    for p in files:
        assert SECRET.encode() not in p.read_bytes(), p
    db = sqlite3.connect(out / JOURNAL_NAME)
    replies = [r[0] for r in db.execute("SELECT reply FROM requests")]
    db.close()
    assert replies and all("[redacted]" in r for r in replies)
    assert SECRET not in capsys.readouterr().out


def test_401_body_quoting_the_header_is_redacted_in_journal_and_dropped(dataset, tmp_path, monkeypatch):
    monkeypatch.setenv("GUARD_KEY", SECRET)

    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers["Content-Length"]))
            body = json.dumps({"error": f"invalid header Authorization: {self.headers['Authorization']}"}).encode()
            self.send_response(401)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{srv.server_address[1]}/v1"
        assert main(_args(dataset, tmp_path / "out", url)) == 0
    finally:
        srv.shutdown()
    dropped = (tmp_path / "out" / "dropped.jsonl").read_text()
    assert "HTTP 401" in dropped and "[redacted]" in dropped
    for p in (tmp_path / "out").rglob("*"):
        if p.is_file():
            assert SECRET.encode() not in p.read_bytes(), p


@pytest.mark.parametrize("change", [["--temperature", "0.7"], ["--max-tokens", "100"], ["--extractor-max-tokens", "99"],
                                    "server"])
def test_changed_server_or_sampling_is_asked_again(change, dataset, tmp_path):
    out = tmp_path / "out"
    with LoopbackServer(both) as srv:
        assert main(_args(dataset, out, srv.url, "--limit", "2")) == 0
        first = len(srv.requests)
        if change == "server":
            with LoopbackServer(both) as other:
                assert main(_args(dataset, out, other.url, "--limit", "2", "--resume")) == 0
                assert len(other.requests) == first
            return
        assert main(_args(dataset, out, srv.url, "--limit", "2", "--resume", *change)) == 0
        again = srv.requests[first:]
    assert again, "a reply given under other sampling parameters was reused"
