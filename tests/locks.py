"""The dependency locks: those generated projects ship, kept in templates/locks/, and the
suite's own environment, pinned in requirements-dev.lock.

A generated project's `pyproject.toml` declares one of a few sets of dependencies, chosen by
its components; each set has one uv lock, with the project's name left to the template (its
one project-specific line). `{{cookiecutter.project_slug}}/uv.lock` picks the lock; this
module bakes one project per set to refresh the locks and to download their exact wheels:

    python tests/locks.py refresh [--upgrade]   # `make locks`: re-lock each set (network)
    python tests/locks.py download              # `make install`: locked wheels, warm uv cache

The suite's environment is pinned too (`refresh` re-locks it from requirements-dev.txt), so
that a fresh `make install` in CI gets the versions the suite last passed with rather than
whatever the package index newly holds.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

sys.path[:0] = [str(Path(__file__).resolve().parent.parent / "hooks")]

from profiles import LEAN, NO_MODEL, TEMPLATE, Profile  # noqa: E402

if TYPE_CHECKING:
    from packaging.requirements import Requirement

LOCKS = TEMPLATE / "templates" / "locks"
# One project per set of dependencies: the file name of its lock, and who stands for it.
REPRESENTATIVES = {
    "service": NO_MODEL,
    "lean-model": LEAN,
    "mlops": Profile(2, False, "ml-team"),
}
SLUG_FIELD = "{{ cookiecutter.project_slug }}"
CACHE = TEMPLATE / ".cache"
WHEELHOUSE = CACHE / "wheelhouse"
# uv's cache, warmed with the lean set, so a suite test can run a project's `make install`
# offline as a user runs it online.
UV_CACHE = CACHE / "uv"
UV = Path(sys.prefix) / "bin" / "uv"
SUITE_REQUIREMENTS = TEMPLATE / "requirements-dev.txt"
SUITE_LOCK = TEMPLATE / "requirements-dev.lock"
SUITE_LOCK_HEADER = """\
# The suite's environment, exactly: `make install` installs these versions. Resolved from
# requirements-dev.txt for the Python and platform `make locks` ran on; do not edit by hand,
# run `make locks` (UPGRADE=1: the newest versions).
"""


def lock_path(name: str) -> Path:
    return LOCKS / f"{name}.uv.lock"


def templated(lock: str, slug: str) -> str:
    """The lock with the project's own name line turned back into the template's field."""
    line = f'name = "{slug}"\n'
    if lock.count(line) != 1:
        raise SystemExit(f"expected one line {line.strip()!r} in the lock of {slug}")
    return lock.replace(line, f'name = "{SLUG_FIELD}"\n')


def bake(profile: Profile, folder: Path) -> Path:
    """The representative's project, generated as a user would, with its current lock."""
    from cookiecutter.main import cookiecutter

    return Path(
        cookiecutter(
            str(TEMPLATE), no_input=True, extra_context=profile.answers(), output_dir=str(folder)
        )
    )


def uv(project: Path, *arguments: str) -> None:
    print(f"{project.name}: uv {' '.join(arguments)}", flush=True)
    subprocess.run([str(UV), *arguments], cwd=project, check=True)


def refresh(upgrade: bool) -> None:
    """Re-lock each set: the pins kept where they still fit, or the newest with `upgrade`."""
    LOCKS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        for name, profile in REPRESENTATIVES.items():
            lock_path(name).touch()  # a new set starts from an empty lock
            project = bake(profile, Path(folder))
            if not (project / "uv.lock").read_text().strip():
                (project / "uv.lock").unlink()
            uv(project, "lock", *(["--upgrade"] if upgrade else []))
            lock = templated((project / "uv.lock").read_text(), profile.slug)
            lock_path(name).write_text(lock)
    lock_suite(upgrade)


def requirement_lines(path: Path) -> list[str]:
    """A requirements file's lines, with those of the files it includes (`-r other.txt`)."""
    lines = []
    for line in path.read_text().splitlines():
        included = re.fullmatch(r"-r\s+(\S+)", line.strip())
        lines += requirement_lines(path.parent / included[1]) if included else [line]
    return lines


def suite_requirements() -> list[Requirement]:
    """The requirements of requirements-dev.txt and the files it includes, parsed."""
    from packaging.requirements import Requirement

    lines = requirement_lines(SUITE_REQUIREMENTS)
    return [
        Requirement(line) for line in lines if line.strip() and not line.lstrip().startswith("#")
    ]


def suite_pins() -> dict[str, str]:
    """The versions requirements-dev.lock pins, by canonical name."""
    from packaging.utils import canonicalize_name

    lines = SUITE_LOCK.read_text().splitlines() if SUITE_LOCK.exists() else []
    pins = (line.split("==") for line in lines if line and not line.startswith("#"))
    return {canonicalize_name(name): version for name, version in pins}


def lock_suite(upgrade: bool) -> None:
    """Resolve requirements-dev.txt, as pip installs it, into exact pins; the current pins are
    kept where requirements-dev.txt still accepts them, unless `upgrade`."""
    from packaging.utils import canonicalize_name

    pins = {} if upgrade else suite_pins()
    for requirement in suite_requirements():
        name = canonicalize_name(requirement.name)
        if name in pins and not requirement.specifier.contains(pins[name], prereleases=True):
            del pins[name]  # its requirement moved: resolved afresh
    with tempfile.TemporaryDirectory() as folder:
        report, constraints = Path(folder) / "report.json", Path(folder) / "constraints.txt"
        constraints.write_text("".join(f"{name}=={version}\n" for name, version in pins.items()))
        pip = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed"]
        kept = ["--constraint", str(constraints)]
        print(f"pip: resolving {SUITE_REQUIREMENTS.name}", flush=True)
        subprocess.run(
            [*pip, "--quiet", "--report", str(report), "-r", str(SUITE_REQUIREMENTS), *kept],
            check=True,
        )
        chosen = json.loads(report.read_text())["install"]
    pins = sorted(
        (f"{item['metadata']['name']}=={item['metadata']['version']}" for item in chosen),
        key=str.lower,
    )
    SUITE_LOCK.write_text(SUITE_LOCK_HEADER + "".join(f"{pin}\n" for pin in pins))


def download() -> None:
    """Every set's locked wheels for this Python into the wheelhouse, which the image checks
    serve as their package index, and the lean set into uv's cache."""
    with tempfile.TemporaryDirectory() as folder:
        for name, profile in REPRESENTATIVES.items():
            project = bake(profile, Path(folder))
            requirements = Path(folder) / f"{name}.txt"
            export = ("export", "--frozen", "--all-extras", "--no-emit-project", "--quiet")
            uv(project, *export, "--output-file", str(requirements))
            pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--progress-bar", "on"]
            subprocess.run([*pip, "--dest", str(WHEELHOUSE), "-r", str(requirements)], check=True)
            if profile == LEAN:
                environment = {"UV_CACHE_DIR": str(UV_CACHE), "UV_PYTHON_DOWNLOADS": "never"}
                os.environ.update(environment)
                uv(project, "sync", "--locked", "--extra", "dev", "--python", sys.executable)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    refreshing = commands.add_parser("refresh", help="re-lock each set of dependencies")
    refreshing.add_argument("--upgrade", action="store_true", help="to the newest versions")
    commands.add_parser("download", help="the locked wheels into the wheelhouse")
    arguments = parser.parse_args()
    if arguments.command == "refresh":
        refresh(arguments.upgrade)
    else:
        download()


if __name__ == "__main__":
    main()
