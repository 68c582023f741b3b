"""Visual perception reward r_v (Perception-R1, arXiv 2506.07218, §3): `r_v = Σ o_j / m`.

The judges' base class derives it from a verdict judge's o_j (`judges.base.hit_ratio`), so every
judge returns r_v through the one call `ascore_batch`; this is the same function under the
reward's name, for code that holds verdicts already.
"""

from ..judges.base import hit_ratio as perception_reward

__all__ = ["perception_reward"]
