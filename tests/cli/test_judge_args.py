"""The one judge argument group: `score`, `eval` (and `train`'s config) take the same flags, and
`eval --judge mllm --judge-url … --judge-model …` runs on annotated items against a loopback server."""

import argparse
import io
import json

import pytest
from PIL import Image

from perception_r1.cli.judge_args import add_judge_arguments, judge_options_from_args
from perception_r1.cli.main import build_parser, main
from perception_r1.data import Record, write_folder
from perception_r1.llm.loopback import LoopbackServer


def _flags(command: str) -> set[str]:
    parser = build_parser([command])
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[command]
    group = next(g for g in sub._action_groups if g.title.startswith("judge"))
    return {s for a in group._group_actions for s in a.option_strings}


SHARED = {"--judge", "--judge-url", "--judge-model", "--judge-api-key-env", "--judge-timeout", "--judge-retries",
          "--judge-concurrency", "--judge-cache", "--on-judge-error", "--judge-option"}


@pytest.mark.parametrize("command", ["score", "eval"])
def test_every_judge_command_takes_the_same_flags(command):
    assert _flags(command) == SHARED


def test_train_config_takes_the_same_spellings():
    from perception_r1.train.config import parse

    method, _ = parse("grpo", ["--output_dir", "/tmp/x", "--use_cpu", "True", "--judge", "openai", "--judge-url", "http://h/v1",
                               "--judge-model", "m", "--judge-timeout", "3", "--judge-retries", "1",
                               "--judge-concurrency", "8", "--judge-cache", "none", "--on-judge-error", "raise",
                               "--judge-api-key-env", "KEY"])
    assert method.judge_kwargs() == {"url": "http://h/v1", "model": "m", "api_key_env": "KEY", "timeout": 3.0,
                                     "max_retries": 1, "concurrency": 8, "cache": "none", "on_error": "raise"}


def _args(*argv, on_error="raise", cache="/c.sqlite"):
    p = argparse.ArgumentParser()
    add_judge_arguments(p, on_error=on_error, cache=cache)
    return p.parse_args(list(argv))


@pytest.mark.parametrize("argv, options", [
    ((), {"on_error": "raise"}),                                        # symbolic: no cache to take
    (("--judge", "openai"), {"on_error": "raise", "cache": "/c.sqlite"}),  # the command's defaults
    (("--judge", "openai", "--judge-cache", "none", "--on-judge-error", "skip", "--judge-url", "u"),
     {"url": "u", "cache": None, "on_error": "skip"}),
    (("--judge", "hybrid", "--judge-option", "parse_retries=1", "--judge-option", "max_tokens=null"),
     {"parse_retries": 1, "max_tokens": None, "on_error": "raise", "cache": "/c.sqlite"}),
])
def test_options_from_flags(argv, options):
    assert judge_options_from_args(_args(*argv)) == options


def test_a_flag_the_judge_does_not_take_is_an_error(tmp_path, capsys):
    from perception_r1.judges import build_judge

    with pytest.raises(TypeError, match="judge 'symbolic' does not take option.*url"):
        build_judge("symbolic", **judge_options_from_args(_args("--judge-url", "http://x/v1")))
    with pytest.raises(ValueError, match="KEY=VALUE"):
        judge_options_from_args(_args("--judge-option", "oops"))


def _png(v):
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (v, v, v)).save(buf, format="PNG")
    return buf.getvalue()


def test_eval_with_the_mllm_judge_against_a_loopback_server(tmp_path, capsys):
    import base64

    def brightness(body):
        url = body["messages"][-1]["content"][0]["image_url"]["url"]
        img = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
        return f"<score>{img.getpixel((0, 0))[0] / 255:.2f}</score>"

    records = [Record("a", [_png(255)], "Find x.", "5", visual_annotations=["AB = 3"]),
               Record("b", [_png(51)], "Find y.", "6", visual_annotations=["BC = 4", "CD = 5"]),
               Record("c", [_png(0)], "Find z.", "7")]
    data = write_folder(records, tmp_path / "data")
    resp = tmp_path / "r.jsonl"
    resp.write_text("".join(json.dumps({"id": r.id, "response": f"\\boxed{{{r.answer}}}"}) + "\n" for r in records))
    with LoopbackServer(brightness) as srv:
        code = main(["eval", "--benchmark", "synth", "--data", str(data), "--responses", str(resp),
                     "--out", str(tmp_path / "out"), "--judge", "mllm", "--judge-url", srv.url,
                     "--judge-model", "vl-judge", "--perception-threshold", "0.5"])
    assert code == 0, capsys.readouterr().err
    # the mllm judge needs no annotations: every item with an image is scored, "c" too
    assert len(srv.requests) == 3 and {b["model"] for b in srv.requests} == {"vl-judge"}
    rows = {r["id"]: r for r in map(json.loads, (tmp_path / "out" / "results.jsonl").read_text().splitlines())}
    assert (rows["a"]["perception"], rows["a"]["perception_ok"]) == (1.0, True)
    assert (rows["b"]["perception"], rows["b"]["perception_ok"]) == (0.2, False)
    assert (rows["c"]["perception"], rows["a"]["perception_verdicts"]) == (0.0, None)
    assert "perception: mean 40.00%" in capsys.readouterr().out
