"""The template as a platform team publishes it: committed to a git repository and tagged.

Everything stays in a temporary folder, with git's identity and configuration fixed so that
neither the machine's nor the user's settings change what the tests see.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from profiles import TEMPLATE

# What a checkout of the template holds besides the template: never part of a release.
LOCAL_STATE = shutil.ignore_patterns(
    ".git", ".venv", ".cache", "build", "__pycache__", ".pytest_cache", ".ruff_cache"
)
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Platform Team", "GIT_AUTHOR_EMAIL": "platform@localhost",
    "GIT_COMMITTER_NAME": "Platform Team", "GIT_COMMITTER_EMAIL": "platform@localhost",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}  # fmt: skip


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV})  # fmt: skip
    return done.stdout.strip()


def release(work: Path, tag: str) -> Path:
    """This checkout's template committed in a new repository at `work` and tagged."""
    shutil.copytree(TEMPLATE, work, ignore=LOCAL_STATE)
    git("init", "--quiet", "--initial-branch=main", cwd=work)
    commit(work, tag)
    return work


def commit(work: Path, tag: str) -> None:
    """Commit every change in `work` as the release `tag`."""
    git("add", "--all", cwd=work)
    git("commit", "--quiet", "--message", f"release {tag}", cwd=work)
    git("tag", tag, cwd=work)
