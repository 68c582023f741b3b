"""Human audit of annotations (the paper audited its extracted facts by hand, Perception-R1, arXiv
2506.07218, §3: 96% correct).

`write_audit` samples annotated problems and writes the audit page (`audit_page.render_page`). The page
and the verdicts file it downloads carry the **fingerprint** of the audited records (SHA-256 of their ids
and annotations): `score_verdicts` refuses a file from another dataset or a re-annotated one, a file of
another format, and a verdict given twice, each in one line. The score is the annotation accuracy with
an exact (Clopper–Pearson) 95% interval — exact because audits are small and accuracies near 1, where
the normal interval misbehaves.
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..data import Record, RecordError, load_records, read_text
from .audit_page import render_page

VERDICTS_FORMAT = "perception-r1-audit-v1"


def sample_records(records: list[Record], n: int, seed: int = 0) -> list[Record]:
    """Up to n annotated records, drawn without replacement with a fixed seed, in dataset order."""
    annotated = [r for r in records if r.visual_annotations]
    if n >= len(annotated):
        return annotated
    chosen = set(random.Random(seed).sample(range(len(annotated)), n))
    return [r for i, r in enumerate(annotated) if i in chosen]


def fingerprint(records: list[Record]) -> str:
    """SHA-256 of the records' ids and annotations, in id order: what a verdicts file judged."""
    items = sorted((r.id, list(r.visual_annotations or [])) for r in records)
    return hashlib.sha256(json.dumps(items, ensure_ascii=False).encode("utf-8")).hexdigest()


def audit_page(records: list[Record], dataset: str) -> str:
    """The HTML page for these records."""
    return render_page(records, dataset, fingerprint(records), VERDICTS_FORMAT)


def write_audit(data: str | Path, out: str | Path, sample: int = 50, seed: int = 0) -> tuple[Path, int]:
    """Write the page for up to `sample` annotated problems; a dataset without any annotation is a
    ValueError saying so (there is nothing to judge), and no page is written."""
    records = load_records(data)
    chosen = sample_records(records, sample, seed)
    if not chosen:
        raise ValueError(f"{data}: none of its {len(records)} records has visual_annotations, so there is nothing "
                         "to audit; annotate it first (perception-r1 annotate, or convert geometry3k --annotations "
                         "logic-forms)")
    out = Path(out)
    out.write_text(audit_page(chosen, str(data)), encoding="utf-8")
    return out, len(chosen)


@dataclass
class AuditScore:
    """Annotation accuracy over the judged annotations, with its exact 95% interval."""

    correct: int
    judged: int
    unjudged: int
    accuracy: float | None
    ci_low: float | None
    ci_high: float | None
    problems: int
    method: str = "Clopper-Pearson exact binomial, 95%"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        if not self.judged:
            return f"no judged annotations ({self.unjudged} unjudged)"
        return (f"annotation accuracy {self.accuracy:.1%} (95% CI {self.ci_low:.1%}–{self.ci_high:.1%}, "
                f"Clopper–Pearson) from {self.correct}/{self.judged} annotations on {self.problems} problems"
                + (f"; {self.unjudged} left unjudged" if self.unjudged else ""))


def clopper_pearson(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact binomial interval for k successes in n trials (SciPy's `binomtest(...).proportion_ci`)."""
    from scipy.stats import binomtest

    ci = binomtest(k, n).proportion_ci(confidence_level=confidence, method="exact")
    return float(ci.low), float(ci.high)


def score_verdicts(verdicts: dict[str, Any] | list[dict[str, Any]], records: list[Record] | None = None) -> AuditScore:
    """Accuracy of the judged annotations. A verdict given twice is refused. With `records`, each verdict
    must name an existing annotation with the same text (a stale file raises RecordError naming the
    record), and a page's file must carry this format and the fingerprint of the records it names."""
    items = verdicts.get("verdicts") if isinstance(verdicts, dict) else verdicts
    if not isinstance(items, list) or not all(isinstance(v, dict) for v in items):
        raise ValueError("a verdicts file is a list of {id, index, annotation, correct} objects (or {\"verdicts\": "
                         "[...]}), as the audit page downloads it")
    if isinstance(verdicts, dict) and verdicts.get("format", VERDICTS_FORMAT) != VERDICTS_FORMAT:
        raise ValueError(f"verdicts file format {verdicts.get('format')!r} is not {VERDICTS_FORMAT!r}")
    by_id = {r.id: r for r in records} if records is not None else None
    judged = correct = unjudged = 0
    problems = set()
    seen: dict[tuple[str, Any], int] = {}
    ids = list(dict.fromkeys(str(v.get("id")) for v in items))
    if by_id is not None and isinstance(verdicts, dict) and "fingerprint" in verdicts and all(i in by_id for i in ids):
        expected = fingerprint([by_id[i] for i in ids])
        if verdicts["fingerprint"] != expected:
            raise ValueError(f"these verdicts were made on another dataset (fingerprint {str(verdicts['fingerprint'])[:12]}, "
                             f"page of {verdicts.get('dataset')!r}); the same records here give {expected[:12]}")
    for n, v in enumerate(items):
        rid = str(v.get("id", f"<verdict {n}>"))
        first = seen.setdefault((rid, v.get("index")), n)
        if first != n:
            raise RecordError(rid, "index", f"verdict {n} judges annotation {v.get('index')} again (verdict {first} "
                              "already did); a verdicts file judges each annotation once")
        if by_id is not None:
            rec = by_id.get(rid)
            if rec is None:
                raise RecordError(rid, "id", "verdict for a record that is not in the dataset")
            anns = rec.visual_annotations or []
            idx = v.get("index")
            valid = isinstance(idx, int) and 0 <= idx < len(anns)
            if not valid or ("annotation" in v and anns[idx] != v["annotation"]):
                raise RecordError(rid, "visual_annotations", f"verdict {n} does not match annotation {idx} "
                                  "(was the dataset re-annotated after the audit page was written?)")
        c = v.get("correct")
        if c is None:
            unjudged += 1
            continue
        if not isinstance(c, bool):
            raise RecordError(rid, "correct", f"verdict {n}: expected true, false or null, got {c!r}")
        judged += 1
        correct += c
        problems.add(rid)
    if not judged:
        return AuditScore(0, 0, unjudged, None, None, None, 0)
    lo, hi = clopper_pearson(correct, judged)
    return AuditScore(correct, judged, unjudged, correct / judged, lo, hi, len(problems))


def _read(path: Path) -> Any:
    text = read_text(path)  # not UTF-8: names the line
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: not a JSON verdicts file ({e})") from None


def newest_verdicts(folder: Path) -> Path:
    """The most recently saved page download (`verdicts-*.json`, by its `saved_at`) in a folder."""
    found = []
    for p in sorted(folder.glob("verdicts*.json")):
        v = _read(p)
        if isinstance(v, dict) and v.get("format") == VERDICTS_FORMAT:
            found.append((str(v.get("saved_at", "")), p))
    if not found:
        raise ValueError(f"{folder}: no verdicts*.json downloaded from an audit page")
    return max(found)[1]


def score_file(verdicts_path: str | Path, data: str | Path | None = None) -> tuple[AuditScore, Path]:
    """Score a verdicts file, or the newest one in a folder (the browser's downloads); returns the score
    and the file scored."""
    path = Path(verdicts_path)
    if path.is_dir():
        path = newest_verdicts(path)
    return score_verdicts(_read(path), load_records(data) if data is not None else None), path
