"""`import perception_r1.rewards` (and its adapters, and the symbolic judge) must not import torch."""

import subprocess
import sys


def test_rewards_and_symbolic_judge_do_not_import_torch():
    code = ("import sys, perception_r1.rewards, perception_r1.rewards.trl, perception_r1.rewards.verl, "
            "perception_r1.judges.symbolic; "
            "print(sorted(m for m in ('torch', 'transformers', 'trl') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
