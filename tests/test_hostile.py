"""Hostile answers: each one yields a sound project that keeps the answer as written, or one
`Error:` line and no folder; nothing is ever written outside the output folder and no answer
ever runs as code or shell.

Every case runs the real CLI (forked, see `forked_cli`) in a sandbox of its own
(`<root>/sandbox/`: the working folder, HOME, TMPDIR, the output folder and cookiecutter's
caches), beside `<root>/sentinel/`, and the whole of `<root>` is compared before and after.
Values argv cannot carry (NUL) and typed values (a float model count) go through cookiecutter's
Python API instead, which reports a refusal as the CLI does.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import re
import stat
import subprocess
import tempfile
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from forked_cli import ForkedCli
from profiles import TEMPLATE
from test_bake import LEFTOVER_MARKER, parse
from test_generated import SHARED_VENV, make

# The real CLI, forked from one process per worker (see forked_cli).
CLI = ForkedCli()
atexit.register(CLI.close)
TEXT_ANSWERS = (
    "project_name", "project_slug", "package_name", "description", "owner_handle",
    "platform_handle", "approver_handle",
)  # fmt: skip
FREE_TEXT = ("project_name", "description")
# Valid answers around the hostile one; no model, the quickest project to generate and check.
BASE = {
    "project_name": "Hostile Answers",
    "project_slug": "hostile-answers",
    "package_name": "hostile_answers",
    "description": "A project generated from hostile answers.",
    "owner_handle": "@acme/payments",
    "platform_handle": "@acme/platform",
    "approver_handle": "@acme/model-risk",
    "model_count": "0",
}
# The answers an error may name: the slug and the package name derive from the name.
DERIVED = {
    "project_name": ("project_name", "project_slug", "package_name"),
    "project_slug": ("project_slug", "package_name"),
}
# Replaced by a file path in each run's root: it exists afterwards only if an answer ran.
PWNED = "{pwned}"

# Free text (project_name, description) keeps these as written; every other text answer
# refuses them.
HARMLESS_TEXT = [
    "../x", "../../x", "/abs/path", "..", ".", "~", "*",
    "'", '"', "it's \"quoted\"", "back\\slash \\n \\", "C:\\Users\\x",
    "${HOME}", "$HOME", "$(touch {pwned})", "`touch {pwned}`", "$(touch /tmp/pwned)",
    "; rm -rf ~", "a | b", "a & b", "a && b || c", "> out.txt", "-rf --help",
    "{x} }} %} #}",  # single braces and closing delimiters render nothing
    "<script>alert(1)</script>", "' OR 1=1 --", "%s %(x)s {0} \\u0000 \\x00",
    "Café crème, naïve façade", "Дом Ελλάδα 漢字 かな",
    "\uff26\uff35\uff2c\uff2c \uff57\uff49\uff44\uff54\uff48",  # full width
    "😀 🚀 \U0001d518\U0001d52b\U0001d526",  # emoji and mathematical letters, beyond U+FFFF
    "x" * 80,
]  # fmt: skip
# Refused by every text answer: empty, more than one line, control and invisible characters,
# Jinja, and far too long.
REFUSED_TEXT = [
    "", " ", "a\nb", "a\rb", "a\tb", "\x1b[31mred", "a\x7fb", "next\x85line",
    "{{ 7*7 }}", "{% raw %}", "{#", "a {{ b", "{% for x in range(9**9) %}{% endfor %}",
    "{{ cycler.__init__.__globals__.os.popen('touch {pwned}').read() }}",
    "\u202eevil", "a\u200fb", "zero\u200bwidth", "no\u00a0break", "👩\u200d💻",
    "x" * 10_000,
]  # fmt: skip
BAD_COUNTS = [
    "-1", "21", "99999999999999999999", "1.5", "1e3", "0x10", "+1", " 1", "", "two",
    "\u0663", "\u00b2", "{{ 7*7 }}", "$(touch {pwned})",  # an Arabic-Indic 3, a superscript 2
]  # fmt: skip
# Almost valid identifiers and handles, and whether they are valid.
NEAR_VALID = [
    ("project_slug", "a" * 44, True),
    ("project_slug", "a" * 45, False),
    ("project_slug", "-lead", False),
    ("project_slug", "trail-", False),
    ("project_slug", "9lives", False),
    ("project_slug", "café", False),
    ("project_slug", "\uff46\uff55\uff4c\uff4c", False),  # full width
    ("package_name", "a" * 44, True),
    ("package_name", "a" * 45, False),
    ("package_name", "a" * 300, False),
    ("package_name", "conftest", False),
    ("package_name", "__main__", False),
    ("package_name", "os", False),
    ("package_name", "pkg.sub", False),
    ("package_name", "\uff50\uff4b\uff47", False),  # full width
    ("owner_handle", "@solo", True),
    ("owner_handle", "@acme/pay.ments_2", True),
    ("owner_handle", "@acme/team/extra", False),
    ("platform_handle", "@-acme", False),
    ("approver_handle", "@acme/" + "t" * 101, False),
]
FIXED = [
    *[(key, value, key in FREE_TEXT) for key in TEXT_ANSWERS for value in HARMLESS_TEXT],
    *[(key, value, False) for key in TEXT_ANSWERS for value in REFUSED_TEXT],
    *NEAR_VALID,
    *[("model_count", value, False) for value in BAD_COUNTS],
]
# Through the Python API: NUL (argv cannot carry it) and values the CLI can only give as text.
TYPED = [
    *[(key, "nul\x00byte") for key in TEXT_ANSWERS],
    ("model_count", 1.5),
    ("model_count", -1),
    ("model_count", 10**30),
    ("model_count", True),
    ("model_count", None),
    ("model_count", "1\x00"),
    ("data_regulated", 2),
    ("data_regulated", None),
]
# Refused by cookiecutter itself, before the template's code runs (see README).
NOT_CHOICES = {
    "incident_owner": ["nobody", "ML-TEAM", "ml-team ", "", "../x", "{{ 7*7 }}", "$(id)"],
    "python_version": ["2.7", "3.12 ", "3.99", "3", "{{ 7*7 }}"],
    "data_regulated": ["maybe", "2", "", "ja", "{{ true }}", "$(touch {pwned})"],
}
COOKIECUTTER_CHECKED = [(key, value) for key, values in NOT_CHOICES.items() for value in values]
# Files that a shell or a runner executes: an answer must never be pasted into them.
EXECUTED = re.compile(r"Makefile|Dockerfile|\.pre-commit-config\.yaml|\.github/.*|deploy/.*")

# Reproducible in CI, a few minutes on two cores, and no example database in the template.
BOUNDED = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def ids(cases: list[tuple]) -> list[str]:
    return [f"{case[0]}={str(case[1])[:16]!r}" for case in cases]


@contextlib.contextmanager
def sandbox() -> Iterator[Path]:
    """A root holding `sentinel/` and `sandbox/`; a short path, so `$(touch <root>/pwned)` still
    fits in a project name."""
    with tempfile.TemporaryDirectory(prefix="hostile-") as name:
        root = Path(name)
        for folder in ("sentinel", "sandbox/home", "sandbox/out", "sandbox/tmp"):
            (root / folder).mkdir(parents=True)
        (root / "sentinel" / "keep.txt").write_text("untouched\n")
        config = {
            "cookiecutters_dir": str(root / "sandbox" / "cache"),
            "replay_dir": str(root / "sandbox" / "replay"),
        }
        (root / "sandbox" / "config.yaml").write_text(json.dumps(config))  # JSON is YAML
        yield root


def sandbox_env(root: Path) -> dict[str, str]:
    home = root / "sandbox"
    env = {"HOME": str(home / "home"), "TMPDIR": str(home / "tmp"), "PYTHONUTF8": "1"}
    return {**os.environ, **env}


def listing(root: Path) -> dict[str, tuple[int, int] | None]:
    """Every path under root: files with their size and modification time, folders as None."""
    found = {}
    for path in root.rglob("*"):
        info = path.lstat()
        regular = not stat.S_ISDIR(info.st_mode)
        found[str(path.relative_to(root))] = (info.st_size, info.st_mtime_ns) if regular else None
    return found


def landing_spots(root: Path, answers: dict[str, Any]) -> set[str]:
    """Where an answer used as a path would land outside the output folder: above it, beside
    the template, in /tmp, or at an absolute path."""
    out = root / "sandbox" / "out"
    bases = [out, root / "sandbox", root, TEMPLATE, Path("/tmp")]
    spots = {"/tmp/pwned"}
    for value in answers.values():
        if isinstance(value, str) and value.strip() and "\x00" not in value:
            spots |= {os.path.normpath(base / value) for base in bases}
    return {spot for spot in spots if not spot.startswith(f"{out}{os.sep}")}


def with_marker(answers: dict[str, Any], root: Path) -> dict[str, Any]:
    return {
        key: value.replace(PWNED, str(root / "pwned")) if isinstance(value, str) else value
        for key, value in answers.items()
    }


def run(root: Path, answers: dict[str, Any]) -> subprocess.CompletedProcess:
    home = root / "sandbox"
    if all(isinstance(v, str) and "\x00" not in v for v in answers.values()):
        words = [f"{key}={value}" for key, value in answers.items()]
        argv = ["--no-input", "--config-file", str(home / "config.yaml"), "-o", str(home / "out"),
                str(TEMPLATE), *words]  # fmt: skip
        return CLI.run(argv, cwd=home, env=sandbox_env(root))
    job = {"template": str(TEMPLATE), "answers": answers, "out": str(home / "out"),
           "config": str(home / "config.yaml")}  # fmt: skip
    return CLI.run_api(job, cwd=home, env=sandbox_env(root))


def generate(root: Path, answers: dict[str, Any], blame: tuple[str, ...]) -> Path | None:
    """Run cookiecutter on the answers and check the outcome: the project, or None if refused."""
    before = listing(root)
    spots = {spot for spot in landing_spots(root, answers) if not os.path.lexists(spot)}

    done = run(root, answers)

    after = listing(root)
    assert not (root / "pwned").exists(), "an answer ran as shell or code"
    assert (root / "sentinel" / "keep.txt").read_text() == "untouched\n"
    assert {path: after.get(path) for path in before} == before, "a file changed or went"
    assert not {spot for spot in spots if os.path.lexists(spot)}, "written outside"
    new = set(after) - set(before)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, done.stderr
        assert re.match(f"Error: invalid ({'|'.join(blame)}) ", lines[0]), lines[0]
        assert new == set(), "a refused answer left something behind"
        return None
    [project] = (root / "sandbox" / "out").iterdir()
    made = re.escape(f"sandbox/out/{project.name}")
    allowed = re.compile(rf"{made}(/.*)?|sandbox/replay(/[^/]+\.json)?")
    assert {path for path in new if not allowed.fullmatch(path)} == set(), "written outside"
    assert_sound(project, answers)
    return project


def assert_sound(project: Path, answers: dict[str, Any]) -> None:
    """Every file parses and is fully rendered, the answers are stored as given, and no answer
    is pasted into a file that a shell runs."""
    [stored_at] = project.glob("src/*/answers.json")
    stored = json.loads(stored_at.read_text("utf-8"))
    given_text = {key: value for key, value in answers.items() if key in TEXT_ANSWERS}
    assert {key: stored[key] for key in given_text} == given_text
    assert project.name == stored["project_slug"]
    assert stored_at.parent.name == stored["package_name"]
    pyproject = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))
    assert pyproject["project"]["description"] == stored["description"]
    # Text that came from an answer may hold `%}` or `}}`: only the template's own text counts.
    answer_forms = sorted(
        {form for value in given_text.values() for form in (
            value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1])},
        key=len, reverse=True,
    )  # fmt: skip
    for path in sorted(project.rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(project))
        template_text = text
        for form in answer_forms:
            template_text = template_text.replace(form, "\x00")
        assert not LEFTOVER_MARKER.search(template_text), f"template marker left in {name}"
        parse(name, text)
        if EXECUTED.fullmatch(name):
            for key in FREE_TEXT:  # the marker makes a pasted answer unmistakable
                assert not ("pwned" in stored[key] and stored[key] in text), f"{key} in {name}"


def check(answers: dict[str, Any], blame: tuple[str, ...]) -> bool:
    """Generate in a fresh sandbox; whether the answers were accepted."""
    with sandbox() as root:
        return generate(root, with_marker(answers, root), blame) is not None


@pytest.mark.parametrize(("answer", "value", "accepted"), FIXED, ids=ids(FIXED))
def test_a_hostile_answer_gives_a_sound_project_or_one_line(answer, value, accepted):
    assert check({**BASE, answer: value}, (answer,)) is accepted


@pytest.mark.parametrize(("answer", "value"), TYPED, ids=ids(TYPED))
def test_values_argv_cannot_carry_are_refused_through_the_api(answer, value):
    assert check({**BASE, answer: value}, (answer,)) is False


@pytest.mark.parametrize(("answer", "value"), COOKIECUTTER_CHECKED, ids=ids(COOKIECUTTER_CHECKED))
def test_choices_and_booleans_are_refused_by_cookiecutter_and_leave_nothing(answer, value):
    # Cookiecutter checks these while it reads the command line, before the template's code
    # runs, and reports them with a traceback: the template cannot make that one line.
    with sandbox() as root:
        answers = with_marker({**BASE, answer: value}, root)
        before = listing(root)

        done = run(root, answers)

        assert done.returncode != 0
        last = done.stderr.strip().splitlines()[-1]
        assert last.startswith("ValueError: ") and f" variable {answer}" in last, last
        assert listing(root) == before
        assert not (root / "pwned").exists()


# A word, then printable text with hostile pieces; now and then a piece that must be refused.
FRAGMENTS = [
    "'", '"', "\\", "$(", "`", ";", "|", "&", "${HOME}", "../", "/", "%}", "}}", "{", " ",
    "é", "漢", "😀", "\uff46",
]  # fmt: skip
REFUSED_FRAGMENTS = ["\u202e", "\u200b", "\n", "\t", "{{", "{%", "{#"]
PRINTABLE = st.text(st.characters(exclude_categories=["C", "Z"]), max_size=4)
PIECE = st.sampled_from(FRAGMENTS * 3 + REFUSED_FRAGMENTS) | PRINTABLE
MIXED_TEXT = st.builds(
    lambda word, pieces: word + "".join(pieces),
    st.from_regex(r"[A-Z][a-z]{0,7}", fullmatch=True),
    st.lists(PIECE, max_size=6),
)
# Valid forms, to be broken by one inserted character.
VALID_FORMS = {
    "project_slug": r"[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,6}){0,3}",
    "package_name": r"[a-z][a-z0-9_]{0,20}",
    "owner_handle": r"@[a-z][a-z0-9-]{0,10}(/[a-z][a-z0-9_.-]{0,10})?",
    "platform_handle": r"@[a-z][a-z0-9-]{0,10}/[a-z][a-z0-9_.-]{0,10}",
    "approver_handle": r"@[A-Za-z0-9]{1,10}/[A-Za-z0-9]{1,10}",
}


def outcome(accepted: bool) -> str:
    """For `--hypothesis-show-statistics`: how often each side of the oracle ran."""
    return "accepted" if accepted else "refused"


@st.composite
def near_valid(draw: st.DrawFn) -> tuple[str, str]:
    answer = draw(st.sampled_from(sorted(VALID_FORMS)))
    valid = draw(st.from_regex(VALID_FORMS[answer], fullmatch=True))
    at = draw(st.integers(0, len(valid)))
    inserted = draw(st.sampled_from("-_./@aZ0 ") | st.characters(exclude_categories=["Cs"]))
    return answer, valid[:at] + inserted + valid[at:]


@pytest.mark.heavy
@settings(BOUNDED, max_examples=30)
@given(answer=st.sampled_from(TEXT_ANSWERS), value=st.text())
def test_any_text_in_any_text_answer(answer, value):
    event(outcome(check({**BASE, answer: value}, DERIVED.get(answer, (answer,)))))


@pytest.mark.heavy
@settings(BOUNDED, max_examples=25)
@given(answer=st.sampled_from(FREE_TEXT), value=MIXED_TEXT)
def test_free_text_with_hostile_pieces(answer, value):
    # Without a slug or package name, both derive from the project name, as for most teams.
    answers = {key: v for key, v in BASE.items() if key not in {"project_slug", "package_name"}}
    event(outcome(check({**answers, answer: value}, DERIVED.get(answer, (answer,)))))


@pytest.mark.heavy
@settings(BOUNDED, max_examples=25)
@given(case=near_valid())
def test_near_valid_identifiers_and_handles(case):
    answer, value = case
    event(outcome(check({**BASE, answer: value}, DERIVED.get(answer, (answer,)))))


@pytest.mark.heavy
@pytest.mark.parametrize(
    "answers",
    [
        {**BASE, "project_name": "Q'uo\"te \\ back ünï 漢字 😀 ${HOME} $(touch {pwned})",
         "description": "Runs $(touch {pwned}) and `touch {pwned}`; {x} %} | & ~ 'q' \"dq\" \\ 😀"},
        # The slug and package name derive from the name: `x`.
        {"project_name": "../x", "description": "/abs/path ; rm -rf ~ > /tmp/pwned",
         "model_count": "0"},
    ],
    ids=["quotes-shell-unicode", "paths"],
)  # fmt: skip
def test_accepted_hostile_answers_pass_the_projects_own_lint_and_tests(answers):
    # Makefiles and CI interpolate answers: the project's own commands must not run them.
    tmp_pwned = os.path.lexists("/tmp/pwned")
    with sandbox() as root:
        project = generate(root, with_marker(answers, root), FREE_TEXT)
        assert project is not None
        before = listing(root)

        output = make(project, "lint", "test", f"VENV={SHARED_VENV}", env=sandbox_env(root))

        assert " passed" in output and " failed" not in output
        assert not (root / "pwned").exists(), "an answer ran as shell"
        assert os.path.lexists("/tmp/pwned") == tmp_pwned
        outside = {path for path in set(listing(root)) - set(before)
                   if not path.startswith("sandbox/")}  # fmt: skip
        assert outside == set()
