"""Install benchmark: a generated project's `make install` (uv, from its lock) against the
pip install it replaced, side by side in one run.

    .venv/bin/python bench/install.py

Needs the network, as a team's first install does: both installers fetch from PyPI. For the
lean and the MLOps set of dependencies (tests/locks.py), in a fresh copy of the project:

- pip: `python -m venv .venv && .venv/bin/pip install -e ".[dev]"`, pip's cache off and this
  machine's pip configuration (a local mirror) ignored;
- uv cold: `make install` with an empty uv cache and no uv on PATH, so uv itself is fetched
  first (by pip, into .tools/);
- uv warm: `make install` again after removing .venv, the cache and .tools/ kept (the median
  of three).

Prints seconds, the ratio to pip, and whether the targets hold: warm under 15 s, cold at most
a third of pip's time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent.parent / d) for d in ("tests", "hooks", ".")]

from locks import REPRESENTATIVES, bake  # noqa: E402

SETS = ("lean-model", "mlops")
WARM_TARGET = 15.0
COLD_RATIO_TARGET = 1 / 3
# What a fresh shell has: no uv on PATH, no pip mirror, no cache settings of this machine.
PATH = ":".join(p for p in os.environ["PATH"].split(":") if not (Path(p) / "uv").exists())
CLEAN = {key: value for key, value in os.environ.items() if not key.startswith(("PIP_", "UV_"))}


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, env={**CLEAN, "PATH": PATH, **env}, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    return time.perf_counter() - started


def pip_install(project: Path) -> float:
    pip = {"PIP_CONFIG_FILE": os.devnull, "PIP_NO_CACHE_DIR": "1"}
    script = 'python3 -m venv .venv && .venv/bin/pip install --progress-bar off -e ".[dev]"'
    return timed(["bash", "-c", script], project, pip)


def uv_installs(project: Path, cache: Path) -> tuple[float, float]:
    """Cold, then the median of three warm installs into a new .venv."""
    uv = {"UV_CACHE_DIR": str(cache), "PIP_CONFIG_FILE": os.devnull, "PIP_NO_CACHE_DIR": "1"}
    cold = timed(["make", "install"], project, uv)
    warm = []
    for _ in range(3):
        shutil.rmtree(project / ".venv")
        warm.append(timed(["make", "install"], project, uv))
    return cold, statistics.median(warm)


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-install-") as scratch:
        work = Path(scratch)
        for name in SETS:
            print(f"{name}: pip, then uv cold and warm ...", flush=True)
            profile = REPRESENTATIVES[name]
            with_pip = bake(profile, work / f"pip-{name}")
            with_uv = bake(profile, work / f"uv-{name}")
            pip = pip_install(with_pip)
            cold, warm = uv_installs(with_uv, work / f"cache-{name}")
            rows.append((name, pip, cold, warm))
    print("\na generated project's install with its dev tools, from PyPI, seconds\n")
    print("| dependency set | pip (before) | uv cold | cold / pip | uv warm | warm / pip |")
    print("| -------------- | -----------: | ------: | ---------: | ------: | ---------: |")
    for name, pip, cold, warm in rows:
        print(f"| {name:<14} | {pip:>12.1f} | {cold:>7.1f} | {cold / pip:>10.2f} | {warm:>7.1f} "
              f"| {warm / pip:>10.3f} |")  # fmt: skip
    print()
    for name, pip, cold, warm in rows:
        cold_met = "met" if cold / pip <= COLD_RATIO_TARGET else "not met"
        warm_met = "met" if warm < WARM_TARGET else "not met"
        print(f"{name}: cold at most 1/3 of pip: {cold_met}; warm under {WARM_TARGET:.0f} s: "
              f"{warm_met}")  # fmt: skip


if __name__ == "__main__":
    main()
