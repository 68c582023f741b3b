"""One progress bar per training stage, and nothing else on the terminal.

transformers' `ProgressCallback` also prints every logged dict (loss, rewards, learning rate …) under
the bar; in a multi-stage run those pages of dicts bury the bars. `QuietProgress` replaces it (and the
`PrinterCallback` used when tqdm is off): a bar over the optimizer steps with the latest loss beside it.
The dicts themselves still reach `OUTPUT_DIR/metrics.jsonl` (`callbacks.MetricsJsonl`).
"""

from __future__ import annotations

from transformers import TrainerCallback
from transformers.trainer_callback import PrinterCallback, ProgressCallback


class QuietProgress(TrainerCallback):
    def __init__(self, desc: str, enabled: bool = True):
        self.desc, self.enabled, self.bar = desc, enabled, None

    @classmethod
    def install(cls, trainer, desc: str, enabled: bool = True) -> "QuietProgress":
        """Swap the trainer's printing callbacks for this bar."""
        trainer.remove_callback(ProgressCallback)
        trainer.remove_callback(PrinterCallback)
        cb = cls(desc, enabled and not trainer.args.disable_tqdm)
        trainer.add_callback(cb)
        return cb

    def on_train_begin(self, args, state, control, **kwargs):
        if self.enabled and state.is_world_process_zero and self.bar is None:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=state.max_steps, desc=self.desc, unit="step", dynamic_ncols=True, leave=True)

    def on_step_end(self, args, state, control, **kwargs):
        if self.bar is not None:
            self.bar.update(state.global_step - self.bar.n)

    def on_log(self, args, state, control, logs=None, **kwargs):
        if self.bar is not None and logs and "loss" in logs:
            self.bar.set_postfix(loss=f"{logs['loss']:.3g}", refresh=False)

    def on_train_end(self, args, state, control, **kwargs):
        if self.bar is not None:
            self.bar.close()
            self.bar = None
