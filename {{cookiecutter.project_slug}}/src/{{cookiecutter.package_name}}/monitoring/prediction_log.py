"""The prediction log: one JSON line per answered prediction request, never lost.

The request path only puts a record on a queue; one writer thread turns records into lines,
appends them to files rotated by day and by size, and flushes after every batch (gathered
for `LINGER_SECONDS` after its first record). Closing the log (the service does on shutdown,
SIGTERM included) drains the queue and syncs the files to disk. Files live at
`<dir>/<model>/<YYYY-MM-DD>/<writer>-<n>.jsonl`, so each process appends only to its own
files and old days are removed by deleting folders.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import logging
import os
import queue
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Literal

from pydantic import BaseModel

log = logging.getLogger(__name__)

_STOP = object()
BATCH = 512
# How long the writer lets records gather after the first of a batch. Waking and flushing
# once per record took the writer about twice the CPU per record; a record now reaches its
# file up to this much later (closing the log still writes them all).
LINGER_SECONDS = 0.05
# How long a request may wait for room in a full queue before it is refused with a 503.
PUT_TIMEOUT_SECONDS = 2.0
RETRY_SECONDS = 1.0


class PredictionLogUnavailable(RuntimeError):
    """The log cannot take records: its folder is not writable, or it is too far behind."""


@dataclass(frozen=True)
class PredictionRecord:
    request_id: str
    time: datetime
    model: str
    version: str
    inputs: list[dict[str, Any]]
    outputs: list[BaseModel]
    latency_ms: float
    # Who the prediction is about, when the caller says: logged only as a keyed hash, which
    # is what erasure of a data subject's records looks for.
    subject: str | None = None


def subject_hash(subject: str, secret: bytes | None) -> str:
    """The pseudonym a subject key is logged under: keyed with the project secret when set."""
    if secret:
        return hmac.new(secret, subject.encode(), hashlib.sha256).hexdigest()[:32]
    return hashlib.sha256(subject.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Redactor:
    """Keeps personal fields out of the log in clear: dropped, or replaced by a keyed hash."""

    personal: Mapping[str, frozenset[str]] = field(default_factory=dict)  # model -> fields
    mode: Literal["drop", "hash"] = "drop"
    secret: bytes | None = None

    def __post_init__(self) -> None:
        if self.mode == "hash" and any(self.personal.values()) and not self.secret:
            raise PredictionLogUnavailable(
                "personal_data is 'hash' but APP_PREDICTION_LOG_SECRET is not set"
            )

    def apply(self, model: str, row: dict[str, Any]) -> dict[str, Any]:
        personal = self.personal.get(model)
        if not personal:
            return row
        if self.mode == "drop":
            return {key: value for key, value in row.items() if key not in personal}
        return {key: self._hash(value) if key in personal else value for key, value in row.items()}

    def _hash(self, value: Any) -> str:
        assert self.secret is not None  # checked on creation
        return hmac.new(self.secret, repr(value).encode(), hashlib.sha256).hexdigest()[:32]


class PredictionLog:
    """Append-only JSON Lines files, written by a background thread."""

    def __init__(
        self,
        directory: Path,
        *,
        max_bytes: int = 64 * 1024 * 1024,
        redactor: Redactor | None = None,
        capacity: int = 10_000,
    ) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.redactor = redactor or Redactor()
        self.written = 0
        self.write_errors = 0
        self._writer = f"{socket.gethostname()}-{os.getpid()}"
        self._files: dict[tuple[str, str], IO[str]] = {}
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=capacity)
        self._check_writable()
        self._thread = threading.Thread(target=self._run, name="prediction-log", daemon=True)
        self._thread.start()

    @property
    def backlog(self) -> int:
        """Records accepted and not yet written."""
        return self._queue.qsize()

    def record(self, record: PredictionRecord) -> None:
        """Queue a record; refuse it only when the writer has fallen far behind."""
        try:
            self._queue.put(record, timeout=PUT_TIMEOUT_SECONDS)
        except queue.Full:
            raise PredictionLogUnavailable(
                f"the prediction log is {self.backlog} records behind"
            ) from None

    def close(self, timeout: float | None = 30.0) -> None:
        """Write every queued record, sync the files and stop the writer."""
        self._queue.put(_STOP)
        self._thread.join(timeout)
        if self._thread.is_alive():
            log.error("prediction log not drained", extra={"records_lost": self.backlog})

    def _check_writable(self) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            probe = self.directory / f".probe-{self._writer}"
            probe.write_text("")
            probe.unlink()
        except OSError as error:
            raise PredictionLogUnavailable(
                f"cannot write the prediction log in {self.directory}: {error.strerror}"
            ) from error

    def _run(self) -> None:
        stopping = False
        while not stopping:
            batch = [self._queue.get()]
            if batch[0] is not _STOP:
                time.sleep(LINGER_SECONDS)
            while len(batch) < BATCH:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stopping = batch[-1] is _STOP
            pending: dict[tuple[str, str], list[str]] = {}
            for record in batch:
                if record is _STOP:
                    continue
                key = (record.model, record.time.strftime("%Y-%m-%d"))
                try:
                    pending.setdefault(key, []).append(self._line(record))
                except (TypeError, ValueError) as error:  # a bug, not a full disk: say so
                    self.write_errors += 1
                    log.error("prediction record not serializable", extra={"reason": str(error)})
            while not self._write(pending):
                time.sleep(RETRY_SECONDS)
        for handle in self._files.values():
            _sync_and_close(handle)
        self._files.clear()

    def _write(self, pending: dict[tuple[str, str], list[str]]) -> bool:
        """Append each file's lines; what was written leaves `pending`, the rest is retried."""
        for key in list(pending):
            chunk = pending[key]
            try:
                while chunk:
                    handle = self._file(key)
                    # Fill the file up to `max_bytes` (it may end one line past it). Lines are
                    # ASCII, as json.dumps escapes the rest: characters are bytes.
                    room = self.max_bytes - handle.tell()
                    taken = 0
                    while taken < len(chunk) and room > 0:
                        room -= len(chunk[taken])
                        taken += 1
                    # Erasure rewrites files under the same lock.
                    fcntl.flock(handle, fcntl.LOCK_EX)
                    try:
                        handle.writelines(chunk[:taken])
                        handle.flush()
                    finally:
                        fcntl.flock(handle, fcntl.LOCK_UN)
                    self.written += taken
                    del chunk[:taken]
            except OSError as error:
                self.write_errors += 1
                log.error("prediction log write failed; retrying", extra={"reason": str(error)})
                return False
            del pending[key]
        return True

    def _line(self, record: PredictionRecord) -> str:
        inputs = [self.redactor.apply(record.model, row) for row in record.inputs]
        outputs = [output.model_dump(exclude_none=True) for output in record.outputs]
        entry = {
            "request_id": record.request_id,
            "time": record.time.isoformat(),
            "model": record.model,
            "version": record.version,
            "inputs": inputs,
            "outputs": outputs,
            "latency_ms": round(record.latency_ms, 3),
        }
        if record.subject is not None:
            entry["subject"] = subject_hash(record.subject, self.redactor.secret)
        return json.dumps(entry, separators=(",", ":")) + "\n"

    def _file(self, key: tuple[str, str]) -> IO[str]:
        """The open file for a model and day, rotated once it reaches `max_bytes`."""
        handle = self._files.get(key)
        if handle is not None and handle.tell() < self.max_bytes:
            return handle
        if handle is not None:
            _sync_and_close(handle)
        for old in [k for k in self._files if k[0] == key[0] and k[1] < key[1]]:
            _sync_and_close(self._files.pop(old))  # a new day: yesterday's file is done
        folder = self.directory.joinpath(*key)
        folder.mkdir(parents=True, exist_ok=True)
        number = 0
        while (path := folder / f"{self._writer}-{number:04d}.jsonl").exists() and (
            path.stat().st_size >= self.max_bytes
        ):
            number += 1
        self._files[key] = handle = path.open("a", encoding="utf-8")
        return handle


def _sync_and_close(handle: IO[str]) -> None:
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()


def read_records(
    directory: Path, model: str, since: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """The logged records of one model from `since` on, oldest day first."""
    since = since or datetime.min.replace(tzinfo=UTC)
    for day in sorted((directory / model).glob("????-??-??")):
        if day.name < since.strftime("%Y-%m-%d"):
            continue
        for path in sorted(day.glob("*.jsonl")):
            with path.open(encoding="utf-8") as lines:
                for line in lines:
                    try:
                        record = json.loads(line)
                    except json.JSONDecodeError:
                        # A line cut short by a full disk, or one still being written.
                        log.warning("unreadable prediction log line", extra={"file": str(path)})
                        continue
                    if datetime.fromisoformat(record["time"]) >= since:
                        yield record
