"""Does the project still match its answers? `python -m lifecycle.conformance`.

Two ways a project drifts from `answers.json`. Its tree: a project generated without the
template's hooks (Backstage's fetch:cookiecutter runs none) keeps the files of components the
rules leave out, and the CI configuration of the provider it does not use. Its operating
model: more models configured than answered, or personal fields declared while the data is
answered as unregulated, call for another layout. Either way this says what differs, which
answer to change, and the command that regenerates.
"""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

from lifecycle import PACKAGE, answer_word, layout, runtime

project = runtime("project")
decide = runtime("operating_model").decide
COMPONENT_FILES = Path(__file__).with_name("component_files.json")


def owned_files() -> dict[str, list[str]]:
    """Each component's files, relative to the project, as the template's layout lists them."""
    listed = json.loads(COMPONENT_FILES.read_text("utf-8"))
    return {name: [p.format(package=PACKAGE) for p in paths] for name, paths in listed.items()}


def path_owners() -> dict[str, list[str]]:
    """Each listed path with the components that list it."""
    return layout.path_owners(owned_files())


def tree_problems(root: Path) -> list[str]:
    """Files of components this project leaves out, and missing files of those it has.

    The rule is the template's layout's (`lifecycle.layout`): a path belongs in the project
    when one of the components listing it is included and so is one listing each folder
    above it.
    """
    included = project.components()
    ruled = {decision.component for decision in project.profile().decisions}
    provider = project.answers()["ci_provider"]
    owners = path_owners()
    problems = []
    for path, names in owners.items():
        if not all(layout.kept(f, owners, included) for f in layout.folders_above(path, owners)):
            continue  # a folder above it is left out, and reported if present
        present = _present(root / path)
        needed_by = [name for name in names if name in included]
        if needed_by and not present:
            problems.append(f"{path} is missing: the {needed_by[0]} component needs it")
        elif not needed_by and present:
            if names[0] in ruled:
                why = "which the rules leave out for these answers"
            else:
                why = f"which is not this project's CI provider ({provider})"
            problems.append(
                f"{path} belongs to {' and '.join(names)}, {why}: remove it, or move your "
                "own files out of it (a project generated without the template's hooks keeps "
                "such files)"
            )
    return problems


def _present(path: Path) -> bool:
    """A file, or a folder holding any file other than Python's byte-code caches."""
    if path.is_dir():
        files = (f.relative_to(path) for f in path.rglob("*") if f.is_file())
        return any("__pycache__" not in f.parts for f in files)
    return path.exists()


def observed_answers() -> dict[str, Any]:
    """The business answers the project's configuration implies today."""
    observed = project.business_answers()
    if "mlops" in project.profile().components:
        config = runtime("models_config").load_config()
        observed["model_count"] = len(config.models)
        if any(card.personal_fields for card in config.datasets.values()):
            observed["data_regulated"] = True
    return observed


def answer_problems() -> list[str]:
    """Answers the configuration has outgrown, with the command to generate again."""
    stated, observed = project.business_answers(), observed_answers()
    now = decide(**observed)
    if now.components == decide(**stated).components:
        return []
    changed = {key: value for key, value in observed.items() if value != stated[key]}
    wording = ", ".join(f"{key}={answer_word(value)}" for key, value in changed.items())
    return [
        f"the configuration calls for the {now.name} profile, not {project.profile().name}: "
        f"answer {wording} and generate the project again, keeping your work:\n"
        f"  {regenerate_command(changed)}"
    ]


def regenerate_command(changed: dict[str, Any]) -> str:
    """The command that changes the answers and merges the new layout into this project."""
    words = " ".join(f"{key}={answer_word(value)}" for key, value in changed.items())
    return f"make regenerate ANSWERS={shlex.quote(words)}"


def main(root: Path = Path()) -> int:
    problems = tree_problems(root) + answer_problems()
    for problem in problems:
        print(f"- {problem}")
    if not problems:
        print(f"the project matches its answers: profile {project.profile().name}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
