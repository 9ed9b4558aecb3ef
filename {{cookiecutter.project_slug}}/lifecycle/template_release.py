"""Is the template out with a newer release than the one this project was generated from?
`python -m lifecycle.template_release`

Lists the release tags (`vX.Y.Z`) of the template source recorded in `answers.json` with
`git ls-remote`, and compares the newest with the recorded template version. Exits 0 when
the project is current, 1 when it is behind (with the command that upgrades it), 2 when the
releases cannot be listed. CI runs it as a warning that never fails the build.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

from lifecycle import runtime

project = runtime("project")

RELEASE = re.compile(r"refs/tags/v?(\d+)\.(\d+)\.(\d+)")


def releases(source: str) -> dict[tuple[int, int, int], str]:
    """The source's release tags by version; raises OSError when they cannot be listed."""
    url = source.removeprefix("git+")
    done = subprocess.run(
        ["git", "ls-remote", "--tags", "--refs", url],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},  # never wait for a password in CI
    )
    if done.returncode != 0:
        raise OSError(done.stderr.strip() or f"git ls-remote exited {done.returncode}")
    found = {}
    for line in done.stdout.splitlines():
        ref = line.split("\t")[-1]
        if match := RELEASE.fullmatch(ref):
            found[tuple(int(part) for part in match.groups())] = ref.removeprefix("refs/tags/")
    return found


def version(text: str) -> tuple[int, int, int] | None:
    """`X.Y.Z` as numbers, None for anything else."""
    match = re.fullmatch(r"v?(\d+)\.(\d+)\.(\d+)", text)
    return tuple(int(part) for part in match.groups()) if match else None


def main() -> int:
    answers = project.answers()
    source = answers.get("_source") or answers["_template"]
    current = answers["_template_version"]
    try:
        found = releases(source)
    except (OSError, subprocess.TimeoutExpired) as error:
        return _say(f"cannot list the template's releases at {source}: {error}", 2)
    if not found:
        return _say(f"the template at {source} has no release tags (vX.Y.Z) yet", 2)
    newest, ours = max(found), version(current)
    if ours is None:
        return _say(f"the recorded template version {current!r} is not X.Y.Z", 2)
    if newest <= ours:
        print(f"the project is on the template's newest release, {current}")
        return 0
    return _say(
        f"the template's release {found[newest]} is out; this project is on {current}. "
        f"Upgrade with: make regenerate REF={found[newest]}",
        1,
    )


def _say(message: str, code: int) -> int:
    # GitHub Actions shows `::warning::` lines as annotations on the run.
    prefix = "::warning::" if os.environ.get("GITHUB_ACTIONS") == "true" else ""
    print(f"{prefix}{message}")
    return code


if __name__ == "__main__":
    sys.exit(main())
