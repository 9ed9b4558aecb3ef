"""Cookiecutter's own command line, run in a forked process per call.

The hostile-answer suite runs the CLI a few hundred times; starting Python and importing
cookiecutter was most of each refused run. Here one process per test worker imports
cookiecutter once and forks a child for every call: the child takes the call's working folder,
environment and standard streams, runs the same entry point as the `cookiecutter` command
(hooks included, in their own subprocesses) and exits with its status. Nothing of one call
outlives it, as with a fresh process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

# The forking side. It reads one call per line on stdin and answers one line on stdout.
SERVER = r"""
import json, os, signal, sys, tempfile
import click
from cookiecutter.cli import main
from cookiecutter.main import cookiecutter

API = '''
try:
    cookiecutter(job["template"], no_input=True, extra_context=job["answers"],
                 output_dir=job["out"], config_file=job["config"])
except click.ClickException as error:
    error.show()
    sys.exit(error.exit_code)
'''


def child(call, streams):
    os.chdir(call["cwd"])
    os.environ.clear()
    os.environ.update(call["env"])
    tempfile.tempdir = None  # read TMPDIR again
    for fd, name in ((0, "in"), (1, "out"), (2, "err")):
        os.dup2(os.open(streams[name], os.O_RDWR | os.O_CREAT), fd)
    sys.stdin = open(0, encoding="utf-8", closefd=False)
    signal.alarm(call["timeout"])  # a hung call dies, as subprocess's timeout would make it
    try:
        if call["api"] is None:
            main(args=call["argv"], prog_name="cookiecutter")
        else:
            exec(API, {"cookiecutter": cookiecutter, "click": click, "sys": sys,
                       "job": json.loads(call["api"])})
        code = 0
    except SystemExit as done:
        code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except BaseException:
        import traceback
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


with tempfile.TemporaryDirectory(prefix="forked-cli-") as scratch:
    for line in sys.stdin:
        call = json.loads(line)
        streams = {name: os.path.join(scratch, name) for name in ("in", "out", "err")}
        for name, path in streams.items():
            with open(path, "w", encoding="utf-8") as stream:
                stream.write((call["api"] or "") if name == "in" else "")
        pid = os.fork()
        if pid == 0:
            child(call, streams)
        status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        read = {name: open(path, encoding="utf-8", errors="backslashreplace").read()
                for name, path in streams.items() if name != "in"}
        print(json.dumps({"returncode": status, "stdout": read["out"], "stderr": read["err"]}),
              flush=True)
"""


class ForkedCli:
    """`run(argv, ...)` behaves as `subprocess.run` of `cookiecutter <argv>` with text output;
    `run_api(job, ...)` calls `cookiecutter.main.cookiecutter` on a job as the CLI would."""

    def __init__(self) -> None:
        self._server: subprocess.Popen[str] | None = None

    def run(self, argv: list[str], cwd: Path, env: dict[str, str], timeout: int = 120):
        return self._call({"argv": argv, "api": None}, cwd, env, timeout)

    def run_api(self, job: dict, cwd: Path, env: dict[str, str], timeout: int = 120):
        return self._call({"argv": None, "api": json.dumps(job)}, cwd, env, timeout)

    def _call(self, call: dict, cwd: Path, env: dict[str, str], timeout: int):
        server = self._start()
        assert server.stdin is not None and server.stdout is not None
        call = {**call, "cwd": str(cwd), "env": env, "timeout": timeout}
        server.stdin.write(json.dumps(call) + "\n")
        server.stdin.flush()
        answer = json.loads(server.stdout.readline())
        return subprocess.CompletedProcess(
            call["argv"] or ["cookiecutter-api"], answer["returncode"],
            answer["stdout"], answer["stderr"],
        )  # fmt: skip

    def _start(self) -> subprocess.Popen[str]:
        if self._server is None or self._server.poll() is not None:
            self._server = subprocess.Popen(
                [sys.executable, "-c", SERVER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                env={**os.environ, "PYTHONUTF8": "1"}, text=True, encoding="utf-8",
            )  # fmt: skip
        return self._server

    def close(self) -> None:
        if self._server is not None:
            self._server.stdin.close()
            self._server.wait(timeout=30)
            self._server = None
