"""The Ward page and the Assess page's store panel, run with Streamlit's AppTest on a real
SQLite store: who needs a decision first (a refractory course is "second-line choice pending",
never hidden as closed), urgency in words, closing by hand and reopening, open a course into
Assess, save with the base version, a stale save refused with who and when (the entry kept,
the newer version offered and compared), a new course under an existing code refused, another
patient refused unless an identity change is confirmed with a reason, and no cases served
without an identity off loopback."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from srgvhd.casestore.store import CaseStore
from tests import casestore_db
from tests.cases import course

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "app.py")


def _start(days_ago: int) -> str:
    return (date.today() - timedelta(days=days_ago)).isoformat()


@pytest.fixture(params=casestore_db.BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch) -> str:
    """A store with five courses, on SQLite and on a real PostgreSQL cluster."""
    url = casestore_db.database_url(request, request.param, tmp_path)
    monkeypatch.setenv("SRGVHD_DATABASE_URL", url)
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(REPO / "models"))
    store = CaseStore(url)
    # day 0 only: next decision on day 7 (study rules, clinical-rules.md §5a)
    store.save("LATER", course((0, 2, 0, 0, 1), start=_start(0)), "alice")
    store.save("TODAY", course((0, 2, 0, 0, 1), start=_start(7)), "alice")
    store.save("LATE", course((0, 2, 0, 0, 1), start=_start(10)), "bob")
    # progression on day 4: refractory (R1) 16 days ago, no second line recorded
    store.save("REFR", course((0, 2, 0, 0, 1), (4, 3, 0, 0, 1), start=_start(20)), "bob")
    # CR on day 14: steroid-responsive, nothing left to decide
    store.save("DONE", course((0, 2, 0, 0, 1), (14, 0, 0, 0, 0), start=_start(30)), "bob")
    store.close()
    return url


def _ward(store_url: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _table(at: AppTest) -> list[dict]:
    return at.dataframe[0].value.to_dict("records")


def _frame(at: AppTest, column: str) -> list[dict]:
    """The rows of the one table on the page with ``column``."""
    (frame,) = [d.value for d in at.dataframe if column in d.value.columns]
    return frame.to_dict("records")


def test_ward_lists_who_needs_a_decision_first_in_words(store_url: str) -> None:
    at = _ward(store_url)
    rows = _table(at)
    assert [r["code"] for r in rows] == ["REFR", "LATE", "TODAY", "LATER"]
    assert [r["due"] for r in rows] == ["▲ OVERDUE", "▲ OVERDUE", "● DUE TODAY", "○ later"]
    refractory = rows[0]
    assert refractory["phase"] == refractory["next action"] == "second-line choice pending"
    assert refractory["due date"] == f"day 4 · {_start(16)}" and refractory["rule"] == "R1"
    assert rows[1]["due date"] == f"day 7 · {_start(3)}"
    assert rows[1]["next action"] == "decision on day 7"
    assert rows[1]["next assessment"] == f"day 3 · {_start(7)}"  # days 3–5 after day 0
    assert rows[1]["day of course"] == 10 and rows[1]["status"] == "not refractory so far"
    assert any("Second-line choice pending: **1**" in m.value for m in at.markdown)
    assert any("4 shown of 5 courses, 1 closed" in m.value for m in at.markdown)
    at.toggle(key="ward_closed").set_value(True).run()
    rows = _table(at)
    assert rows[-1]["code"] == "DONE" and rows[-1]["due"] == "— closed"
    assert rows[-1]["phase"] == "closed"


def test_close_by_hand_with_a_reason_then_reopen(store_url: str) -> None:
    at = _ward(store_url)
    at.selectbox(key="ward_pick").set_value("REFR").run()
    at.selectbox(key="ward_close_kind").set_value("other (say which)").run()
    assert at.button(key="ward_close").disabled  # no reason typed yet
    at.text_input(key="ward_close_other").input("palliative care only").run()
    at.button(key="ward_close").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("REFR closed (palliative care only): version 2" in s.value for s in at.success)
    assert "REFR" not in [r["code"] for r in _table(at)]  # closed: under the toggle
    at.toggle(key="ward_closed").set_value(True).run()
    at.selectbox(key="ward_pick").set_value("REFR")
    at.button(key="ward_open").click().run()  # the Assess page says it is closed
    assert any("REFR is closed by hand (palliative care only)" in i.value for i in at.info)
    at.switch_page("views/ward.py").run()
    at.toggle(key="ward_closed").set_value(True).run()
    (row,) = [r for r in _table(at) if r["code"] == "REFR"]
    assert (row["phase"], row["due"]) == ("closed", "— closed")
    assert row["next action"] == "closed by hand: palliative care only"
    at.selectbox(key="ward_pick").set_value("REFR").run()
    at.button(key="ward_reopen").click().run()
    assert any("REFR reopened: version 3" in s.value for s in at.success)
    at.toggle(key="ward_closed").set_value(False).run()
    assert _table(at)[0]["code"] == "REFR"
    history = CaseStore(store_url).history("REFR")
    assert [(v["event"], v["closed_reason"]) for v in history] == [
        ("save", None),
        ("close", "palliative care only"),
        ("reopen", None),
    ]


def test_open_a_course_then_save_then_a_stale_save_is_refused(store_url: str) -> None:
    at = _ward(store_url)
    at.selectbox(key="ward_pick").set_value("TODAY")
    at.button(key="ward_open").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="assess_age").value == "42"
    assert at.text_input(key="assess_case_code").value == "TODAY"
    assert any("based on version 1 of TODAY" in c.value for c in at.caption)

    at.text_input(key="assess_weight").input("72").run()
    at.button(key="store_save").click().run()
    assert any("Saved TODAY as version 2" in s.value for s in at.success)

    other = CaseStore(store_url)  # a colleague saves version 3 meanwhile
    other.save("TODAY", course((0, 2, 0, 0, 1), start=_start(7)), "carol", base_version=2)
    other.close()
    at.text_input(key="assess_weight").input("71").run()
    at.button(key="store_save").click().run()
    errors = " ".join(e.value for e in at.error)
    assert "version 3 was saved by carol at" in errors and "Not saved" in errors
    assert at.text_input(key="assess_weight").value == "71"  # the entry is kept on screen
    assert not [b for b in at.button if b.key == "store_rebase"]  # no "merged by hand"
    beside = _frame(at, "your entry")
    assert {"field": "Weight (kg)", "version 3": "70", "your entry": "71"} in beside
    # carol's file is an older-format case/1: its format differs, and nothing else
    assert [r["field"] for r in beside] == ["Weight (kg)", "File format"]
    at.button(key="store_open_newer").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.text_input(key="assess_age").value == "42"  # carol's version 3
    assert any("based on version 3 of TODAY" in c.value for c in at.caption)
    at.text_input(key="assess_weight").input("71").run()
    at.button(key="store_save").click().run()
    assert any("Saved TODAY as version 4" in s.value for s in at.success)
    assert any("based on version 4 of TODAY" in c.value for c in at.caption)
    history = CaseStore(store_url).history("TODAY")
    assert [v["version"] for v in history] == [1, 2, 3, 4]
    assert history[2]["saved_by"] == "carol"
    weight = [c for c in history[3]["changes"] if c["field"] == "patient.weight_kg"]
    assert weight == [{"field": "patient.weight_kg", "before": 70.0, "after": 71.0}]


def _fill_new_course(at: AppTest, code: str, age: str, start: str) -> None:
    at.text_input(key="assess_case_code").input(code)
    at.text_input(key="assess_age").input(age)
    at.text_input(key="assess_weight").input("70")
    at.text_input(key="assess_steroid_start").input(start).run()
    at.button(key="assess_add_assessment").click().run()
    (row_id,) = [r["id"] for r in at.session_state["assess_form"]["assessments"]]
    at.text_input(key=f"assess_assessments_{row_id}_date").input(start)
    at.text_input(key=f"assess_assessments_{row_id}_rash_bsa").input("30")
    at.text_input(key=f"assess_assessments_{row_id}_bullae_bsa").input("0")
    at.text_input(key=f"assess_assessments_{row_id}_bilirubin").input("0.5")
    at.text_input(key=f"assess_assessments_{row_id}_stool_ml").input("0")
    at.selectbox(key=f"assess_assessments_{row_id}_upper_gi").set_value("no")
    at.button(key=f"assess_assessments_{row_id}_apply").click().run()  # the form's Enter
    assert not at.exception, [e.value for e in at.exception]


def test_a_new_course_under_an_existing_code_is_refused(store_url: str) -> None:
    at = _ward(store_url)
    at.button(key="ward_new").click().run()
    _fill_new_course(at, "REFR", "67", _start(2))
    assert not at.button(key="store_save").disabled
    at.button(key="store_save").click().run()
    errors = " ".join(e.value for e in at.error)
    assert "REFR exists — open it or choose another code" in errors.replace("\\", "")
    assert at.text_input(key="assess_age").value == "67"  # the entry stays on screen
    assert [v["version"] for v in CaseStore(store_url).history("REFR")] == [1]
    at.text_input(key="assess_case_code").input("NEW-1").run()
    assert not at.error  # another code: the refusal no longer applies
    at.button(key="store_save").click().run()
    assert any("Saved NEW-1 as version 1" in s.value for s in at.success)


def test_another_patient_is_refused_unless_an_identity_change_is_confirmed(
    store_url: str,
) -> None:
    at = _ward(store_url)
    at.selectbox(key="ward_pick").set_value("TODAY")
    at.button(key="ward_open").click().run()
    at.text_input(key="assess_age").input("67").run()  # 42 on version 1
    at.button(key="store_save").click().run()
    errors = " ".join(e.value for e in at.error)
    assert "not the patient of TODAY (version 1)" in errors
    both = _frame(at, "TODAY version 1 (stored)")
    assert both == [
        {
            "patient": "Age (years)",
            "TODAY version 1 (stored)": "42",
            "your entry": "67",
            "": "▲ differs",
        },
        {
            "patient": "Steroid start (day 0)",
            "TODAY version 1 (stored)": _start(7),
            "your entry": _start(7),
            "": "same",
        },
        {"patient": "EHR patient", "TODAY version 1 (stored)": "—", "your entry": "—", "": "same"},
    ]
    assert at.button(key="store_identity_confirm").disabled  # no reason yet
    assert [v["version"] for v in CaseStore(store_url).history("TODAY")] == [1]
    at.text_input(key="store_identity_reason").input("age typed wrongly on version 1").run()
    at.button(key="store_identity_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("Saved TODAY as version 2" in s.value for s in at.success)
    history = CaseStore(store_url).history("TODAY")
    assert history[1]["identity_change"] == "age typed wrongly on version 1"
    assert history[1]["patient"] == f"steroid start {_start(7)}, age 67"


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
    at.switch_page("views/assess.py").run()
    assert not at.exception
    assert any("Case store unavailable" in e.value for e in at.error)
    assert not [b for b in at.button if b.key == "store_save"]


def test_a_database_from_a_newer_srgvhd_is_refused_on_the_page(store_url: str) -> None:
    from sqlalchemy import create_engine, text

    from srgvhd.casestore.database import resolve_url

    engine = create_engine(resolve_url(store_url))
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    assert not at.dataframe
    assert any("schema revision 9999 is newer than this srgvhd" in e.value for e in at.error)


def test_an_identity_change_is_not_saved_for_an_entry_changed_after_it_was_shown(
    store_url: str,
) -> None:
    at = _ward(store_url)
    at.selectbox(key="ward_pick").set_value("TODAY")
    at.button(key="ward_open").click().run()
    at.text_input(key="assess_age").input("67").run()
    at.button(key="store_save").click().run()
    assert "67" in [r["your entry"] for r in _frame(at, "your entry")]
    at.text_input(key="assess_age").input("71").run()  # another patient again, not the one shown
    at.text_input(key="store_identity_reason").input("age corrected").run()
    at.button(key="store_identity_confirm").click().run()
    assert not at.exception, [e.value for e in at.exception]
    errors = " ".join(e.value for e in at.error)
    assert "the entry changed after the two patients were shown" in errors
    assert [v["version"] for v in CaseStore(store_url).history("TODAY")] == [1]
