"""The pipeline in-process against real loopback servers: what is kept, what is dropped and why,
faults, the `n` fallback, and reruns that pay for nothing twice."""

import json

import pytest
from conftest import both, extractor, faulty_extractor, is_extractor, teacher, trajectory

from perception_r1.annotate.journal import Journal
from perception_r1.annotate.pipeline import AnnotateConfig, run_annotate
from perception_r1.data import load_records
from perception_r1.data.validate import validate_path
from perception_r1.llm.loopback import LoopbackServer

KEPT = [f"p{i}" for i in range(9) if i % 3 != 0]


def _cfg(dataset, out, url, **kw):
    base = dict(data=str(dataset), out=str(out), teacher_url=url, teacher_model="teacher", extractor_url=url,
                extractor_model="extractor", samples=2, concurrency=4, timeout=1.5, max_retries=3, backoff=0.01,
                progress=False)
    return AnnotateConfig(**{**base, **kw})


def _dropped(out):
    return {d["id"]: d for d in map(json.loads, (out / "dropped.jsonl").read_text().splitlines())}


def test_keeps_exactly_the_correct_problems_and_reruns_send_nothing(dataset, tmp_path):
    out = tmp_path / "out"
    with LoopbackServer(both) as srv:
        run_annotate(_cfg(dataset, out, srv.url))
        first = len(srv.requests)
        summary = run_annotate(_cfg(dataset, out, srv.url, resume=True))
        assert len(srv.requests) == first  # everything answered comes from the journal
    assert first == 9 + len(KEPT)  # one n=2 teacher request per problem, one extraction per kept problem
    assert summary.stages["distil"]["reused"] == 9 and summary.stages["distil"]["sent"] == 0
    recs = {r.id: r for r in load_records(out)}
    assert sorted(recs) == sorted(KEPT)
    assert validate_path(out) == (len(KEPT), [])
    for rid, rec in recs.items():
        i = int(rid[1:])
        assert rec.cot == trajectory(i, correct=True)
        assert rec.visual_annotations == [f"AB = {i}", "angle ABC = 90°"]  # the repeated fact removed
        assert rec.meta["annotate"]["trajectory"] == (1 if i % 3 == 1 else 0)  # the first correct sample
        assert rec.meta["annotate"]["canonical"] == [f"AB = {i}", "∠ABC = 90"]  # stored beside the text
    dropped = _dropped(out)
    assert sorted(dropped) == ["p0", "p3", "p6"]
    assert all(d["stage"] == "verify" and "no correct trajectory" in d["reason"] for d in dropped.values())
    report = (out / "report.md").read_text()
    assert "Keep rate: 6/9" in report and "| distil | 9 |" in report


def test_server_ignoring_n_falls_back_to_single_requests(dataset, tmp_path):
    out = tmp_path / "out"
    seen: dict[str, int] = {}

    def one_choice(body):  # ignores n; the k-th request for a problem gets the teacher's k-th sample
        if is_extractor(body):
            return extractor(body)
        key = json.dumps(body["messages"])
        seen[key] = seen.get(key, 0) + 1
        return [teacher({**body, "n": seen[key]})[-1]]

    with LoopbackServer(one_choice) as srv:
        run_annotate(_cfg(dataset, out, srv.url, concurrency=1))
        teacher_bodies = [b for b in srv.requests if not is_extractor(b)]
    # A problem that asked n=2 got 1 choice and sends 1 single; once the shortfall is known (the first
    # reply; 2 workers per slot may have asked n=2 before it came) the rest send 2 singles each.
    ns = [b.get("n", 1) for b in teacher_bodies]
    assert len(ns) == 18 and ns[0] == 2 and 1 <= ns.count(2) <= 2
    j = Journal(out)
    assert j.get_meta("teacher_n_supported") == "false"
    assert j._exec("SELECT note FROM requests WHERE sample = 'n2'")[0][0] == "server returned 1 of n=2 choices"
    assert sorted(r.id for r in load_records(out)) == sorted(KEPT)
    assert f"came back short: {ns.count(2)}" in (out / "report.md").read_text()


def test_faults_are_retried_repaired_or_dropped_and_counted(dataset, tmp_path):
    out = tmp_path / "out"
    faults = {0: "500", 1: "429", 2: "timeout", 3: "garbage", 4: "drop"}
    handler = lambda b: faulty_extractor(b) if is_extractor(b) else teacher(b)  # noqa: E731
    with LoopbackServer(handler, faults=lambda i, b: faults.get(i), timeout_sleep=2.5, retry_after=0.05) as srv:
        summary = run_annotate(_cfg(dataset, out, srv.url))
    assert sorted(r.id for r in load_records(out)) == sorted(set(KEPT) - {"p2"})
    rec1 = next(r for r in load_records(out) if r.id == "p1")
    assert rec1.visual_annotations == ["AB = 1", "angle ABC = 90°"]
    dropped = _dropped(out)
    assert dropped["p2"]["stage"] == "extract" and "invalid after repair" in dropped["p2"]["reason"]
    errors = {**summary.client_stats["teacher"]["errors"]}
    for k, v in summary.client_stats["extractor"]["errors"].items():
        errors[k] = errors.get(k, 0) + v
    assert errors["HTTP 500"] == 1 and errors["HTTP 429"] == 1 and errors["timeout (request over 1.5 s)"] == 1
    assert sum(errors.values()) == 5
    report = (out / "report.md").read_text()
    assert "HTTP 429: 1" in report and "invalid JSON: 3; repaired by the retry: 1" in report


def test_request_that_fails_for_good_is_dropped_and_retried_on_rerun(dataset, tmp_path):
    out = tmp_path / "out"
    broken = [True]
    down = lambda i, b: "500" if broken[0] and "figure 4." in json.dumps(b) and not is_extractor(b) else None  # noqa: E731
    # One server (one URL) throughout: replies are keyed by the server, so another one would be asked anew.
    with LoopbackServer(both, faults=down) as srv:
        run_annotate(_cfg(dataset, out, srv.url, max_retries=1))
        assert _dropped(out)["p4"]["retryable"] is True
        assert "teacher request failed" in _dropped(out)["p4"]["reason"]
        broken[0] = False
        mark = len(srv.requests)
        run_annotate(_cfg(dataset, out, srv.url, resume=True))
        assert len(srv.requests) - mark == 2  # p4's distillation and extraction, nothing else
    assert sorted(r.id for r in load_records(out)) == sorted(KEPT)


@pytest.mark.parametrize("samples", [1, 3])
def test_samples_per_problem(dataset, tmp_path, samples):
    out = tmp_path / "out"
    with LoopbackServer(both) as srv:
        summary = run_annotate(_cfg(dataset, out, srv.url, samples=samples, limit=3))
        ns = [b.get("n", 1) for b in srv.requests if not is_extractor(b)]
    assert ns == [samples] * 3
    assert sum(o.samples for o in summary.outcomes) == 3 * samples


def test_extractor_key_variable_is_separate(dataset, tmp_path, monkeypatch):
    from perception_r1.annotate.pipeline import Pipeline

    monkeypatch.setenv("TEACHER_KEY", "sk-teacher")
    monkeypatch.delenv("NO_SUCH_KEY", raising=False)
    cfg = _cfg(dataset, tmp_path / "o", "http://127.0.0.1:9/v1", api_key_env="TEACHER_KEY")
    shared = Pipeline(cfg, Journal(tmp_path / "o"))
    own = Pipeline(_cfg(dataset, tmp_path / "o", "http://127.0.0.1:9/v1", api_key_env="TEACHER_KEY",
                        extractor_api_key_env="NO_SUCH_KEY"), Journal(tmp_path / "o"))
    assert shared.extractor._api_key == "sk-teacher"
    assert own.teacher._api_key == "sk-teacher" and own.extractor._api_key == ""
