"""What the demo writes: `summary.json`, `report.md` (the paper's ablation table in miniature) and plots.

McNemar, as the paper's §5 diagnosis does it: pair each held-out item's outcome under two models —
`perception_ok` (every annotated fact stated correctly, symbolic judge) or `correct` — and take b =
right under the first model only, c = right under the second only, with the exact two-sided binomial
test on b of b + c (`stats.mcnemar`). Three pairs on perception_ok (base vs each arm, arm vs arm) and
the arms' pair on accuracy.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from perception_r1.stats.mcnemar import paired_mcnemar

from .pipeline import ARM_NAMES, MODEL_NAMES, read_results

LABELS = {"base": "pretrained tiny base", "accuracy_only": "GRPO, accuracy-only (r_f + r_a)",
          "perception_r1": "GRPO, Perception-R1 (r_f + r_a + r_v + r_p)"}
SHORT = {"base": "base", "accuracy_only": "accuracy-only", "perception_r1": "Perception-R1"}
COMPONENTS = {"format": "r_f", "accuracy": "r_a", "perception": "r_v", "repetition": "r_p"}
METRICS = ("accuracy", "perception", "perception_ok")
# (first, second, outcome): b counts items right under `first` only, c under `second` only.
PAIRS = (("base", "accuracy_only", "perception_ok"), ("base", "perception_r1", "perception_ok"),
         ("accuracy_only", "perception_r1", "perception_ok"), ("accuracy_only", "perception_r1", "correct"))
SMOOTH = 5  # steps in the running mean of the reward plot (a step averages only a few groups)


def _outcomes(eval_dir: str, field: str) -> dict[str, bool]:
    return {i: bool(r.get(field)) for i, r in read_results(eval_dir).items()}


def pair_key(first: str, second: str, outcome: str) -> str:
    return f"{first}_vs_{second}:{outcome}"


def seed_summary(run: dict[str, Any]) -> dict[str, Any]:
    """One seed's numbers: per model accuracy / perception / perception_ok, the McNemar pairs, the
    base's diagnosis."""
    ev, dirs = run["evals"], run["eval_dirs"]
    tests = {}
    for first, second, outcome in PAIRS:
        res = paired_mcnemar(_outcomes(dirs[first], outcome), _outcomes(dirs[second], outcome))
        tests[pair_key(first, second, outcome)] = {"b": res.b, "c": res.c, "p_value": res.p_value, "n": res.n}
    return {
        "split": run["split"],
        "models": {name: {k: ev[name][k] for k in METRICS} for name in MODEL_NAMES},
        "mcnemar": tests,
        "diagnosis": {name: ev[name]["diagnosis"] for name in MODEL_NAMES},
        "base": run.get("base"),
        "timings_s": run["timings_s"],
        "total_s": round(sum(run["timings_s"].values()), 1),
    }


def goals(s: dict[str, Any]) -> dict[str, bool]:
    """The issue's goals for one seed: the Perception-R1 arm states ≥ 10 points more facts than the
    accuracy-only arm, significantly (McNemar on perception_ok, the right way), at no cost in accuracy,
    and both arms are at least as accurate as the base."""
    m = s["models"]
    base, acc, r1 = m["base"], m["accuracy_only"], m["perception_r1"]
    t = s["mcnemar"][pair_key("accuracy_only", "perception_r1", "perception_ok")]
    return {"perception_plus_10pt": r1["perception"] - acc["perception"] >= 0.10 - 1e-9,
            "mcnemar_p_below_0.05": t["p_value"] < 0.05 and t["c"] > t["b"],
            "accuracy_not_worse": r1["accuracy"] >= acc["accuracy"],
            "both_arms_beat_base": min(acc["accuracy"], r1["accuracy"]) >= base["accuracy"]}


def _mean_spread(values: list[float]) -> dict[str, float]:
    return {"mean": statistics.fmean(values), "std": statistics.pstdev(values) if len(values) > 1 else 0.0,
            "min": min(values), "max": max(values)}


def aggregate(per_seed: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Several seeds: each model's metrics as mean/std/min/max, plus the per-seed summaries and goals."""
    seeds = sorted(per_seed)
    first = per_seed[seeds[0]]
    return {"seeds": seeds, "split": first["split"], "per_seed": {str(s): per_seed[s] for s in seeds},
            "models": {name: {k: _mean_spread([per_seed[s]["models"][name][k] for s in seeds]) for k in METRICS}
                       for name in MODEL_NAMES},
            "goals_met": {str(s): goals(per_seed[s]) for s in seeds},
            "total_s": round(sum(per_seed[s]["total_s"] for s in seeds), 1)}


def _pct(v: Any) -> str:
    if isinstance(v, dict):
        return f"{100 * v['mean']:.1f} ± {100 * v['std']:.1f}"
    return f"{100 * v:.1f}"


def _tests(s: dict[str, Any]) -> list[str]:
    out = []
    for first, second, outcome in PAIRS:
        t = s["mcnemar"][pair_key(first, second, outcome)]
        out.append(f"{SHORT[first]} vs {SHORT[second]}, {outcome}: b = {t['b']}, c = {t['c']}, "
                   f"p = {t['p_value']:.3g}")
    return out


def _diagnosis_line(d: dict[str, Any]) -> str:
    share = d["share_of_wrong_with_misread_fact"]
    when_read, when_not = d["accuracy_when_all_facts_read"], d["accuracy_when_a_fact_misread"]
    return (f"{d['wrong']} of {d['items']} answers wrong, {d['wrong_with_misread_fact']} of them with a misread or "
            f"unstated fact ({'n/a' if share is None else f'{100 * share:.0f}%'}); accuracy "
            f"{'n/a' if when_read is None else f'{100 * when_read:.0f}%'} on the {d['items_all_facts_read']} items "
            f"where every fact was read, {'n/a' if when_not is None else f'{100 * when_not:.0f}%'} on the "
            f"{d['items_a_fact_misread']} where one was not")


def report_markdown(summary: dict[str, Any], command: str) -> str:
    multi = "seeds" in summary
    split = summary.get("split", "heldout")
    lines = [
        "# Perception-R1 demo", "",
        f"Command: `{command}`", "",
        ("Held-out synthetic geometry problems (never used for tuning)" if split == "heldout"
         else f"The {split} split (used for tuning, not the held-out set)") + "; greedy decoding; "
        + ("mean ± std over seeds " + ", ".join(map(str, summary["seeds"])) if multi else "one seed") + ".", "",
        "| model | accuracy % | perception % (mean fact hit ratio) | perception_ok % (all facts stated) |",
        "|---|---|---|---|",
    ]
    for name in MODEL_NAMES:
        v = summary["models"][name]
        lines.append(f"| {LABELS[name]} | {_pct(v['accuracy'])} | {_pct(v['perception'])} | {_pct(v['perception_ok'])} |")
    per_seed = summary["per_seed"] if multi else {"": summary}
    if multi:
        lines += ["", "Per seed (accuracy / perception / perception_ok, %):", "",
                  "| seed | base | accuracy-only | Perception-R1 | goals met |", "|---|---|---|---|---|"]
        for seed, s in per_seed.items():
            cells = [" / ".join(_pct(s["models"][n][k]) for k in METRICS) for n in MODEL_NAMES]
            met = summary["goals_met"][seed]
            lines.append(f"| {seed} | {' | '.join(cells)} | {sum(met.values())} of {len(met)} |")
    lines += ["", "McNemar (b: right under the first model only, c: under the second only; exact p):", ""]
    for seed, s in per_seed.items():
        prefix = f"seed {seed}: " if multi else ""
        lines += [f"- {prefix}{t}" for t in _tests(s)]
    lines += ["", "Goals (issue 11):", ""]
    for seed, s in per_seed.items():
        lines.append(("- seed " + seed + ": " if multi else "- ")
                     + ", ".join(f"{k} {'yes' if v else 'no'}" for k, v in goals(s).items()))
    lines += ["", "Diagnosis of the base (paper §5: how many wrong answers come with a perception error):", ""]
    for seed, s in per_seed.items():
        lines.append(("- seed " + seed + ": " if multi else "- ") + _diagnosis_line(s["diagnosis"]["base"]))
    lines += ["", "What the numbers mean: *accuracy* is the share of final answers equal to the ground truth "
              "(the choice letter, or its value); *perception* is the mean share of a figure's annotated facts "
              "that the response states correctly (symbolic judge, the r_v of the paper); *perception_ok* counts "
              "an item when every fact is stated. Both GRPO arms start from the same pretrained base with the same "
              "seed, data and number of steps and differ only in the reward weights, so a difference between "
              "them is the effect of rewarding perception.", "",
              "![rewards per step](rewards.png)", "", "![held-out accuracy and perception](heldout.png)", ""]
    return "\n".join(lines)


def _metrics(grpo_dir: str | Path) -> list[dict[str, Any]]:
    path = Path(grpo_dir) / "metrics.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def plot_rewards(grpo_dirs: dict[str, str], path: str | Path) -> Path:
    """Mean reward component per GRPO step, both arms on each panel."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(COMPONENTS), figsize=(4 * len(COMPONENTS), 3.2))
    for ax, (comp, symbol) in zip(axes, COMPONENTS.items()):
        for arm, d in grpo_dirs.items():
            pts = [(r["step"], r[f"rewards/{comp}/mean"]) for r in _metrics(d) if f"rewards/{comp}/mean" in r]
            if pts:
                steps, ys = zip(*pts)
                smooth = [statistics.fmean(ys[max(0, i - SMOOTH + 1):i + 1]) for i in range(len(ys))]
                ax.plot(steps, smooth, label=SHORT[arm])
        ax.set_title(f"{symbol}: {comp}")
        ax.set_xlabel("GRPO step")
    axes[0].set_ylabel(f"mean over rollouts ({SMOOTH}-step running mean)")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)


def plot_heldout(summary: dict[str, Any], path: str | Path, split: str = "heldout") -> Path:
    """Accuracy and perception per model (error bars: std over seeds when there are several)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    vals = [summary["models"][n] for n in MODEL_NAMES]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    width = 0.27
    for j, metric in enumerate(METRICS):
        ys = [v[metric]["mean"] if isinstance(v[metric], dict) else v[metric] for v in vals]
        es = [v[metric]["std"] if isinstance(v[metric], dict) else 0.0 for v in vals]
        ax.bar([i + (j - 1) * width for i in range(len(MODEL_NAMES))], [100 * y for y in ys], width,
               yerr=[100 * e for e in es], label=metric)
    ax.set_xticks(range(len(MODEL_NAMES)), [SHORT[n] for n in MODEL_NAMES])
    ax.set_ylabel(f"% of {'held-out' if split == 'heldout' else split} items")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return Path(path)


def write_outputs(out: str | Path, summary: dict[str, Any], grpo_dirs: dict[str, str], command: str) -> None:
    out = Path(out)
    (out / "summary.json").write_text(json.dumps(summary, indent=1, default=str) + "\n")
    plot_rewards(grpo_dirs, out / "rewards.png")
    plot_heldout(summary, out / "heldout.png", summary.get("split", "heldout"))
    (out / "report.md").write_text(report_markdown(summary, command))
