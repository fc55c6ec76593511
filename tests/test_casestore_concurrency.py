"""Concurrent saves and killed saves (docs/interfaces.md §5), on SQLite and PostgreSQL.

- 20 writers save the same case from the same base version at once: exactly one wins each round,
  the other 19 are refused as stale, and the versions are 1..rounds with none lost or doubled.
- 20 writers create the same new course at once: exactly one creates it, the other 19 are told
  the code exists (a new course never lands on an existing one).
- ``srgvhd cases save`` is SIGKILLed at each named point of a save (before the INSERT, after it
  but before the commit, after the commit but before the report — tests/support/pause.py): the
  database still opens, a save killed before its commit left nothing, one killed after it left
  its whole version.
- Slow set only: the same command SIGKILLed at seeded-random moments (24 times), every version
  committed is whole and none is half-written.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from srgvhd.casestore.schema import case_versions
from srgvhd.casestore.store import CaseStore, CodeExistsError, StaleVersionError
from tests import casestore_db
from tests.cases import course
from tests.kill import kill_at_pause

db_url = casestore_db.db_url
REPO = Path(__file__).resolve().parents[1]
SRGVHD = str(Path(sys.executable).parent / "srgvhd")
WRITERS = 20
ROUNDS = 4
KILLS = 24
DOCS = [course((0, 2, 0, 0, 1)), course((0, 2, 0, 0, 1), (4, 1, 0, 0, 1))]


def _race(stores: list[CaseStore], action) -> list[object]:
    """Run ``action(i, store)`` in one thread per store, released together; results by writer."""
    barrier = threading.Barrier(len(stores))
    results: list[object] = [None] * len(stores)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = action(i, stores[i])
        except Exception as exc:  # noqa: BLE001 - the test inspects every outcome
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(stores))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return results


@pytest.fixture
def writers(db_url: str):
    stores = [CaseStore(db_url) for _ in range(WRITERS)]
    yield stores
    for s in stores:
        s.close()


def test_same_base_exactly_one_writer_wins_each_round(writers: list[CaseStore]) -> None:
    winners = []
    for base in range(ROUNDS):
        results = _race(
            writers, lambda i, s, b=base: s.save("RACE", DOCS[i % 2], f"writer-{i}", base_version=b)
        )
        won = [i for i, r in enumerate(results) if r == base + 1]
        assert len(won) == 1, results
        if base == 0:  # base 0 is a new course: the others are told the code exists
            lost = [r for r in results if isinstance(r, CodeExistsError)]
            assert all("RACE exists (version 1)" in str(r) for r in lost)
        else:
            lost = [r for r in results if isinstance(r, StaleVersionError)]
            assert all(f"version {base + 1} was saved by writer-{won[0]}" in str(r) for r in lost)
        assert len(lost) == WRITERS - 1, results
        winners.append(won[0])
    history = writers[0].history("RACE")
    assert [v["version"] for v in history] == list(range(1, ROUNDS + 1))
    assert [v["saved_by"] for v in history] == [f"writer-{w}" for w in winners]


def test_one_store_shared_by_sessions_one_writer_wins(db_url: str) -> None:
    """The app keeps one store per process; Streamlit runs each session in its own thread."""
    store = CaseStore(db_url)
    results = _race(
        [store] * WRITERS, lambda i, s: s.save("SHARED", DOCS[0], f"session-{i}", base_version=0)
    )
    store.close()
    assert results.count(1) == 1, results
    assert sum(isinstance(r, CodeExistsError) for r in results) == WRITERS - 1, results


def test_creators_of_one_code_exactly_one_wins(writers: list[CaseStore]) -> None:
    results = _race(writers, lambda i, s: s.save("NEW", DOCS[i % 2], f"writer-{i}"))
    assert results.count(1) == 1, results
    losers = [r for r in results if isinstance(r, CodeExistsError)]
    assert len(losers) == WRITERS - 1, results
    assert all("NEW exists (version 1)" in str(r) for r in losers)
    (only,) = writers[0].history("NEW")
    assert only["saved_by"] == f"writer-{results.index(1)}"


def _save_command(path: Path, db: str, *extra: str) -> list[str]:
    return [SRGVHD, "cases", "save", str(path), "--code", "KILL", "--db", db, *extra]


def test_twenty_processes_same_base_one_wins(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps(DOCS[0]), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    CaseStore(db_url).close()  # migrated once, so the writers race on the save itself
    procs = [
        subprocess.Popen(
            _save_command(path, db_url, "--base-version", "0"),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(WRITERS)
    ]
    outcomes = [(p.wait(timeout=300), p.stdout.read(), p.stderr.read()) for p in procs]
    assert sum(1 for rc, out, _ in outcomes if (rc, out) == (0, "1\n")) == 1, outcomes
    assert (
        sum(
            1
            for rc, out, err in outcomes
            if rc == 2 and out == "" and "KILL exists (version 1)" in err
        )
        == WRITERS - 1
    )
    store = CaseStore(db_url)
    assert [v["version"] for v in store.history("KILL")] == [1]
    store.close()


SAVE_SCRIPT = "import sys; from srgvhd.cli.main import main; sys.exit(main(sys.argv[1:]))"


def _rows(db_url: str) -> list:
    store = CaseStore(db_url)
    with store.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        rows = conn.execute(select(case_versions).order_by(case_versions.c.version)).all()
    store.close()
    return rows


@pytest.mark.parametrize(
    ("step", "committed"),
    [("before_insert", False), ("inserted", False), ("committed", True)],
)
def test_sigkill_at_each_point_of_a_save(db_url: str, tmp_path: Path, step, committed) -> None:
    first, second = tmp_path / "c0.json", tmp_path / "c1.json"
    first.write_text(json.dumps(DOCS[0]), encoding="utf-8")
    second.write_text(json.dumps(DOCS[1]), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    saved = subprocess.run(
        _save_command(first, db_url), env=env, check=True, capture_output=True, text=True
    )
    assert saved.stdout == "1\n"
    # A save names the version it builds on (a save without one would start a new course).
    kill_at_pause(SAVE_SCRIPT, _save_command(second, db_url, "--base-version", "1")[1:], step)
    rows = _rows(db_url)
    assert [r.version for r in rows] == ([1, 2] if committed else [1])
    assert json.loads(rows[0].case_json)["assessments"] == DOCS[0]["assessments"]
    if committed:
        assert json.loads(rows[1].case_json)["assessments"] == DOCS[1]["assessments"]
    # The store still takes the next save after the kill.
    again = subprocess.run(
        _save_command(second, db_url, "--base-version", str(len(rows))),
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert again.stdout == f"{len(rows) + 1}\n"


@pytest.mark.slow
def test_sigkill_during_save_leaves_only_whole_versions(db_url: str, tmp_path: Path) -> None:
    rng = random.Random(10)
    paths = []
    for i, doc in enumerate(DOCS):
        paths.append(tmp_path / f"c{i}.json")
        paths[-1].write_text(json.dumps(doc), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.monotonic()  # one full save: how long the kill window is
    subprocess.run(
        _save_command(paths[0], db_url), env=env, check=True, capture_output=True, timeout=120
    )
    window = time.monotonic() - started
    reported = {1: 0}
    for n in range(KILLS):
        which = n % 2
        reader = CaseStore(db_url)
        base = reader.latest("KILL").version  # a save names its base version
        reader.close()
        proc = subprocess.Popen(
            _save_command(paths[which], db_url, "--base-version", str(base)),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        time.sleep(rng.uniform(0.3, 1.1) * window)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        out = proc.stdout.read()
        if out.strip():  # finished before the kill: its version must be there
            reported[int(out)] = which
    assert len(reported) - 1 < KILLS  # some saves were killed before they finished
    rows = _rows(db_url)
    versions = [r.version for r in rows]
    assert versions == list(range(1, len(rows) + 1))
    assert set(reported) <= set(versions)
    for row in rows:
        document = json.loads(row.case_json)
        assert document in ({**d, "case_code": "KILL"} for d in DOCS)
        assert row.status == "not refractory so far" and row.saved_by
    for version, which in reported.items():
        assert json.loads(rows[version - 1].case_json)["assessments"] == DOCS[which]["assessments"]
