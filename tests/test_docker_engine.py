"""What the image checks say when their engine, base image or wheelhouse is missing: one
line naming what to install or run, found out once per run, never a hang."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import docker_engine


@pytest.fixture
def session(tmp_path, monkeypatch):
    """A run's own state folder, closed (whatever was started, stopped) at the end."""
    monkeypatch.setenv(docker_engine.STATE_ENV, str(tmp_path / "state"))
    (tmp_path / "state").mkdir()
    wheelhouse = tmp_path / "wheelhouse"
    wheelhouse.mkdir()
    (wheelhouse / "example_dist-1.0-py3-none-any.whl").write_bytes(b"")
    monkeypatch.setattr(docker_engine, "WHEELHOUSE", wheelhouse)
    monkeypatch.setattr(docker_engine, "DATA_ROOT", tmp_path / "data")
    yield tmp_path
    docker_engine.close_session()


def on_path(monkeypatch, folder: Path, **scripts: str) -> None:
    """Only these commands on PATH (besides the shell's own), each a shell script."""
    folder.mkdir(exist_ok=True)
    for name, body in scripts.items():
        script = folder / name
        script.write_text(f"#!/bin/sh\n{body}\n")
        script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{folder}:/bin")


def test_a_machine_without_docker_is_told_which_package_to_install(session, monkeypatch):
    on_path(monkeypatch, session / "bin")

    with pytest.raises(docker_engine.EngineUnavailable, match=r"^dockerd not found: apt-get"):
        docker_engine.engine()


def test_a_missing_base_image_names_the_make_target_and_is_reported_once(session, monkeypatch):
    on_path(monkeypatch, session / "bin", dockerd="exit 1", docker="exit 1")
    monkeypatch.setattr(docker_engine, "BASE_IMAGE_TAR", session / "missing.tar")

    with pytest.raises(docker_engine.EngineUnavailable, match=r"run `make base-image`$"):
        docker_engine.engine()
    # The other worker's tests get the same line without trying again.
    (session / "missing.tar").write_bytes(b"")
    with pytest.raises(docker_engine.EngineUnavailable, match=r"run `make base-image`$"):
        docker_engine.engine()


def test_an_engine_that_cannot_start_fails_with_its_own_last_line(session, monkeypatch):
    on_path(
        monkeypatch, session / "bin",
        dockerd='echo "starting"; echo "failed to start daemon: no space left on device"; exit 1',
        docker="exit 1",
    )  # fmt: skip
    (session / "base.tar").write_bytes(b"")
    monkeypatch.setattr(docker_engine, "BASE_IMAGE_TAR", session / "base.tar")

    with pytest.raises(docker_engine.EngineUnavailable) as raised:
        docker_engine.engine()

    message = str(raised.value)
    assert message.startswith("dockerd did not start: failed to start daemon: no space left")
    assert "\n" not in message
    # The package index it started beside the engine is stopped with the session.
    pid = int((session / "state" / "index.pid").read_text())
    docker_engine.close_session()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
