"""`perception-r1 tiny-model --out DIR [--size tiny|small] [--seed S]`: build the offline Qwen2.5-VL."""

from __future__ import annotations

import argparse
import json


def add_arguments(p: argparse.ArgumentParser) -> None:
    from perception_r1.models.tiny import PRESETS

    p.add_argument("--out", required=True, help="directory to write model, tokenizer and processor to")
    p.add_argument("--size", default="small", choices=sorted(PRESETS), help="size preset (default: small)")
    p.add_argument("--seed", type=int, default=0, help="seed of the weights and the tokenizer corpus")
    p.add_argument("--min-pixels", type=int, default=None, help="processor's lower pixel bound (preset default)")
    p.add_argument("--max-pixels", type=int, default=None, help="processor's upper pixel bound (preset default)")


def run(args: argparse.Namespace) -> int:
    from perception_r1.models.tiny import build_tiny_model

    out = build_tiny_model(args.out, size=args.size, seed=args.seed,
                           min_pixels=args.min_pixels, max_pixels=args.max_pixels)
    info = json.loads((out / "tiny_model.json").read_text())
    print(f"wrote {out}: Qwen2.5-VL '{info['size']}', {info['parameters']:,} parameters, "
          f"{info['bytes_on_disk'] / 1e6:.1f} MB on disk")
    return 0
