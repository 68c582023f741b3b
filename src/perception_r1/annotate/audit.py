"""Human audit of annotations (the paper audited its extracted facts by hand: 96% correct).

`audit_page` samples problems and renders one self-contained HTML page (images inline as base64, the
problem, each annotation with a correct / incorrect choice, a button that downloads `verdicts.json`).
`score_verdicts` turns that file into the annotation accuracy with an exact (Clopper–Pearson) 95%
interval — exact because audits are small and accuracies near 1, where the normal interval misbehaves.
"""

from __future__ import annotations

import base64
import html
import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..data import Record, RecordError, load_records
from ..data.images import open_image, to_png_bytes
from ..data.prompt import question_text

VERDICTS_FORMAT = "perception-r1-audit-v1"


def sample_records(records: list[Record], n: int, seed: int = 0) -> list[Record]:
    """Up to n annotated records, drawn without replacement with a fixed seed, in dataset order."""
    annotated = [r for r in records if r.visual_annotations]
    if n >= len(annotated):
        return annotated
    chosen = set(random.Random(seed).sample(range(len(annotated)), n))
    return [r for i, r in enumerate(annotated) if i in chosen]


def _img_tag(src: str | bytes) -> str:
    data = base64.b64encode(to_png_bytes(open_image(src).convert("RGB"))).decode()
    return f'<img alt="figure" src="data:image/png;base64,{data}">'


_STYLE = """
body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}
section{border:1px solid #ccc;border-radius:6px;padding:1em;margin:1em 0}
img{max-width:100%;max-height:24em;display:block;margin:.5em 0}
table{border-collapse:collapse;width:100%}td{border-top:1px solid #eee;padding:.3em}
td.v{white-space:nowrap;width:14em}.cot{white-space:pre-wrap;font-size:.85em;color:#555}
#bar{position:sticky;top:0;background:#fff;padding:.5em 0;border-bottom:1px solid #ccc}
"""

_SCRIPT = """
function collect(){
  const out={format:FORMAT,dataset:DATASET,verdicts:[]};
  for(const row of document.querySelectorAll('tr[data-id]')){
    const c=row.querySelector('input:checked');
    out.verdicts.push({id:row.dataset.id,index:+row.dataset.index,annotation:row.dataset.text,
                       correct:c?c.value==='1':null});
  }
  return out;
}
function progress(){
  const v=collect().verdicts;
  document.getElementById('done').textContent=v.filter(x=>x.correct!==null).length+' / '+v.length+' judged';
}
function download(){
  const blob=new Blob([JSON.stringify(collect(),null,1)],{type:'application/json'});
  const a=document.createElement('a');a.href=URL.createObjectURL(blob);a.download='verdicts.json';a.click();
}
document.addEventListener('change',progress);window.addEventListener('load',progress);
"""


def audit_page(records: list[Record], dataset: str) -> str:
    """The HTML page for these records."""
    e = html.escape
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>Annotation audit: {e(dataset)}</title>",
             f"<style>{_STYLE}</style></head><body>",
             f"<h1>Annotation audit</h1><p>{len(records)} problems from <code>{e(dataset)}</code>. For every "
             "annotation, look at the figure and choose <b>correct</b> if the fact is true of the figure and "
             "needed information, <b>incorrect</b> otherwise. Then download the verdicts and run "
             "<code>perception-r1 audit DATA --verdicts verdicts.json</code>.</p>",
             "<div id='bar'><button onclick='download()'>Download verdicts.json</button> <span id='done'></span></div>"]
    for rec in records:
        imgs = "".join(_img_tag(img) for img in rec.images)
        rows = "".join(
            f"<tr data-id='{e(rec.id, quote=True)}' data-index='{j}' data-text='{e(a, quote=True)}'>"
            f"<td>{e(a)}</td><td class='v'>"
            f"<label><input type='radio' name='{e(rec.id, quote=True)}-{j}' value='1'> correct</label> "
            f"<label><input type='radio' name='{e(rec.id, quote=True)}-{j}' value='0'> incorrect</label></td></tr>"
            for j, a in enumerate(rec.visual_annotations or []))
        cot = f"<details><summary>teacher trajectory</summary><div class='cot'>{e(rec.cot)}</div></details>" if rec.cot else ""
        parts.append(f"<section><h3>{e(rec.id)}</h3>{imgs}<p>{e(question_text(rec.problem, rec.choices))}</p>"
                     f"<p>answer: <b>{e(rec.answer)}</b></p><table>{rows}</table>{cot}</section>")
    script = _SCRIPT.replace("FORMAT", json.dumps(VERDICTS_FORMAT)).replace("DATASET", json.dumps(dataset))
    parts.append(f"<script>{script}</script></body></html>")
    return "".join(parts)


def write_audit(data: str | Path, out: str | Path, sample: int = 50, seed: int = 0) -> tuple[Path, int]:
    records = sample_records(load_records(data), sample, seed)
    out = Path(out)
    out.write_text(audit_page(records, str(data)), encoding="utf-8")
    return out, len(records)


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
    """Accuracy of the judged annotations. With `records`, each verdict must name an existing
    annotation with the same text (a stale verdicts file raises RecordError naming the record)."""
    items = verdicts.get("verdicts") if isinstance(verdicts, dict) else verdicts
    if not isinstance(items, list) or not all(isinstance(v, dict) for v in items):
        raise ValueError("a verdicts file is a list of {id, index, annotation, correct} objects (or {\"verdicts\": "
                         "[...]}), as the audit page downloads it")
    by_id = {r.id: r for r in records} if records is not None else None
    judged = correct = unjudged = 0
    problems = set()
    for n, v in enumerate(items):
        rid = str(v.get("id", f"<verdict {n}>"))
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


def score_file(verdicts_path: str | Path, data: str | Path | None = None) -> AuditScore:
    try:
        verdicts = json.loads(Path(verdicts_path).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ValueError(f"{verdicts_path}: not a JSON verdicts file ({e})") from None
    return score_verdicts(verdicts, load_records(data) if data is not None else None)
