"""Generate the project again with changed answers, keeping the team's work:
`python -m lifecycle.regenerate KEY=VALUE ... [--ref REF] [--template SOURCE]`.

The template renders twice in a temporary folder: as it made this project (the answers,
source and commit in `answers.json`) and as asked now (changed answers, `--ref` for a newer
template release). What changed between the two renders is merged into the project file by
file with `git merge-file`: edits on both sides are kept, and edits to the same lines are
marked as conflicts, never settled in the template's favour. Files the template did not make
are never touched, wherever they are. Needs a git checkout with nothing uncommitted, so that
`git diff` shows the result and `git checkout .` undoes it.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lifecycle import PACKAGE, answer_word, runtime

project = runtime("project")

# Renamed projects would move every file; that is a rename, not a change of answers.
FIXED = ("project_slug", "package_name")
ANSWERS_FILE = Path("src", PACKAGE, "answers.json")
LABELS = ("this project", "template as generated", "template now")


class RegenerationError(Exception):
    """Regeneration cannot start or the template cannot render; nothing was changed."""


@dataclass
class Report:
    """What a merge did to each template file, relative to the project."""

    updated: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    stranded: list[str] = field(default_factory=list)

    @property
    def needs_you(self) -> bool:
        return bool(self.conflicts or self.kept or self.stranded)


def parse_changes(words: list[str], stored: dict[str, Any]) -> dict[str, str]:
    """`key=value` words as answers to change; only answers the project has, name excepted."""
    answerable = {key for key in stored if not key.startswith("_")}
    changes = {}
    for word in words:
        key, equals, value = word.partition("=")
        if not equals or key not in answerable:
            raise RegenerationError(
                f"invalid answer {word!r}: expected key=value with a key among "
                f"{', '.join(sorted(answerable))}, for example model_count=2"
            )
        if key in FIXED and value != str(stored[key]):
            raise RegenerationError(
                f"{key} cannot change by regenerating: rename the project instead"
            )
        changes[key] = value
    return changes


def render(
    source: str, checkout: str | None, directory: str | None, answers: dict[str, Any], into: Path
) -> Path:
    """The template at `checkout`, generated in `into` with the given answers.

    Each render is a cookiecutter process of its own: the template's Jinja extension is a
    Python module, and a second render in one process would run the first one's copy.
    """
    from cookiecutter.config import get_user_config

    into.mkdir(parents=True)
    try:
        # The user's config keeps an organisation's abbreviations, and its defaults for
        # answers the template gained since; clones and replays stay in the temporary folder.
        config = get_user_config()
    except Exception as error:  # an unreadable COOKIECUTTER_CONFIG, say
        raise RegenerationError(f"cookiecutter's user config: {error}") from error
    config.update(cookiecutters_dir=str(into / "cache"), replay_dir=str(into / "replay"))
    (into / "config.yaml").write_text(json.dumps(config), "utf-8")  # JSON is valid YAML
    words = [sys.executable, "-m", "cookiecutter", "--no-input", "--config-file",
             str(into / "config.yaml"), "--output-dir", str(into / "out"), source]  # fmt: skip
    if checkout:
        words += ["--checkout", checkout]
    if directory:
        words += ["--directory", directory]
    words += [f"{key}={answer_word(value)}" for key, value in answers.items()]
    done = subprocess.run(words, cwd=into, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        said = [line for line in done.stderr.splitlines() if line.strip()] or ["no message"]
        errors = [line for line in said if line.startswith("Error:")] or said[-1:]
        raise RegenerationError(f"the template did not render from {source}: {errors[-1]}")
    [made] = (into / "out").iterdir()
    return made


def template_files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def merge(project_dir: Path, before: Path, after: Path) -> Report:
    """Carry the change from `before` to `after` (two renders) into `project_dir`."""
    report = Report()
    made_before, made_after = template_files(before), template_files(after)
    for path in sorted(made_before | made_after):
        base, theirs, ours = before / path, after / path, project_dir / path
        if path == str(ANSWERS_FILE):  # written by regeneration alone: the new answers
            _write(ours, theirs)
            report.updated.append(path)
        elif path not in made_before:
            _arrived(path, ours, theirs, report)
        elif path not in made_after:
            _left(path, ours, base, report)
        elif not ours.exists():
            if not filecmp.cmp(base, theirs, shallow=False):
                report.kept.append(f"{path}: you deleted it and the template changed it")
        elif not filecmp.cmp(base, theirs, shallow=False):
            _three_way(path, ours, base, theirs, report)
    report.stranded = _stranded(project_dir, made_before, made_after)
    return report


def _arrived(path: str, ours: Path, theirs: Path, report: Report) -> None:
    if not ours.exists():
        _write(ours, theirs)
        report.added.append(path)
    elif not filecmp.cmp(ours, theirs, shallow=False):
        with tempfile.NamedTemporaryFile() as empty:  # both sides added the file
            _three_way(path, ours, Path(empty.name), theirs, report)


def _left(path: str, ours: Path, base: Path, report: Report) -> None:
    if not ours.exists():
        return
    if not filecmp.cmp(ours, base, shallow=False):
        report.kept.append(f"{path}: you changed it and the template no longer has it")
        return
    ours.unlink()
    report.removed.append(path)
    # Folders it leaves empty go too; Python's byte-code caches do not keep them.
    for parent in list(ours.parents)[: len(Path(path).parents) - 1]:
        if any(p.name != "__pycache__" for p in parent.iterdir()):
            break
        shutil.rmtree(parent)


def _three_way(path: str, ours: Path, base: Path, theirs: Path, report: Report) -> None:
    labels = [arg for label in LABELS for arg in ("-L", label)]
    done = subprocess.run(
        ["git", "merge-file", "-p", *labels, str(ours), str(base), str(theirs)],
        capture_output=True,
        check=False,
    )
    if done.returncode < 0 or done.returncode > 127:  # not a conflict count: binary or error
        report.kept.append(f"{path}: git merge-file could not merge it ({done.stderr.decode()})")
        return
    mode = ours.stat().st_mode
    ours.write_bytes(done.stdout)
    ours.chmod(mode)
    if done.returncode:
        report.conflicts.append(
            f"{path}: {done.returncode} conflict(s) between <<<<<<< and >>>>>>>"
        )
    else:
        report.updated.append(path)


def _write(ours: Path, theirs: Path) -> None:
    ours.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(theirs, ours)


def _stranded(project_dir: Path, made_before: set[str], made_after: set[str]) -> list[str]:
    """The team's files left in folders the template had and no longer has."""
    gone = _folders(made_before) - _folders(made_after)
    left = set()
    for folder in gone:
        where = project_dir / folder
        if where.is_dir():
            left |= {str(p.relative_to(project_dir)) for p in where.rglob("*") if p.is_file()}
    return sorted(path for path in left if "__pycache__" not in Path(path).parts)


def _folders(paths: set[str]) -> set[str]:
    return {str(parent) for path in paths for parent in Path(path).parents} - {"."}


def uncommitted(project_dir: Path) -> str | None:
    """Why the project is not ready: no git checkout, or changes not committed."""
    try:
        done = subprocess.run(
            ["git", "status", "--porcelain"], cwd=project_dir, capture_output=True, text=True
        )
    except OSError:
        return "git is not installed"
    if done.returncode != 0:
        return "the project is not a git checkout"
    return "there are uncommitted changes" if done.stdout.strip() else None


def regenerate(
    project_dir: Path,
    changes: dict[str, str],
    ref: str | None = None,
    template: str | None = None,
) -> Report:
    """Render before and after, and merge; raises RegenerationError before changing anything."""
    problem = uncommitted(project_dir)
    if problem:
        raise RegenerationError(
            f"{problem}: commit first, so that `git diff` shows what regenerating changes"
        )
    stored = json.loads((project_dir / ANSWERS_FILE).read_text("utf-8"))
    source = template or stored.get("_source") or stored["_template"]
    # Without a recorded commit (a portal's copy of the template, say), the release tag.
    made_at = stored.get("_commit") or stored.get("_checkout") or f"v{stored['_template_version']}"
    directory = stored.get("_directory")
    answers = {key: value for key, value in stored.items() if not key.startswith("_")}
    with tempfile.TemporaryDirectory(prefix="regenerate-") as scratch:
        before = render(source, made_at, directory, answers, Path(scratch, "before"))
        after_answers = {**answers, **changes}
        after = render(source, ref or made_at, directory, after_answers, Path(scratch, "after"))
        return merge(project_dir, before, after)


def print_report(report: Report) -> None:
    for label, paths in (("updated", report.updated), ("added", report.added),
                         ("removed", report.removed)):  # fmt: skip
        if paths:
            print(f"{label:>8} {len(paths)} file(s)")
    for label, lines in (("CONFLICT", report.conflicts), ("KEPT", report.kept)):
        for line in lines:
            print(f"{label:>8} {line}")
    for path in report.stranded:
        print(f"    LEFT {path}: your file, in a folder these answers no longer have")
    if report.needs_you:
        print("resolve the lines above, then review with `git diff`, and commit")
    print("next: make install lint test, then commit (`git checkout . && git clean -fd` undoes)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m lifecycle.regenerate")
    parser.add_argument("answers", nargs="*", metavar="KEY=VALUE", help="answers to change")
    parser.add_argument("--ref", help="template tag or commit to move to (default: the same)")
    parser.add_argument("--template", help="template source, if not the one in answers.json")
    args = parser.parse_args(argv)
    try:
        changes = parse_changes(args.answers, project.answers())
        report = regenerate(Path.cwd(), changes, args.ref, args.template)
    except RegenerationError as error:
        print(f"regenerate: {error}", file=sys.stderr)
        return 2
    print_report(report)
    return 1 if report.needs_you else 0


if __name__ == "__main__":
    sys.exit(main())
