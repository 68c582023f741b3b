"""The evaluation pipeline: load a benchmark in its official layout, get responses (generate with a
model, or read a responses file), extract answers (rules, then an optional LLM extractor), score by
the benchmark's own rules, check perception where annotations exist, and write

  DIR/responses.jsonl  the raw responses (a rerun with --model reuses them: paid work is kept)
  DIR/results.jsonl    one row per item: id, extracted, correct, perception, perception_ok, categories
  DIR/summary.json     accuracy overall and per category / version, plus benchmark metrics
  DIR/summary.md       the same as markdown tables
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..data import MAX_PIXELS, MIN_PIXELS, Record, RecordError, read_responses
from ..rewards.perception import perception_reward
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


def evaluate(cfg: EvalConfig, *, judge=None, extractor=None) -> dict[str, Any]:
    """Run the pipeline and return the summary (also written to `cfg.out`). `judge` / `extractor`
    override the ones built from the config (tests inject scripted ones)."""
    if (cfg.model is None) == (cfg.responses is None):
        raise ValueError("give exactly one of model / responses")
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
    out.mkdir(parents=True, exist_ok=True)
    responses = _responses(cfg, records, out)

    extracted = [bench.extract(r, resp) for r, resp in zip(records, responses)]
    llm_used = _llm_extract(cfg, extractor, records, responses, extracted)
    rows = []
    for rec, resp, ext, by_llm in zip(records, responses, extracted, llm_used):
        rows.append({"id": rec.id, "response": resp, "extracted": ext, "extractor": "llm" if by_llm else "rules",
                     **bench.score(rec, ext, resp)})
    _perception(cfg, judge, records, rows)

    with open(out / "results.jsonl", "w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, default=str) + "\n")
    summary = summarize(bench, rows)
    summary["config"] = {k: v for k, v in asdict(cfg).items() if k != "judge_options"}
    (out / "summary.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False, default=str))
    (out / "summary.md").write_text(summary_markdown(summary))
    return summary


def _responses(cfg: EvalConfig, records: list[Record], out: Path) -> list[str]:
    if cfg.responses:
        by_id: dict[str, str] = {}
        for row in read_responses(cfg.responses):
            by_id.setdefault(row["id"], row["response"])  # several per id: the first is scored
        missing = [r.id for r in records if r.id not in by_id]
        if missing:
            raise RecordError(missing[0], "response",
                              f"{cfg.responses}: no response for {len(missing)} item(s), first: {missing[:5]}")
        return [by_id[r.id] for r in records]
    cache = out / "responses.jsonl"
    done: dict[str, str] = {}
    if cache.exists():
        done = {row["id"]: row["response"] for row in read_responses(cache)}
    todo = [r for r in records if r.id not in done]
    if todo:
        log.info("generating %d responses (%d reused from %s)", len(todo), len(records) - len(todo), cache)
        if cfg.backend == "vllm":
            from .generate import generate_vllm

            texts = generate_vllm(cfg.model, todo, cfg.max_new_tokens, cfg.min_pixels, cfg.max_pixels)
        else:
            from .generate import generate

            texts = generate(cfg.model, todo, cfg.max_new_tokens, cfg.batch_size, cfg.min_pixels, cfg.max_pixels)
        with open(cache, "a", encoding="utf-8") as f:
            for rec, text in zip(todo, texts):
                done[rec.id] = text
                f.write(json.dumps({"id": rec.id, "response": text}, ensure_ascii=False) + "\n")
    return [done[r.id] for r in records]


def _llm_extract(cfg, extractor, records, responses, extracted) -> list[bool]:
    """Fill the rule-based misses with the LLM extractor (if configured); returns which were filled."""
    used = [False] * len(records)
    if extractor is None and cfg.extractor_url:
        from ..llm import LLMClient
        from .extract import LLMExtractor

        extractor = LLMExtractor(LLMClient(cfg.extractor_url, cfg.extractor_model or "default",
                                           api_key_env=cfg.extractor_api_key_env))
    if extractor is None:
        return used
    todo = [i for i, e in enumerate(extracted) if e is None and responses[i].strip()]
    if not todo:
        return used
    answers = extractor.extract([(records[i].problem, responses[i]) for i in todo])
    for i, ans in zip(todo, answers):
        if ans is not None:
            extracted[i], used[i] = ans, True
    return used


def _perception(cfg: EvalConfig, judge, records: list[Record], rows: list[dict]) -> None:
    """r_v (hit ratio of the annotations the judge finds stated) and perception_ok (r_v >= threshold)
    for items with `visual_annotations`; other items get neither field."""
    idx = [i for i, r in enumerate(records) if r.visual_annotations]
    if not idx:
        return
    if judge is None:
        from ..judges import build_judge

        judge = build_judge(cfg.judge, **cfg.judge_options)
    verdicts = judge.judge_batch([(rows[i]["response"], records[i].visual_annotations) for i in idx])
    for i, v in zip(idx, verdicts):
        ratio = perception_reward(v, len(records[i].visual_annotations))
        rows[i]["perception"] = ratio
        rows[i]["perception_ok"] = None if ratio is None else ratio >= cfg.perception_threshold
        rows[i]["perception_verdicts"] = v


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
    summary["extracted_by_llm"] = sum(r.get("extractor") == "llm" for r in rows)
    summary["no_answer"] = sum(r.get("extracted") is None for r in rows)
    if hasattr(bench, "summarize"):
        summary.update(bench.summarize(rows))
    return summary


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.2f}"


def summary_markdown(s: dict[str, Any]) -> str:
    lines = [f"# {s['benchmark']}", "", f"Accuracy: **{_pct(s['accuracy'])}%** ({s['correct']}/{s['total']})", ""]
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
    return "\n".join(lines)
