"""We-Math testmini, with its four-dimensional metrics, scored by the official
`evaluation/four_dimensional_metrics.py` and `evaluation/accuracy.py` (We-Math/We-Math).

Layout: the release's `testmini.json` (a list; images by `image_path` relative to the file) with
`ID` (the problem group), `key` (`2steps_1`, `2steps_2`, `2steps_multi`, `3steps_1` … `3steps_multi`),
`question`, `option` ("A. …;B. …"), `answer` (a letter), `knowledge concept`.

Official verdict: the text after the last "Answer", stripped of `><:.` characters, must start with
the gold letter (A–H). Where that rule finds no letter, the shared rules (`eval.rules`) are tried.
Knowledge-domain accuracies (official `accuracy.py`) when `knowledge_structure_nodes.json` lies
beside the data file.

Four dimensions, per multi-step group (a k-step problem and its k one-step sub-problems):
  IK  insufficient knowledge     some sub-problem wrong and the multi-step problem wrong
  IG  inadequate generalization  every sub-problem right, the multi-step problem wrong
  CM  complete mastery           strict: every sub-problem right and the multi-step right
                                 loose: some sub-problem right and the multi-step right
  RM  rote memorization          strict: some sub-problem wrong but the multi-step right
                                 loose: every sub-problem wrong but the multi-step right
Rates: IK, IG, CM over the number of groups N (the official code hard-codes testmini's N = 525);
RM over CM + RM. Score = (N - 0.5 IG - RM - IK) / N, strict and loose. Also S1 (accuracy over all
one-step sub-problems), S2 and S3 (accuracy of the 2- and 3-step problems).
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from ...data import Record
from .. import rules
from ..rules import Extraction
from .io import image_value, read_rows

log = logging.getLogger(__name__)

NAME = "wemath"
CATEGORY_KEYS = ("key", "knowledge_concept")
_OPTION_RE = re.compile(r"^\s*([A-H])\s*[.:)]\s*(.*)$", re.DOTALL)


def parse_option_string(option: str) -> list[str]:
    """'A. 1 cm;B. 1.5 cm; E. No correct answer' -> ['1 cm', '1.5 cm', ..., 'No correct answer']."""
    out = []
    for part in str(option).split(";"):
        m = _OPTION_RE.match(part)
        if m:
            out.append(m.group(2).strip())
    return out


def load(path: str | Path) -> list[Record]:
    rows, base = read_rows(path, split="testmini" if Path(path).is_dir() else None)
    structure = load_knowledge_structure(path)
    records = []
    for row in rows:
        img = image_value(row.get("image_path") or row.get("image"), base)
        key = row.text("key")
        records.append(Record(
            id=f"{row['ID']}@{key}", images=[img] if img else [], problem=row.text("question"),
            answer=row.text("answer").strip(), choices=parse_option_string(row.get("option", "")) or None,
            source=NAME,
            meta={"group": row.text("ID"), "key": key, "knowledge_concept": row.get("knowledge concept"),
                  "knowledge_domains": None if structure is None else structure.get(str(row.get("knowledge concept")), [])}))
    return records


def official_letter(text: str) -> str | None:
    """Official `load_and_process_data`: after the last 'Answer', drop `><:.`, take the first
    character if it is A-H."""
    tail = re.sub(r"[><:.]", "", text.split("Answer")[-1].strip()).strip()
    return tail[0] if tail and tail[0] in "ABCDEFGH" else None


def extract(rec: Record, response: str) -> Extraction:
    """The official rule first (the letter after the last "Answer"); where it finds none, the
    shared rules (a boxed letter or option text, "the answer is (B)", ...), a documented departure."""
    letter = official_letter(response or "")
    if letter is not None:
        return Extraction(letter, "official_parser")
    ext = rules.extract(response, rec.choices)
    letter = rules.choice_letter(ext.answer, rec.choices or []) if ext.answer is not None else None
    return Extraction(letter, ext.rule, ext.confident) if letter is not None else Extraction(None, "none", False)


def score(rec: Record, extracted: str | None, response: str) -> dict[str, Any]:
    letter = None
    if extracted:
        letter = official_letter(extracted) or rules.choice_letter(extracted, rec.choices or [])
    return {"prediction": letter, "correct": letter is not None and letter == rec.answer,
            "group": rec.meta["group"], "key": rec.meta["key"], "knowledge_concept": rec.meta.get("knowledge_concept"),
            "knowledge_domains": rec.meta.get("knowledge_domains")}


def four_dimensional(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The official four-dimensional metrics over complete groups (see the module docstring).
    Groups missing a row are left out and counted in `incomplete_groups`."""
    groups: dict[str, dict[str, bool]] = defaultdict(dict)
    for r in rows:
        groups[r["group"]][r["key"]] = bool(r["correct"])
    counts = dict.fromkeys(["IK", "IG", "CM_strict", "CM_loose", "RM_strict", "RM_loose"], 0)
    steps_right: list[bool] = []
    multi: dict[int, list[bool]] = {2: [], 3: []}
    incomplete = 0
    for gid, keys in groups.items():
        k = 3 if any(key.startswith("3steps") for key in keys) else 2
        needed = [f"{k}steps_{i}" for i in range(1, k + 1)]
        if any(n not in keys for n in needed) or f"{k}steps_multi" not in keys:
            incomplete += 1
            continue
        subs, m = [keys[n] for n in needed], keys[f"{k}steps_multi"]
        steps_right += subs
        multi[k].append(m)
        all_right, any_right = all(subs), any(subs)
        if m:
            counts["CM_strict"] += all_right
            counts["CM_loose"] += any_right
            counts["RM_strict"] += not all_right
            counts["RM_loose"] += not any_right
        else:
            counts["IG"] += all_right
            counts["IK"] += not all_right
    if incomplete:
        log.warning("wemath: %d incomplete groups left out of the four-dimensional metrics", incomplete)
    n = len(multi[2]) + len(multi[3])

    def ratio(a: float, b: float) -> float | None:
        return a / b if b else None

    return {
        "groups": n, "incomplete_groups": incomplete, "counts": counts,
        "IK": ratio(counts["IK"], n), "IG": ratio(counts["IG"], n),
        "CM_strict": ratio(counts["CM_strict"], n), "CM_loose": ratio(counts["CM_loose"], n),
        "RM_strict": ratio(counts["RM_strict"], counts["CM_strict"] + counts["RM_strict"]),
        "RM_loose": ratio(counts["RM_loose"], counts["CM_loose"] + counts["RM_loose"]),
        "score_strict": ratio(n - 0.5 * counts["IG"] - counts["RM_strict"] - counts["IK"], n),
        "score_loose": ratio(n - 0.5 * counts["IG"] - counts["RM_loose"] - counts["IK"], n),
        "S1": ratio(sum(steps_right), len(steps_right)),
        "S2": ratio(sum(multi[2]), len(multi[2])),
        "S3": ratio(sum(multi[3]), len(multi[3])),
    }


def knowledge_domains(rows: list[dict[str, Any]]) -> dict[str, float] | None:
    """Official `accuracy.py` domain table: the accuracy of every knowledge concept over the
    one-step sub-problems of complete groups, then per domain (`root2` of the knowledge structure)
    the mean over its nodes' concept accuracies (a node per concept; concepts without items
    skipped). None without the knowledge structure file."""
    if not any(r.get("knowledge_domains") is not None for r in rows):
        return None
    complete = _complete_groups(rows)
    by_concept: dict[str, list[bool]] = defaultdict(list)
    domains_of: dict[str, list[str]] = {}
    for r in rows:
        if r["group"] in complete and not r["key"].endswith("multi"):
            by_concept[str(r["knowledge_concept"])].append(bool(r["correct"]))
            domains_of[str(r["knowledge_concept"])] = r.get("knowledge_domains") or []
    per_domain: dict[str, list[float]] = defaultdict(list)
    for concept, values in by_concept.items():
        for domain in domains_of[concept]:
            per_domain[domain].append(sum(values) / len(values))
    return {d: sum(v) / len(v) for d, v in sorted(per_domain.items())}


def _complete_groups(rows: list[dict[str, Any]]) -> set[str]:
    keys: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        keys[r["group"]].add(r["key"])
    out = set()
    for gid, ks in keys.items():
        k = 3 if any(key.startswith("3steps") for key in ks) else 2
        if {f"{k}steps_{i}" for i in range(1, k + 1)} | {f"{k}steps_multi"} <= ks:
            out.add(gid)
    return out


def load_knowledge_structure(data_path: str | Path) -> dict[str, list[str]] | None:
    """concept -> the `root2` domain of every knowledge-structure node ending in it (official:
    `full node`.split('_')[-1]), from a `*knowledge_structure_nodes*.json` beside the data file
    (the release's `knowledge_structure_nodes.json`); None when there is none."""
    p = Path(data_path)
    folder = p if p.is_dir() else p.parent
    files = sorted(folder.glob("*knowledge_structure_nodes*.json"))
    if not files:
        return None
    out: dict[str, list[str]] = defaultdict(list)
    for node in json.loads(files[0].read_text(encoding="utf-8")):
        out[str(node["full node"]).split("_")[-1]].append(str(node["root2"]))
    return dict(out)


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"four_dimensional": four_dimensional(rows)}
    domains = knowledge_domains(rows)
    if domains is not None:
        out["knowledge_domains"] = domains
    return out
