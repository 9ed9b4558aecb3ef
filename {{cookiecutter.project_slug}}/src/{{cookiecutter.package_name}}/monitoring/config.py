"""Monitoring settings: the policy in `models.yaml`, the places in `APP_*` variables."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DriftPolicy(Strict):
    """When a feature, or the prediction distribution, counts as drifted."""

    # Both a significant test and a large enough effect: with many rows, a p-value alone
    # flags shifts too small to matter.
    p_value: float = Field(default=0.01, gt=0, lt=1)
    ks_statistic: float = Field(default=0.1, gt=0, le=1)
    psi: float = Field(default=0.2, gt=0)
    min_rows: int = Field(default=100, ge=10)


class RetrainPolicy(Strict):
    """When the champion should be retrained; any one reason is enough."""

    drifted_feature_share: float = Field(default=0.3, gt=0, le=1)
    on_prediction_drift: bool = True
    max_age_days: int = Field(default=90, ge=1)
    # Performance on labelled predictions against the champion's test metric, relative.
    max_relative_decay: float = Field(default=0.1, gt=0, lt=1)
    min_labels: int = Field(default=50, ge=1)


class Monitoring(Strict):
    """The `monitoring` section of `models.yaml`."""

    window_days: int = Field(default=7, ge=1)
    drift: DriftPolicy = DriftPolicy()
    retrain: RetrainPolicy = RetrainPolicy()
    # What the prediction log writes instead of a personal field's value.
    personal_data: Literal["drop", "hash"] = "drop"


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
