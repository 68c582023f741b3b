"""Statistics on evaluation results: McNemar's test on paired outcomes, and the two-run comparison."""

from .mcnemar import McNemarResult, mcnemar_files, mcnemar_test, paired_mcnemar

__all__ = ["McNemarResult", "mcnemar_test", "paired_mcnemar", "mcnemar_files"]
