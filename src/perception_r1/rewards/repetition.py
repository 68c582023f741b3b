"""Repetition penalty r_p (Perception-R1, arXiv 2506.07218, §3).

`r_p = P · (1 − |unique n-grams| / |n-grams|)` over the response's lowercased whitespace words,
n = 20, P = −2.0; 0 when the response has fewer than n words.
"""

from __future__ import annotations


def repetition_penalty(response: str, n: int = 20, max_penalty: float = -2.0) -> float:
    """The paper's n-gram repetition penalty, in [max_penalty, 0]."""
    if n < 1:
        raise ValueError(f"n-gram size must be >= 1, got {n}")
    words = response.lower().split()
    if len(words) < n:
        return 0.0
    ngrams = [tuple(words[i:i + n]) for i in range(len(words) - n + 1)]
    repeated = 1.0 - len(set(ngrams)) / len(ngrams)
    return max_penalty * repeated if repeated else 0.0  # not -0.0 in the logs
