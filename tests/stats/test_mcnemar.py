"""McNemar: the paper's three p-values, the chi-square option, file pairing and refusals."""

import json

import pytest

from perception_r1.cli.main import main
from perception_r1.stats.mcnemar import mcnemar_files, mcnemar_test, paired_mcnemar


@pytest.mark.parametrize("b,c,expected", [
    (1, 5, 0.22),   # paper: discordant (1, 5) -> p = 0.22
    (2, 4, 0.69),   # paper: (2, 4) -> p = 0.69
    (2, 10, 0.04),  # paper: (2, 10) -> p = 0.04
    (5, 1, 0.22),   # two-sided: symmetric in b and c
    (0, 0, 1.00),   # no discordant pair: no evidence of a change
])
def test_exact_reproduces_paper(b, c, expected):
    p, stat = mcnemar_test(b, c)
    assert round(p, 2) == expected
    assert stat is None


@pytest.mark.parametrize("b,c,stat,p", [
    (2, 10, (8 - 1) ** 2 / 12, 0.0433),  # (|b-c|-1)^2/(b+c) = 49/12 = 4.083; chi2_1 sf = 0.0433
    (1, 5, (4 - 1) ** 2 / 6, 0.2207),    # 9/6 = 1.5 -> 0.2207
])
def test_chi2_with_continuity_correction(b, c, stat, p):
    got_p, got_stat = mcnemar_test(b, c, chi2_correction=True)
    assert got_stat == pytest.approx(stat)
    assert got_p == pytest.approx(p, abs=1e-4)


def test_negative_count_rejected():
    with pytest.raises(ValueError):
        mcnemar_test(-1, 2)


def test_paired_counts_cells():
    a = {"1": True, "2": True, "3": False, "4": False, "5": True}
    b = {"1": True, "2": False, "3": True, "4": False, "5": False}
    r = paired_mcnemar(a, b)
    assert (r.both_right, r.b, r.c, r.both_wrong, r.n) == (1, 2, 1, 1, 5)


def _write(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


def test_files_pair_by_id_in_any_order(tmp_path):
    # A right on 1..2, wrong on 3..12; B right on 3..12 except 12, wrong on 1..2: b=2, c=9.
    a = [{"id": str(i), "correct": i <= 2} for i in range(1, 13)]
    b = [{"id": str(i), "correct": 3 <= i <= 11} for i in reversed(range(1, 13))]
    r = mcnemar_files(_write(tmp_path / "a.jsonl", a), _write(tmp_path / "b.jsonl", b), "correct")
    assert (r.b, r.c, r.both_wrong) == (2, 9, 1)


def test_files_with_different_ids_refused_naming_them(tmp_path):
    a = _write(tmp_path / "a.jsonl", [{"id": "x", "correct": True}, {"id": "y", "correct": True}])
    b = _write(tmp_path / "b.jsonl", [{"id": "x", "correct": True}, {"id": "z", "correct": False}])
    with pytest.raises(ValueError, match=r"only in .*a\.jsonl \(first: \['y'\]\).*\['z'\]"):
        mcnemar_files(a, b, "correct")


def test_none_outcomes_left_out_only_when_both_none(tmp_path):
    a = _write(tmp_path / "a.jsonl", [{"id": "1", "perception_ok": None}, {"id": "2", "perception_ok": True}])
    b = _write(tmp_path / "b.jsonl", [{"id": "1", "perception_ok": None}, {"id": "2", "perception_ok": False}])
    assert mcnemar_files(a, b, "perception_ok").n == 1
    c = _write(tmp_path / "c.jsonl", [{"id": "1", "perception_ok": True}, {"id": "2", "perception_ok": False}])
    with pytest.raises(ValueError, match="one side only"):
        mcnemar_files(a, c, "perception_ok")


def test_non_boolean_field_refused(tmp_path):
    a = _write(tmp_path / "a.jsonl", [{"id": "1", "perception": 0.5}])
    with pytest.raises(ValueError, match=r"id '1'.*'perception'"):
        mcnemar_files(a, a, "perception")


def test_cli_json_and_error(tmp_path, capsys):
    a = _write(tmp_path / "a.jsonl", [{"id": str(i), "correct": i < 2} for i in range(12)])
    b = _write(tmp_path / "b.jsonl", [{"id": str(i), "correct": i >= 2} for i in range(12)])
    assert main(["mcnemar", a, b, "--field", "correct", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["b"], out["c"], round(out["p_value"], 2)) == (2, 10, 0.04)
    bad = _write(tmp_path / "bad.jsonl", [{"id": "nope", "correct": True}])
    assert main(["mcnemar", a, bad]) == 2
    assert "ids differ" in capsys.readouterr().err
