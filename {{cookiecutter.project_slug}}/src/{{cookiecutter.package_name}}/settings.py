"""Run-time configuration, read from `APP_*` environment variables."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from . import project

# Field names treated as personal data when the project's data is regulated.
PERSONAL_FIELDS = frozenset(
    {"email", "phone", "name", "full_name", "address", "ip_address", "date_of_birth", "national_id"}
)


def default_redact_fields() -> frozenset[str]:
    return PERSONAL_FIELDS if project.answers()["data_regulated"] else frozenset()


class Settings(BaseSettings):
    """Service settings; every field can be set as `APP_<NAME>` (lists as JSON)."""

    model_config = SettingsConfigDict(env_prefix="APP_", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    redact_fields: frozenset[str] = Field(default_factory=default_redact_fields)
