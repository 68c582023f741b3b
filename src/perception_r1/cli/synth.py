"""`perception-r1 synth --n N --seed S --out DIR`: write the synthetic geometry world in the folder layout.

Example (the tiny demo's setting): `perception-r1 synth --n 200 --seed 0 --difficulty easy --out data/easy`."""

from __future__ import annotations

import argparse
import math
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from ..data.synth import FAMILIES, PRESETS

    parser.add_argument("--n", type=int, default=100, help="number of records (default 100)")
    parser.add_argument("--seed", type=int, default=0, help="same seed and knobs -> the same bytes")
    parser.add_argument("--out", required=True, help="output folder (data.jsonl + images/)")
    parser.add_argument("--difficulty", choices=list(PRESETS), default="medium",
                        help="value ranges, label sizes, distractors, layout (default medium; easy for the tiny demo)")
    parser.add_argument("--families", default=None,
                        help=f"comma-separated families, taken in turn (default: the preset's; easy leaves out "
                             f"parallel_transversal; all: {','.join(FAMILIES)})")
    parser.add_argument("--image-size", type=int, default=None, help="square image side in pixels (default: preset's)")
    parser.add_argument("--font-scale", type=float, default=1.0, help="multiplies the preset's label sizes")
    parser.add_argument("--values-in-text", action="store_true",
                        help="also state the drawn facts in the problem text (default: image only)")
    parser.add_argument("--choices", type=int, default=0,
                        help="N >= 2: multiple choice with N lettered candidates, the answer a letter (default 0: free-form)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing data.jsonl and images/")


# Past these a typo, not a dataset: a million records is ~5 GB of images, a label 10x the preset's fills the image.
MAX_N = 1_000_000
MAX_FONT_SCALE = 10.0


def run(args: argparse.Namespace) -> int:
    from ..data.synth import write_synth

    # Before any record is drawn: a bad value or an --out that cannot hold a folder is one line, exit 2.
    if not 1 <= args.n <= MAX_N:
        raise ValueError(f"--n must be at least 1 and at most {MAX_N:,}, got {args.n}")
    if not (math.isfinite(args.font_scale) and 0 < args.font_scale <= MAX_FONT_SCALE):
        raise ValueError(f"--font-scale must be above 0 and at most {MAX_FONT_SCALE:g}, got {args.font_scale}")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is a file; synth writes a folder (data.jsonl + images/)")
    counts = write_synth(args.out, args.n, args.seed, overwrite=args.overwrite, progress=True,
                         difficulty=args.difficulty, families=args.families, image_size=args.image_size,
                         font_scale=args.font_scale, values_in_text=args.values_in_text,
                         choices=args.choices)
    per_family = ", ".join(f"{name} {k}" for name, k in sorted(counts.items()))
    print(f"wrote {sum(counts.values())} records ({args.difficulty}, seed {args.seed}) to {args.out}: {per_family}")
    return 0
