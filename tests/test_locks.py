"""Every generated project's uv.lock matches its pyproject.toml, offline, each lock the
template keeps belongs to one set of dependencies, and the suite's own lock satisfies
requirements-dev.txt (tests/locks.py)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from locks import (
    LOCKS,
    REPRESENTATIVES,
    SLUG_FIELD,
    SUITE_LOCK,
    UV,
    lock_path,
    suite_pins,
    suite_requirements,
)
from profiles import CHECKED_PROFILES


def lock_mismatch(project: Path, cache: Path) -> str | None:
    """None when the project's lock still fits its pyproject.toml; otherwise one line."""
    result = subprocess.run(
        [str(UV), "lock", "--check", "--offline", "--quiet"], cwd=project, capture_output=True,
        text=True, env={**os.environ, "UV_CACHE_DIR": str(cache)}, check=False,
    )  # fmt: skip
    if result.returncode == 0:
        return None
    reason = next((line for line in result.stderr.splitlines() if line.strip()), "no output")
    return f"{project.name}: uv.lock does not match pyproject.toml (run `make locks`): {reason}"


@pytest.mark.parametrize("profile", CHECKED_PROFILES, ids=lambda p: p.id)
def test_generated_lock_matches_the_generated_pyproject(bake, profile, tmp_path):
    assert lock_mismatch(bake(profile), tmp_path) is None, lock_mismatch(bake(profile), tmp_path)


def test_a_dependency_missing_from_the_lock_is_one_line_naming_make_locks(bake, tmp_path):
    project = shutil.copytree(bake(REPRESENTATIVES["service"]), tmp_path / "project")
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"uvicorn', '"httpx>=0.27",\n  "uvicorn', 1))

    message = lock_mismatch(project, tmp_path / "cache")

    assert message is not None and "\n" not in message
    assert message.startswith("project: uv.lock does not match pyproject.toml (run `make locks`)")


def test_each_lock_kept_is_the_one_its_representative_gets(bake):
    assert sorted(path.name for path in LOCKS.iterdir()) == sorted(
        lock_path(name).name for name in REPRESENTATIVES
    ), "templates/locks/ holds one lock per set in tests/locks.py: run `make locks`"
    for name, profile in REPRESENTATIVES.items():
        generated = (bake(profile) / "uv.lock").read_text()
        kept = lock_path(name).read_text()
        assert generated == kept.replace(SLUG_FIELD, profile.slug), f"{profile.id} gets {name}"


def test_image_installs_with_the_uv_the_suite_serves(bake):
    """The Dockerfile's uv is the one in the wheelhouse that the image checks' index serves."""
    dockerfile = (bake(REPRESENTATIVES["service"]) / "Dockerfile").read_text()
    pinned = re.search(r"^ARG UV_VERSION=(\S+)$", dockerfile, re.MULTILINE)
    suite = subprocess.run([str(UV), "--version"], capture_output=True, text=True, check=True)

    assert pinned is not None
    assert suite.stdout.split()[1] == pinned[1], "pin uv in requirements-dev.txt to the image's"


def test_suite_lock_pins_a_version_each_suite_requirement_accepts():
    """A requirement edited without `make locks` would install the old pin, or nothing."""
    pinned = suite_pins()
    for requirement in suite_requirements():
        version = pinned.get(canonicalize_name(requirement.name))
        assert version is not None, f"{requirement.name} is not in {SUITE_LOCK.name}: make locks"
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{SUITE_LOCK.name} pins {requirement.name}=={version}, "
            f"outside {requirement}: make locks"
        )
