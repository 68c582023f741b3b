"""The SQLite journal: deterministic keys, redacted bodies, answered requests survive a reopen."""

import json

from perception_r1.annotate.journal import Journal, fingerprint, redacted_json, request_key

MSGS = [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/png;base64,QUJD" * 1}},
                                     {"type": "text", "text": "Find x."}]}]


def test_request_key_is_deterministic_and_sensitive_to_every_part():
    base = ("distil", "p1", 0, "v1", "m", fingerprint(MSGS))
    assert request_key(*base) == request_key(*base)
    variants = [("extract",) + base[1:], base[:1] + ("p2",) + base[2:], base[:2] + (1,) + base[3:],
                base[:3] + ("v2",) + base[4:], base[:4] + ("m2",) + base[5:],
                base[:5] + (fingerprint([{"role": "user", "content": "other"}]),)]
    assert len({request_key(*v) for v in variants} | {request_key(*base)}) == len(variants) + 1


def test_redact_images_removes_base64():
    red = redacted_json({"messages": MSGS})
    assert json.loads(red)["messages"][0]["content"][1]["text"] == "Find x."
    assert "base64" not in red and "QUJD" not in red and "sha256=" in red


def test_answered_survives_reopen_and_pending_is_not_answered(tmp_path):
    j = Journal(tmp_path)
    body = {"model": "m", "messages": MSGS}
    j.pending("k1", stage="distil", record_id="p1", sample=0, prompt_version="v1", model="m", body=body,
              messages_fingerprint=fingerprint(MSGS))
    j.pending("k2", stage="distil", record_id="p2", sample=0, prompt_version="v1", model="m", body=body,
              messages_fingerprint=fingerprint(MSGS))
    j.answer("k1", ["reply"], {"prompt_tokens": 7, "completion_tokens": 3}, attempts=2)
    j.close()
    j = Journal(tmp_path)
    assert j.answered("k1").texts == ["reply"]
    assert j.answered("k2") is None
    assert j.totals() == {"distil": {"requests": 1, "prompt_tokens": 7, "completion_tokens": 3}}
    for f in tmp_path.iterdir():  # the database and its WAL
        assert b"QUJD" not in f.read_bytes()
