import io
import json
import logging

import pytest

from {{ cookiecutter.package_name }}.logs import REDACTED, json_handler


@pytest.fixture
def emit():
    """Log one record through the JSON handler and return the parsed line."""

    def _emit(redact_fields, message, **extra):
        stream = io.StringIO()
        logger = logging.getLogger("test.logs")
        logger.handlers[:] = [json_handler(stream, redact_fields)]
        logger.propagate = False
        logger.warning(message, extra=extra)
        return json.loads(stream.getvalue())

    return _emit


def test_log_lines_are_json_with_level_logger_and_message(emit):
    line = emit([], "payment scored", request_id="r-1")

    assert line["level"] == "WARNING"
    assert line["logger"] == "test.logs"
    assert line["message"] == "payment scored"
    assert line["request_id"] == "r-1"
    assert "time" in line


def test_configured_personal_fields_are_redacted_even_when_nested(emit):
    line = emit(["email", "name"], "scored", email="a@b.test", customer={"Name": "Ada", "tier": 2})

    assert line["email"] == REDACTED
    assert line["customer"] == {"Name": REDACTED, "tier": 2}
    assert line["logger"] == "test.logs"  # the record's own attributes are never redacted


def test_nothing_is_redacted_when_no_field_is_configured(emit):
    assert emit([], "scored", email="a@b.test")["email"] == "a@b.test"
