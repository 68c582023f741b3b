"""The annotation pipeline: distil -> verify -> extract for every problem, journaled and resumable.

Each problem flows through the three stages on its own (a pool of 2 x concurrency workers, so the
clients' request slots stay full while other problems are being verified or encoded); the clients bound
the requests in flight per server. Outputs are rebuilt from the journal at the end of every run, so a
rerun after a crash pays only for what was never answered and writes the complete result.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from ..data import MAX_PIXELS, MIN_PIXELS, Record, RecordError, load_records, write_folder
from ..data.images import open_image
from ..data.loaders import dataset_root
from ..data.prompt import question_text
from ..judges.canonical import canonical
from ..llm import LLMClient, LLMError
from ..urls import is_http_url
from .ask import Asker
from .distil import distil, image_data_urls, verify
from .extract import InvalidFacts, normalise_facts, parse_facts
from .journal import JOURNAL_NAME, Journal
from .logic_check import keep_stated, logic_facts
from .prompts import PROMPT_VERSION, extractor_messages, repair_messages

log = logging.getLogger(__name__)


@dataclass
class AnnotateConfig:
    """Everything `perception-r1 annotate` takes (see docs/annotation.md)."""

    data: str
    out: str
    teacher_url: str
    teacher_model: str
    extractor_url: str
    extractor_model: str
    samples: int = 4
    concurrency: int = 16
    limit: int | None = None
    api_key_env: str = "OPENAI_API_KEY"
    extractor_api_key_env: str | None = None  # None: the same variable as the teacher's
    timeout: float = 300.0
    max_retries: int = 4
    backoff: float = 0.5
    temperature: float = 1.0
    max_tokens: int = 4096
    extractor_max_tokens: int = 1024
    min_pixels: int = MIN_PIXELS
    max_pixels: int = MAX_PIXELS
    progress: bool = True
    keep_facts_in: str | None = None  # "logic-forms": keep the figure's logic-form facts the trajectory states
    resume: bool = False  # continue the run in `out` (its journal answers what was paid for)
    overwrite: bool = False  # replace the outputs in `out` (the journal is still reused: it is keyed by content)

    def check(self) -> None:
        """ValueError naming the first option out of range (in the CLI's spelling)."""
        for flag, url in (("--teacher-url", self.teacher_url), ("--extractor-url", self.extractor_url)):
            if not is_http_url(url):
                raise ValueError(f"{flag} must be an http(s) URL such as http://localhost:8000/v1, got {url!r}")
        bounds = [("--samples", self.samples, 1), ("--concurrency", self.concurrency, 1),
                  ("--limit", self.limit, 1), ("--max-retries", self.max_retries, 0),
                  ("--max-tokens", self.max_tokens, 1), ("--extractor-max-tokens", self.extractor_max_tokens, 1),
                  ("--min-pixels", self.min_pixels, 1), ("--max-pixels", self.max_pixels, self.min_pixels),
                  ("--temperature", self.temperature, 0.0)]
        for flag, value, low in bounds:
            if value is not None and not value >= low:  # `not >=` also catches nan
                raise ValueError(f"{flag} must be at least {low}, got {value}")
        # Past these a typo, not a plan: each is paid for (or held open) per problem.
        for flag, value, high in (("--samples", self.samples, 256), ("--concurrency", self.concurrency, 4096),
                                  ("--max-retries", self.max_retries, 100), ("--max-tokens", self.max_tokens, 2**20),
                                  ("--extractor-max-tokens", self.extractor_max_tokens, 2**20)):
            if value > high:
                raise ValueError(f"{flag} must be at most {high}, got {value}")
        if not self.timeout > 0:
            raise ValueError(f"--timeout must be positive, got {self.timeout}")
        if self.resume and self.overwrite:
            raise ValueError("--resume continues the run in --out, --overwrite replaces its outputs: give one")


@dataclass
class Outcome:
    """What happened to one problem."""

    id: str
    kept: bool
    stage: str = ""  # where it was dropped: distil | verify | extract
    reason: str = ""
    samples: int = 0
    correct: int = 0
    n_annotations: int = 0
    removed_facts: int = 0
    invalid_json: int = 0
    repaired: bool = False
    n_shortfall: bool = False
    retryable: bool = False  # dropped for a request failure: a rerun tries again


@dataclass
class Summary:
    """A finished run, for the report."""

    config: dict[str, Any]
    outcomes: list[Outcome]
    stages: dict[str, dict[str, int]]  # this run: reused / sent / failed per stage
    client_stats: dict[str, dict[str, Any]]  # this run, per client (retries, errors by kind, tokens)
    totals: dict[str, dict[str, int]]  # journal, all runs: answered requests and tokens per stage
    runs: int = 1
    extra: dict[str, Any] = field(default_factory=dict)


def load_input(cfg: AnnotateConfig) -> list[Record]:
    """The records to annotate, every input problem found before the first request: the contract
    (`load_records`: fields, duplicate ids, image files inside the dataset folder) and every image
    decoded, each failure a RecordError naming the record and field."""
    cfg.check()
    records = load_records(cfg.data)
    records = records[:cfg.limit] if cfg.limit is not None else records
    if cfg.keep_facts_in == "logic-forms":  # refuse before any request is paid for
        missing = [r.id for r in records if logic_facts(r) is None]
        if missing:
            raise RecordError(missing[0], "meta.logic_forms", f"missing ({len(missing)} of {len(records)} records); "
                              "--keep-facts-in logic-forms needs `perception-r1 convert geometry3k` output")
    for rec in records:
        for k, img in enumerate(rec.images):
            try:
                open_image(img)
            except Exception as e:  # noqa: BLE001 — Pillow raises many types; all mean "does not decode"
                raise RecordError(rec.id, f"images[{k}]", f"does not decode: {type(e).__name__}: {e}") from None
    return records


def check_output(cfg: AnnotateConfig) -> None:
    """Refuse an output folder that is the input's (or holds it), or that holds a previous run unless
    `resume` or `overwrite` says what to do with it."""
    out, root = Path(cfg.out).resolve(), dataset_root(cfg.data).resolve()
    if root == out or root.is_relative_to(out):
        raise ValueError(f"--out {cfg.out} would overwrite the input {cfg.data}; choose another folder")
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {cfg.out} is a file, not a folder")
    previous = [n for n in ("data.jsonl", JOURNAL_NAME) if (out / n).exists()]
    if previous and not (cfg.resume or cfg.overwrite):
        raise ValueError(f"--out {cfg.out} holds a previous run ({', '.join(previous)}): --resume continues it, "
                         "--overwrite replaces its outputs")


class Pipeline:
    """One run over a dataset; `await run()` returns the kept records and every outcome."""

    def __init__(self, cfg: AnnotateConfig, journal: Journal):
        if cfg.samples < 1:
            raise ValueError(f"--samples must be >= 1, got {cfg.samples}")
        self.cfg = cfg
        self.journal = journal
        common = dict(timeout=cfg.timeout, max_retries=cfg.max_retries, concurrency=cfg.concurrency,
                      backoff=cfg.backoff)
        self.teacher = LLMClient(cfg.teacher_url, cfg.teacher_model, api_key_env=cfg.api_key_env, **common)
        self.extractor = LLMClient(cfg.extractor_url, cfg.extractor_model,
                                   api_key_env=cfg.extractor_api_key_env or cfg.api_key_env, **common)
        # Either server may echo either key (one key for both is common): the journal redacts both.
        journal.redact = lambda text: self.extractor.redact(self.teacher.redact(text))
        self.distil = Asker(self.teacher, journal, "distil", PROMPT_VERSION,
                            temperature=cfg.temperature, max_tokens=cfg.max_tokens)
        self.extract = Asker(self.extractor, journal, "extract", PROMPT_VERSION,
                             temperature=0.0, max_tokens=cfg.extractor_max_tokens)
        self.bars: dict[str, tqdm] = {}

    async def run(self, records: list[Record]) -> tuple[list[Record], list[Outcome]]:
        disable = not self.cfg.progress
        self.bars = {name: tqdm(total=len(records) if name != "extract" else 0, desc=f"{name:8s}", position=i,
                                unit="problem", disable=disable, leave=True, dynamic_ncols=True)
                     for i, name in enumerate(("distil", "verify", "extract"))}
        queue: asyncio.Queue[int] = asyncio.Queue()
        for i in range(len(records)):
            queue.put_nowait(i)
        results: list[tuple[Record | None, Outcome] | None] = [None] * len(records)

        async def worker() -> None:
            while not queue.empty():
                i = queue.get_nowait()
                results[i] = await self.process(records[i])

        try:
            await asyncio.gather(*(worker() for _ in range(min(len(records), 2 * self.cfg.concurrency) or 1)))
        finally:
            for bar in self.bars.values():
                bar.close()
            await self.teacher.aclose()
            await self.extractor.aclose()
        kept = [rec for rec, _ in results if rec is not None]
        return kept, [o for _, o in results]

    async def process(self, record: Record) -> tuple[Record | None, Outcome]:
        out = Outcome(record.id, kept=False)
        try:
            urls = await asyncio.to_thread(image_data_urls, record.images, self.cfg.min_pixels, self.cfg.max_pixels)
        except Exception as e:  # noqa: BLE001 — any decode error drops this problem, named, not the run
            return None, self._drop(out, "distil", f"image unreadable: {type(e).__name__}: {e}", bars=("distil", "verify"))
        try:
            got = await distil(self.distil, record, urls, self.cfg.samples)
        except LLMError as e:
            out.retryable = True
            return None, self._drop(out, "distil", f"teacher request failed: {e}", bars=("distil", "verify"))
        self.bars["distil"].update()
        out.samples, out.n_shortfall = len(got.texts), got.n_shortfall
        # Inline in the loop's (main) thread: math-verify bounds each check with SIGALRM, which needs the
        # main thread; a check takes well under a millisecond when the answers match textually.
        ok = verify(got.texts, record)
        out.correct = sum(ok)
        self.bars["verify"].update()
        if not any(ok):
            return None, self._drop(out, "verify", f"no correct trajectory among {len(ok)} (gold {record.answer!r})")
        index = ok.index(True)
        cot = got.texts[index]
        bar = self.bars["extract"]
        bar.total += 1
        bar.refresh()
        try:
            facts = await self._extract(record, index, cot, out)
        except LLMError as e:
            out.retryable = True
            return None, self._drop(out, "extract", f"extractor request failed: {e}", bars=("extract",))
        except InvalidFacts as e:
            return None, self._drop(out, "extract", f"extractor output invalid after repair: {e}", bars=("extract",))
        facts, out.removed_facts = normalise_facts(facts)
        bar.update()
        if not facts:
            return None, self._drop(out, "extract", "extractor returned no visual facts", bars=())
        provenance = {}
        if self.cfg.keep_facts_in == "logic-forms":
            provenance = {"extracted": facts, "kept_from": "logic-forms"}
            facts = keep_stated(cot, logic_facts(record) or [])
            if facts is None:
                return None, self._drop(out, "extract", "the symbolic judge ran past its deadline on the trajectory")
            if not facts:
                return None, self._drop(out, "extract", "the trajectory states none of the figure's logic-form facts")
        out.kept, out.n_annotations = True, len(facts)
        meta = {**record.meta, "annotate": {"teacher": self.cfg.teacher_model, "extractor": self.cfg.extractor_model,
                                            "prompt_version": PROMPT_VERSION, "samples": out.samples,
                                            "correct": out.correct, "trajectory": index, **provenance,
                                            # beside each fact its canonical spelling; None: the symbolic
                                            # judge cannot read it, so the hybrid judge asks an LLM
                                            "canonical": [canonical(f) for f in facts]}}
        return dataclasses.replace(record, cot=cot, visual_annotations=facts, meta=meta), out

    async def _extract(self, record: Record, index: int, cot: str, out: Outcome) -> list[str]:
        """Facts from one trajectory: one request, and one repair request if the reply is invalid."""
        first = extractor_messages(question_text(record.problem, record.choices), cot)
        entry = await self.extract.ask(record.id, f"t{index}", first)
        try:
            return parse_facts(entry.texts[0])
        except InvalidFacts as e:
            out.invalid_json += 1
            repair = repair_messages(first, entry.texts[0], str(e))
        entry = await self.extract.ask(record.id, f"t{index}-repair", repair)
        try:
            facts = parse_facts(entry.texts[0])
        except InvalidFacts:
            out.invalid_json += 1
            raise
        out.repaired = True
        return facts

    def _drop(self, out: Outcome, stage: str, reason: str, bars: tuple[str, ...] = ()) -> Outcome:
        for name in bars:
            self.bars[name].update()
        out.stage, out.reason = stage, self.journal.redact(reason)
        log.info("dropped %s at %s: %s", out.id, stage, out.reason)
        return out


def run_annotate(cfg: AnnotateConfig) -> Summary:
    """Run (or resume) the pipeline and write `data.jsonl` + images, `dropped.jsonl` and `report.md`."""
    from .report import write_report

    check_output(cfg)
    records = load_input(cfg)
    import math_verify  # noqa: F401 — pay its ~1-2 s import before the first verification, not inside the event loop
    out = Path(cfg.out)
    journal = Journal(out)
    run_id = journal.start_run()
    pipe = Pipeline(cfg, journal)
    try:
        kept, outcomes = asyncio.run(pipe.run(records))
        stages = {a.stage: dataclasses.asdict(a.counters) for a in (pipe.distil, pipe.extract)}
        clients = {"teacher": pipe.teacher.stats.as_dict(), "extractor": pipe.extractor.stats.as_dict()}
        journal.finish_run(run_id, {"stages": stages, "clients": clients})
        write_folder(kept, out)
        with open(out / "dropped.jsonl", "w", encoding="utf-8") as f:
            for o in outcomes:
                if not o.kept:
                    f.write(json.dumps({"id": o.id, "stage": o.stage, "reason": o.reason, "samples": o.samples,
                                        "correct": o.correct, "retryable": o.retryable}, ensure_ascii=False) + "\n")
        config = {k: v for k, v in dataclasses.asdict(cfg).items() if k != "progress"}
        summary = Summary(config=config, outcomes=outcomes, stages=stages, client_stats=clients,
                          totals=journal.totals(), runs=len(journal.runs()),
                          extra={"journal": str(journal.path), "runs": journal.runs()})
        write_report(summary, out / "report.md")
        return summary
    finally:
        journal.close()
