"""Side-by-side report of two evaluated checkpoints (`perception-r1 compare DIR_A DIR_B`).

A run folder is one `eval` output (summary.json + results.jsonl) or a folder of them (one per
benchmark). For every benchmark both runs have: accuracy overall and per category, McNemar on
per-item correctness and on `perception_ok` (paired by id; items only one run has are counted, not
paired), and a bar chart of accuracy (and perception_ok rate) per benchmark.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .mcnemar import paired_mcnemar


def load_runs(folder: str | Path) -> dict[str, Path]:
    """benchmark -> eval output folder, for a single run folder or a folder of them."""
    root = Path(folder)
    found = [root] if (root / "summary.json").exists() else sorted(p.parent for p in root.glob("*/summary.json"))
    if not found:
        raise FileNotFoundError(f"{root}: no summary.json here or in its sub-folders (run `perception-r1 eval` first)")
    runs: dict[str, Path] = {}
    for d in found:
        name = _summary(d).get("benchmark")
        if not isinstance(name, str):
            raise ValueError(f"{d / 'summary.json'}: no 'benchmark' name (is it `perception-r1 eval` output?)")
        setting = _setting(d)
        runs[f"{name}:{setting}" if setting else name] = d
    return runs


def _setting(d: Path) -> str | None:
    # MMMU-Pro's two settings are separate runs of one benchmark: keep them apart.
    by = _summary(d).get("by") or {}
    settings = list(by.get("setting", {}))
    return settings[0] if len(settings) == 1 else None


def _summary(d: Path) -> dict[str, Any]:
    """An eval run's summary.json; a file that is not a JSON object is an error naming it."""
    try:
        data = json.loads((d / "summary.json").read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{d / 'summary.json'}: not a JSON summary ({e})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{d / 'summary.json'}: expected a JSON object")
    return data


def _rows(d: Path) -> dict[str, dict[str, Any]]:
    """id -> row of an eval run's results.jsonl; a bad line is an error naming the file and line."""
    from .mcnemar import jsonl_objects

    return {str(row["id"]): row for _, row in jsonl_objects(d / "results.jsonl")}


def _mcnemar(a: dict, b: dict, field: str) -> dict[str, Any] | None:
    ids = [i for i in a if i in b and a[i].get(field) is not None and b[i].get(field) is not None]
    if not ids:
        return None
    res = paired_mcnemar({i: a[i][field] for i in ids}, {i: b[i][field] for i in ids})
    return res.as_dict()


def compare_runs(dir_a: str | Path, dir_b: str | Path) -> dict[str, Any]:
    """The comparison as plain data (what compare.json holds)."""
    runs_a, runs_b = load_runs(dir_a), load_runs(dir_b)
    report: dict[str, Any] = {"a": str(dir_a), "b": str(dir_b), "benchmarks": {},
                              "only_in_a": sorted(set(runs_a) - set(runs_b)),
                              "only_in_b": sorted(set(runs_b) - set(runs_a))}
    for name in sorted(set(runs_a) & set(runs_b)):
        sa = json.loads((runs_a[name] / "summary.json").read_text())
        sb = json.loads((runs_b[name] / "summary.json").read_text())
        ra, rb = _rows(runs_a[name]), _rows(runs_b[name])
        categories = {}
        for key in sa.get("by", {}):
            values = sorted(set(sa["by"][key]) | set(sb.get("by", {}).get(key, {})))
            categories[key] = {v: {"a": sa["by"][key].get(v, {}).get("accuracy"),
                                   "b": sb.get("by", {}).get(key, {}).get(v, {}).get("accuracy")} for v in values}
        report["benchmarks"][name] = {
            "accuracy": {"a": sa["accuracy"], "b": sb["accuracy"]},
            "perception_ok": {"a": sa.get("perception", {}).get("ok_rate"), "b": sb.get("perception", {}).get("ok_rate")},
            "paired_items": len(set(ra) & set(rb)), "unpaired_items": len(set(ra) ^ set(rb)),
            "mcnemar_correct": _mcnemar(ra, rb, "correct"),
            "mcnemar_perception": _mcnemar(ra, rb, "perception_ok"),
            "categories": categories,
        }
    return report


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.2f}"


def _p(m: dict | None) -> str:
    return "–" if m is None else f"b={m['b']}, c={m['c']}, p={m['p_value']:.3g}"


def report_markdown(report: dict[str, Any]) -> str:
    lines = ["# Comparison", "", f"A = `{report['a']}`, B = `{report['b']}`", "",
             "| benchmark | acc A | acc B | Δ | McNemar (correct) | perception_ok A | perception_ok B | McNemar (perception) |",
             "|---|---:|---:|---:|---|---:|---:|---|"]
    for name, r in report["benchmarks"].items():
        a, b = r["accuracy"]["a"], r["accuracy"]["b"]
        delta = "–" if a is None or b is None else f"{100 * (b - a):+.2f}"
        lines.append(f"| {name} | {_pct(a)} | {_pct(b)} | {delta} | {_p(r['mcnemar_correct'])} | "
                     f"{_pct(r['perception_ok']['a'])} | {_pct(r['perception_ok']['b'])} | {_p(r['mcnemar_perception'])} |")
    lines += ["", "b = right in A and wrong in B, c = wrong in A and right in B; exact two-sided binomial p.", ""]
    for name, r in report["benchmarks"].items():
        if r["unpaired_items"]:
            lines += [f"Note: {name}: {r['unpaired_items']} items are in only one run and were not paired.", ""]
        for key, values in r["categories"].items():
            lines += [f"## {name} by {key}", "", f"| {key} | acc A | acc B |", "|---|---:|---:|"]
            lines += [f"| {v} | {_pct(x['a'])} | {_pct(x['b'])} |" for v, x in values.items()]
            lines.append("")
    for side in ("only_in_a", "only_in_b"):
        if report[side]:
            lines += [f"Benchmarks {side.replace('_', ' ')}: {', '.join(report[side])}", ""]
    return "\n".join(lines)


def bar_chart(report: dict[str, Any], path: str | Path) -> Path:
    """Grouped bars: accuracy (and perception_ok rate where present) of A and B per benchmark."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(report["benchmarks"])
    series = [("accuracy", "a", "A accuracy"), ("accuracy", "b", "B accuracy")]
    if any(report["benchmarks"][n]["perception_ok"]["a"] is not None for n in names):
        series += [("perception_ok", "a", "A perception_ok"), ("perception_ok", "b", "B perception_ok")]
    width = 0.8 / len(series)
    fig, ax = plt.subplots(figsize=(max(4, 1.6 * len(names) + 2), 3.5))
    for k, (metric, side, label) in enumerate(series):
        values = [100 * (report["benchmarks"][n][metric][side] or 0) for n in names]
        ax.bar([i + k * width for i in range(len(names))], values, width, label=label)
    ax.set_xticks([i + width * (len(series) - 1) / 2 for i in range(len(names))], names)
    ax.set_ylabel("%")
    ax.set_ylim(0, 100)
    ax.legend(fontsize="small")
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def write_comparison(dir_a: str | Path, dir_b: str | Path, out: str | Path) -> dict[str, Any]:
    """compare.json, compare.md and compare.png in `out`."""
    report = compare_runs(dir_a, dir_b)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "compare.json").write_text(json.dumps(report, indent=1))
    (out / "compare.md").write_text(report_markdown(report))
    if report["benchmarks"]:
        bar_chart(report, out / "compare.png")
    return report
