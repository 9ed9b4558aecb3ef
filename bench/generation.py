"""Generation benchmark: how long cookiecutter takes to make each profile, beside its floor.

    .venv/bin/python bench/generation.py [--repeats N]

The floor is cookiecutter itself making a one-file template with no hooks and no extension,
run the same way: the command line in a fresh process, with its caches in a temporary
folder. Floor and profiles take turns, so that each sees the same machine; the best of N
runs of each is kept, and the verdict is its ratio to the floor's.

A second reference shows what the file count alone costs: cookiecutter making the largest
profile's own files from a template with nothing to decide (each file's text inside
`{% raw %}`, no hooks, no extension).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent.parent
COOKIECUTTER = Path(sys.executable).parent / "cookiecutter"
PROFILES = {
    "devops (0 models)": {"model_count": "0"},
    "devops-lean (1 model)": {"model_count": "1"},
    "mlops (2 models)": {"model_count": "2"},
    "mlops-governed (5 models, regulated)": {"model_count": "5", "data_regulated": "yes"},
}
LARGEST = "mlops-governed (5 models, regulated)"
PLAIN = "its files as plain text, no hooks"
TARGET = 1.3  # issue 7: the largest profile within 1.3x the floor


def floor_template(folder: Path) -> Path:
    """The smallest template cookiecutter can make: one answer, one rendered file."""
    (folder / "{{cookiecutter.project_slug}}").mkdir(parents=True)
    (folder / "cookiecutter.json").write_text(json.dumps({"project_slug": "floor"}))
    (folder / "{{cookiecutter.project_slug}}" / "README.md").write_text(
        "# {{ cookiecutter.project_slug }}\n"
    )
    return folder


def plain_template(folder: Path, project: Path) -> Path:
    """A template that makes the files of `project` verbatim, with no hooks or extension."""
    folder.mkdir()
    (folder / "cookiecutter.json").write_text(json.dumps({"project_slug": project.name}))
    for path in project.rglob("*"):
        if path.is_file():
            copy = folder / "{{cookiecutter.project_slug}}" / path.relative_to(project)
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_text("{% raw %}" + path.read_text("utf-8") + "{% endraw %}", "utf-8")
    return folder


def make(template: Path, answers: dict[str, str], work: Path) -> tuple[float, int]:
    """Seconds for one `cookiecutter --no-input` run, and the number of files it made."""
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    words = [f"{key}={value}" for key, value in answers.items()]
    command = [str(COOKIECUTTER), "--no-input", "--config-file", str(work / "config.yaml"),
               "--output-dir", str(out), str(template), *words]  # fmt: skip
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=work)
    seconds = time.perf_counter() - started
    return seconds, sum(1 for path in out.rglob("*") if path.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-generation-") as scratch:
        work = Path(scratch)
        settings = {"cookiecutters_dir": str(work / "cache"), "replay_dir": str(work / "replay")}
        (work / "config.yaml").write_text(json.dumps(settings))
        floor = floor_template(work / "floor")
        variants = {"floor (one file, no hooks)": (floor, {}), **{
            name: (TEMPLATE, {"project_name": "Bench Service", **answers})
            for name, answers in PROFILES.items()
        }}  # fmt: skip
        make(TEMPLATE, variants[LARGEST][1], work)  # also warms the file cache
        (project,) = (work / "out").iterdir()
        variants[PLAIN] = (plain_template(work / "plain", project), {})
        best = dict.fromkeys(variants, float("inf"))
        files = {}
        for _ in range(args.repeats):
            for name, (template, answers) in variants.items():
                seconds, files[name] = make(template, answers, work)
                best[name] = min(best[name], seconds)
    base = best["floor (one file, no hooks)"]
    print(f"best of {args.repeats} runs of `cookiecutter --no-input`, alternating\n")
    print(f"| {'variant':<38} | files | seconds | ratio to floor |")
    print(f"| {'-' * 38} | ----: | ------: | -------------: |")
    for name, seconds in best.items():
        print(f"| {name:<38} | {files[name]:>5} | {seconds:>7.3f} | {seconds / base:>13.2f}x |")
    largest = best[LARGEST] / base
    verdict = "met" if largest <= TARGET else "not met"
    print(f"\nlargest profile: {largest:.2f}x the floor (target {TARGET}x: {verdict})")
    print(f"its files alone, with nothing to decide: {best[PLAIN] / base:.2f}x the floor")


if __name__ == "__main__":
    main()
