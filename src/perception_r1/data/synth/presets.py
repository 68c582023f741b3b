"""Difficulty presets for the synthetic geometry world: one frozen dataclass per preset.

`easy` is made for a few-million-parameter VLM trained from scratch on CPU that must learn to *read*
values off the image (docs/demo_research.md): a small image, few big bold labels that cover several 14-px ViT
patches, small integers, fixed point names, no distractors and a one-line CoT. `hard` is closer to
Geometry3K: larger images, thin lines, small labels, wide value ranges, random names and rotations,
several distractor labels. Adjust a preset with `dataclasses.replace(PRESETS["easy"], ...)`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Preset:
    name: str
    image_size: int                # side of the square image, pixels
    label_scale: float             # value-label glyph height as a fraction of image_size
    point_scale: float             # point-letter glyph height as a fraction of image_size
    line_scale: float              # line width as a fraction of image_size
    bold: int                      # extra outline (stroke) width of value glyphs, pixels
    values: tuple[int, int]        # inclusive range of drawn lengths / radii / unknowns
    angle_step: int                # drawn angles are multiples of this many degrees
    coefficients: tuple[int, int]  # inclusive range of coefficients in algebraic labels
    distractors: tuple[int, int]   # inclusive range of distractor labels per image
    variety: int                   # 0: one question form per family; 1-2: more forms (leg from hypotenuse …)
    shape_jitter: float            # 0: canonical shapes; 1: widely varied proportions
    rotate: bool                   # rotate the whole figure by a random angle
    label_jitter: float            # random turn of the preferred label direction, radians
    random_names: bool             # random point letters (else A, B, C, …)
    short_cot: bool                # one-line reasoning instead of a worked solution
    families: tuple[str, ...] | None = None  # default families (None: all); `families=` overrides


PRESETS: dict[str, Preset] = {
    "easy": Preset(name="easy", image_size=168, label_scale=0.2, point_scale=0.1, line_scale=0.02, bold=1,
                   values=(2, 9), angle_step=10, coefficients=(1, 3), distractors=(0, 0), variety=0,
                   shape_jitter=0.2, rotate=False, label_jitter=0.0, random_names=False, short_cot=True,
                   # eight points and two angle labels do not fit legibly in 168 px: no parallel_transversal
                   families=("right_triangle", "angle_sum", "parallelogram", "circle", "rectangle", "isosceles",
                             "segment_sum")),
    "medium": Preset(name="medium", image_size=336, label_scale=0.085, point_scale=0.06, line_scale=0.008, bold=0,
                     values=(2, 20), angle_step=5, coefficients=(1, 5), distractors=(1, 2), variety=1,
                     shape_jitter=0.6, rotate=True, label_jitter=0.3, random_names=True, short_cot=False),
    "hard": Preset(name="hard", image_size=640, label_scale=0.045, point_scale=0.04, line_scale=0.004, bold=0,
                   values=(2, 60), angle_step=1, coefficients=(1, 9), distractors=(2, 3), variety=2,
                   shape_jitter=1.0, rotate=True, label_jitter=0.6, random_names=True, short_cot=False),
}
