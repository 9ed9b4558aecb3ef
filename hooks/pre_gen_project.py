"""Refuse invalid answers before any file is written, and remember what was already here.

The snapshot lets post_gen_project tell the files this run creates from a team's own files
when a project is generated again over itself (`cookiecutter -f`).
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

try:
    answers.validate(ANSWERS)
except answers.InvalidAnswer as error:
    sys.exit(f"error: {error}")
layout.save_snapshot(Path.cwd())
