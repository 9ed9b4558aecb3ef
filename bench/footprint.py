"""Footprint benchmark: what each profile installs, for running it and for developing it.

    .venv/bin/python bench/footprint.py

Bakes the profiles, installs each into a fresh virtual environment from the template's
wheelhouse (`.cache/wheelhouse`, filled by `make install`; no network), first the runtime
dependencies (`pip install <project>`), then the dev tools (`<project>[dev]`), and measures
the packages and bytes added beyond an empty environment. scikit-learn is
also installed alone, to tell what the lean profile may add: scikit-learn and what it needs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent
WHEELHOUSE = Path(os.environ.get("WHEELHOUSE", TEMPLATE / ".cache" / "wheelhouse"))
COOKIECUTTER = Path(sys.executable).parent / "cookiecutter"
PROFILES = {
    "devops (0 models)": {"model_count": "0"},
    "devops-lean (1 model)": {"model_count": "1"},
    "mlops-governed (5 models)": {"model_count": "5", "data_regulated": "yes"},
}
MB = 1_000_000
TARGETS = {"devops (0 models)": 60 * MB, "mlops-governed (5 models)": 600 * MB}  # runtime


class Environment:
    """A fresh virtual environment whose site-packages can be measured between installs."""

    def __init__(self, folder: Path) -> None:
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        self.folder = folder
        self.python = folder / "bin" / "python"
        [self.site] = folder.glob("lib/python*/site-packages")
        self.baseline = self.measure()

    def install(self, *requirements: str) -> None:
        offline = ["--no-index", "--find-links", str(WHEELHOUSE), "--quiet"]
        quiet = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
        command = [str(self.python), "-m", "pip", "install", *offline, *requirements]
        subprocess.run(command, check=True, env=quiet)

    def measure(self) -> tuple[set[str], int]:
        """Distribution names in site-packages, and bytes in the whole environment (tools such
        as kubectl and hadolint install binaries into `bin/`)."""
        names = {p.name.split("-")[0].lower().replace("_", "-")
                 for p in self.site.glob("*.dist-info")}  # fmt: skip
        size = sum(p.stat().st_size for p in self.folder.rglob("*") if p.is_file())
        return names, size

    def added(self) -> tuple[set[str], int]:
        names, size = self.measure()
        return names - self.baseline[0], size - self.baseline[1]


def bake(answers: dict[str, str], out: Path) -> Path:
    words = [
        f"{key}={value}" for key, value in {"project_name": "Bench Service", **answers}.items()
    ]
    subprocess.run([str(COOKIECUTTER), "--no-input", "--output-dir", str(out), str(TEMPLATE),
                    *words], check=True, capture_output=True)  # fmt: skip
    [project] = out.iterdir()
    return project


def main() -> None:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    if not any(WHEELHOUSE.glob("setuptools-*")):
        sys.exit(f"no wheelhouse at {WHEELHOUSE}: run `make install` in the template first")
    rows, runtime = [], {}
    with tempfile.TemporaryDirectory(prefix="bench-footprint-") as scratch:
        work = Path(scratch)
        sklearn = Environment(work / "sklearn")
        sklearn.install("scikit-learn")
        sklearn_closure = sklearn.added()[0]
        for n, (name, answers) in enumerate(PROFILES.items()):
            project = bake(answers, work / f"project-{n}")
            env = Environment(work / f"venv-{n}")
            env.install(str(project))
            runtime[name] = env.added()
            env.install(f"{project}[dev]")
            rows.append((name, runtime[name], env.added()))
    print("added to an empty virtual environment, installed offline from the wheelhouse\n")
    print(f"| {'profile':<26} | runtime packages | runtime MB | with dev packages | with dev MB |")
    print(f"| {'-' * 26} | ---------------: | ---------: | ----------------: | ----------: |")
    for name, (names, size), (dev_names, dev_size) in rows:
        print(f"| {name:<26} | {len(names):>16} | {size / MB:>10.1f} | {len(dev_names):>17} "
              f"| {dev_size / MB:>11.1f} |")  # fmt: skip
    print()
    for name, limit in TARGETS.items():
        size = runtime[name][1]
        verdict = "met" if size < limit else "not met"
        print(f"{name} runtime: {size / MB:.0f} MB (target under {limit / MB:.0f} MB: {verdict})")
    lean_adds = runtime["devops-lean (1 model)"][0] - runtime["devops (0 models)"][0]
    beyond = lean_adds - sklearn_closure
    print(f"the lean profile adds {', '.join(sorted(lean_adds))}")
    print("  beyond scikit-learn and what it needs: " + (", ".join(sorted(beyond)) or "nothing"))


if __name__ == "__main__":
    main()
