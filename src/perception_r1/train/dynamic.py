"""Dynamic sampling (DAPO §3.2 "dynamic sampling"; EasyR1 `online_filtering`, verl `filter_groups`):
groups in which one reward has no variance are dropped from the policy loss, counted and logged.

GRPO's advantage of a group whose rewards are all equal is 0, but with the continuous r_v (paper eq. 1)
almost no group has equal totals: a group that is all right or all wrong still gets advantages from
small r_v and r_p differences. Filtering on `accuracy` (the default key) drops exactly the groups
where the answer carries no signal. TRL 1.16 has no such option (an open feature request), so this
subclass of `GRPOTrainer` drops them after TRL scores the batch: their advantages become 0 and their
tokens leave the loss mask, so the loss normaliser counts only kept tokens. Unlike DAPO, the dropped
groups are not replaced by newly sampled ones (that would need TRL's generation loop to be rewritten);
the batch shrinks instead, and `dynamic_sampling/dropped_frac` says by how much.
"""

from __future__ import annotations

import torch
from trl import GRPOTrainer


def zero_variance_groups(values: torch.Tensor, group_size: int) -> torch.Tensor:
    """Per completion: True where its group of `group_size` consecutive values has no spread (NaN, a
    reward that did not apply, is ignored; a group with no value at all counts as no variance)."""
    groups = values.view(-1, group_size)
    lo = torch.where(torch.isnan(groups), torch.inf, groups).min(dim=1).values
    hi = torch.where(torch.isnan(groups), -torch.inf, groups).max(dim=1).values
    flat = ~(hi > lo)  # all-NaN: lo = inf > hi = -inf, so flat too
    return flat.repeat_interleave(group_size)


class DynamicSamplingGRPOTrainer(GRPOTrainer):
    """`GRPOTrainer` that drops the training groups whose `dynamic_sampling_key` reward is constant."""

    def __init__(self, *args, dynamic_sampling_key: str = "accuracy", **kwargs):
        super().__init__(*args, **kwargs)
        if dynamic_sampling_key not in self.reward_func_names:
            raise ValueError(f"dynamic_sampling_key {dynamic_sampling_key!r} is not one of the rewards "
                             f"{self.reward_func_names}")
        self._ds_column = self.reward_func_names.index(dynamic_sampling_key)
        self._ds_drop: torch.Tensor | None = None

    def _calculate_rewards(self, inputs, prompts, completions, completion_ids_list):
        rewards = super()._calculate_rewards(inputs, prompts, completions, completion_ids_list)
        # Gathered over all processes, so whole groups are seen even when one spans two processes.
        self._ds_drop = zero_variance_groups(rewards[:, self._ds_column], self.num_generations) \
            if self.model.training else None
        return rewards

    def _generate_and_score_completions(self, inputs):
        out = super()._generate_and_score_completions(inputs)
        drop, self._ds_drop = self._ds_drop, None
        if drop is None:
            return out
        n = out["advantages"].shape[0]
        local = drop[self.accelerator.process_index * n:(self.accelerator.process_index + 1) * n]
        out["advantages"] = out["advantages"].masked_fill(local.to(out["advantages"].device), 0.0)
        out["completion_mask"] = out["completion_mask"] * (~local).to(out["completion_mask"].device).unsqueeze(1)
        if "num_items_in_batch" in out:  # the dapo/cispo normaliser: tokens of the generation batch, all processes
            mask = out["completion_mask"] if "tool_mask" not in out else out["completion_mask"] * out["tool_mask"]
            out["num_items_in_batch"] = self.accelerator.gather(mask.sum()).sum()
        per_group = drop.view(-1, self.num_generations)[:, 0]
        self._metrics["train"]["dynamic_sampling/dropped_frac"].append(per_group.float().mean().item())
        self._metrics["train"]["dynamic_sampling/dropped_groups"].append(float(per_group.sum().item()))
        return out
