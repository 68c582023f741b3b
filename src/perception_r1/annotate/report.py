"""`O/report.md`: counts per stage, keep rate, annotations per problem, requests, tokens and faults."""

from __future__ import annotations

import statistics
from collections import Counter
from pathlib import Path
from typing import Any

from .prompts import PROMPT_VERSION


def _reason_kind(reason: str) -> str:
    return reason.split(":")[0].split(" (")[0]


def _sum_errors(runs: list[dict[str, Any]]) -> dict[str, Counter]:
    """Client error kinds and retries summed over every run recorded in the journal."""
    out: dict[str, Counter] = {}
    for run in runs:
        for client, stats in ((run.get("stats") or {}).get("clients") or {}).items():
            c = out.setdefault(client, Counter())
            c.update(stats.get("errors") or {})
            c["retries"] += stats.get("retries", 0)
            c["failures"] += stats.get("failures", 0)
    return out


def render_report(s: Any) -> str:
    """Markdown for a pipeline `Summary`."""
    o = s.outcomes
    n = len(o)
    kept = [x for x in o if x.kept]
    distilled = [x for x in o if x.samples]
    verified = [x for x in o if x.correct]
    samples, correct = sum(x.samples for x in o), sum(x.correct for x in o)
    ann = [x.n_annotations for x in kept]
    cfg = s.config
    lines = [
        "# Annotation report", "",
        f"- data: `{cfg['data']}` ({n} problems{', limit ' + str(cfg['limit']) if cfg.get('limit') else ''})",
        f"- teacher: `{cfg['teacher_model']}` at {cfg['teacher_url']}, K = {cfg['samples']} samples, "
        f"temperature {cfg['temperature']}",
        f"- extractor: `{cfg['extractor_model']}` at {cfg['extractor_url']}",
        f"- prompt version {PROMPT_VERSION}; journal `{Path(s.extra.get('journal', '')).name}`, run {s.runs}",
        "", "## Problems per stage", "",
        "| stage | in | out | dropped |", "|---|---:|---:|---:|",
        f"| distil (teacher answered) | {n} | {len(distilled)} | {n - len(distilled)} |",
        f"| verify (≥ 1 correct trajectory) | {len(distilled)} | {len(verified)} | {len(distilled) - len(verified)} |",
        f"| extract (valid facts) | {len(verified)} | {len(kept)} | {len(verified) - len(kept)} |",
        "",
        f"**Keep rate: {len(kept)}/{n} = {len(kept) / n:.1%}**" if n else "**Keep rate: no problems**",
        "",
        f"- trajectories sampled {samples}, correct {correct}"
        + (f" ({correct / samples:.1%} teacher accuracy)" if samples else ""),
        f"- extractor replies that were invalid JSON: {sum(x.invalid_json for x in o)}; "
        f"repaired by the retry: {sum(x.repaired for x in o)}",
        f"- facts removed by normalisation (duplicates, empty, over-long): {sum(x.removed_facts for x in o)}",
        f"- problems whose batched `n={cfg['samples']}` request came back short: {sum(x.n_shortfall for x in o)}",
    ]
    lines += ["", "## Annotations per problem", ""]
    if ann:
        lines += [f"- total {sum(ann)}; mean {statistics.mean(ann):.2f}, median {statistics.median(ann):g}, "
                  f"min {min(ann)}, max {max(ann)}"]
        hist = Counter(ann)
        lines += ["", "| annotations | problems |", "|---:|---:|"]
        lines += [f"| {k} | {hist[k]} |" for k in sorted(hist)]
    else:
        lines += ["- none kept"]
    lines += ["", "## Requests and tokens", "",
              "| stage | answered (all runs) | prompt tokens | completion tokens | sent this run | "
              "from journal this run | failed this run |", "|---|---:|---:|---:|---:|---:|---:|"]
    for stage in ("distil", "extract"):
        t = s.totals.get(stage, {})
        r = s.stages.get(stage, {})
        lines.append(f"| {stage} | {t.get('requests', 0)} | {t.get('prompt_tokens', 0)} | "
                     f"{t.get('completion_tokens', 0)} | {r.get('sent', 0)} | {r.get('reused', 0)} | {r.get('failed', 0)} |")
    lines += ["", "## Faults (retried by the client)", "",
              "| client | this run | all runs |", "|---|---|---|"]
    all_runs = _sum_errors(s.extra.get("runs", []))
    for client, stats in s.client_stats.items():
        now = ", ".join(f"{k}: {v}" for k, v in sorted(stats.get("errors", {}).items())) or "none"
        now += f"; retries {stats.get('retries', 0)}, gave up {stats.get('failures', 0)}"
        tot = all_runs.get(client, Counter())
        before = ", ".join(f"{k}: {v}" for k, v in sorted(tot.items()) if k not in ("retries", "failures")) or "none"
        before += f"; retries {tot['retries']}, gave up {tot['failures']}"
        lines.append(f"| {client} | {now} | {before} |")
    dropped = [x for x in o if not x.kept]
    lines += ["", "## Dropped problems", ""]
    if dropped:
        kinds = Counter((x.stage, _reason_kind(x.reason)) for x in dropped)
        lines += ["| stage | reason | problems |", "|---|---|---:|"]
        lines += [f"| {st} | {k} | {c} |" for (st, k), c in kinds.most_common()]
        retry = sum(x.retryable for x in dropped)
        if retry:
            lines += ["", f"{retry} were dropped for a failed request: rerun the same command to try them again "
                          "(answered requests are not repeated)."]
        lines += ["", "Each dropped problem and its reason: `dropped.jsonl`."]
    else:
        lines += ["- none"]
    return "\n".join(lines) + "\n"


def write_report(summary: Any, path: str | Path) -> Path:
    path = Path(path)
    path.write_text(render_report(summary), encoding="utf-8")
    return path
