"""The annotation journal: every request and its reply in SQLite under the output folder.

A request is written (`pending`) before it is sent and its reply (`answered`) before the pipeline uses
it, each in its own committed transaction, so a crash or `kill -9` loses at most the requests that were
in flight. A rerun looks every request up by its deterministic key first: an answered request is never
sent twice. Request bodies are stored with image data replaced by a hash. API keys live only in the
clients' HTTP headers, and every text stored (request, reply, error, note) passes through the clients'
`redact` first, so a server that echoes a key (a 401 body quoting the Authorization header) cannot put it
here. A key covers the server and every sampling parameter, so a reply is never reused for a request
that differs in any of them.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..llm import cache_key

JOURNAL_NAME = "journal.sqlite"
_DATA_URL_RE = re.compile(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    key TEXT PRIMARY KEY,
    stage TEXT NOT NULL,
    record_id TEXT NOT NULL,
    sample TEXT NOT NULL,
    prompt_version TEXT NOT NULL,
    model TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    request TEXT NOT NULL,
    status TEXT NOT NULL,
    reply TEXT,
    prompt_tokens INTEGER DEFAULT 0,
    completion_tokens INTEGER DEFAULT 0,
    attempts INTEGER DEFAULT 0,
    error TEXT,
    note TEXT,
    sent_at REAL,
    answered_at REAL
);
CREATE TABLE IF NOT EXISTS runs (
    run INTEGER PRIMARY KEY AUTOINCREMENT,
    started REAL NOT NULL,
    finished REAL,
    stats TEXT
);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def request_key(stage: str, record_id: str, sample: str | int, prompt_version: str, model: str,
                messages_fingerprint: str, server: str = "", params: dict[str, Any] | None = None) -> str:
    """Deterministic key of one request: (stage, record, sample index, prompt version, model, server,
    sampling parameters) plus the `fingerprint` of its messages, so changed input data, another server
    or another temperature / max_tokens / n is never answered from a stale reply."""
    return cache_key(stage, record_id, str(sample), prompt_version, model, messages_fingerprint, server,
                     params or {})


def fingerprint(messages: list[dict[str, Any]]) -> str:
    """SHA-256 of the exact messages sent (image data included)."""
    return hashlib.sha256(json.dumps(messages, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def redacted_json(obj: Any) -> str:
    """`obj` as JSON with every base64 image data URL replaced by `data:image;sha256=<hash>`."""
    return _DATA_URL_RE.sub(lambda m: f"data:image;sha256={hashlib.sha256(m.group().encode()).hexdigest()[:16]}",
                            json.dumps(obj, ensure_ascii=False))


@dataclass
class Entry:
    """One answered request as stored."""

    key: str
    texts: list[str]
    prompt_tokens: int
    completion_tokens: int
    note: str | None


class Journal:
    """SQLite journal of requests and replies (one file, WAL mode, a commit per write)."""

    def __init__(self, out: str | Path, redact: Callable[[str], str] = lambda text: text):
        self.path = Path(out) / JOURNAL_NAME
        self.redact = redact
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # WAL+NORMAL survives a process kill
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self.hits = 0

    def _exec(self, sql: str, params: tuple = ()) -> list[tuple]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def answered(self, key: str) -> Entry | None:
        """The stored reply of an answered request, else None (counts a hit)."""
        rows = self._exec("SELECT reply, prompt_tokens, completion_tokens, note FROM requests "
                          "WHERE key = ? AND status = 'answered'", (key,))
        if not rows:
            return None
        self.hits += 1
        reply, pt, ct, note = rows[0]
        return Entry(key, json.loads(reply), pt, ct, note)

    def pending(self, key: str, *, stage: str, record_id: str, sample: str | int, prompt_version: str,
                model: str, body: dict[str, Any], messages_fingerprint: str) -> None:
        """Record a request about to be sent (image data redacted)."""
        self._exec(
            "INSERT INTO requests (key, stage, record_id, sample, prompt_version, model, fingerprint, request,"
            " status, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)"
            " ON CONFLICT(key) DO UPDATE SET status = 'pending', error = NULL, sent_at = excluded.sent_at",
            (key, stage, record_id, str(sample), prompt_version, model, messages_fingerprint,
             self.redact(redacted_json(body)), time.time()))

    def answer(self, key: str, texts: list[str], usage: dict[str, Any], attempts: int, note: str | None = None) -> None:
        """Store a reply; called before the reply is used."""
        self._exec("UPDATE requests SET status = 'answered', reply = ?, prompt_tokens = ?, completion_tokens = ?,"
                   " attempts = ?, note = ?, answered_at = ? WHERE key = ?",
                   (self.redact(json.dumps(texts, ensure_ascii=False)), int(usage.get("prompt_tokens") or 0),
                    int(usage.get("completion_tokens") or 0), attempts, note and self.redact(note), time.time(), key))

    def add_note(self, key: str, note: str) -> None:
        self._exec("UPDATE requests SET note = ? WHERE key = ?", (self.redact(note), key))

    def fail(self, key: str, error: str) -> None:
        """Mark a request that failed for good in this run (a rerun tries it again)."""
        self._exec("UPDATE requests SET status = 'failed', error = ? WHERE key = ?", (self.redact(error)[:500], key))

    def get_meta(self, name: str) -> str | None:
        rows = self._exec("SELECT value FROM meta WHERE name = ?", (name,))
        return rows[0][0] if rows else None

    def set_meta(self, name: str, value: str) -> None:
        self._exec("INSERT OR REPLACE INTO meta (name, value) VALUES (?, ?)", (name, value))

    def start_run(self) -> int:
        with self._lock:
            cur = self._db.execute("INSERT INTO runs (started) VALUES (?)", (time.time(),))
            return int(cur.lastrowid)

    def finish_run(self, run: int, stats: dict[str, Any]) -> None:
        self._exec("UPDATE runs SET finished = ?, stats = ? WHERE run = ?", (time.time(), json.dumps(stats), run))

    def runs(self) -> list[dict[str, Any]]:
        rows = self._exec("SELECT run, started, finished, stats FROM runs ORDER BY run")
        return [{"run": r, "started": s, "finished": f, "stats": json.loads(st) if st else None} for r, s, f, st in rows]

    def totals(self) -> dict[str, dict[str, int]]:
        """Per stage: answered requests and tokens over all runs (what was paid for)."""
        rows = self._exec("SELECT stage, COUNT(*), SUM(prompt_tokens), SUM(completion_tokens) FROM requests "
                          "WHERE status = 'answered' GROUP BY stage")
        return {s: {"requests": n, "prompt_tokens": pt or 0, "completion_tokens": ct or 0} for s, n, pt, ct in rows}

    def answered_fingerprints(self) -> set[str]:
        return {r[0] for r in self._exec("SELECT fingerprint FROM requests WHERE status = 'answered'")}

    def count(self, status: str) -> int:
        return self._exec("SELECT COUNT(*) FROM requests WHERE status = ?", (status,))[0][0]

    def close(self) -> None:
        with self._lock:
            self._db.close()
