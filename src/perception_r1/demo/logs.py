"""Where a demo run's logs go: the run's log file, so the terminal keeps the progress bars and the table."""

from __future__ import annotations

import logging
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


@contextmanager
def log_to_file(path: Path) -> Iterator[None]:
    """Route logging and warnings to `path` for the duration; the terminal keeps the stages' progress bars
    (transformers' own — loading weights, writing shards — are switched off)."""
    root = logging.getLogger()
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    saved = root.handlers[:], root.level
    root.handlers = [handler]
    root.setLevel(logging.INFO)
    logging.captureWarnings(True)
    bars = None
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_default_handler()
        hf_logging.enable_propagation()
        bars = hf_logging.is_progress_bar_enabled()
        hf_logging.disable_progress_bar()
    except ImportError:
        pass
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")
            yield
    finally:
        logging.captureWarnings(False)
        if bars:
            hf_logging.enable_progress_bar()
        root.handlers, _ = saved
        root.setLevel(saved[1])
        handler.close()


def log_file() -> str | None:
    """The file the root logger writes to inside `log_to_file` (for worker processes to append to)."""
    return next((h.baseFilename for h in logging.getLogger().handlers if isinstance(h, logging.FileHandler)), None)
