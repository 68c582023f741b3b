"""The evaluation pipeline: load a benchmark in its official layout, get responses (generate with a
model, or read a responses file), extract answers (rules, then an optional LLM extractor), score by
the benchmark's own rules, check perception where annotations exist, and write

  DIR/responses.jsonl  the raw responses, appended batch by batch as they are generated (a resumed
                       run reuses them and generates only what is missing: paid work is kept)
  DIR/results.jsonl    one row per item: id, extracted, correct, perception, perception_ok, categories
  DIR/summary.json     accuracy overall and per category / version, plus benchmark metrics
  DIR/summary.md       the same as markdown tables
"""

from __future__ import annotations

import json
import logging
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..data import MAX_PIXELS, MIN_PIXELS, Record, RecordError, read_responses
from ..data.prompt import DEFAULT_PRESET, prompt_preset
from ..rewards.composite import ajudge_rows
from .benchmarks import get_benchmark

log = logging.getLogger(__name__)


@dataclass
class EvalConfig:
    """One evaluation run. Exactly one of `model` / `responses`."""

    benchmark: str
    data: str
    out: str
    model: str | None = None
    responses: str | None = None
    limit: int | None = None
    backend: str = "transformers"  # transformers | vllm
    max_new_tokens: int = 1024
    batch_size: int = 8
    min_pixels: int = MIN_PIXELS
    max_pixels: int = MAX_PIXELS
    extractor_url: str | None = None
    extractor_model: str | None = None
    extractor_api_key_env: str = "OPENAI_API_KEY"
    judge: str = "symbolic"
    judge_options: dict[str, Any] = field(default_factory=dict)
    perception_threshold: float = 1.0
    samples: int = 0  # K sampled responses per item (avg@k, pass@k) beside the greedy one
    temperature: float = 1.0  # sampling temperature of the K samples
    llm_scoring: bool = False  # MathVerse's official step 2: the extractor LLM judges equivalence
    prompt_preset: str = DEFAULT_PRESET  # data.prompt preset; evaluate with the prompt the model was trained on
    resume: bool = True  # reuse DIR/responses.jsonl and samples.jsonl (generate what is missing); False: start over

# The settings that decide what a generated response is: a resumed run must have the same ones.
GENERATION_KEYS = ("benchmark", "model", "backend", "max_new_tokens", "min_pixels", "max_pixels", "prompt_preset")
# Every file `evaluate` writes into DIR.
OUTPUT_FILES = ("responses.jsonl", "samples.jsonl", "results.jsonl", "summary.json", "summary.md")


def evaluate(cfg: EvalConfig, *, judge=None, extractor=None) -> dict[str, Any]:
    """Run the pipeline and return the summary (also written to `cfg.out`). `judge` / `extractor`
    override the ones built from the config (tests inject scripted ones)."""
    if (cfg.model is None) == (cfg.responses is None):
        raise ValueError("give exactly one of model / responses")
    if cfg.samples < 0 or (cfg.samples and not 0 < cfg.temperature < float("inf")):  # nan too
        raise ValueError(f"--samples {cfg.samples} --temperature {cfg.temperature}: sampling needs K >= 1 and a "
                         "temperature above 0")
    bench = get_benchmark(cfg.benchmark)
    records = bench.load(cfg.data)
    if cfg.limit:
        records = records[:cfg.limit]
    if not records:
        raise ValueError(f"{cfg.data}: no {cfg.benchmark} items found")
    seen: set[str] = set()
    for rec in records:  # e.g. two MMMU-Pro settings read from one folder
        if rec.id in seen:
            raise RecordError(rec.id, "id", f"{cfg.data}: duplicate item id (pass one split / setting at a time)")
        seen.add(rec.id)
    out = Path(cfg.out)
    if cfg.resume:
        check_resumable(cfg, out)
    responses = _responses(cfg, records, out)  # DIR is made when the first output is written
    extractor = extractor if extractor is not None else _build_extractor(cfg)
    rows = score_responses(bench, records, responses, extractor)
    if cfg.llm_scoring:
        _llm_scoring(cfg, bench, records, rows)
    _perception(cfg, judge, records, rows)
    if cfg.samples:
        sampled = _samples(cfg, records, out)
        per_sample = [score_responses(bench, records, [s[j] for s in sampled], extractor)
                      for j in range(cfg.samples)]
        for i, row in enumerate(rows):
            row["samples_correct"] = [bool(ps[i]["correct"]) for ps in per_sample]

    out.mkdir(parents=True, exist_ok=True)
    with open(out / "results.jsonl", "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    summary = summarize(bench, rows)
    summary["config"] = {k: v for k, v in asdict(cfg).items() if k != "judge_options"}
    (out / "summary.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False, default=str))
    (out / "summary.md").write_text(summary_markdown(summary))
    return summary


def check_resumable(cfg: EvalConfig, out: Path) -> None:
    """ValueError when DIR holds a finished run whose responses were generated with other settings
    (reusing them would score another model's answers under this run's name)."""
    summary = out / "summary.json"
    if cfg.model is None or not summary.is_file():
        return
    try:
        before = json.loads(summary.read_text(encoding="utf-8")).get("config") or {}
    except (ValueError, AttributeError) as e:
        raise ValueError(f"{summary}: not a summary of `perception-r1 eval` ({e}); cannot resume") from None
    now = asdict(cfg)
    for key in GENERATION_KEYS:
        if key in before and before[key] != now[key]:
            raise ValueError(f"{out} was evaluated with {key} {before[key]!r}, not {now[key]!r}: its responses "
                             "cannot be reused (another --out, or --overwrite to start over)")


def _cached(path: Path) -> list[dict[str, Any]]:
    """The rows already generated into `path`; a last line cut short by an interruption is dropped
    (and regenerated), a bad line elsewhere is an error naming it."""
    if not path.exists() or not path.read_bytes().strip():
        return []
    text = path.read_bytes()
    if not text.endswith(b"\n"):  # the write of the last row was interrupted
        log.warning("%s: the last line is incomplete; it is generated again", path)
        path.write_bytes(text[:text.rfind(b"\n") + 1])
        if not path.read_bytes().strip():
            return []
    return _text_rows(path)


def _appender(path: Path, cfg: EvalConfig, sampled: bool):
    """(file, write(records, texts)): appends each generated batch and flushes, so an interrupted run
    keeps every finished batch; without `cfg.resume` the file is started over."""
    path.parent.mkdir(parents=True, exist_ok=True)
    f = open(path, "a" if cfg.resume else "w", encoding="utf-8")
    k = cfg.samples if sampled else 1

    def write(recs: list[Record], texts: list[str]) -> None:
        for i, rec in enumerate(recs):
            for j in range(k):
                row = {"id": rec.id, "sample": j, "response": texts[i * k + j]} if sampled else \
                    {"id": rec.id, "response": texts[i]}
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        f.flush()

    return f, write


def _responses(cfg: EvalConfig, records: list[Record], out: Path) -> list[str]:
    """The greedy response of every item: from the responses file (rows without `sample`; the first
    per id), or generated (and kept in DIR/responses.jsonl)."""
    if cfg.responses:
        by_id: dict[str, str] = {}
        for row in _text_rows(cfg.responses):
            if row.get("sample") is None:
                by_id.setdefault(row["id"], row["response"])  # several per id: the first is scored
        missing = [r.id for r in records if r.id not in by_id]
        if missing:
            raise RecordError(missing[0], "response",
                              f"{cfg.responses}: no response for {len(missing)} item(s), first: {missing[:5]}")
        return [by_id[r.id] for r in records]
    cache = out / "responses.jsonl"
    done: dict[str, str] = {}
    if cfg.resume:
        for row in _cached(cache):
            done.setdefault(row["id"], row["response"])
    todo = [r for r in records if r.id not in done]
    if todo:
        log.info("generating %d responses (%d reused from %s)", len(todo), len(records) - len(todo), cache)
        f, write = _appender(cache, cfg, sampled=False)
        with f:
            texts = _generate(cfg, todo, temperature=0.0, n=1, on_batch=write)
        done.update((rec.id, text) for rec, text in zip(todo, texts))
    return [done[r.id] for r in records]


def _text_rows(path: str | Path) -> list[dict[str, Any]]:
    """The rows of a responses file, each `response` a string (else a one-line error naming it)."""
    rows = read_responses(path)
    for row in rows:
        if not isinstance(row["response"], str):
            raise RecordError(row["id"], "response", f"{path}: expected a string, got {type(row['response']).__name__}")
        if row.get("sample") is not None and not (isinstance(row["sample"], int) and row["sample"] >= 0):
            raise RecordError(row["id"], "sample", f"{path}: expected a sample index 0, 1, ..., got {row['sample']!r}")
    return rows


def _samples(cfg: EvalConfig, records: list[Record], out: Path) -> list[list[str]]:
    """K sampled responses per item: rows with `sample` (0 .. K-1) of the responses file, or
    generated at `cfg.temperature` and kept in DIR/samples.jsonl (a rerun generates only what is
    missing)."""
    k = cfg.samples
    got: dict[str, dict[int, str]] = {}
    source = Path(cfg.responses) if cfg.responses else out / "samples.jsonl"
    if cfg.responses or cfg.resume:
        for row in _text_rows(source) if cfg.responses else _cached(source):
            if row.get("sample") is not None:
                got.setdefault(row["id"], {}).setdefault(int(row["sample"]), row["response"])
    if cfg.responses:
        short = [r.id for r in records if len(got.get(r.id, {})) < k or set(range(k)) - set(got[r.id])]
        if short:
            raise RecordError(short[0], "sample", f"{cfg.responses}: --samples {k} needs rows with sample 0..{k - 1} "
                                                  f"for every item; {len(short)} item(s) short")
    else:
        todo = [r for r in records if set(range(k)) - set(got.get(r.id, {}))]
        if todo:
            log.info("sampling %d x %d responses at temperature %s", len(todo), k, cfg.temperature)
            f, write = _appender(source, cfg, sampled=True)
            with f:
                texts = _generate(cfg, todo, temperature=cfg.temperature, n=k, on_batch=write)
            for i, rec in enumerate(todo):
                got[rec.id] = {j: texts[i * k + j] for j in range(k)}
    return [[got[r.id][j] for j in range(k)] for r in records]


def _generate(cfg: EvalConfig, records: list[Record], *, temperature: float, n: int, on_batch=None) -> list[str]:
    """`n` responses per record (record-major order); greedy at temperature 0. `on_batch(records,
    texts)` gets each finished batch (the vLLM backend: all of them at once)."""
    preset = prompt_preset(cfg.prompt_preset)
    prompt = {"system_prompt": preset.system_prompt, "user_suffix": preset.user_suffix}
    if cfg.backend == "vllm":
        from .generate import generate_vllm

        texts = generate_vllm(cfg.model, records, cfg.max_new_tokens, cfg.min_pixels, cfg.max_pixels,
                              temperature=temperature, n=n, **prompt)
        if on_batch is not None:
            on_batch(list(records), texts)
        return texts
    from .generate import generate

    return generate(cfg.model, records, cfg.max_new_tokens, cfg.batch_size, cfg.min_pixels, cfg.max_pixels,
                    temperature=temperature, n=n, on_batch=on_batch, **prompt)


def _build_extractor(cfg: EvalConfig):
    if not cfg.extractor_url:
        return None
    from ..llm import LLMClient
    from .extract import LLMExtractor

    return LLMExtractor(LLMClient(cfg.extractor_url, cfg.extractor_model or "default",
                                  api_key_env=cfg.extractor_api_key_env))


def _llm_scoring(cfg: EvalConfig, bench, records: list[Record], rows: list[dict[str, Any]]) -> None:
    if not hasattr(bench, "llm_rescore"):
        raise ValueError(f"--llm-scoring: {bench.NAME} has no official LLM scoring step (MathVerse has)")
    if not cfg.extractor_url:
        raise ValueError("--llm-scoring needs --extractor-url (the LLM that runs the official judgement)")
    from ..llm import LLMClient

    client = LLMClient(cfg.extractor_url, cfg.extractor_model or "default", api_key_env=cfg.extractor_api_key_env)
    unreadable = bench.llm_rescore(client, records, rows)
    if unreadable:
        log.warning("llm scoring: %d replies unreadable or failed; those items keep the offline verdict", unreadable)


def score_responses(bench, records: list[Record], responses: list[str], extractor=None) -> list[dict[str, Any]]:
    """One result row per item: the rules' extraction, the LLM extractor's answer wherever the rules
    gave nothing usable (no answer, or only a fallback guess; boxed or not), the benchmark's verdict."""
    extracted = [bench.extract(r, resp) for r, resp in zip(records, responses)]
    answers = [e.answer for e in extracted]
    by_llm = [False] * len(records)
    todo = [i for i, e in enumerate(extracted) if not e.usable and responses[i].strip()]
    if extractor is not None and todo:
        for i, ans in zip(todo, extractor.extract([(records[i].problem, responses[i]) for i in todo])):
            if ans is not None:
                answers[i], by_llm[i] = ans, True
    rows = []
    for rec, resp, ext, ans, llm in zip(records, responses, extracted, answers, by_llm):
        rows.append({"id": rec.id, "response": resp, "extracted": ans, "rule": "llm" if llm else ext.rule,
                     "extractor": "llm" if llm else "rules", **bench.score(rec, ans, resp)})
    return rows


def _perception(cfg: EvalConfig, judge, records: list[Record], rows: list[dict]) -> None:
    """r_v and perception_ok (r_v >= threshold). Every item with annotations or an image goes to the
    judge in one call (`rewards.composite.ajudge_rows`): a verdict judge gives the annotations' hit
    ratio (items without annotations cost nothing), the mllm judge (the paper's MLLM-as-reward-model
    baseline) scores every item with an image. An item with nothing to judge gets neither field."""
    idx = [i for i, r in enumerate(records) if r.visual_annotations or r.images]
    if not idx:
        return
    if judge is None:
        from ..judges import build_judge

        try:
            judge = build_judge(cfg.judge, **cfg.judge_options)
        except TypeError as e:  # an option the judge does not take: the user's mistake, one line
            raise ValueError(f"judge: {e}") from e
    judgments = judge.submit(ajudge_rows([rows[i]["response"] for i in idx],
                                         [records[i].to_dict() for i in idx], judge)).result()
    for i, j in zip(idx, judgments):
        if j.score is None and not records[i].visual_annotations:
            continue  # a verdict judge has nothing to check this item against
        rows[i]["perception"] = j.score
        rows[i]["perception_ok"] = None if j.score is None else j.score >= cfg.perception_threshold
        rows[i]["perception_verdicts"] = j.verdicts


def _acc(values: list[bool]) -> dict[str, Any]:
    return {"accuracy": sum(values) / len(values) if values else None, "correct": sum(values), "total": len(values)}


def summarize(bench, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Accuracy overall and per value of each category key (list values count under each element,
    as MathVista's `skills`); perception means; the benchmark's own extra metrics."""
    summary: dict[str, Any] = {"benchmark": bench.NAME, **_acc([bool(r["correct"]) for r in rows])}
    by: dict[str, dict[str, Any]] = {}
    for key in bench.CATEGORY_KEYS:
        groups: dict[str, list[bool]] = defaultdict(list)
        for r in rows:
            values = r.get(key)
            for v in values if isinstance(values, list) else [values]:
                if v is not None:
                    groups[str(v)].append(bool(r["correct"]))
        if groups:
            by[key] = {v: _acc(g) for v, g in sorted(groups.items())}
    summary["by"] = by
    judged = [r for r in rows if r.get("perception") is not None]
    if judged:
        summary["perception"] = {"items": len(judged),
                                 "mean": sum(r["perception"] for r in judged) / len(judged),
                                 "ok_rate": sum(bool(r["perception_ok"]) for r in judged) / len(judged)}
    guessed = sum(bool(r.get("guessed")) for r in rows)
    if guessed:
        summary["random_guesses"] = guessed  # official MMMU rule: no option found -> random letter
    if rows and "samples_correct" in rows[0]:
        summary["sampling"] = sampling_metrics([r["samples_correct"] for r in rows])
    summary["extracted_by_llm"] = sum(r.get("extractor") == "llm" for r in rows)
    summary["rules"] = dict(sorted(Counter(r.get("rule", "none") for r in rows).items()))
    summary["no_answer"] = sum(r.get("extracted") is None for r in rows)
    if hasattr(bench, "summarize"):
        summary.update(bench.summarize(rows))
    return summary


def sampling_metrics(correct: list[list[bool]]) -> dict[str, Any]:
    """avg@k (mean accuracy of the k sampled runs; run j = every item's j-th sample), its spread
    (sample standard deviation over the k runs, and min / max) and pass@k (share of items with at
    least one correct sample among k)."""
    k = len(correct[0]) if correct else 0
    runs = [sum(c[j] for c in correct) / len(correct) for j in range(k)]
    mean = sum(runs) / k if k else None
    std = (sum((x - mean) ** 2 for x in runs) / (k - 1)) ** 0.5 if k > 1 else 0.0
    return {"k": k, "avg_at_k": mean, "std": std, "min": min(runs, default=None), "max": max(runs, default=None),
            "pass_at_k": sum(any(c) for c in correct) / len(correct) if correct else None}


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.2f}"


def summary_markdown(s: dict[str, Any]) -> str:
    lines = [f"# {s['benchmark']}", "", f"Accuracy: **{_pct(s['accuracy'])}%** ({s['correct']}/{s['total']})", ""]
    if "sampling" in s:
        g = s["sampling"]
        lines += [f"Sampling (k = {g['k']}): avg@{g['k']} **{_pct(g['avg_at_k'])}%** ± {_pct(g['std'])} "
                  f"(runs {_pct(g['min'])} – {_pct(g['max'])}), pass@{g['k']} {_pct(g['pass_at_k'])}%; "
                  f"greedy {_pct(s['accuracy'])}%", ""]
    if "perception" in s:
        p = s["perception"]
        lines += [f"Perception: mean hit ratio {_pct(p['mean'])}%, perception_ok {_pct(p['ok_rate'])}% "
                  f"over {p['items']} annotated items", ""]
    for key, groups in s["by"].items():
        lines += [f"## by {key}", "", f"| {key} | accuracy | correct / total |", "|---|---:|---:|"]
        lines += [f"| {v} | {_pct(g['accuracy'])} | {g['correct']}/{g['total']} |" for v, g in groups.items()]
        lines.append("")
    if "four_dimensional" in s:
        f = s["four_dimensional"]
        lines += ["## four-dimensional metrics (We-Math)", "", "| metric | strict | loose |", "|---|---:|---:|",
                  f"| score | {_pct(f['score_strict'])} | {_pct(f['score_loose'])} |",
                  f"| IK insufficient knowledge | {_pct(f['IK'])} | {_pct(f['IK'])} |",
                  f"| IG inadequate generalization | {_pct(f['IG'])} | {_pct(f['IG'])} |",
                  f"| CM complete mastery | {_pct(f['CM_strict'])} | {_pct(f['CM_loose'])} |",
                  f"| RM rote memorization | {_pct(f['RM_strict'])} | {_pct(f['RM_loose'])} |", "",
                  f"S1 {_pct(f['S1'])} · S2 {_pct(f['S2'])} · S3 {_pct(f['S3'])} over {f['groups']} groups", ""]
    if "knowledge_domains" in s:
        lines += ["## knowledge domains (We-Math accuracy.py)", "", "| domain | accuracy |", "|---|---:|"]
        lines += [f"| {d} | {_pct(a)} |" for d, a in s["knowledge_domains"].items()] + [""]
    return "\n".join(lines)
