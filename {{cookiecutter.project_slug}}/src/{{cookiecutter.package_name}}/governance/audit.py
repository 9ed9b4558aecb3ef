"""The audit log: who trained, registered, approved, promoted, rolled back or erased what, when.

One JSON line per event. Each entry holds the SHA-256 of its own content and, as `prev`, the
hash of the entry before it, so an edited, removed or reordered line breaks the chain and
`verify` names the line. Appends hold an exclusive lock on the file, so threads and processes
on one host never fork the chain (`flock` may not lock across hosts on network file systems).

The chain is evidence, not protection. Removing the last entries leaves a shorter chain that
is still intact, and whoever can write the file can rewrite it and recompute every hash. Keep
the head's hash somewhere else (CI output, a ticket) and pass it to `verify(expected_head=...)`
later: if that entry is gone or was rewritten, verify says so. Entries appended after it can
still vanish unseen until their own hash is kept too.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

EVENTS: tuple[str, ...] = (
    "training", "registration", "approval", "promotion", "rollback", "retention", "erasure",
)  # fmt: skip
GENESIS = "0" * 64  # the `prev` of the first entry
_FIELDS = {"seq": int, "time": str, "event": str, "actor": str, "model": (str, type(None)),
           "version": (str, type(None)), "details": dict, "prev": str, "hash": str}  # fmt: skip
_BLOCK = 4096


class AuditError(ValueError):
    """An event the log refuses, or a line it cannot read."""


@dataclass(frozen=True)
class Entry:
    """One line of the log."""

    seq: int
    time: str  # ISO 8601, UTC
    event: str
    actor: str
    model: str | None
    version: str | None
    details: dict[str, Any]
    prev: str
    hash: str


class AuditLog:
    """An append-only, hash-chained JSON Lines file."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def append(
        self,
        event: str,
        actor: str,
        details: dict[str, Any] | None = None,
        *,
        model: str | None = None,
        version: str | None = None,
        now: datetime | None = None,
    ) -> Entry:
        """Record an event; the lock makes head-read and write one step for every writer."""
        if event not in EVENTS:
            raise AuditError(f"unknown event {event!r}; expected one of {', '.join(EVENTS)}")
        if not isinstance(actor, str) or not actor.strip():
            raise AuditError("an audit event needs the actor who caused it")
        if not all(isinstance(name, str | None) for name in (model, version)):
            raise AuditError("model and version must be strings or None")
        if now is not None and now.tzinfo is None:
            raise AuditError("`now` must be timezone-aware")
        if not isinstance(details, dict | None):
            raise AuditError("details must be a dict")
        try:  # kept as JSON reads it back, so the hash and the returned Entry match the file
            details = json.loads(json.dumps(details or {}, allow_nan=False))
        except (TypeError, ValueError) as error:
            raise AuditError(f"details must be JSON-serializable: {error}") from None
        when = (now or datetime.now(UTC)).astimezone(UTC).isoformat()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            head = _last_entry(handle)
            seq, prev = (head.seq + 1, head.hash) if head else (0, GENESIS)
            fields = {"seq": seq, "time": when, "event": event, "actor": actor, "model": model,
                      "version": version, "details": details, "prev": prev}  # fmt: skip
            entry = Entry(**fields, hash=_digest(fields))
            handle.write(_canonical(asdict(entry)).encode() + b"\n")  # one write, at the end
            handle.flush()
            os.fsync(handle.fileno())
        return entry

    def entries(self) -> list[Entry]:
        """Every entry, oldest first; a line that cannot be read raises, naming it."""
        result = []
        for number, line in enumerate(self._lines(), 1):
            try:
                result.append(_parse(line))
            except AuditError as error:
                raise AuditError(f"{self.path} line {number}: {error}") from None
        return result

    def head(self) -> Entry | None:
        """The last entry, read from the end of the file however long it is."""
        if not self.path.exists():
            return None
        with self.path.open("rb") as handle:
            fcntl.flock(handle, fcntl.LOCK_SH)
            return _last_entry(handle)

    def verify(self, expected_head: str | None = None) -> list[str]:
        """Problems found, one per finding and naming its line; [] when intact. Only
        `expected_head`, a head hash kept earlier, reveals entries removed from the end."""
        lines = self._lines()
        problems: list[str] = []
        hashes: set[str] = set()
        prev: str | None = GENESIS
        seq = 0
        for number, line in enumerate(lines, 1):
            try:
                entry = _parse(line)
            except AuditError as error:
                problems.append(f"line {number}: {error}")
                prev, seq = None, seq + 1  # its hash unknown, the next `prev` goes unchecked
                continue
            if entry.event not in EVENTS:
                problems.append(f"line {number}: unknown event {entry.event!r}")
            if entry.hash != _digest(asdict(entry)):
                problems.append(f"line {number}: content does not match its hash (edited)")
            if entry.seq != seq:
                problems.append(
                    f"line {number}: seq {entry.seq} where {seq} was expected "
                    "(entries removed, inserted or reordered)"
                )
            if number == 1 and entry.prev != GENESIS:
                problems.append("line 1: prev is not GENESIS (the log lost its first entries)")
            elif prev is not None and entry.prev != prev:
                problems.append(
                    f"line {number}: prev does not match the hash of line {number - 1} "
                    "(entries removed or reordered, or the line before rewritten)"
                )
            prev, seq = entry.hash, entry.seq + 1
            hashes.add(entry.hash)
        if expected_head is not None and expected_head not in hashes:
            problems.append(
                f"end of log (line {len(lines)}): expected head {expected_head} is not in "
                "the chain (entries removed from the end, or rewritten)"
            )
        return problems

    def _lines(self) -> list[bytes]:
        """Each line with its newline, read under a shared lock so no append is half-seen."""
        if not self.path.exists():
            return []
        with self.path.open("rb") as handle:
            fcntl.flock(handle, fcntl.LOCK_SH)
            return handle.readlines()


def _canonical(fields: dict[str, Any]) -> str:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"))


def _digest(fields: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of every field but `hash`."""
    body = {key: value for key, value in fields.items() if key != "hash"}
    return hashlib.sha256(_canonical(body).encode()).hexdigest()


def _parse(line: bytes) -> Entry:
    if not line.endswith(b"\n"):
        raise AuditError("incomplete line (no newline at the end): an append cut short")
    try:
        record = json.loads(line)
    except ValueError:
        raise AuditError("not valid JSON") from None
    if not isinstance(record, dict):
        raise AuditError("not a JSON object")
    if missing := sorted(_FIELDS.keys() - record.keys()):
        raise AuditError(f"missing fields: {', '.join(missing)}")
    if extra := sorted(record.keys() - _FIELDS.keys()):
        raise AuditError(f"unexpected fields: {', '.join(extra)}")
    if wrong := [key for key, kind in _FIELDS.items() if not isinstance(record[key], kind)]:
        raise AuditError(f"fields of the wrong type: {', '.join(wrong)}")
    return Entry(**record)


def _last_entry(handle: BinaryIO) -> Entry | None:
    """The last line's entry, reading backwards from the end in blocks; None for an empty file."""
    position = handle.seek(0, os.SEEK_END)
    tail = b""
    while position > 0 and b"\n" not in tail[:-1]:
        position -= (step := min(_BLOCK, position))
        handle.seek(position)
        tail = handle.read(step) + tail
    if not tail:
        return None
    try:
        return _parse(tail[tail.rfind(b"\n", 0, len(tail) - 1) + 1 :])
    except AuditError as error:
        raise AuditError(f"{handle.name} last line: {error}; run verify") from None
