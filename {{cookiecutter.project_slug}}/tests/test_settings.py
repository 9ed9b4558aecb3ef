import pytest
from pydantic import ValidationError

from {{ cookiecutter.package_name }} import settings as settings_module
from {{ cookiecutter.package_name }}.settings import PERSONAL_FIELDS, Settings


def test_defaults_serve_on_localhost_port_8000(monkeypatch):
    monkeypatch.delenv("APP_PORT", raising=False)
    monkeypatch.delenv("APP_HOST", raising=False)

    settings = Settings()

    assert (settings.host, settings.port) == ("127.0.0.1", 8000)


def test_environment_overrides_defaults(monkeypatch):
    monkeypatch.setenv("APP_PORT", "9000")
    monkeypatch.setenv("APP_REDACT_FIELDS", '["email"]')

    settings = Settings()

    assert settings.port == 9000
    assert settings.redact_fields == {"email"}


def test_invalid_port_is_refused(monkeypatch):
    monkeypatch.setenv("APP_PORT", "70000")

    with pytest.raises(ValidationError):
        Settings()


@pytest.mark.parametrize(("regulated", "expected"), [(True, PERSONAL_FIELDS), (False, set())])
def test_regulated_data_redacts_personal_fields_by_default(monkeypatch, regulated, expected):
    monkeypatch.setattr(settings_module.project, "answers", lambda: {"data_regulated": regulated})

    assert Settings().redact_fields == expected
