"""The layering of docs/architecture.md, enforced: no package imports from a package above it, and the
pure layers (`data`, `judges` except the network judges' modules, `rewards`, `eventloop`, `urls`) import
neither torch, transformers, trl nor httpx — checked by importing them in a fresh interpreter. The
light commands (`--help`, `synth`, `validate`, `score`, `eval` on responses) stay torch-free."""

from __future__ import annotations

import ast
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import perception_r1

SRC = Path(perception_r1.__file__).resolve().parents[1]
PACKAGE = SRC / "perception_r1"

# Bottom to top; a package may import from its own package and from lower layers only.
LAYERS = [
    {"eventloop", "urls", "data", "llm", "stats"},
    {"models", "judges"},
    {"rewards"},
    {"annotate", "eval", "train"},
    {"demo"},
    {"cli"},
]
HEAVY = ("torch", "transformers", "trl", "httpx")
NETWORK_JUDGES = {"perception_r1.judges.openai_judge", "perception_r1.judges.hybrid", "perception_r1.judges.mllm"}


def _modules(package: str) -> list[str]:
    path = PACKAGE / package
    if path.with_suffix(".py").exists():
        return [f"perception_r1.{package}"]
    return [f"perception_r1.{package}"] + [m.name for m in pkgutil.walk_packages([str(path)], f"perception_r1.{package}.")]


PURE = [m for p in ("eventloop", "urls", "data", "judges", "rewards") for m in _modules(p) if m not in NETWORK_JUDGES]

# Imports each module in turn and reports, per heavy package, the first module whose import loaded it.
CHECK = """import importlib, json, sys
heavy, found = {heavy!r}, {{}}
for name in {modules!r}:
    importlib.import_module(name)
    for h in heavy:
        if h in sys.modules and h not in found:
            found[h] = name
print(json.dumps(found))
"""


def heavy_imports(modules: list[str], heavy=HEAVY) -> dict[str, str]:
    """{heavy package: the first of `modules` whose import loaded it}, in a fresh interpreter."""
    out = subprocess.run([sys.executable, "-c", CHECK.format(heavy=tuple(heavy), modules=modules)],
                         capture_output=True, text=True, timeout=300, cwd=SRC.parent,
                         env={"PYTHONPATH": str(SRC), "HF_HUB_OFFLINE": "1", "PATH": ""})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_pure_layers_import_no_model_or_http_library():
    assert len(PURE) > 20 and "perception_r1.judges.symbolic" in PURE and "perception_r1.rewards.verl" in PURE
    assert heavy_imports(PURE) == {}


def test_the_check_bites():
    assert heavy_imports(["perception_r1.rewards", "perception_r1.judges.openai_judge"]) == \
        {"httpx": "perception_r1.judges.openai_judge"}


LIGHT = """import sys
from perception_r1.cli.main import main
code = 0
for argv in {argvs!r}:
    try:
        code = main(argv) or code
    except SystemExit as e:  # --help
        code = e.code or code
print([m for m in ("torch", "transformers", "trl") if m in sys.modules])
sys.exit(code)
"""


def test_light_commands_do_not_import_torch(tmp_path: Path):
    d = str(tmp_path / "d")
    argvs = [["--help"], ["validate", "--help"], ["synth", "--help"], ["score", "--help"], ["eval", "--help"],
             ["synth", "--n", "3", "--out", d], ["validate", d],
             ["score", "--data", d, "--responses", str(tmp_path / "r.jsonl"), "--out", str(tmp_path / "s.jsonl")]]
    from perception_r1.data import load_records

    code = LIGHT.format(argvs=argvs[:7])
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=tmp_path,
                         env={"PYTHONPATH": str(SRC), "HF_HUB_OFFLINE": "1", "PATH": ""})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
    (tmp_path / "r.jsonl").write_text("".join(json.dumps({"id": r.id, "response": r.cot or "x"}) + "\n"
                                              for r in load_records(d)))
    out = subprocess.run([sys.executable, "-c", LIGHT.format(argvs=argvs[7:])], capture_output=True, text=True,
                         timeout=300, cwd=tmp_path, env={"PYTHONPATH": str(SRC), "HF_HUB_OFFLINE": "1", "PATH": "",
                                                         "PERCEPTION_R1_MATH_WORKERS": "1"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def _imports(path: Path, module: str) -> set[str]:
    """The perception_r1 top-level packages a module imports (absolute or relative)."""
    parts = module.split(".") if path.name != "__init__.py" else module.split(".") + ["__init__"]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            target = (".".join(parts[:len(parts) - node.level] + [node.module or ""]) if node.level
                      else node.module or "").strip(".")
            names = [target]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        out |= {n.split(".")[1] for n in names if n.startswith("perception_r1.")}
    return out


def _layer(package: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if package in layer)


@pytest.mark.parametrize("package", sorted(set().union(*LAYERS)))
def test_no_package_imports_from_above(package):
    upward = {}
    for name in _modules(package):
        path = PACKAGE.joinpath(*name.split(".")[1:])
        path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
        bad = {p for p in _imports(path, name) if p != package and _layer(p) >= _layer(package)}
        if bad:
            upward[name] = sorted(bad)
    assert upward == {}, f"imports from the same or a higher layer: {upward}"


def test_every_package_has_a_layer():
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()} | \
        {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    assert packages == set().union(*LAYERS)
