"""LLM-extracted annotations checked against Geometry3K's logic forms, with the symbolic judge.

The paper audited its extracted facts by hand (Perception-R1, arXiv 2506.07218, §3.2: 96 % correct).
Geometry3K's figures come with exact facts (`logic_forms.to_annotations`), so on Geometry3K the same audit
is automatic, per problem:

- **precision**: of the extracted annotations the judge can read, the share some logic-form fact of the
  figure states (incidence included: `C lies on AB` is a true fact of the figure; `∠ACB = 90°` is stated by
  `AC ⊥ BC`); an annotation the judge cannot read is counted apart, as `unreadable`, never as right or wrong;
- **recall**: of the figure's selected logic-form facts, the share the extracted annotations state.

`keep_stated` is `annotate --keep-facts-in logic-forms`: the logic-form facts that the teacher's verified
trajectory states — exact spellings, chosen by what a correct solution used.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable

from ..data import Record
from ..judges.symbolic import SymbolicJudge
from .logic_forms import to_annotations

# Judged in the judge's deadline worker like any response; a teacher's trajectory is not adversarial, so the
# bound is generous, and a text that still runs past it is reported (None), never guessed.
_JUDGE = SymbolicJudge(on_error="skip", timeout=10.0)


def logic_facts(record: Record, *, incidence: bool = False) -> list[str] | None:
    """The annotations of the record's `meta.logic_forms` (kept there by `convert geometry3k`), or None."""
    forms = record.meta.get("logic_forms")
    if not isinstance(forms, list):
        return None
    return to_annotations([str(f) for f in forms], incidence=incidence).annotations


def stated(text: str, facts: list[str]) -> list[int | None] | None:
    """Per fact: 1 when `text` states it, 0 when not, None when the judge cannot read the fact; None
    for all of them when reading `text` ran past the judge's deadline."""
    return _JUDGE.judge_parsed(text, list(facts)) if facts else []


def keep_stated(cot: str, facts: list[str]) -> list[str] | None:
    """The facts (logic-form annotations) that the trajectory `cot` states, in their order; None when
    the judge ran past its deadline on `cot`."""
    verdicts = stated(cot, facts)
    return None if verdicts is None else [f for f, v in zip(facts, verdicts) if v == 1]


@dataclass
class ProblemCheck:
    """One problem's extracted annotations against its logic forms."""

    id: str
    extracted: int
    readable: int
    confirmed: int  # readable extracted annotations that a logic-form fact states
    logic_facts: int
    recovered: int  # selected logic-form facts that the extracted annotations state
    missed: list[str]
    unconfirmed: list[str]

    @property
    def precision(self) -> float | None:
        return self.confirmed / self.readable if self.readable else None

    @property
    def recall(self) -> float | None:
        return self.recovered / self.logic_facts if self.logic_facts else None


class JudgeTimeout(RuntimeError):
    """The symbolic judge ran past its deadline on a problem's text."""


def check_record(record: Record, extracted: list[str]) -> ProblemCheck | None:
    """Precision and recall of `extracted` against the record's logic forms; None without logic forms."""
    selected = logic_facts(record)
    every = logic_facts(record, incidence=True)
    if selected is None or every is None:
        return None
    verdicts = stated("\n".join(every), extracted)
    back = stated("\n".join(extracted), selected)
    if verdicts is None or back is None:
        raise JudgeTimeout(f"record {record.id!r}: the symbolic judge ran past its deadline")
    readable = [a for a, v in zip(extracted, verdicts) if v is not None]
    unconfirmed = [a for a, v in zip(extracted, verdicts) if v == 0]
    return ProblemCheck(id=record.id, extracted=len(extracted), readable=len(readable),
                        confirmed=len(readable) - len(unconfirmed), logic_facts=len(selected),
                        recovered=sum(v == 1 for v in back),
                        missed=[f for f, v in zip(selected, back) if v != 1], unconfirmed=unconfirmed)


def extracted_annotations(record: Record) -> list[str]:
    """What the extractor returned: `meta.annotate.extracted` when `--keep-facts-in` replaced the
    annotations, else `visual_annotations`."""
    ann = record.meta.get("annotate") or {}
    return list(ann.get("extracted") or record.visual_annotations or [])


@dataclass
class CheckSummary:
    problems: list[ProblemCheck]
    skipped: list[str]  # records without logic forms
    timed_out: list[str]  # records the judge ran past its deadline on

    def totals(self) -> dict:
        p = self.problems
        readable, confirmed = sum(x.readable for x in p), sum(x.confirmed for x in p)
        facts, recovered = sum(x.logic_facts for x in p), sum(x.recovered for x in p)
        return {"problems": len(p), "skipped_without_logic_forms": len(self.skipped), "timed_out": len(self.timed_out),
                "extracted": sum(x.extracted for x in p), "unreadable": sum(x.extracted - x.readable for x in p),
                "precision": confirmed / readable if readable else None,
                "recall": recovered / facts if facts else None,
                "confirmed": confirmed, "readable": readable, "recovered": recovered, "logic_facts": facts}

    def as_dict(self) -> dict:
        return {"format": "perception-r1/logic-form-check", "totals": self.totals(),
                "problems": [{**asdict(x), "precision": x.precision, "recall": x.recall} for x in self.problems],
                "skipped": self.skipped, "timed_out": self.timed_out}

    def __str__(self) -> str:
        t = self.totals()

        def pct(v: float | None) -> str:
            return "n/a" if v is None else f"{100 * v:.1f} %"

        lines = [f"{'id':>10}  {'precision':>12}  {'recall':>12}  unreadable"]
        for x in self.problems:
            lines.append(f"{x.id:>10}  {x.confirmed:>3}/{x.readable:<3} {pct(x.precision):>7}  "
                         f"{x.recovered:>3}/{x.logic_facts:<3} {pct(x.recall):>7}  {x.extracted - x.readable}")
        lines.append(f"all {t['problems']} problems: precision {t['confirmed']}/{t['readable']} = {pct(t['precision'])}, "
                     f"recall {t['recovered']}/{t['logic_facts']} = {pct(t['recall'])}, "
                     f"{t['unreadable']} of {t['extracted']} extracted annotations unreadable by the symbolic judge"
                     + (f"; {t['skipped_without_logic_forms']} records without logic forms skipped" if self.skipped else "")
                     + (f"; {t['timed_out']} records left out: the judge ran past its deadline" if self.timed_out else ""))
        return "\n".join(lines)


def check_records(records: Iterable[Record]) -> CheckSummary:
    """`check_record` over a dataset (the output of `perception-r1 annotate` on converted Geometry3K)."""
    problems, skipped, timed_out = [], [], []
    for rec in records:
        try:
            result = check_record(rec, extracted_annotations(rec))
        except JudgeTimeout:
            timed_out.append(rec.id)
            continue
        if result is None:
            skipped.append(rec.id)
        else:
            problems.append(result)
    return CheckSummary(problems, skipped, timed_out)
