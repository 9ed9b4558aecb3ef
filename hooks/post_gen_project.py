"""Keep the files of the components the operating-model rules choose and of the answered CI
provider, and only those.

Removes what the profile leaves out among the files this run created; files that existed
before the run (see pre_gen_project) are never touched.
"""

import json
import sys
from pathlib import Path

ANSWERS = json.loads({{ cookiecutter | jsonify | jsonify }})
Path(__file__).unlink()  # cookiecutter leaves this rendered copy, answers and all, in /tmp
# Absolute, from the template's Jinja extension: `_repo_dir` may be relative to another cwd.
sys.path.insert(0, {{ template_hooks_dir | tojson }})
sys.dont_write_bytecode = True  # the template tree gains no __pycache__

import answers  # noqa: E402
import layout  # noqa: E402
import rules  # noqa: E402


def next_steps(project_dir: Path) -> str:
    """Where the project is and its first commands: the first `sh` block of its README, so
    the two say the same."""
    readme = (project_dir / "README.md").read_text(encoding="utf-8")
    if "```sh\n" not in readme:  # a fork's README without one
        return f"Created {project_dir}"
    block = readme.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = "".join(f"  {line}\n" for line in block.splitlines())
    return f"Created {project_dir}\nNext, in that folder:\n{commands}"


profile = rules.decide(**answers.validate(ANSWERS))
# The CI provider is no operating-model rule: the answer names its component.
included = profile.components | {ANSWERS["ci_provider"]}
project_dir = Path.cwd()
layout.prune(
    project_dir,
    layout.unselected_paths(included, ANSWERS["package_name"]),
    preexisting=layout.take_snapshot(project_dir),
)
print(next_steps(project_dir))
