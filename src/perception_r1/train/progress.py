"""One progress bar per training stage, and nothing else on the terminal.

transformers' `ProgressCallback` also prints every logged dict (loss, rewards, learning rate …) under
the bar; in a multi-stage run those pages of dicts bury the bars. `QuietProgress` replaces it (and the
`PrinterCallback` used when tqdm is off): a bar over the optimizer steps with the latest loss beside it.
The dicts themselves still reach `OUTPUT_DIR/metrics.jsonl` (`callbacks.MetricsJsonl`).
"""

from __future__ import annotations

from typing import Callable

from transformers import TrainerCallback
from transformers.trainer_callback import PrinterCallback, ProgressCallback


class QuietProgress(TrainerCallback):
    """`sink(step, total, loss)`, when given, receives the steps instead of a bar being drawn: a run in a
    worker process whose parent owns the terminal (the demo's arms side by side)."""

    def __init__(self, desc: str, enabled: bool = True, sink: Callable[[int, int, float | None], None] | None = None):
        self.desc, self.enabled, self.sink, self.bar, self.loss = desc, enabled, sink, None, None

    @classmethod
    def install(cls, trainer, desc: str, enabled: bool = True,
                sink: Callable[[int, int, float | None], None] | None = None) -> "QuietProgress":
        """Swap the trainer's printing callbacks for this bar."""
        trainer.remove_callback(ProgressCallback)
        trainer.remove_callback(PrinterCallback)
        cb = cls(desc, enabled and not trainer.args.disable_tqdm, sink)
        trainer.add_callback(cb)
        return cb

    def on_train_begin(self, args, state, control, **kwargs):
        if not (self.enabled and state.is_world_process_zero):
            return
        if self.sink is not None:
            self.sink(state.global_step, state.max_steps, None)
        elif self.bar is None:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=state.max_steps, desc=self.desc, unit="step", dynamic_ncols=True, leave=True)

    def on_step_end(self, args, state, control, **kwargs):
        if self.bar is not None:
            self.bar.update(state.global_step - self.bar.n)
        elif self.sink is not None and self.enabled and state.is_world_process_zero:
            self.sink(state.global_step, state.max_steps, self.loss)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if logs and "loss" in logs:
            self.loss = float(logs["loss"])
            if self.bar is not None:
                self.bar.set_postfix(loss=f"{self.loss:.3g}", refresh=False)

    def on_train_end(self, args, state, control, **kwargs):
        if self.bar is not None:
            self.bar.close()
            self.bar = None
