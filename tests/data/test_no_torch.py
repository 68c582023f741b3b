"""`import perception_r1.data` and the light commands must not import torch (DESIGN.md §4)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

# `--help` and the commands end in SystemExit; the torch check must still run after them.
CHECK = """import sys
code = 0
try:
    {body}
except SystemExit as e:
    code = e.code or 0
assert 'torch' not in sys.modules, sorted(m for m in sys.modules if 'torch' in m)
sys.exit(code)
"""


def _run(body: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CHECK.format(body=body)], cwd=cwd, capture_output=True, text=True,
                          env={"HF_HUB_OFFLINE": "1", "PATH": ""}, timeout=120)


@pytest.mark.parametrize("body", [
    "import perception_r1.data, perception_r1.data.validate, perception_r1.data.loaders, perception_r1.data.synth",
    pytest.param("sys.modules['torch'] = sys", marks=pytest.mark.xfail(strict=True)),  # the check bites
    "from perception_r1.cli.main import main; main(['validate', '--help'])",
    "from perception_r1.cli.main import main; main(['synth', '--help'])",
    "from perception_r1.cli.main import main; main(['--help'])",
])
def test_light_imports_do_not_import_torch(body, tmp_path: Path):
    r = _run(body, tmp_path)
    assert r.returncode == 0, r.stderr


def test_synth_and_validate_commands_do_not_import_torch(tmp_path: Path):
    d = str(tmp_path / "d")
    r = _run(f"from perception_r1.cli.main import main; main(['synth', '--n', '3', '--out', {d!r}]); "
             f"sys.exit(main(['validate', {d!r}]))", tmp_path)
    assert r.returncode == 0, r.stderr
