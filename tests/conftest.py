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

from profiles import TEMPLATE, Profile  # noqa: E402


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
