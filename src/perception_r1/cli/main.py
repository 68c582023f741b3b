"""`perception-r1`: one command, sub-commands imported lazily so light commands never import torch.

Each sub-command lives in `perception_r1.cli.<module>` and defines `add_arguments(parser)` and
`run(args) -> int`; `cli.errors.run_command` turns whatever it raises into one line and an exit code.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# name -> (module, one-line help). The one registry of commands.
COMMANDS: dict[str, tuple[str, str]] = {
    "synth": ("synth", "generate the synthetic geometry world (images + exact visual facts)"),
    "validate": ("validate", "check every record of a dataset against the data contract"),
    "tiny-model": ("tiny_model", "build the tiny offline Qwen2.5-VL model and processor"),
    "score": ("score", "score responses offline with every reward and a judge"),
    "pretrain": ("pretrain", "pretrain the tiny base VLM on the synthetic world (transformers Trainer)"),
    "sft": ("sft", "supervised fine-tuning on the `cot` field (TRL SFTTrainer)"),
    "train": ("train", "GRPO with the Perception-R1 reward (TRL GRPOTrainer)"),
    "annotate": ("annotate", "build visual annotations with a teacher and an extractor LLM"),
    "audit": ("audit", "audit annotations by hand: write an HTML page / score the verdicts"),
    "convert": ("convert", "convert Geometry3K / EasyR1 / Perception-R1 releases to the data contract"),
    "eval": ("eval", "evaluate a model or responses on a benchmark, scored by its own rules"),
    "mcnemar": ("mcnemar", "McNemar's test on paired per-item outcomes of two result files"),
    "compare": ("compare", "side-by-side report of two evaluated checkpoints"),
    "demo": ("demo", "the tiny end-to-end Perception-R1 run on a laptop"),
    "serve-loopback": ("serve_loopback", "a stand-in OpenAI-compatible judge server on a port (no GPU)"),
}


class Parser(argparse.ArgumentParser):
    """argparse with the CLI's one-line errors: `perception-r1 CMD: error: …` and exit 2, not the usage
    block (`--help` still prints it); sub-command parsers are of this class too."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: error: {' '.join(message.split())} (see {self.prog} --help)\n")


def build_parser(argv: list[str]) -> argparse.ArgumentParser:
    parser = Parser(prog="perception-r1", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = next((a for a in argv if not a.startswith("-")), None)
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        # Import only the chosen command's module: `--help` and light commands stay torch-free.
        if name == wanted:
            importlib.import_module(f"perception_r1.cli.{module}").add_arguments(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(argv)
    args, rest = parser.parse_known_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    mod = importlib.import_module(f"perception_r1.cli.{COMMANDS[args.command][0]}")
    if rest and not getattr(mod, "ACCEPTS_EXTRA_ARGS", False):
        Parser(prog=f"perception-r1 {args.command}").error(f"unrecognized arguments: {' '.join(rest)}")
    if getattr(mod, "ACCEPTS_EXTRA_ARGS", False):
        args.extra = rest
    from .errors import run_command

    return run_command(args.command, lambda: mod.run(args))


if __name__ == "__main__":
    sys.exit(main())
