"""What a generated project's image installs: the wheel of its package, built as the
Dockerfile's `uv pip install .` builds it, holds the runtime and none of the lifecycle tools."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from profiles import Profile

# The fullest layout: every component that ships package data.
GOVERNED = Profile(5, True, "ml-team")
LIFECYCLE = ("lifecycle", "conformance", "regenerate", "template_release", "component_files.json")


def wheel_names(project: Path, into: Path) -> list[str]:
    """The files of the project's wheel, built without fetching anything."""
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--quiet",
         "-w", str(into), str(project)],
        check=True, capture_output=True,
    )  # fmt: skip
    [wheel] = into.glob("*.whl")
    with zipfile.ZipFile(wheel) as built:
        return built.namelist()


@pytest.mark.heavy
def test_the_image_installs_the_runtime_and_no_lifecycle_tool(working_copy, tmp_path):
    # A copy: building in the tree leaves build/ and egg-info behind.
    names = wheel_names(working_copy(GOVERNED), tmp_path / "wheel")

    runtime = {f"{GOVERNED.package}/answers.json", f"{GOVERNED.package}/operating_model.py"}
    assert runtime <= set(names)
    assert not [name for name in names if any(word in name for word in LIFECYCLE)]
