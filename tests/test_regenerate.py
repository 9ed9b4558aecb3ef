"""Regenerating with new answers months later, as a team would with `make regenerate`: the
template is released into a temporary git repository, the project generated from its URL and
kept in git, the team's files planted and template files edited before every transition, and
after it nothing of theirs is missing and the project passes its own lint, conformance check and
the team's test (and at the end of a walk its whole test suite)."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from layout import owned_paths
from profiles import Profile
from releases import GIT_ENV, commit, git, release

# Every test here runs git, make or a server: the full suite's tier, not the fast one.
pytestmark = pytest.mark.heavy

SHARED_VENV = Path(sys.prefix)
TAG = "v1.0.0"
SLUG, PACKAGE = "growing-service", "growing_service"
BUSINESS = ("model_count", "data_regulated", "incident_owner")

# Growing up and scaling back, through every change of layout the answers can make.
UP = (
    Profile(0, False, "platform-team"),  # devops
    Profile(1, False, "platform-team"),  # devops-lean
    Profile(2, False, "platform-team"),  # mlops
    Profile(2, True, "platform-team"),  # mlops-governed
    Profile(2, True, "ml-team"),  # the ML team takes over incidents
)
DOWN = (
    Profile(2, True, "ml-team"),
    Profile(2, False, "ml-team"),  # no longer regulated: mlops
    Profile(1, False, "platform-team"),  # devops-lean
    Profile(0, False, "platform-team"),  # devops
)
# Template files a team edits, each with a line of its own appended.
EDITED = ("README.md", ".gitignore", "deploy/k8s/base/service.yaml", f"src/{PACKAGE}/settings.py")
TEAM_TEST = """from growing_service import project


def test_the_project_keeps_its_name():
    assert project.answers()["project_slug"] == "growing-service"
"""


@pytest.fixture(scope="module")
def template_repo(tmp_path_factory) -> Path:
    return release(tmp_path_factory.mktemp("published") / "template", TAG)


def answers(profile: Profile) -> dict:
    return {**profile.answers(), "project_name": "Growing Service", "project_slug": SLUG}


def generate(repo: Path, profile: Profile, out: Path, checkout: str = TAG) -> Path:
    """Generate from the repository's URL with cookiecutter's command, its caches in `out`."""
    out.mkdir(parents=True)
    settings = {"cookiecutters_dir": str(out / "cache"), "replay_dir": str(out / "replay")}
    (out / "config.yaml").write_text(yaml.safe_dump(settings))
    subprocess.run(
        [sys.executable, "-m", "cookiecutter", "--no-input", "--config-file",
         str(out / "config.yaml"), "--output-dir", str(out / "made"), "--checkout", checkout,
         f"git+file://{repo}", *(f"{key}={value}" for key, value in answers(profile).items())],
        cwd=out, check=True, capture_output=True, env={**os.environ, **GIT_ENV},
    )  # fmt: skip
    [made] = (out / "made").iterdir()
    return made


def start(repo: Path, profile: Profile, tmp_path: Path) -> Path:
    """A project generated from the release and committed, with a test of the team's."""
    project = generate(repo, profile, tmp_path / "projects")
    (project / "tests" / "test_team.py").write_text(TEAM_TEST)
    git("init", "--quiet", "--initial-branch=main", cwd=project)
    save(project, "generated")
    return project


def save(project: Path, message: str) -> None:
    git("add", "--all", cwd=project)
    git("commit", "--quiet", "--allow-empty", "--message", message, cwd=project)


def regenerate(project: Path, words: str, *extra: str) -> subprocess.CompletedProcess:
    """`make regenerate` as the team types it, with its own home (no user config)."""
    env = {k: v for k, v in os.environ.items() if k != "COOKIECUTTER_CONFIG"}
    env.update(GIT_ENV, HOME=str(project.parent / "home"), PYTHONPATH="src")
    return subprocess.run(
        ["make", "regenerate", f"ANSWERS={words}", f"VENV={SHARED_VENV}", *extra],
        cwd=project, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def make(project: Path, *targets: str) -> None:
    done = subprocess.run(
        ["make", *targets, f"VENV={SHARED_VENV}"], cwd=project, capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": "src"}, timeout=900, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"make {' '.join(targets)}:\n{done.stdout}\n{done.stderr}"


def team_test(project: Path) -> None:
    done = subprocess.run(
        [SHARED_VENV / "bin" / "pytest", "-q", "-p", "no:cacheprovider", "tests/test_team.py"],
        cwd=project, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": "src"},
        timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"the team's test:\n{done.stdout}\n{done.stderr}"


def plant(project: Path, profile: Profile, step: int) -> dict[str, str]:
    """The team's own files, one in every folder of the profile's components."""
    planted = {}
    for folder in owned_paths(profile.components, PACKAGE):
        if folder.endswith("/"):
            planted[f"{folder}team-notes-{step}.md"] = f"Notes of step {step}.\n"
            if folder.startswith("src/"):
                planted[f"{folder}team_code_{step}.py"] = f'"""The team\'s."""\n\nSTEP = {step}\n'
    for path, text in planted.items():
        (project / path).write_text(text)
    return planted


def edit(project: Path, step: int) -> dict[str, str]:
    """A line of the team's at the end of template files; what each file must still hold."""
    edits = {}
    for path in EDITED:
        line = {".md": "\n{}\n", ".py": "\n\n# {}\n"}.get(Path(path).suffix, "# {}\n")
        line = line.format(f"Team edit {step}: kept across regeneration.")
        (project / path).write_text((project / path).read_text() + line)
        edits[f"{path}@{step}"] = line.strip()
    return edits


def stranded(output: str) -> list[str]:
    return sorted(line.split()[1].rstrip(":") for line in output.splitlines() if "LEFT " in line)


def walk(repo: Path, chain: tuple[Profile, ...], tmp_path: Path) -> None:
    project = start(repo, chain[0], tmp_path)
    planted: dict[str, str] = {}
    edits: dict[str, str] = {}
    for step, (now, then) in enumerate(itertools.pairwise(chain), start=1):
        planted |= plant(project, now, step)
        edits |= edit(project, step)
        save(project, f"the team's work, step {step}")
        changes = " ".join(f"{key}={answers(then)[key]}" for key in BUSINESS)

        done = regenerate(project, changes)

        transition = f"{now.id} -> {then.id}"
        assert "CONFLICT" not in done.stdout, f"{transition}\n{done.stdout}"
        assert "regenerate:" not in done.stderr, f"{transition}\n{done.stderr}"
        for path, text in planted.items():
            assert (project / path).read_text() == text, f"{transition}: {path} lost"
        for key, line in edits.items():
            assert line in (project / key.split("@")[0]).read_text(), f"{transition}: {key}"
        same_as_fresh_generation(repo, project, then, tmp_path / f"fresh-{step}")
        # Files of the team's left in folders the new layout no longer has: listed, then
        # moved out by hand as the team would, before the project's own checks.
        left = stranded(done.stdout)
        assert set(left) <= planted.keys(), f"{transition}: {left}"
        assert (done.returncode != 0) == bool(left), f"{transition}\n{done.stdout}"
        for path in left:
            target = project / "attic" / path
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(project / path, target)
            planted[f"attic/{path}"] = planted.pop(path)
        # Every step passes lint, conformance and the team's test; the template's own tests
        # are those of a fresh generation (checked above, and run by test_generated for every
        # tree), so they run once, on the walk's last project with all it has gathered.
        last = step == len(chain) - 1
        make(project, "lint", "conformance", *(["test"] if last else []))
        if not last:
            team_test(project)
        save(project, f"regenerated: {transition}")


def same_as_fresh_generation(repo: Path, project: Path, profile: Profile, out: Path) -> None:
    """Every template file as a fresh generation makes it, but for the team's edits."""
    fresh = generate(repo, profile, out, checkout=git("rev-parse", TAG, cwd=repo))
    made = {str(p.relative_to(fresh)) for p in fresh.rglob("*") if p.is_file()}
    for path in made:
        ours = (project / path).read_text()
        if path in EDITED:
            assert ours.startswith((fresh / path).read_text()), path
        else:
            assert ours == (fresh / path).read_text(), path
    ignored = {".git", "attic", "__pycache__", ".pytest_cache", ".ruff_cache"}
    present = {str(p.relative_to(project)) for p in project.rglob("*")
               if p.is_file() and not ignored & set(p.relative_to(project).parts)}  # fmt: skip
    extra = {path for path in present - made if "team" not in path}
    assert not extra, f"template files the {profile.id} layout does not have: {sorted(extra)}"


def test_growing_from_no_model_to_governed_keeps_the_teams_work(template_repo, tmp_path):
    walk(template_repo, UP, tmp_path)


def test_scaling_back_from_governed_to_no_model_keeps_the_teams_work(template_repo, tmp_path):
    walk(template_repo, DOWN, tmp_path)


LEAN = Profile(1, False, "platform-team")


def test_an_edit_the_template_also_makes_is_marked_as_a_conflict(template_repo, tmp_path):
    project = start(template_repo, LEAN, tmp_path)
    readme = project / "README.md"
    lean_line = next(line for line in readme.read_text().splitlines() if "make install run" in line)
    readme.write_text(readme.read_text().replace(lean_line, "make install run    # the team's way"))
    save(project, "the team's README")

    done = regenerate(project, "model_count=2")

    assert done.returncode != 0
    assert "CONFLICT README.md: 1 conflict(s)" in done.stdout
    text = readme.read_text()
    assert "<<<<<<< this project\nmake install run    # the team's way\n=======\n" in text
    assert "(trains and promotes first)\n>>>>>>> template now\n" in text
    assert (project / "src" / PACKAGE / "tracking" / "train.py").is_file()


def test_a_newer_release_is_announced_and_merged_under_the_teams_edits(tmp_path):
    repo = release(tmp_path / "template", TAG)
    project = start(repo, LEAN, tmp_path)
    edits = edit(project, 1)
    save(project, "the team's work")
    runbook = repo / "{{cookiecutter.project_slug}}" / "docs" / "runbook.md"
    runbook.write_text(
        runbook.read_text().replace(
            "## Who is paged\n", "## Who is paged\n\nA line the next release adds.\n", 1
        )
    )
    settings = repo / "cookiecutter.json"
    settings.write_text(
        settings.read_text().replace('"_template_version": "', '"_template_version": "9')
    )
    commit(repo, "v9.0.0")

    check = subprocess.run(["make", "template-check", f"VENV={SHARED_VENV}"], cwd=project,
                           env={**os.environ, "PYTHONPATH": "src"}, capture_output=True,
                           text=True, check=False)  # fmt: skip
    done = regenerate(project, "", "REF=v9.0.0")

    assert check.returncode != 0
    assert "release v9.0.0 is out" in check.stdout
    assert "make regenerate REF=v9.0.0" in check.stdout
    assert done.returncode == 0, done.stdout + done.stderr
    text = (project / "docs" / "runbook.md").read_text()
    assert "## Who is paged\n\nA line the next release adds.\n" in text
    assert all(line in (project / key.split("@")[0]).read_text() for key, line in edits.items())
    assert '"_checkout": "v9.0.0"' in (project / "src" / PACKAGE / "answers.json").read_text()


def test_a_bad_answer_or_uncommitted_work_changes_nothing(template_repo, tmp_path):
    project = start(template_repo, LEAN, tmp_path)

    bad = regenerate(project, "model_count=99")
    assert bad.returncode != 0
    [line] = [line for line in bad.stderr.splitlines() if line.startswith("regenerate:")]
    assert "invalid model_count '99'" in line
    assert git("status", "--porcelain", cwd=project) == ""

    (project / "README.md").write_text("unsaved work\n")
    dirty = regenerate(project, "model_count=2")
    assert "there are uncommitted changes: commit first" in dirty.stderr
    assert (project / "README.md").read_text() == "unsaved work\n"
    assert not (project / "src" / PACKAGE / "tracking").exists()
