"""Training: thin wiring of the Perception-R1 reward and data into TRL's GRPOTrainer and SFTTrainer.

`config` (MethodArgs beside TRL's configs), `dataset` (records -> TRL datasets), `grpo` / `sft` (the two
runs), `missing_rv` (completions without r_v), `callbacks` (metrics.jsonl, samples.jsonl). Imports torch
and TRL; nothing below this layer imports it."""
