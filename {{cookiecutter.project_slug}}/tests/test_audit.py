import hashlib
import inspect
import json
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.governance.audit import (
    EVENTS,
    GENESIS,
    AuditError,
    AuditLog,
    Entry,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
FIELDS = {"seq", "time", "event", "actor", "model", "version", "details", "prev", "hash"}


def filled(path: Path, count: int = 5) -> AuditLog:
    """A log of `count` entries by actors user-0, user-1, ..."""
    log = AuditLog(path)
    for number in range(count):
        log.append(EVENTS[number % len(EVENTS)], f"user-{number}", {"n": number},
                   model="iris", version=str(number), now=NOW)  # fmt: skip
    return log


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines(keepends=True)


def rewrite(path: Path, new_lines: list[str]) -> None:
    path.write_text("".join(new_lines))


def sha256_of_all_but_hash(record: dict) -> str:
    body = {key: value for key, value in record.items() if key != "hash"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def assert_one_chain(log: AuditLog, count: int) -> None:
    entries = log.entries()
    assert [entry.seq for entry in entries] == list(range(count))
    assert [entry.prev for entry in entries] == [GENESIS] + [entry.hash for entry in entries[:-1]]
    assert log.verify() == []


def test_entries_form_a_chain_of_one_json_object_per_line(tmp_path):
    path = tmp_path / "audit" / "log.jsonl"  # the folder is created on the first append
    log = filled(path, 3)

    records = [json.loads(line) for line in lines(path)]
    assert len(records) == 3
    assert all(set(record) == FIELDS for record in records)
    assert [record["seq"] for record in records] == [0, 1, 2]
    assert [record["prev"] for record in records] == [GENESIS] + [r["hash"] for r in records[:2]]
    assert all(record["hash"] == sha256_of_all_but_hash(record) for record in records)
    assert records[1] == {
        "seq": 1, "time": "2026-03-02T12:00:00+00:00", "event": EVENTS[1], "actor": "user-1",
        "model": "iris", "version": "1", "details": {"n": 1}, "prev": records[0]["hash"],
        "hash": records[1]["hash"],
    }  # fmt: skip
    assert log.entries() == [Entry(**record) for record in records]
    assert log.head() == Entry(**records[2])
    assert log.verify() == []


def test_append_returns_what_is_stored_and_defaults_to_now_in_utc(tmp_path):
    log = AuditLog(tmp_path / "log.jsonl")
    assert log.head() is None
    assert log.entries() == []

    entry = log.append("training", "ci", {"keys": {1: "one"}, "pair": (1, 2)})

    assert log.head() == entry == log.entries()[0]
    assert entry.details == {"keys": {"1": "one"}, "pair": [1, 2]}  # as JSON reads it back
    assert entry.model is None and entry.version is None
    assert abs(datetime.fromisoformat(entry.time) - datetime.now(UTC)).total_seconds() < 60
    assert entry.time.endswith("+00:00")


def test_head_reads_a_last_line_longer_than_a_block(tmp_path):
    log = filled(tmp_path / "log.jsonl", 2)
    log.append("erasure", "dpo", {"subjects": ["x" * 100] * 200})  # a line of about 20 kB

    assert log.head().details["subjects"][0] == "x" * 100
    assert log.append("retention", "dpo").seq == 3
    assert log.verify() == []


def test_verify_detects_an_edited_entry(tmp_path):
    path = tmp_path / "log.jsonl"
    log = filled(path)
    content = lines(path)
    record = json.loads(content[2])
    record["actor"] = "someone-else"
    content[2] = json.dumps(record) + "\n"
    rewrite(path, content)

    assert log.verify() == [
        "line 3: content does not match its hash (edited)",
    ]


def test_verify_detects_an_edit_that_recomputed_its_own_hash(tmp_path):
    path = tmp_path / "log.jsonl"
    log = filled(path)
    content = lines(path)
    record = json.loads(content[2])
    record["actor"] = "someone-else"
    record["hash"] = sha256_of_all_but_hash(record)
    content[2] = json.dumps(record) + "\n"
    rewrite(path, content)

    [problem] = log.verify()
    assert problem.startswith("line 4: prev does not match the hash of line 3")


def test_verify_detects_a_deleted_middle_entry(tmp_path):
    path = tmp_path / "log.jsonl"
    log = filled(path)
    content = lines(path)
    del content[2]
    rewrite(path, content)

    problems = log.verify()
    assert problems
    assert all(problem.startswith("line 3: ") for problem in problems)
    assert any("seq 3 where 2 was expected" in problem for problem in problems)


def test_verify_detects_swapped_entries(tmp_path):
    path = tmp_path / "log.jsonl"
    log = filled(path)
    content = lines(path)
    content[1], content[2] = content[2], content[1]
    rewrite(path, content)

    problems = log.verify()
    assert "line 2: seq 2 where 1 was expected (entries removed, inserted or reordered)" in problems
    assert any(problem.startswith("line 3: prev does not match") for problem in problems)
    assert {problem.split(":")[0] for problem in problems} <= {"line 2", "line 3", "line 4"}
    assert not any("content does not match" in problem for problem in problems)


def test_verify_detects_a_deleted_first_entry(tmp_path):
    path = tmp_path / "log.jsonl"
    log = filled(path)
    rewrite(path, lines(path)[1:])

    assert log.verify() == [
        "line 1: seq 1 where 0 was expected (entries removed, inserted or reordered)",
        "line 1: prev is not GENESIS (the log lost its first entries)",
    ]


@pytest.mark.parametrize(
    ("broken", "reason"),
    [
        ('{"seq": 2, "actor": "x"\n', "not valid JSON"),
        ("\n", "not valid JSON"),
        ("[1, 2]\n", "not a JSON object"),
        ('{"seq": 2, "actor": "x"}\n', "missing fields: details, event, hash"),
    ],
)
def test_verify_reports_an_unreadable_line_once_and_checks_the_rest(tmp_path, broken, reason):
    path = tmp_path / "log.jsonl"
    log = filled(path)
    content = lines(path)
    content[2] = broken
    rewrite(path, content)

    [problem] = log.verify()
    assert problem.startswith(f"line 3: {reason}")
    with pytest.raises(AuditError, match=f"line 3: {reason}"):
        log.entries()


def test_verify_detects_an_unknown_event(tmp_path):
    path = tmp_path / "log.jsonl"
    log = filled(path, 2)
    content = lines(path)
    record = json.loads(content[1])
    record["event"] = "deletion"
    record["hash"] = sha256_of_all_but_hash(record)
    content[1] = json.dumps(record) + "\n"
    rewrite(path, content)

    assert log.verify() == ["line 2: unknown event 'deletion'"]


def test_a_truncated_tail_is_seen_only_against_a_recorded_head(tmp_path):
    path = tmp_path / "log.jsonl"
    log = filled(path, 3)
    earlier = log.head().hash
    filled(path, 2)
    recorded = log.head().hash
    assert log.verify(expected_head=earlier) == []
    assert log.verify(expected_head=recorded) == []

    rewrite(path, lines(path)[:-2])

    assert log.verify() == []  # the chain alone cannot tell
    assert log.verify(expected_head=earlier) == []
    [problem] = log.verify(expected_head=recorded)
    assert problem.startswith(f"end of log (line 3): expected head {recorded} is not in the chain")


def test_a_cut_short_last_line_is_reported_and_blocks_appends(tmp_path):
    path = tmp_path / "log.jsonl"
    log = filled(path, 3)
    content = path.read_bytes()
    path.write_bytes(content[:-10])

    [problem] = log.verify()
    assert problem.startswith("line 3: incomplete line")
    with pytest.raises(AuditError, match="last line: incomplete line"):
        log.append("training", "ci")
    with pytest.raises(AuditError, match="last line: incomplete line"):
        log.head()
    assert path.read_bytes() == content[:-10]


@pytest.mark.parametrize(
    ("event", "actor", "details", "message"),
    [
        ("deployment", "ci", None, "unknown event 'deployment'"),
        ("training", "", None, "needs the actor"),
        ("training", "   ", None, "needs the actor"),
        ("training", "ci", {"at": NOW}, "details must be JSON-serializable"),
        ("training", "ci", {"score": float("nan")}, "details must be JSON-serializable"),
        ("training", "ci", ["not", "a", "dict"], "details must be a dict"),
    ],
)
def test_bad_input_raises_and_writes_nothing(tmp_path, event, actor, details, message):
    path = tmp_path / "log.jsonl"
    log = filled(path, 2)
    before = path.read_bytes()

    with pytest.raises(AuditError, match=message):
        log.append(event, actor, details)

    assert path.read_bytes() == before


def test_bad_model_version_or_time_raise_and_write_nothing(tmp_path):
    log = AuditLog(tmp_path / "log.jsonl")

    with pytest.raises(AuditError, match="strings or None"):
        log.append("promotion", "ci", model="iris", version=3)
    with pytest.raises(AuditError, match="timezone-aware"):
        log.append("promotion", "ci", now=datetime(2026, 3, 2))

    assert not log.path.exists()


def test_concurrent_threads_extend_one_chain(tmp_path):
    log = AuditLog(tmp_path / "log.jsonl")
    threads, each = 8, 25
    start = threading.Barrier(threads)

    def write(writer: int) -> None:
        start.wait()
        for number in range(each):
            AuditLog(log.path).append("training", f"thread-{writer}", {"n": number})

    workers = [threading.Thread(target=write, args=(writer,)) for writer in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert_one_chain(log, threads * each)


def test_concurrent_processes_extend_one_chain(tmp_path):
    log = AuditLog(tmp_path / "log.jsonl")
    src = Path(inspect.getfile(AuditLog)).parents[2]  # src/<package>/governance/audit.py
    go = tmp_path / "go"
    processes, each = 4, 25
    code = (
        "import os, sys, time\n"
        f"sys.path.insert(0, {str(src)!r})\n"
        f"from {AuditLog.__module__} import AuditLog\n"
        f"while not os.path.exists({str(go)!r}):\n"
        "    time.sleep(0.001)\n"
        f"log = AuditLog(__import__('pathlib').Path({str(log.path)!r}))\n"
        f"for number in range({each}):\n"
        "    log.append('training', f'process-{os.getpid()}', {'n': number})\n"
    )
    children = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(processes)]
    go.touch()  # every child starts appending at about the same time
    assert [child.wait(timeout=60) for child in children] == [0] * processes

    assert_one_chain(log, processes * each)
    assert len({entry.actor for entry in log.entries()}) == processes
