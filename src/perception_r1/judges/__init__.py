"""Judges of the visual perception reward, behind one interface (`base.Judge`), and the registry
that maps a config / CLI name to one. Judge modules are imported on first use; none imports torch."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

from .base import Judge, JudgeError, JudgeStats

# name -> "module:class" (the one registry of judges).
JUDGES: dict[str, str] = {
    "symbolic": "perception_r1.judges.symbolic:SymbolicJudge",
    "openai": "perception_r1.judges.openai_judge:OpenAIJudge",
    "hybrid": "perception_r1.judges.hybrid:HybridJudge",
    "mllm": "perception_r1.judges.mllm:MLLMJudge",
}


def judge_class(name: str) -> type:
    if name not in JUDGES:
        raise ValueError(f"unknown judge {name!r}; choose one of {', '.join(JUDGES)}")
    module, cls = JUDGES[name].split(":")
    return getattr(importlib.import_module(module), cls)


def judge_options(name: str) -> list[str]:
    """The keyword options `build_judge(name, …)` accepts (hybrid takes the OpenAI judge's)."""
    cls = judge_class("openai" if name == "hybrid" else name)
    return [p.name for p in inspect.signature(cls.__init__).parameters.values()
            if p.name != "self" and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def build_judge(name: str, **options: Any) -> Judge:
    """A judge by registry name: `build_judge("openai", url=…, model=…, cache=…, on_error="skip")`.
    `hybrid` takes the OpenAI judge's options (symbolic first, the rest to that judge). An option
    the judge does not take is an error naming the judge and the options it does take."""
    accepted = judge_options(name)
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise TypeError(f"judge {name!r} does not take option(s) {', '.join(unknown)}; "
                        f"it takes: {', '.join(accepted) or 'none'}")
    if name == "hybrid":
        return judge_class("hybrid")(judge_class("openai")(**options))
    return judge_class(name)(**options)


__all__ = ["JUDGES", "build_judge", "judge_class", "judge_options", "Judge", "JudgeError", "JudgeStats"]
