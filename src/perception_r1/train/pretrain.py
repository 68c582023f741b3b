"""Pretraining the tiny base VLM: what the paper's starting point (Qwen2.5-VL-7B-Instruct) already knows,
taught to the tiny Qwen2.5-VL of `models.tiny` on the synthetic world — read the drawn facts, state them in
<think>, reason over them and box the answer (or the choice letter) in <answer>.

A stream of fresh synthetic problems (record i of seed `data_seed`, rendered when the batch is built, so
no image repeats), the completion-only loss of SFT, and transformers' `Trainer` for the loop, the
warm-up schedule, checkpoints and resume. The collator calls the model's own processor on the whole
batch, so pixels and image tokens are exactly what generation and GRPO see later.
"""

from __future__ import annotations

import io
import json
import logging
import random
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterator

from perception_r1.data.prompt import SYSTEM_PROMPT, build_messages

log = logging.getLogger("perception_r1.pretrain")

# What a finished run leaves beside its weights: the arguments it ran with.
ARGS_FILE = "pretrain_args.json"


@dataclass
class PretrainArgs:
    """The tiny base model and its training stream (TrainingArguments holds the optimiser's knobs)."""

    size: str = field(default="small", metadata={"help": "models.tiny preset of the freshly built model"})
    model_overrides: dict | str | None = field(default=None, metadata={
        "help": "fields of the preset to replace (a mapping in YAML, JSON on the command line)"})
    model_seed: int = field(default=0, metadata={"help": "seed of the initial weights and the tokenizer corpus"})
    data_seed_stream: int = field(default=4_000_003, metadata={
        "help": "seed of the synthetic stream (other than the demo's train/dev/held-out seeds)"})
    difficulty: str = field(default="easy", metadata={"help": "data.synth preset"})
    families: str = field(default="rectangle,segment_sum,circle", metadata={"help": "data.synth families"})
    image_size: int = field(default=112, metadata={"help": "side of the synthetic images, pixels"})
    font_scale: float = field(default=1.5, metadata={"help": "label size multiplier of data.synth"})
    choices: int = field(default=4, metadata={"help": "choices of a multiple-choice problem"})
    choice_share: float = field(default=2 / 3, metadata={
        "help": "share of multiple-choice problems in the stream (the rest ask for the value itself)"})
    system_prompt_every: int = field(default=4, metadata={
        "help": "every Nth batch carries the paper's system prompt (1: all); the others only the chat "
                "template's default one, a third of the tokens, so reading is learned for less compute"})
    num_threads: int = field(default=1, metadata={"help": "torch CPU threads (1 on a shared CPU)"})

    def __post_init__(self):
        if isinstance(self.model_overrides, str):
            self.model_overrides = json.loads(self.model_overrides)
        if not 0.0 <= self.choice_share <= 1.0:
            raise ValueError(f"choice_share must be in [0, 1], got {self.choice_share}")
        if self.system_prompt_every < 1:
            raise ValueError(f"system_prompt_every must be at least 1, got {self.system_prompt_every}")

    def overrides(self) -> dict[str, Any]:
        o = dict(self.model_overrides or {})
        if "fullatt_block_indexes" in o:
            o["fullatt_block_indexes"] = tuple(o["fullatt_block_indexes"])
        if "mrope_section" in o:
            o["mrope_section"] = tuple(o["mrope_section"])
        return o


class SynthStream:
    """Record 0, 1, 2, … of the synthetic world for one seed, endlessly; families in turn, a per-record
    draw (from the record's own seed) of whether it is multiple choice, and per batch of `batch_size`
    whether the prompt carries the paper's system prompt."""

    def __init__(self, a: PretrainArgs, batch_size: int):
        from dataclasses import replace

        from perception_r1.data.synth import PRESETS

        self.a, self.batch_size = a, batch_size
        self.preset = replace(PRESETS[a.difficulty], image_size=a.image_size)
        self.families = [f.strip() for f in a.families.split(",") if f.strip()]

    def record(self, i: int):
        from perception_r1.data.synth import make_record

        mc = random.Random(f"pretrain-choice/{self.a.data_seed_stream}/{i}").random() < self.a.choice_share
        return make_record(self.a.data_seed_stream, i, self.families[i % len(self.families)], self.preset,
                           self.a.font_scale, choices=self.a.choices if mc else 0)

    def item(self, i: int) -> tuple[Any, bool]:
        """(record i, whether its prompt has the system prompt)."""
        return self.record(i), (i // self.batch_size) % self.a.system_prompt_every == 0


def _torch_stream(stream: SynthStream):
    """The stream as a torch IterableDataset (one process reads it: dataloader_num_workers must be 0)."""
    from torch.utils.data import IterableDataset

    class _Stream(IterableDataset):
        def __iter__(self) -> Iterator[Any]:
            i = 0
            while True:
                yield stream.item(i)
                i += 1

    return _Stream()


class Collator:
    """(record, with system prompt) items -> a padded batch: the prompt as `eval.generate` builds it
    (system prompt, image, question with choices, generation prompt), then the reference CoT and
    <|im_end|>; loss on the completion only."""

    def __init__(self, processor):
        self.processor = processor
        tok = processor.tokenizer
        self.header = tok("<|im_start|>assistant\n", add_special_tokens=False)["input_ids"]
        self.im_start = tok.convert_tokens_to_ids("<|im_start|>")
        self.pad = tok.pad_token_id

    def __call__(self, items: list) -> dict[str, Any]:
        import torch
        from PIL import Image

        records = [r for r, _ in items]
        texts = [self.processor.apply_chat_template(
            build_messages(r.problem, r.choices, system_prompt=SYSTEM_PROMPT if full else None), tokenize=False,
            add_generation_prompt=True) + r.cot + "<|im_end|>" for r, full in items]
        images = [Image.open(io.BytesIO(r.images[0])).convert("RGB") for r in records]
        batch = self.processor(text=texts, images=images, return_tensors="pt", padding=True)
        ids = batch["input_ids"]
        labels = torch.full_like(ids, -100)
        for row in range(ids.shape[0]):
            starts = (ids[row] == self.im_start).nonzero().flatten()
            first = int(starts[-1]) + len(self.header)  # the assistant turn's first token
            labels[row, first:] = ids[row, first:]
        labels[batch["attention_mask"] == 0] = -100
        batch["labels"] = labels
        return dict(batch)


def last_checkpoint(out: str | Path) -> str | None:
    from transformers.trainer_utils import get_last_checkpoint

    return get_last_checkpoint(str(out)) if Path(out).is_dir() else None


def build_trainer(a: PretrainArgs, targs):
    """A fresh tiny model in `output_dir/init` (or the one there), and the Trainer over the stream."""
    import torch
    from transformers import AutoModelForImageTextToText, AutoProcessor, Trainer

    from perception_r1.models.tiny import ensure_tiny_model

    from .callbacks import MetricsJsonl
    from .progress import QuietProgress

    torch.set_num_threads(a.num_threads)
    out = Path(targs.output_dir)
    init = ensure_tiny_model(out / "init", size=a.size, seed=a.model_seed, **a.overrides())
    processor = AutoProcessor.from_pretrained(init)
    model = AutoModelForImageTextToText.from_pretrained(init, dtype=torch.float32)
    trainer = Trainer(model=model, args=targs, train_dataset=_torch_stream(SynthStream(a, targs.per_device_train_batch_size)),
                      data_collator=Collator(processor), processing_class=processor)
    QuietProgress.install(trainer, "pretrain")
    trainer.add_callback(MetricsJsonl(out / "metrics.jsonl"))
    return trainer, processor


def pretrain(a: PretrainArgs, targs) -> Path:
    """Train (resuming from the newest checkpoint in `output_dir`), then save model + processor +
    `pretrain_args.json` to `output_dir/final`. Returns that folder."""
    if targs.dataloader_num_workers:
        raise ValueError("dataloader_num_workers must be 0: the synthetic stream is read by one process")
    if targs.max_steps is None or targs.max_steps <= 0:
        raise ValueError("max_steps must be set: the synthetic stream has no end")
    out = Path(targs.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    # The per-step dicts and warnings go to the run's log file; the terminal keeps one progress bar.
    handler = logging.FileHandler(out / "train.log")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)
    trainer, processor = build_trainer(a, targs)
    resume = last_checkpoint(targs.output_dir)
    if resume:
        log.warning("resuming from %s", resume)
    result = trainer.train(resume_from_checkpoint=resume)
    final = Path(targs.output_dir) / "final"
    trainer.save_model(str(final))
    processor.save_pretrained(final)
    info = {"pretrain": asdict(a), "max_steps": targs.max_steps, "global_step": result.global_step,
            "train_loss": result.training_loss, "learning_rate": targs.learning_rate,
            "warmup_steps": targs.warmup_steps, "batch_size": targs.per_device_train_batch_size,
            "seed": targs.seed}
    (final / ARGS_FILE).write_text(json.dumps(info, indent=1) + "\n")
    return final
