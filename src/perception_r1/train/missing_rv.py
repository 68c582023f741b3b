"""What a completion without an `r_v` gets, so it is never pushed by a fake 0.

TRL sums the weighted reward terms with `nansum`, so a `None` perception reward drops γ·r_v from that
completion's total. That is exactly right when the whole group lacks it (the record has no annotations:
every completion of the prompt loses the same term, and group normalisation sees no difference). It is
not right when only some completions of a group lack it (a judgment skipped after a judge failure):
the others carry γ·r_v ≥ 0 and the one without would fall below its group's mean for a fact nobody
checked. Policy "group_mean" (the default) gives such a completion the mean r_v of the completions of
the same prompt in the batch, which leaves its advantage to the other terms; "omit" keeps TRL's
behaviour. Completions of one prompt share the `id` column (TRL repeats each prompt `num_generations`
times); with several processes a group can be split, and the mean over the local part is used.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from trl.trainer.utils import is_async_callable

POLICIES = ("group_mean", "omit")


def fill_group_mean(values: Sequence[float | None], ids: Sequence[Any]) -> tuple[list[float | None], int]:
    """Replace each None by the mean of the non-None values with the same id; (values, number filled)."""
    by_id: dict[Any, list[float]] = defaultdict(list)
    for v, i in zip(values, ids):
        if v is not None:
            by_id[i].append(v)
    out, filled = [], 0
    for v, i in zip(values, ids):
        if v is None and by_id[i]:
            out.append(sum(by_id[i]) / len(by_id[i]))
            filled += 1
        else:
            out.append(v)
    return out, filled


def with_missing_policy(func: Callable, policy: str) -> Callable:
    """Wrap the (async) perception reward function with the policy; logs `perception/filled_group_mean`."""
    if policy not in POLICIES:
        raise ValueError(f"missing_perception must be one of {POLICIES}, got {policy!r}")
    if policy == "omit":
        return func

    def fill(values: list, kwargs: dict[str, Any]) -> list[float | None]:
        values, filled = fill_group_mean(values, kwargs.get("id") or list(range(len(values))))
        if kwargs.get("log_metric") is not None:
            kwargs["log_metric"]("perception/filled_group_mean", filled)
        return values

    if is_async_callable(func):
        async def wrapped(*, completions: list, **kwargs: Any) -> list[float | None]:
            return fill(await func(completions=completions, **kwargs), kwargs)
    else:
        def wrapped(*, completions: list, **kwargs: Any) -> list[float | None]:
            return fill(func(completions=completions, **kwargs), kwargs)

    wrapped.__name__ = func.__name__
    wrapped.__wrapped__ = func
    return wrapped
