"""Jinja filters for the template: answers checked and the operating-model verdict.

Cookiecutter loads this module through `_extensions` in cookiecutter.json. The checks run
while the context is rendered, before cookiecutter creates the project directory, so an
answer such as `../elsewhere` never creates a folder. Cookiecutter renders every answer as a
Jinja template; the extension makes an answer render as the text given, so that Jinja in it
never runs and the checks refuse it.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
from jinja2.ext import Extension

try:  # cookiecutter's own function for rendering context values (2.x): see `preprocess`
    from cookiecutter.prompt import render_variable
except ImportError:  # a cookiecutter without it: answers are left to `checked_answers` alone
    render_variable = None

TEMPLATE_ROOT = Path(__file__).resolve().parent
HOOKS_DIR = TEMPLATE_ROOT / "hooks"
sys.path.insert(0, str(HOOKS_DIR))

# The hooks' modules, and the rules they load from the project template, are imported from
# the template tree: without this, their byte-code would land in the tree and, through
# `{{cookiecutter.project_slug}}/`, in every generated project.
_writes_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
import answers  # noqa: E402
import layout  # noqa: E402
import rules  # noqa: E402

sys.dont_write_bytecode = _writes_bytecode


def _forget_own_bytecode() -> None:
    """Cookiecutter imports this module from the template tree, so Python caches its
    byte-code beside it before any line here runs: remove that file again."""
    cached = Path(__cached__) if __cached__ else None  # None where writing is off
    if cached is not None and cached.is_file():
        cached.unlink(missing_ok=True)
        if not any(cached.parent.iterdir()):
            cached.parent.rmdir()


_forget_own_bytecode()

# Which files each component owns: read once, though cookiecutter loads the extension into
# each of its Jinja environments.
COMPONENT_FILES = layout.load_manifest()["components"]
# Context keys that describe this machine or cookiecutter itself, not the project.
UNSTORED = {"_output_dir", "_repo_dir", "_extensions", "__prompts__", "__answers_valid"}
# A template named by URL or abbreviation (`gh:org/repo`, `https://…`, `git@host:…`), not a path.
REMOTE = re.compile(r"[A-Za-z][\w+.-]*:|\w+@")


def _strings(value: Any) -> set[str]:
    if isinstance(value, dict):
        return {text for item in value.values() for text in _strings(item)}
    if isinstance(value, list):
        return {text for item in value for text in _strings(item)}
    return {value} if isinstance(value, str) else set()


# The template's own Jinja among the values cookiecutter renders: the derived defaults.
TEMPLATE_SOURCES = frozenset(
    _strings(json.loads((TEMPLATE_ROOT / "cookiecutter.json").read_text("utf-8")))
)


def checked_answers(context: dict[str, Any]) -> str:
    """Validate the answers; cookiecutter's CLI prints a failure as one `Error:` line."""
    if not context.keys() >= answers.ANSWER_KEYS:
        # A replay prompts only for keys its file lacks; pre_gen_project checks the whole set.
        return "deferred"
    try:
        answers.validate(context)
    except answers.InvalidAnswer as error:
        raise click.ClickException(str(error)) from None
    return "yes"


def operating_profile(context: dict[str, Any]) -> rules.Profile:
    """The operating-model verdict for the answers in the context."""
    return rules.decide(**answers.validate(context))


def incident_handle(context: dict[str, Any]) -> str:
    """The handle paged first: the platform team's, or the owning team's."""
    if context["incident_owner"] == "platform-team":
        return context["platform_handle"]
    return context["owner_handle"]


def stored_answers(context: dict[str, Any]) -> str:
    """The answers and template origin, as JSON, for the project to keep."""
    kept = {k: v for k, v in context.items() if k not in UNSTORED}
    # Typed as the schema has them: a prompt, the command line and a config file all give
    # cookiecutter text for a number.
    kept.update(answers.validate(context))
    kept.update(template_origin(context["_template"]))
    return json.dumps(kept, indent=2, sort_keys=True)


def template_origin(given: str) -> dict[str, str]:
    """Where a regeneration finds this template again: `_source` (a location cookiecutter can
    fetch), `_commit` and `_directory` (inside the repository), each where it is known.

    A remote template was cloned by cookiecutter, so its clone's origin is the URL with any
    abbreviation (`gh:`, an organisation's own) expanded. A local checkout is recorded as a
    `git+file://` URL, so that a regeneration can check out the commit this run used.
    """
    remote = bool(REMOTE.match(given))
    top = _git("rev-parse", "--show-toplevel")
    if top is None:
        return {"_source": given if remote else str(TEMPLATE_ROOT)}
    origin = {"_commit": _git("rev-parse", "HEAD") or "", "_source": f"git+file://{top}"}
    if remote:
        url = _git("config", "--get", "remote.origin.url") or given
        origin["_source"] = url if url.startswith(("git+", "git@")) else f"git+{url}"
    directory = (_git("rev-parse", "--show-prefix") or "").rstrip("/")
    if directory:
        origin["_directory"] = directory
    return {key: value for key, value in origin.items() if value}


def toml_string(value: str) -> str:
    """A TOML basic string. JSON's escapes are TOML's, but `tojson` writes characters beyond
    U+FFFF as surrogate pairs, which TOML refuses: keep them as themselves."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def verbatim(text: str) -> str:
    """Jinja source that renders as `text`: one string literal, every character escaped."""
    return "{{ '" + "".join(f"\\U{ord(char):08x}" for char in text) + "' }}"


def _rendering_a_context_value() -> bool:
    """Whether cookiecutter is rendering a value of the context (an answer or a default),
    rather than a file, a path or a hook of the template."""
    if render_variable is None:
        return False
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code is render_variable.__code__:
            return True
        frame = frame.f_back
    return False


def _git(*args: str) -> str | None:
    """A git query about the template's own checkout; None where git or a checkout is absent."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=TEMPLATE_ROOT, capture_output=True, text=True, check=False
        )
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


class OperatingModel(Extension):
    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["checked_answers"] = checked_answers
        environment.filters["operating_profile"] = operating_profile
        environment.filters["stored_answers"] = stored_answers
        environment.filters["incident_handle"] = incident_handle
        environment.filters["shell_quote"] = shlex.quote
        environment.filters["toml_string"] = toml_string
        environment.globals["template_hooks_dir"] = str(HOOKS_DIR)
        environment.globals["operating_rules"] = rules.operating_model.RULES
        environment.globals["component_files"] = COMPONENT_FILES

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        """An answer holding Jinja renders as the text given, for `checked_answers` to refuse:
        rendered, it would run before any check (`{{ ... }}` is code), or crash cookiecutter
        with a traceback (`a {{ b`)."""
        if (
            name is None  # from_string: a context value, a path or a hook; files have names
            and answers.JINJA.search(source)
            and source not in TEMPLATE_SOURCES
            and _rendering_a_context_value()
        ):
            return verbatim(source)
        return source
