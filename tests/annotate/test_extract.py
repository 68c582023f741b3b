"""Parsing, validation and normalisation of the extractor's JSON array (table-driven)."""

import pytest

from perception_r1.annotate.extract import InvalidFacts, normalise_fact, normalise_facts, parse_facts


@pytest.mark.parametrize("reply, expected", [
    ('["AB = 5", "BC = 12"]', ["AB = 5", "BC = 12"]),
    ('```json\n["AB = 5"]\n```', ["AB = 5"]),
    ('Here are the facts:\n["AB = 5", "∠ABC = 90°"]\nHope this helps.', ["AB = 5", "∠ABC = 90°"]),
    ('{"facts": ["AB = 5"]}', ["AB = 5"]),
    ("[]", []),
])
def test_parse_facts_accepts(reply, expected):
    assert parse_facts(reply) == expected


@pytest.mark.parametrize("reply, reason", [
    ("AB = 5, BC = 12", "no JSON array"),
    ('["AB = 5", "BC = 12"', "no JSON array"),
    ('["AB = 5",, "x"]', "invalid JSON"),
    ('["AB = 5", 12]', "item 1 is int"),
    ('"AB = 5"', "got str"),
    ('{"a": ["x"], "b": ["y"]}', "got an object"),
])
def test_parse_facts_rejects_with_reason(reply, reason):
    with pytest.raises(InvalidFacts, match=reason):
        parse_facts(reply)


@pytest.mark.parametrize("raw, expected", [
    ("  AB  =   5 ", "AB = 5"),
    ("- AB = 5", "AB = 5"),
    ("2. AB = 5.", "AB = 5"),
    ('"JKLM is a parallelogram."', "JKLM is a parallelogram"),
    ("x = 2.5", "x = 2.5"),
    ("AB ∥ CD", "AB ∥ CD"),
])
def test_normalise_fact(raw, expected):
    assert normalise_fact(raw) == expected


def test_normalise_facts_dedupes_and_counts():
    facts, removed = normalise_facts(["AB = 5", "AB=5", "ab = 5.", "$AB = 5$", "", "   ", "BC = 12", "x" * 400])
    assert facts == ["AB = 5", "BC = 12"]
    assert removed == 6
