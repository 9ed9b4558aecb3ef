"""Shared fixtures: the template's own modules on the path, and baked projects by profile."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

# The hooks' modules and the Jinja extension, importable as the hooks import them. pytest-cookies
# renders outside cookiecutter's own sys.path patch, so the extension needs the root here too.
ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "hooks")]

import docker_engine  # noqa: E402
from profiles import CHECKED_PROFILES, STAND_INS, TEMPLATE, Profile  # noqa: E402


def pytest_configure(config) -> None:
    # The controller (or a run without xdist) owns the Docker engine's lifetime.
    if not hasattr(config, "workerinput"):
        docker_engine.open_session()


def pytest_unconfigure(config) -> None:
    if not hasattr(config, "workerinput"):
        docker_engine.close_session()


def pytest_report_header(config) -> list[str]:
    """Which profile's project stands for which in the heavy checks, and the boundaries."""
    lines = ["heavy checks run on one profile per file tree and set of components:"]
    for stand_in, members in STAND_INS.items():
        others = [member.id for member in members if member != stand_in]
        lines.append(f"  {stand_in.id}" + (f" for {', '.join(others)}" if others else ""))
    boundaries = [profile.id for profile in CHECKED_PROFILES if profile not in STAND_INS]
    lines.append(f"  and the boundaries {', '.join(boundaries)}")
    return lines


@pytest.fixture(scope="session")
def bake(cookies_session):
    """Bake a profile once per session; returns the pristine project folder."""
    baked: dict[Profile, Path] = {}

    def _bake(profile: Profile) -> Path:
        if profile not in baked:
            result = cookies_session.bake(extra_context=profile.answers(), template=str(TEMPLATE))
            assert result.exit_code == 0, result.exception
            baked[profile] = result.project_path
        return baked[profile]

    return _bake


@pytest.fixture
def working_copy(bake, tmp_path):
    """A copy of a baked profile to run commands in, leaving the pristine bake untouched."""

    def _copy(profile: Profile) -> Path:
        target = tmp_path / profile.slug
        shutil.copytree(bake(profile), target)
        return target

    return _copy
