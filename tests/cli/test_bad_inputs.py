"""The attacker's table, run as a user runs the CLI: every bad input of every command (a config value out
of range, a YAML file that is not one, a directory where a file goes, an output that is an input or a
finished run, an absurd size) ends in ONE line `perception-r1 CMD: error: …` naming the field, file or
flag, and exit 2 — before any model loads or any record is drawn; never a traceback, a usage block, an
exit 0, or an input overwritten."""

from __future__ import annotations

import dataclasses
import json
import re
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from perception_r1.cli.main import main

pytest.importorskip("trl")

REPO = Path(__file__).resolve().parents[2]
PRETRAIN = str(REPO / "configs" / "demo_pretrain.yaml")
GOOD = {"id": "a", "images": ["images/a.png"], "problem": "Find AB.", "answer": "5", "visual_annotations": ["AB = 5"]}
ANNOTATE = ["--teacher-url", "http://127.0.0.1:9/v1", "--teacher-model", "t", "--extractor-url",
            "http://127.0.0.1:9/v1", "--extractor-model", "e", "--dry-run"]


@pytest.fixture()
def work(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PERCEPTION_R1_TRACEBACK", raising=False)
    Path("d/images").mkdir(parents=True)
    Image.new("RGB", (40, 30), (9, 9, 9)).save("d/images/a.png")
    Path("d/data.jsonl").write_text(json.dumps(GOOD) + "\n")
    Path("r.jsonl").write_text('{"id": "a", "response": "AB = 5 \\\\boxed{5}"}\n')
    Path("res.jsonl").write_text('{"id": "a", "correct": true}\n')
    Path("afile").write_text("x")
    Path("adir").mkdir()
    Path("bad.yaml").write_text("max_steps: [1\n")
    Path("list.yaml").write_text("- 1\n- 2\n")
    Path("empty.yaml").write_text("")
    Path("bin.yaml").write_bytes(b"max_steps: 3\nseed: 1  # caf\xe9\n")
    # The shipped demo recipe without its data and output keys: the tests name both.
    recipe = (REPO / "configs" / "demo_cpu.yaml").read_text().splitlines()
    Path("base.yaml").write_text("\n".join(x for x in recipe if not x.startswith(("synth_n", "dataset:", "output_dir")))
                                 + "\n")
    Path("weights.yaml").write_text(Path("base.yaml").read_text().replace("reward_weights: [0.1,", "reward_weights: [a,"))
    Path("g3k/1").mkdir(parents=True)
    Path("g3k/1/data.json").write_text("{bad")
    return tmp_path


def one_line(argv, capsys) -> tuple[int, str]:
    code = main(argv)
    err = [x for x in capsys.readouterr().err.splitlines()
           if x.strip() and "%|" not in x and not x.startswith(("INFO", "WARNING")) and "warn" not in x.lower()]
    assert len(err) == 1, err
    assert "Traceback" not in err[0] and "internal error" not in err[0], err[0]
    return code, err[0]


TRAIN = ["train", "--config", "base.yaml", "--dry-run", "--dataset", "no-data-here", "--output_dir", "run"]
SFT = ["sft", "--config", "base.yaml", "--dry-run", "--dataset", "no-data-here", "--output_dir", "run"]

# (argv, what the one line must say). Each is refused while parsing: no data is read, no model loaded.
CONFIG_CASES = [
    (TRAIN + ["--max_steps", "-4"], "train: error: max_steps: must be >= 1 (or -1), got -4"),
    (TRAIN + ["--max_steps", "0"], "max_steps: must be >= 1 (or -1), got 0"),
    (TRAIN + ["--per_device_train_batch_size", "0"], "per_device_train_batch_size: must be >= 1"),
    (TRAIN + ["--per_device_train_batch_size", "-8"], "per_device_train_batch_size: must be >= 1"),
    (TRAIN + ["--per_device_train_batch_size", "100000000000"], "per_device_train_batch_size: must be >= 1 and <= 1048576"),
    (TRAIN + ["--gradient_accumulation_steps", "0"], "gradient_accumulation_steps: must be >= 1"),
    (TRAIN + ["--num_generations", "0"], "num_generations: must be >= 2"),
    (TRAIN + ["--num_generations", "1"], "num_generations: must be >= 2"),
    (TRAIN + ["--num_generations", "3"], "divisible by num_generations (3)"),
    (TRAIN + ["--learning_rate", "0"], "learning_rate: must be > 0, got 0.0"),
    (TRAIN + ["--learning_rate=-1e-5"], "learning_rate: must be > 0"),
    (TRAIN + ["--learning_rate", "nan"], "learning_rate: must be > 0, got nan"),
    (TRAIN + ["--temperature", "0"], "temperature: must be > 0"),
    (TRAIN + ["--temperature", "-1"], "temperature: must be > 0"),
    (TRAIN + ["--top_p", "2"], "top_p: must be > 0 and <= 1"),
    (TRAIN + ["--beta", "-1"], "beta: must be >= 0"),
    (TRAIN + ["--epsilon", "-0.2"], "epsilon: must be > 0"),
    (TRAIN + ["--delta", "0.5"], "delta: must be > 1"),
    (TRAIN + ["--num_iterations", "0"], "num_iterations: must be >= 1"),
    (TRAIN + ["--max_completion_length", "0"], "max_completion_length: must be >= 1"),
    (TRAIN + ["--num_train_epochs", "-1"], "num_train_epochs: must be > 0"),
    (TRAIN + ["--weight_decay", "-1"], "weight_decay: must be >= 0"),
    (TRAIN + ["--seed", "-3"], "seed: must be >= 0 and <= 4294967295, got -3"),
    (TRAIN + ["--save_steps", "-1"], "save_steps: must be > 0"),
    (TRAIN + ["--reward_weights", "1", "2"], "reward_weights: 2 values for the 4 enabled rewards"),
    (TRAIN + ["--use_perception", "false", "--reward_weights", "1", "1", "1", "1"],
     "reward_weights: 4 values for the 3 enabled rewards"),
    (TRAIN + ["--reward_weights", "a", "b", "c", "d"], "--reward_weights/--reward-weights: invalid float value: 'a'"),
    (TRAIN + ["--reward_weights", "1", "1", "1", "inf"], "reward_weights: expected finite numbers, got inf"),
    (["train", "--config", "weights.yaml", "--dry-run", "--dataset", "x"], "reward_weights: expected finite numbers, got 'a'"),
    (TRAIN + ["--reward_gamma", "nan"], "reward_gamma: must be >= 0, got nan"),
    (TRAIN + ["--reward_alpha", "-1"], "reward_alpha: must be >= 0"),
    (TRAIN + ["--ngram_size", "0"], "ngram_size: must be >= 1"),
    (TRAIN + ["--max_penalty", "3"], "max_penalty: must be <= 0, got 3.0"),
    (TRAIN + ["--judge_timeout", "-1"], "judge_timeout: must be > 0"),
    (TRAIN + ["--judge_concurrency", "0"], "judge_concurrency: must be >= 1"),
    (TRAIN + ["--judge_concurrency", "4"], "judge_concurrency: judge 'symbolic' does not take this option"),
    (TRAIN + ["--judge_options", '{"foo": 1}'], "judge_options: 'foo': judge 'symbolic' does not take this option"),
    (TRAIN + ["--synth_options", "3"], "synth_options: expected a JSON object"),
    (TRAIN + ["--synth_n", "-5"], "synth_n: must be >= 1, got -5"),
    (TRAIN + ["--max_samples", "0"], "max_samples: must be >= 1"),
    (TRAIN + ["--lora_r", "0"], "lora_r: must be >= 1"),
    (TRAIN + ["--lora_dropout", "2"], "lora_dropout: must be >= 0 and < 1"),
    (TRAIN + ["--lora_target_modules", ""], "lora_target_modules: expected 'all-linear'"),
    (TRAIN + ["--samples_every", "0"], "samples_every: must be >= 1"),
    (TRAIN + ["--num_threads", "0"], "num_threads: must be >= 1"),
    (TRAIN + ["--expected_num_processes", "0"], "expected_num_processes: must be >= 1"),
    (TRAIN + ["--tiny_model_size", "huge"], "tiny_model_size: expected one of tiny, small, got 'huge'"),
    (TRAIN + ["--format_pattern", "("], "format_pattern: not a regular expression"),
    (TRAIN + ["--model_name_or_path", "afile"], "model_name_or_path: afile is a file, not a model folder"),
    (TRAIN + ["--model_name_or_path", "adir"], "model_name_or_path: adir holds no model (no config.json)"),
    (TRAIN + ["--max_pixels", "10"], "need 0 < min_pixels <= max_pixels"),
    (TRAIN + ["--judge", "openai", "--judge_url", "notaurl"], "judge_url: must be an http(s) URL"),
    (TRAIN + ["--judge", "openai", "--judge_api_key_env", "PERCEPTION_R1_NO_SUCH_KEY"],
     "judge_api_key_env: the variable PERCEPTION_R1_NO_SUCH_KEY is not set"),
    (TRAIN + ["--output_dir", "afile"], "output_dir afile is a file, not a folder"),
    (TRAIN + ["--output_dir", "afile/run"], "output_dir afile/run: afile is a file, so the folder cannot be made"),
    (TRAIN[:4] + ["--dataset", "d", "--output_dir", "d"], "output_dir d is the dataset"),
    (TRAIN + ["--resume", "--overwrite"], "--resume continues the run in output_dir, --overwrite starts it over"),
    (TRAIN + ["--max_steps", "abc"], "train: error: argument --max_steps/--max-steps: invalid int value: 'abc'"),
    (TRAIN + ["--bogus_key", "3"], "bogus_key"),
    (SFT + ["--max_steps", "-4"], "sft: error: max_steps: must be >= 1 (or -1), got -4"),
    (SFT + ["--max_length", "0"], "sft: error: max_length: must be >= 1"),
    (SFT + ["--learning_rate", "0"], "sft: error: learning_rate: must be > 0"),
    (["pretrain", "--config", PRETRAIN, "--max_steps", "-4"], "pretrain: error: max_steps: must be >= 1 (or -1)"),
    (["pretrain", "--config", PRETRAIN, "--learning_rate", "0"], "pretrain: error: learning_rate: must be > 0"),
    (["pretrain", "--config", PRETRAIN, "--image_size", "100000000"], "image_size: must be >= 28 and <= 4096"),
    (["pretrain", "--config", PRETRAIN, "--image_size", "-1"], "image_size: must be >= 28 and <= 4096"),
    (["pretrain", "--config", PRETRAIN, "--choices", "0"], "choices: must be >= 2 and <= 10"),
    (["pretrain", "--config", PRETRAIN, "--font_scale", "0"], "font_scale: must be > 0"),
    (["pretrain", "--config", PRETRAIN, "--bogus", "1"], "--bogus"),
    (["pretrain", "--ship", "adir"], "pretrain: error: adir is not a pretraining checkpoint"),
]
# The config file itself, for each of the three config-driven commands.
YAML_CASES = [(cmd, name, message) for cmd in (["train", "--dry-run"], ["sft", "--dry-run"], ["pretrain"])
              for name, message in [("bad.yaml", "bad.yaml: line 2, column 1: not valid YAML (while parsing"),
                                    ("list.yaml", "list.yaml: expected a mapping of config keys to values, got list"),
                                    ("empty.yaml", "empty.yaml: expected a mapping of config keys to values, got an empty"),
                                    ("bin.yaml", "bin.yaml: line 2 is not UTF-8"),
                                    ("adir", "Is a directory: adir"),
                                    ("nope.yaml", "No such file or directory: nope.yaml")]]


@pytest.mark.parametrize("argv, message", CONFIG_CASES, ids=[" ".join(a[4:] if a[0] != "pretrain" else a[3:])[:60]
                                                              for a, _ in CONFIG_CASES])
def test_a_config_value_out_of_range_is_one_line_naming_the_field(argv, message, work, capsys):
    code, line = one_line(argv, capsys)
    assert code == 2 and line.startswith(f"perception-r1 {argv[0]}: error: ") and message in line, line
    assert not Path("run").exists() and not Path("runs").exists()  # nothing was written, nothing trained


@pytest.mark.parametrize("cmd, name, message", YAML_CASES, ids=[f"{c[0]} {n}" for c, n, _ in YAML_CASES])
def test_a_config_file_that_is_not_one_is_one_line_naming_it(cmd, name, message, work, capsys):
    code, line = one_line(cmd[:1] + ["--config", name] + cmd[1:], capsys)
    assert code == 2 and line.startswith(f"perception-r1 {cmd[0]}: error: ") and message in line, line


@pytest.mark.parametrize("kind", ["train", "sft"])
def test_a_run_is_never_started_over_without_overwrite(kind, work, capsys):
    Path("run/checkpoint-2").mkdir(parents=True)
    argv = [kind, "--config", "base.yaml", "--dry-run", "--dataset", "no-data-here", "--output_dir", "run"]
    if kind == "sft":
        Path("sft.yaml").write_text("learning_rate: 1.0e-4\nmax_steps: 2\nreport_to: []\n")
        argv[2] = "sft.yaml"
    code, line = one_line(argv, capsys)
    assert code == 2 and f"perception-r1 {kind}: error: output_dir run holds a previous run (1 checkpoint(s))" in line
    assert "--resume continues it, --overwrite starts over" in line
    assert main(argv + ["--resume"]) == 0
    assert main(argv + ["--overwrite"]) == 0
    assert Path("run/checkpoint-2").is_dir()  # a dry run writes (and removes) nothing


def test_every_bound_names_a_field_that_exists():
    """A renamed TRL or transformers field would silently drop its check."""
    from transformers import TrainingArguments
    from trl import GRPOConfig, SFTConfig

    from perception_r1.train.config import METHOD_BOUNDS, TRAINING_BOUNDS, TRL_BOUNDS, MethodArgs

    def names(cls):
        return {f.name for f in dataclasses.fields(cls)}

    assert set(METHOD_BOUNDS) <= names(MethodArgs)
    assert set(TRAINING_BOUNDS) <= names(TrainingArguments)
    assert set(TRL_BOUNDS["grpo"]) <= names(GRPOConfig) and set(TRL_BOUNDS["sft"]) <= names(SFTConfig)


def test_every_shipped_config_is_within_bounds():
    from perception_r1.train.config import parse

    for path in sorted((REPO / "configs").glob("*.yaml")):
        if path.name == "demo_pretrain.yaml":
            continue
        kind = "sft" if "sft" in path.name else "grpo"
        parse(kind, ["--config", str(path), "--use_cpu", "True"])  # raises on a value out of its bound


def test_yaml_numbers_written_as_yaml_1_1_strings_are_accepted(work):
    from perception_r1.train.config import parse

    # `1e-4` (no dot) is a string to YAML 1.1 loaders; the recipe's own value is replaced, whatever it is
    text, n = re.subn(r"(?m)^learning_rate: \S+", "learning_rate: 1e-4", Path("base.yaml").read_text())
    assert n == 1
    Path("lr.yaml").write_text(text)
    _, args = parse("grpo", ["--config", "lr.yaml", "--use_cpu", "True"])
    assert args.learning_rate == 1e-4


# ---------------------------------------------------------------- eval: outputs are never lost

EVAL = ["eval", "--benchmark", "synth", "--data", "d", "--responses", "r.jsonl"]


@pytest.mark.parametrize("argv, message", [
    (EVAL + ["--out", "d"], "--out d would overwrite the input d"),
    (EVAL + ["--out", "r.jsonl"], "--out r.jsonl would overwrite the input r.jsonl"),
    (EVAL + ["--out", "afile"], "--out afile exists; --overwrite replaces it"),
    (EVAL + ["--out", "afile", "--overwrite"], "--out afile is a file, not a folder"),
    (EVAL + ["--out", "afile/e"], "--out afile/e: afile is a file, so the folder cannot be made"),
    (EVAL + ["--out", "o", "--resume", "--overwrite"], "--resume keeps what --out holds and --overwrite replaces it: give one"),
    (EVAL + ["--out", "o", "--limit", "0"], "--limit must be at least 1, got 0"),
    (EVAL + ["--out", "o", "--samples", "-1"], "--samples must be at least 0"),
    (EVAL + ["--out", "o", "--batch-size", "0"], "--batch-size must be at least 1"),
    (EVAL + ["--out", "o", "--batch-size", "100000000"], "--batch-size must be at most 65536"),
    (EVAL + ["--out", "o", "--max-new-tokens", "100000000000"], "--max-new-tokens must be at most 1048576"),
    (EVAL + ["--out", "o", "--samples", "2", "--temperature", "nan"], "sampling needs K >= 1 and a temperature above 0"),
    (EVAL + ["--out", "o", "--perception-threshold", "2"], "--perception-threshold must be between 0 and 1"),
    (EVAL + ["--out", "o", "--max-pixels", "0"], "need 0 < --min-pixels <= --max-pixels"),
    (EVAL + ["--out", "o", "--min-pixels", "100", "--max-pixels", "10"], "need 0 < --min-pixels <= --max-pixels"),
    (EVAL + ["--out", "o", "--extractor-url", "notaurl"], "--extractor-url must be an http(s) URL"),
    (EVAL + ["--out", "o", "--extractor-url", "http://localhost:8000/v1 "], "--extractor-url must be an http(s) URL"),
    (EVAL[:5] + ["--model", "afile", "--out", "o"], "--model: afile is a file, not a model folder"),
    (EVAL[:5] + ["--model", "adir", "--out", "o"], "--model: adir holds no model (no config.json)"),
    (EVAL[:5] + ["--responses", "adir", "--out", "o"], "Is a directory: adir"),
])
def test_eval_bad_input(argv, message, work, capsys):
    code, line = one_line(argv, capsys)
    assert code == 2 and line.startswith("perception-r1 eval: error: ") and message in line, line
    assert not Path("o").exists()  # refused before anything is written
    assert Path("d/data.jsonl").read_text() == json.dumps(GOOD) + "\n" and Path("afile").read_text() == "x"


def test_eval_onto_a_finished_run_needs_resume_or_overwrite(work, capsys):
    assert main(EVAL + ["--out", "e"]) == 0
    capsys.readouterr()
    done = {n: Path("e", n).read_text() for n in ("results.jsonl", "summary.json")}
    code, line = one_line(EVAL + ["--out", "e"], capsys)
    assert code == 2 and "--out e is a non-empty folder; --overwrite replaces what is in it" in line
    assert {n: Path("e", n).read_text() for n in done} == done  # untouched
    assert main(EVAL + ["--out", "e", "--resume"]) == 0
    assert main(EVAL + ["--out", "e", "--overwrite"]) == 0


class _Generator:
    """Stands in for the model: one response per record, batch by batch through `on_batch`; `fail_after`
    batches it raises, as an interrupted run (a killed job, an out-of-memory) would."""

    def __init__(self, fail_after=None):
        self.fail_after, self.asked = fail_after, []

    def __call__(self, cfg, records, *, temperature, n, on_batch=None):
        texts = []
        for i in range(0, len(records), cfg.batch_size):
            if self.fail_after is not None and i // cfg.batch_size >= self.fail_after:
                raise OSError("interrupted")
            batch = records[i:i + cfg.batch_size]
            self.asked += [r.id for r in batch]
            out = [f"AB = 5 \\boxed{{{r.id}}}" for r in batch for _ in range(n)]
            if on_batch is not None:
                on_batch(list(batch), out)
            texts += out
        return texts


def test_eval_resume_keeps_each_generated_batch_and_generates_only_the_rest(work, capsys, monkeypatch):
    import perception_r1.eval.run as run

    rows = [{**GOOD, "id": f"q{i}"} for i in range(5)]
    Path("d/data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    Path("model").mkdir()
    Path("model/config.json").write_text("{}")
    argv = ["eval", "--benchmark", "synth", "--data", "d", "--model", "model", "--out", "e", "--batch-size", "2"]
    monkeypatch.setattr(run, "_generate", _Generator(fail_after=2))
    code, line = one_line(argv, capsys)
    assert code == 2 and "interrupted" in line
    kept = [json.loads(x)["id"] for x in Path("e/responses.jsonl").read_text().splitlines()]
    assert kept == ["q0", "q1", "q2", "q3"]  # the two finished batches are on disk
    code, line = one_line(argv, capsys)
    assert code == 2 and "--out e is a non-empty folder" in line  # not silently started over
    gen = _Generator()
    monkeypatch.setattr(run, "_generate", gen)
    assert main(argv + ["--resume"]) == 0
    assert gen.asked == ["q4"]
    assert [json.loads(x)["id"] for x in Path("e/responses.jsonl").read_text().splitlines()] == [f"q{i}" for i in range(5)]
    assert len(Path("e/results.jsonl").read_text().splitlines()) == 5
    gen = _Generator()
    monkeypatch.setattr(run, "_generate", gen)
    assert main(argv + ["--resume"]) == 0 and gen.asked == []  # a finished run: nothing generated again
    # A resume whose responses came from another model is refused; --overwrite starts over.
    Path("other").mkdir()
    Path("other/config.json").write_text("{}")
    code, line = one_line(argv[:5] + ["--model", "other"] + argv[7:] + ["--resume"], capsys)
    assert code == 2 and "e was evaluated with model 'model', not 'other'" in line
    assert main(argv[:5] + ["--model", "other"] + argv[7:] + ["--overwrite"]) == 0
    assert gen.asked == [f"q{i}" for i in range(5)]


def test_eval_resume_drops_a_last_line_cut_short(work, monkeypatch):
    import perception_r1.eval.run as run

    Path("model").mkdir()
    Path("model/config.json").write_text("{}")
    Path("e").mkdir()
    Path("e/responses.jsonl").write_text('{"id": "a", "resp')
    gen = _Generator()
    monkeypatch.setattr(run, "_generate", gen)
    assert main(["eval", "--benchmark", "synth", "--data", "d", "--model", "model", "--out", "e", "--resume"]) == 0
    assert gen.asked == ["a"]
    assert [json.loads(x)["id"] for x in Path("e/responses.jsonl").read_text().splitlines()] == ["a"]


# ---------------------------------------------------------------- every other command

OTHER_CASES = [
    (["validate", "afile"], "validate: error: afile: not a dataset"),
    (["validate", "adir"], "validate: error: adir: not a dataset"),
    (["synth", "--n", "100000000000", "--out", "s"], "synth: error: --n must be at least 1 and at most 1,000,000"),
    (["synth", "--n", "2", "--out", "s", "--font-scale", "nan"], "synth: error: --font-scale must be above 0"),
    (["synth", "--n", "2", "--out", "s", "--font-scale", "1000000"], "synth: error: --font-scale must be above 0"),
    (["synth", "--n", "2", "--out", "s", "--choices", "1"], "synth: error: choices must be 0 or 2..10"),
    (["synth", "--n", "2", "--out", "afile"], "synth: error: --out afile is a file"),
    (["synth", "--n", "x", "--out", "s"], "synth: error: argument --n: invalid int value: 'x'"),
    (["convert", "geometry3k", "adir", "--out", "c"], "convert: error: adir: no */data.json found"),
    (["convert", "geometry3k", "g3k", "--out", "c"], "convert: error: record '1': field 'data.json': g3k/1/data.json: not a JSON"),
    (["convert", "geometry3k", "g3k", "--out", "c", "--logic-forms", "bin.yaml"], "convert: error: bin.yaml: not a JSON logic-forms file"),
    (["convert", "perception-r1", "adir", "--out", "c"], "convert: error: adir: no parquet file"),
    (["convert", "easyr1", "adir", "--out", "c", "--incidence"], "convert: error: --incidence only apply to the geometry3k"),
    (["convert", "geometry3k", "adir", "--out", "c", "--incidence"], "convert: error: --incidence needs --annotations logic-forms"),
    (["audit", "d", "--out", "d/data.jsonl"], "audit: error: --out d/data.jsonl would overwrite the input d"),
    (["audit", "d", "--against", "logic-forms", "--json", "d/data.jsonl"], "audit: error: --json d/data.jsonl would overwrite"),
    (["audit", "d", "--against", "logic-forms"], "audit: error: d: none of the 1 records has logic forms"),
    (["audit", "d", "--out", "adir"], "audit: error: Is a directory: adir"),
    (["audit", "d", "--verdicts", "bin.yaml"], "audit: error: bin.yaml: line 2 is not UTF-8"),
    (["mcnemar", "res.jsonl", "adir"], "mcnemar: error: Is a directory: adir"),
    (["mcnemar", "res.jsonl", "nope.jsonl"], "mcnemar: error: No such file or directory: nope.jsonl"),
    (["compare", "adir", "adir"], "compare: error: adir: no summary.json"),
    (["annotate", "--data", "d", "--out", "d", *ANNOTATE], "annotate: error: --out d would overwrite the input d"),
    (["annotate", "--data", "d", "--out", "afile", *ANNOTATE], "annotate: error: --out afile is a file, not a folder"),
    (["annotate", "--data", "d", "--out", "o", "--resume", "--overwrite", *ANNOTATE], "annotate: error: --resume continues"),
    (["annotate", "--data", "d", "--out", "o", "--samples", "100000000", *ANNOTATE], "annotate: error: --samples must be at most 256"),
    (["annotate", "--data", "d", "--out", "o", "--max-tokens", "100000000000", *ANNOTATE], "--max-tokens must be at most"),
    (["annotate", "--data", "d", "--out", "o", "--concurrency", "100000000", *ANNOTATE], "--concurrency must be at most"),
    (["eval", "--data", "d"], "eval: error: the following arguments are required: --benchmark"),
    (["bogus-command"], "perception-r1: error: argument COMMAND: invalid choice: 'bogus-command'"),
    (["mcnemar", "res.jsonl", "res.jsonl", "--extra"], "mcnemar: error: unrecognized arguments: --extra"),
]


@pytest.mark.parametrize("argv, message", OTHER_CASES, ids=[" ".join(a)[:60] for a, _ in OTHER_CASES])
def test_other_commands_bad_input_is_one_line(argv, message, work, capsys):
    try:
        code, line = one_line(argv, capsys)
    except SystemExit as e:  # argparse: our one-line parser still exits with its code
        code, line = e.code, capsys.readouterr().err.strip()
        assert len(line.splitlines()) == 1, line
    assert code == 2 and message in line and line.startswith("perception-r1"), line
    assert Path("d/data.jsonl").read_text() == json.dumps(GOOD) + "\n"  # the input is never touched


def test_compare_never_writes_into_a_run_it_reads(work, capsys):
    assert main(EVAL + ["--out", "A"]) == 0
    capsys.readouterr()
    before = sorted(p.name for p in Path("A").iterdir())
    code, line = one_line(["compare", "A", "A", "--out", "A"], capsys)
    assert code == 2 and "--out A would overwrite the input A" in line
    assert sorted(p.name for p in Path("A").iterdir()) == before


@pytest.mark.parametrize("argv, message", [
    (["train", "--config", "bin.yaml", "--dry-run"], "perception-r1 train: error: bin.yaml: line 2 is not UTF-8"),
    (["eval", "--benchmark", "synth"], "perception-r1 eval: error: the following arguments are required"),
])
def test_the_real_entry_point_prints_one_line(argv, message, work):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), "HF_HUB_OFFLINE": "1"}
    res = subprocess.run([sys.executable, "-W", "ignore", "-m", "perception_r1.cli.main", *argv], capture_output=True,
                         text=True, env=env, cwd=work, timeout=180)
    lines = [x for x in res.stderr.splitlines() if x.strip()]
    assert res.returncode == 2 and len(lines) == 1 and message in lines[0], res.stderr


@pytest.mark.parametrize("benchmark, row, message", [
    ("emma", {"pid": "1", "question": "q", "options": "ABCD", "answer": "A"}, "field 'options': rel.jsonl row 1: expected a list of texts, got str 'ABCD'"),
    ("emma", {"pid": "1", "question": "q", "options": ["3", None], "answer": "A"}, "field 'options'"),
    ("emma", {"pid": "1", "question": "q", "options": [], "answer": None}, "record '1': field 'answer': rel.jsonl row 1: expected a text"),
    ("mathvision", {"id": "1", "question": "q", "options": "ABCD", "answer": "A"}, "record '1': field 'options'"),
    ("mathvista", {"pid": "1", "question": "q", "choices": "ABCD", "answer": "A", "question_type": "multi_choice",
                   "answer_type": "text"}, "record '1': field 'choices'"),
    ("mmstar", {"index": 7, "question": ["q"], "answer": "A"}, "record '7': field 'question'"),
])
def test_a_benchmark_row_of_the_wrong_shape_is_refused(benchmark, row, message, work, capsys):
    """A string where the release has a list is not one choice per character; a null answer is not "None"."""
    Path("rel.jsonl").write_text(json.dumps(row) + "\n")
    Path("r1.jsonl").write_text('{"id": "1", "response": "A"}\n{"id": "7", "response": "A"}\n')
    code, line = one_line(["eval", "--benchmark", benchmark, "--data", "rel.jsonl", "--responses", "r1.jsonl",
                           "--out", "o"], capsys)
    assert code == 2 and line.startswith("perception-r1 eval: error: ") and message in line, line
