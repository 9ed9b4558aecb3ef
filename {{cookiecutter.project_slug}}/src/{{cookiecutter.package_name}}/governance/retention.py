"""Retention and erasure of prediction records, each leaving an audit entry.

Retention removes whole days of the prediction log once they are older than the retention
period of the model's dataset (its data card). Erasure removes the records of one data
subject, found by the keyed hash of their subject key that the service logged. Both report
what they would remove unless told to apply it.
"""

from __future__ import annotations

import fcntl
import json
import shutil
from datetime import date, timedelta
from pathlib import Path

from ..monitoring.prediction_log import subject_hash


def expired_days(directory: Path, model: str, retention_days: int, today: date) -> list[Path]:
    """The model's day folders older than the retention period."""
    cutoff = (today - timedelta(days=retention_days)).isoformat()
    return sorted(day for day in (directory / model).glob("????-??-??") if day.name < cutoff)


def expire(days: list[Path], apply: bool) -> int:
    """Count the records in the expired days, removing them when `apply` is set."""
    records = sum(_count_lines(path) for day in days for path in day.glob("*.jsonl"))
    if apply:
        for day in days:
            shutil.rmtree(day)
    return records


def erase(directory: Path, subject: str, secret: bytes | None, apply: bool) -> int:
    """Remove (or count) every record of one data subject, in every model's log."""
    key = subject_hash(subject, secret)
    erased = 0
    for path in sorted(directory.glob("*/????-??-??/*.jsonl")):
        with path.open("r+", encoding="utf-8") as handle:
            # The service appends under the same lock, so no record is lost mid-rewrite.
            fcntl.flock(handle, fcntl.LOCK_EX)
            lines = handle.readlines()
            kept = [line for line in lines if not _about(line, key)]
            erased += len(lines) - len(kept)
            if apply and len(kept) < len(lines):
                handle.seek(0)
                handle.writelines(kept)
                handle.truncate()
                handle.flush()
    return erased


def _about(line: str, key: str) -> bool:
    try:
        return json.loads(line).get("subject") == key
    except json.JSONDecodeError:
        return False


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)
