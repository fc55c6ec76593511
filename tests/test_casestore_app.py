"""The Ward page and the Assess page's store panel, run with Streamlit's AppTest on a real
SQLite store: urgency in words, open a course into Assess, save with the base version, a stale
save refused with who and when (the entry kept), and no cases served without an identity off
loopback."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from srgvhd.casestore.store import CaseStore
from tests.cases import course

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "app.py")


def _start(days_ago: int) -> str:
    return (date.today() - timedelta(days=days_ago)).isoformat()


@pytest.fixture
def store_url(tmp_path: Path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    monkeypatch.setenv("SRGVHD_DATABASE_URL", url)
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(REPO / "models"))
    store = CaseStore(url)
    # day 0 only: next decision on day 7 (study rules, clinical-rules.md §5a)
    store.save("LATER", course((0, 2, 0, 0, 1), start=_start(0)), "alice")
    store.save("TODAY", course((0, 2, 0, 0, 1), start=_start(7)), "alice")
    store.save("LATE", course((0, 2, 0, 0, 1), start=_start(10)), "bob")
    store.save("CLOSED", course((0, 2, 0, 0, 1), (4, 3, 0, 0, 1), start=_start(20)), "bob")
    store.close()
    return url


def _ward(store_url: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table(at: AppTest) -> list[dict]:
    return at.dataframe[0].value.to_dict("records")


def test_ward_lists_open_courses_most_urgent_first_in_words(store_url: str) -> None:
    at = _ward(store_url)
    rows = _table(at)
    assert [r["code"] for r in rows] == ["LATE", "TODAY", "LATER"]
    assert [r["due"] for r in rows] == ["▲ OVERDUE", "● DUE TODAY", "○ later"]
    assert rows[0]["next decision"] == f"day 7 · {_start(3)}"
    assert rows[0]["next assessment"] == f"day 3 · {_start(7)}"  # days 3–5 after day 0
    assert rows[0]["day of course"] == 10 and rows[0]["status"] == "not refractory so far"
    at.toggle(key="ward_closed").set_value(True).run()
    rows = _table(at)
    assert rows[-1]["code"] == "CLOSED" and rows[-1]["due"] == "— closed"
    assert rows[-1]["rule"] == "R1"


def test_open_a_course_then_save_then_a_stale_save_is_refused(store_url: str) -> None:
    at = _ward(store_url)
    at.selectbox(key="ward_pick").set_value("TODAY")
    at.button(key="ward_open").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="assess_age").value == "42"
    assert at.text_input(key="assess_case_code").value == "TODAY"
    assert any("based on version 1 of TODAY" in c.value for c in at.caption)

    at.text_input(key="assess_age").input("43").run()
    at.button(key="store_save").click().run()
    assert any("Saved TODAY as version 2" in s.value for s in at.success)

    other = CaseStore(store_url)  # a colleague saves version 3 meanwhile
    other.save("TODAY", course((0, 2, 0, 0, 1), start=_start(7)), "carol", base_version=2)
    other.close()
    at.text_input(key="assess_age").input("44").run()
    at.button(key="store_save").click().run()
    errors = " ".join(e.value for e in at.error)
    assert "version 3 was saved by carol at" in errors and "Not saved" in errors
    assert at.text_input(key="assess_age").value == "44"  # the entry is kept on screen
    at.button(key="store_rebase").click().run()
    at.button(key="store_save").click().run()
    assert any("Saved TODAY as version 4" in s.value for s in at.success)
    history = CaseStore(store_url).history("TODAY")
    assert [v["version"] for v in history] == [1, 2, 3, 4]
    assert history[2]["saved_by"] == "carol"
    age = [c for c in history[3]["changes"] if c["field"] == "patient.age_years"]
    assert age == [{"field": "patient.age_years", "before": 42, "after": 44}]


def test_new_course_opens_a_blank_assess_form(store_url: str) -> None:
    at = _ward(store_url)
    at.button(key="ward_new").click().run()
    assert not at.exception
    assert at.text_input(key="assess_case_code").value == ""
    assert at.text_input(key="assess_age").value == ""
    assert at.button(key="store_save").disabled


@pytest.fixture
def public_address():
    """The server bound to all interfaces, as on a shared host."""
    from streamlit import config

    config.set_option("server.address", "0.0.0.0")
    yield
    config.set_option("server.address", "127.0.0.1")


def test_no_identity_off_loopback_means_no_cases(
    store_url: str, public_address, monkeypatch
) -> None:
    monkeypatch.delenv("SRGVHD_IDENTITY_HEADER", raising=False)
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert not at.dataframe
    assert any(
        "Case store unavailable" in e.value and "no identity is configured" in e.value
        for e in at.error
    )
    at.switch_page("pages/assess.py").run()
    assert not at.exception
    assert any("Case store unavailable" in e.value for e in at.error)
    assert not [b for b in at.button if b.key == "store_save"]


def test_a_database_from_a_newer_srgvhd_is_refused_on_the_page(store_url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(store_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert not at.dataframe
    assert any("schema revision 9999 is newer than this srgvhd" in e.value for e in at.error)
