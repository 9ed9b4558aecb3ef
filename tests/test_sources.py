"""Running the template the way teams will: from a tagged git repository or a zip on a web
server, with an organisation's defaults. Everything stays on this machine: the repository is
a bare clone in a temporary folder and the web server listens on 127.0.0.1."""

import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml

from releases import GIT_ENV, git, release

# Every test here runs git, make or a server: the full suite's tier, not the fast one.
pytestmark = pytest.mark.heavy

COOKIECUTTER = Path(sys.executable).parent / "cookiecutter"
TAG = "v9.9.9"
UNRELEASED = "A change made after the release tag."


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    """The template released as TAG in a bare repository, with a commit after the tag."""
    folder = tmp_path_factory.mktemp("published")
    work = release(folder / "work", TAG)
    readme = work / "{{cookiecutter.project_slug}}" / "README.md"
    readme.write_text(readme.read_text() + f"\n{UNRELEASED}\n")
    git("commit", "--quiet", "--all", "--message", "after the release", cwd=work)
    bare = folder / "paved-path.git"
    git("clone", "--quiet", "--bare", str(work), str(bare), cwd=folder)
    return bare


def run(tmp_path: Path, *args: str, config: dict | None = None) -> Path:
    """The cookiecutter CLI with its clone cache and replays in tmp_path; the project made."""
    settings = {
        "cookiecutters_dir": str(tmp_path / "cache"),
        "replay_dir": str(tmp_path / "replay"),
    }
    (tmp_path / "config.yaml").write_text(yaml.safe_dump({**settings, **(config or {})}))
    out = tmp_path / "out"
    done = subprocess.run(
        [str(COOKIECUTTER), "--config-file", str(tmp_path / "config.yaml"), "--no-input",
         "--output-dir", str(out), *args],
        capture_output=True, text=True, check=False, cwd=tmp_path,
        env={**os.environ, "HOME": str(tmp_path / "home"), **GIT_ENV},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    [project] = out.iterdir()
    return project


def stored(project: Path) -> dict:
    return json.loads(next(project.glob("src/*/answers.json")).read_text())


def test_a_git_url_with_a_tag_generates_the_tagged_release(published, tmp_path):
    project = run(tmp_path, f"git+file://{published}", "--checkout", TAG, "model_count=2")

    assert UNRELEASED not in (project / "README.md").read_text()
    answers = stored(project)
    assert answers["_template"] == f"git+file://{published}"
    assert answers["_checkout"] == TAG
    assert answers["model_count"] == 2


def test_without_a_tag_the_newest_commit_comes_out(published, tmp_path):
    project = run(tmp_path, f"git+file://{published}")

    assert UNRELEASED in (project / "README.md").read_text()


def test_a_zip_served_over_http_generates_the_release(published, tmp_path):
    release = tmp_path / "release"
    git("clone", "--quiet", "--branch", TAG, str(published), str(release), cwd=tmp_path)
    shutil.rmtree(release / ".git")
    archive = shutil.make_archive(str(tmp_path / "site" / "paved-path"), "zip", tmp_path, "release")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=tmp_path / "site")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/{Path(archive).name}"
        project = run(tmp_path, url, "project_name=Zipped Service")
    finally:
        server.shutdown()
        server.server_close()

    assert project.name == "zipped-service"
    assert UNRELEASED not in (project / "README.md").read_text()


def test_organisation_defaults_and_abbreviations_fill_the_answers(published, tmp_path):
    config = {
        "default_context": {
            "owner_handle": "@acme/payments",
            "platform_handle": "@acme/platform",
            "approver_handle": "@acme/model-risk",
            "incident_owner": "ml-team",
        },
        "abbreviations": {"acme": f"git+file://{published.parent}/{{0}}.git"},
    }

    project = run(tmp_path, "acme:paved-path", "--checkout", TAG, "model_count=2", config=config)

    owners = (project / ".github" / "CODEOWNERS").read_text()
    assert "*                         @acme/payments" in owners
    assert "@acme/platform" in owners
    answers = stored(project)
    assert answers["incident_owner"] == "ml-team"
    assert (project / "src" / answers["package_name"] / "monitoring").is_dir()


def test_an_answer_on_the_command_line_beats_the_organisation_default(published, tmp_path):
    config = {"default_context": {"incident_owner": "ml-team", "model_count": 2}}

    project = run(tmp_path, f"git+file://{published}", "--checkout", TAG,
                  "incident_owner=platform-team", "model_count=0", config=config)  # fmt: skip

    answers = stored(project)
    assert answers["incident_owner"] == "platform-team"
    assert answers["model_count"] == 0
