"""Database failures under the app and the command line (docs/security.md §5): no patient value
in a log or on screen, one plain sentence instead of an exception box, the entry kept and saved
once the database is back; bad database URLs refused in one line without the password.

Real servers only: a throwaway PostgreSQL cluster (``tests.support.pg_cluster``) stopped and
restarted under the app, and a real SQLite file locked by another connection.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.exc import SQLAlchemyError
from streamlit.testing.v1 import AppTest

from srgvhd.casestore import database
from srgvhd.casestore.store import CaseStore
from srgvhd.cli.main import main as cli_main
from tests.cases import course
from tests.support.pg_cluster import PostgresCluster

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "app.py")
AGE = 47.3187  # a value that must never reach a log or the screen in an error


def _start(days_ago: int) -> str:
    return (date.today() - timedelta(days=days_ago)).isoformat()


def _case() -> dict:
    document = course((0, 2, 0, 0, 1), start=_start(7))
    document["patient"]["age_years"] = AGE
    return document


@pytest.fixture(scope="module")
def own_cluster():
    """A cluster of this module's own, since the tests stop it."""
    cluster = PostgresCluster()
    yield cluster
    cluster.stop()


def _waiting_inserts(url: str) -> int:
    with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as c:
        return c.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
            "AND query LIKE 'INSERT%'"
        ).fetchone()[0]


def test_a_save_killed_inside_postgresql_carries_no_patient_value(own_cluster) -> None:
    """The attack: an INSERT blocked by a lock, then its server process ended. The error's
    message (which Streamlit or a log handler would print) must not quote the case file."""
    url = own_cluster.new_database()
    store = CaseStore(url)
    store.save("P1", _case(), "alice")
    failure: list[BaseException] = []

    def save() -> None:
        try:
            store.save("P1", _case(), "alice", base_version=1)
        except BaseException as exc:  # noqa: BLE001 - the test inspects it
            failure.append(exc)

    with psycopg.connect(url) as locker:
        locker.execute("LOCK TABLE case_versions IN EXCLUSIVE MODE")  # SELECT yes, INSERT no
        writer = threading.Thread(target=save)
        writer.start()
        deadline = time.monotonic() + 60
        while _waiting_inserts(url) == 0:
            assert time.monotonic() < deadline, "the INSERT never waited for the lock"
            time.sleep(0.05)
        with psycopg.connect(url, autocommit=True) as killer:
            killer.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT%'"
            )
        writer.join(60)
    store.close()
    assert failure and isinstance(failure[0], SQLAlchemyError), failure
    message = str(failure[0])
    assert "INSERT" in message  # the statement is named …
    assert str(AGE) not in message and "case_json" not in message.split("[SQL:")[0]
    assert "parameters hidden" in message  # … its values are not


def _open_today(at: AppTest) -> AppTest:
    at.selectbox(key="ward_pick").set_value("P1")
    at.button(key="ward_open").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _no_detail(at: AppTest, caplog) -> str:
    """The page's errors, checked to be plain: no exception box, no SQL, no value."""
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(e.value for e in [*at.error, *at.warning])
    for leak in (str(AGE), "SELECT", "INSERT", "OperationalError", "sqlalchemy"):
        assert leak not in shown, shown
        assert leak not in caplog.text or leak == "OperationalError", caplog.text
    return shown


def test_postgresql_down_gives_one_sentence_and_the_entry_saves_when_it_is_back(
    own_cluster, monkeypatch, caplog
) -> None:
    url = own_cluster.new_database()
    CaseStore(url).save("P1", _case(), "alice")
    monkeypatch.setenv("SRGVHD_DATABASE_URL", url)
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(REPO / "models"))
    caplog.set_level(logging.INFO)
    at = _open_today(AppTest.from_file(APP, default_timeout=60).run())
    at.text_input(key="assess_age").input(
        "47.5"
    ).run()  # same whole years: the same patient (interfaces.md §8)
    own_cluster.pause()
    try:
        at.button(key="store_save").click().run()
        shown = _no_detail(at, caplog)
        assert "Not saved. The case database could not save this entry" in shown
        assert at.text_input(key="assess_age").value == "47.5"  # the entry stays
        ward = AppTest.from_file(APP, default_timeout=60).run()
        assert "could not list the ward's courses" in _no_detail(ward, caplog)
    finally:
        own_cluster.resume()
    at.button(key="store_save").click().run()
    assert any("Saved P1 as version 2" in s.value for s in at.success), at.error
    changed = {c["field"]: c["after"] for c in CaseStore(url).history("P1")[-1]["changes"]}
    assert changed["patient.age_years"] == 47.5


def test_sqlite_locked_gives_one_sentence_and_the_entry_saves_after(
    tmp_path, monkeypatch, caplog
) -> None:
    path = tmp_path / "cases.sqlite3"
    url = f"sqlite:///{path}"
    CaseStore(url).save("P1", _case(), "alice")
    monkeypatch.setattr(database, "SQLITE_BUSY_MS", 300)
    monkeypatch.setenv("SRGVHD_DATABASE_URL", url)
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(REPO / "models"))
    at = _open_today(AppTest.from_file(APP, default_timeout=60).run())
    at.text_input(key="assess_age").input("47.5").run()
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    try:
        at.button(key="store_save").click().run()
        shown = _no_detail(at, caplog)
        assert "could not save this entry" in shown
        assert at.text_input(key="assess_age").value == "47.5"
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    at.button(key="store_save").click().run()
    assert any("Saved P1 as version 2" in s.value for s in at.success), at.error


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("postgresql://ward:pw@127.0.0.1:abc/cases", "the port is not a number"),
        ("postgresql://ward:se@cret-tail@127.0.0.1:5432/cases", "contains '@'"),
        ("postgresql://ward:p@ss:w0rd-tail@127.0.0.1/cases", "contains '@'"),
    ],
)
def test_a_bad_database_url_is_one_line_without_secrets(url, says, capsys) -> None:
    assert cli_main(["cases", "list", "--db", url]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and says in err, err
    for secret in ("pw", "cret-tail", "w0rd-tail", "Traceback"):
        assert secret not in err.replace("postgresql", ""), err
