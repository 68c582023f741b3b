"""Offline annotation construction (Perception-R1 §3.1): distil teacher trajectories, keep the correct
ones, extract atomic visual facts; plus the hand audit and converters from public Geometry3K releases.

Stages are file names: `distil.py` (teacher + verification), `extract.py` (JSON facts), `journal.py`
(SQLite, resumable), `pipeline.py` (orchestration), `report.py`, `audit.py`, `converters.py`,
`logic_forms.py` (Geometry3K's diagram logic forms as annotations), `logic_check.py` (extracted
annotations against them)."""

from .converters import from_geometry3k
from .logic_forms import to_annotations
from .pipeline import AnnotateConfig, run_annotate

__all__ = ["AnnotateConfig", "from_geometry3k", "run_annotate", "to_annotations"]
