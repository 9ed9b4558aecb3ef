"""Structured JSON logs on stdout, with personal fields redacted."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import Any, TextIO

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

REDACTED = "[redacted]"
# Attributes every log record has; only the extra fields a caller adds can be personal data.
RECORD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message"}


class RedactFields(logging.Filter):
    """Replace the value of every configured field of a log record, however deeply nested."""

    def __init__(self, fields: Iterable[str]) -> None:
        super().__init__()
        self.fields = frozenset(field.lower() for field in fields)

    def filter(self, record: logging.LogRecord) -> bool:
        if self.fields:
            for key, value in list(vars(record).items()):
                if key not in RECORD_ATTRIBUTES:
                    setattr(record, key, self._redact(key, value))
        return True

    def _redact(self, key: str, value: Any) -> Any:
        if key.lower() in self.fields:
            return REDACTED
        if isinstance(value, dict):
            return {k: self._redact(str(k), v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._redact("", item) for item in value]
        return value


def json_handler(stream: TextIO, redact_fields: Iterable[str]) -> logging.Handler:
    """A handler writing one JSON object per record, personal fields redacted."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        JsonFormatter(
            "{levelname}{name}{message}",
            style="{",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
            # uvicorn repeats each message with terminal colour codes
            reserved_attrs=[*RESERVED_ATTRS, "color_message"],
        )
    )
    handler.addFilter(RedactFields(redact_fields))
    return handler


def configure_logging(level: str, redact_fields: Iterable[str]) -> None:
    """Send every logger, uvicorn's included, to one JSON handler on stdout."""
    root = logging.getLogger()
    root.handlers[:] = [json_handler(sys.stdout, redact_fields)]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True


def also_redact(fields: Iterable[str]) -> None:
    """Redact more fields from every configured handler: personal fields that a component
    learns of at start-up (the data cards of a governed project, say)."""
    for handler in logging.getLogger().handlers:
        for found in handler.filters:
            if isinstance(found, RedactFields):
                found.fields |= {field.lower() for field in fields}
