"""The honest direction on real text: what the symbolic judge read as asserted in MATH-Vision's worked
solutions (../shared/data/realdata) before issue 12's second hardening (symbolic_realtext_baseline.json,
equations only) must still be read as asserted — hardening may not buy safety by crediting nothing.
Prints the share kept (docs/judges.md reports it)."""

import json
import re
from pathlib import Path

import pytest

from perception_r1.judges.consistency import strip_units
from perception_r1.judges.facts import Eq, response_facts

REALDATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "realdata"
BASELINE = Path(__file__).parent / "symbolic_realtext_baseline.json"
pytestmark = pytest.mark.skipif(not REALDATA.is_dir(), reason=f"real benchmark data not found at {REALDATA}")


def test_worked_solutions_keep_their_asserted_equations():
    baseline = json.loads(BASELINE.read_text())["facts"]
    rows = {r["id"]: r for r in map(json.loads, (REALDATA / "problems.jsonl").read_text().splitlines())}
    total = kept = 0
    lost = []
    for rid, facts in baseline.items():
        text = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", rows[rid]["extra"]["solution"])
        now = {str(strip_units(s.fact.expr)) for s in response_facts(text)
               if s.mode == "asserted" and isinstance(s.fact, Eq)}  # units (`4 cm`) are read now; the baseline had none
        total += len(facts)
        kept += sum(f in now for f in facts)
        lost += [(rid, f) for f in facts if f not in now]
    print(f"\nreal worked solutions: {kept}/{total} asserted equations still asserted ({kept / total:.1%})")
    assert kept / total >= 0.9, lost[:20]
