import os
import subprocess
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }} import project

from lifecycle import regenerate, template_release

ANSWERS = str(regenerate.ANSWERS_FILE)
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@localhost",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@localhost",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}  # fmt: skip


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, **GIT_ENV})  # fmt: skip


def tree(root: Path, files: dict[str, str]) -> Path:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    return root


def lines(*words: str) -> str:
    return "".join(f"{word}\n" for word in words)


@pytest.fixture
def renders(tmp_path):
    """Two renders of a small template and a project made from the first, then edited."""
    before = tree(tmp_path / "before", {
        ANSWERS: '{"model_count": "1"}\n',
        "untouched.txt": lines("a", "b"),
        "both.txt": lines("one", "two", "three", "four", "five"),
        "clash.txt": lines("setting = 1"),
        "gone.txt": lines("old"),
        "gone-edited.txt": lines("old"),
        "component/module.py": lines("x = 1"),
        "component/more/deep.py": lines("y = 2"),
    })  # fmt: skip
    after = tree(tmp_path / "after", {
        ANSWERS: '{"model_count": "2"}\n',
        "untouched.txt": lines("a", "b"),
        "both.txt": lines("ONE", "two", "three", "four", "five"),
        "clash.txt": lines("setting = 2"),
        "new.txt": lines("fresh"),
    })  # fmt: skip
    project_dir = tree(tmp_path / "project", {
        ANSWERS: '{"model_count": "1"}\n',
        "untouched.txt": lines("a", "b", "team line"),
        "both.txt": lines("one", "two", "three", "four", "FIVE by the team"),
        "clash.txt": lines("setting = 3"),
        "gone.txt": lines("old"),
        "gone-edited.txt": lines("old", "team line"),
        "component/module.py": lines("x = 1"),
        "component/more/deep.py": lines("y = 2"),
        "component/team_notes.md": lines("ours"),
        "team.txt": lines("ours"),
    })  # fmt: skip
    cache = project_dir / "component" / "more" / "__pycache__" / "deep.cpython-312.pyc"
    cache.parent.mkdir()
    cache.write_bytes(b"")
    return project_dir, before, after


def test_a_merge_keeps_the_teams_edits_and_files_and_marks_clashes(renders):
    project_dir, before, after = renders

    report = regenerate.merge(project_dir, before, after)

    def read(path: str) -> str:
        return (project_dir / path).read_text()

    assert read("untouched.txt") == lines("a", "b", "team line")
    assert read("both.txt") == lines("ONE", "two", "three", "four", "FIVE by the team")
    assert read("clash.txt").startswith("<<<<<<< this project\nsetting = 3\n")
    assert "setting = 2\n>>>>>>> template now\n" in read("clash.txt")
    assert read("new.txt") == lines("fresh")
    assert read(ANSWERS) == '{"model_count": "2"}\n'
    assert read("gone-edited.txt") == lines("old", "team line")
    assert read("component/team_notes.md") == lines("ours")
    assert read("team.txt") == lines("ours")
    assert not (project_dir / "gone.txt").exists()
    assert not (project_dir / "component" / "module.py").exists()
    assert not (project_dir / "component" / "more").exists()
    assert report.added == ["new.txt"]
    assert sorted(report.removed) == ["component/module.py", "component/more/deep.py", "gone.txt"]
    assert [line.split(":")[0] for line in report.conflicts] == ["clash.txt"]
    assert [line.split(":")[0] for line in report.kept] == ["gone-edited.txt"]
    assert report.stranded == ["component/team_notes.md"]
    assert report.needs_you


def test_a_merge_without_edits_gives_the_new_render(renders):
    _, before, after = renders
    project_dir = tree(before.parent / "clean", {
        path: (before / path).read_text() for path in regenerate.template_files(before)
    })  # fmt: skip

    report = regenerate.merge(project_dir, before, after)

    assert regenerate.template_files(project_dir) == regenerate.template_files(after)
    for path in regenerate.template_files(after):
        assert (project_dir / path).read_text() == (after / path).read_text()
    assert not report.needs_you


def test_only_answers_the_project_has_can_change():
    stored = project.answers()

    assert regenerate.parse_changes(["model_count=3"], stored) == {"model_count": "3"}
    for words in (["model_count"], ["colour=blue"], ["_template=elsewhere"]):
        with pytest.raises(regenerate.RegenerationError, match="expected key=value"):
            regenerate.parse_changes(words, stored)
    with pytest.raises(regenerate.RegenerationError, match="package_name cannot change"):
        regenerate.parse_changes(["package_name=renamed"], stored)


def test_regeneration_needs_a_committed_git_checkout(tmp_path):
    with pytest.raises(regenerate.RegenerationError, match="not a git checkout"):
        regenerate.regenerate(tmp_path, {"model_count": "2"})

    git("init", "--quiet", cwd=tmp_path)
    (tmp_path / "notes.md").write_text("not committed\n")

    with pytest.raises(regenerate.RegenerationError, match="uncommitted changes"):
        regenerate.regenerate(tmp_path, {"model_count": "2"})


@pytest.fixture
def released_template(tmp_path) -> Path:
    """A template repository with two releases and a tag that is not a release."""
    repo = tmp_path / "template"
    repo.mkdir()
    git("init", "--quiet", cwd=repo)
    for tag in ("v0.1.0", "v0.10.0", "v0.9.3", "nightly"):
        git("commit", "--quiet", "--allow-empty", "--message", tag, cwd=repo)
        git("tag", tag, cwd=repo)
    return repo


def test_releases_are_the_version_tags_of_the_source(released_template):
    found = template_release.releases(f"git+file://{released_template}")

    assert found == {(0, 1, 0): "v0.1.0", (0, 9, 3): "v0.9.3", (0, 10, 0): "v0.10.0"}


@pytest.mark.parametrize(
    ("version", "code", "says"),
    [
        ("0.9.3", 1, "make regenerate REF=v0.10.0"),
        ("0.10.0", 0, "newest release, 0.10.0"),
        ("0.10.0rc1", 2, "is not X.Y.Z"),
    ],
)
def test_a_project_behind_the_newest_release_is_told_how_to_upgrade(
    released_template, monkeypatch, capsys, version, code, says
):
    stored = {**project.answers(), "_source": f"git+file://{released_template}",
              "_template_version": version}  # fmt: skip
    monkeypatch.setattr(project, "answers", lambda: stored)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)

    assert template_release.main() == code
    assert says in capsys.readouterr().out


def test_a_source_that_cannot_be_listed_is_reported_not_raised(tmp_path, monkeypatch, capsys):
    stored = {**project.answers(), "_source": f"git+file://{tmp_path / 'nowhere'}"}
    monkeypatch.setattr(project, "answers", lambda: stored)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")

    assert template_release.main() == 2
    assert capsys.readouterr().out.startswith("::warning::cannot list the template's releases")
