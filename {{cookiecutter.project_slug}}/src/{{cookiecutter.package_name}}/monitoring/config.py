"""Where monitoring data lives, from `APP_*` variables; its policy is in `models_config`."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class MonitoringSettings(BaseSettings):
    """Where monitoring data lives; each field can be set as `APP_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="APP_", frozen=True, extra="ignore")

    prediction_log_dir: Path = Path("predictions")
    prediction_log_max_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    # Keyed hashing of personal fields (`personal_data: hash`): without the key, a hash of a
    # small value (an age, say) is reversed by trying every value.
    prediction_log_secret: SecretStr | None = None
    labels_dir: Path = Path("labels")
    reports_dir: Path = Path("reports")
