"""Refuse invalid answers before any file is written, and remember what was already here.

The snapshot lets post_gen_project tell the files this run creates from a team's own files
when a project is generated again over itself (`cookiecutter -f`).
"""

import json
import sys
from pathlib import Path

ANSWERS = json.loads({{cookiecutter | jsonify | jsonify}})
sys.path.insert(0, str(Path(ANSWERS["_repo_dir"]) / "hooks"))

import answers  # noqa: E402
import layout  # noqa: E402

try:
    answers.validate(ANSWERS)
except answers.InvalidAnswer as error:
    sys.exit(f"error: {error}")
layout.save_snapshot(Path.cwd())
