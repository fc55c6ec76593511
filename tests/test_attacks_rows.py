"""Rows of a case: a documented maximum (100 assessments, dose changes, labs) refused above it by
the form, the case-file parser (naming the field) and the store; and an Assess rerun whose work
does not grow with the square of the rows (docs/security.md §5).

Every Streamlit field copies the whole session state when drawn, so a form drawing a field per
value of every row cost rows² per rerun (500 assessments: 45 s of CPU). The form draws a window
of ``entry.ROWS_SHOWN`` rows per table; these tests count what a rerun draws, never time it.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from srgvhd.app import entry
from srgvhd.casestore.store import CaseStore
from srgvhd.cli.main import main as cli_main
from srgvhd.clinical.case import MAX_ASSESSMENTS, MAX_DOSE_CHANGES, parse_case
from srgvhd.clinical.labs import MAX_LABS
from srgvhd.errors import InputError
from tests.cases import long_course

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "app.py")
START = (date.today() - timedelta(days=120)).isoformat()


def test_the_maximum_is_one_hundred_of_each() -> None:
    assert (MAX_ASSESSMENTS, MAX_DOSE_CHANGES, MAX_LABS) == (100, 100, 100)
    case = parse_case(long_course(100, start=START))
    assert (len(case.assessments), len(case.steroids.dose_changes), len(case.labs)) == (100,) * 3


@pytest.mark.parametrize(
    ("table", "field", "says"),
    [
        ("assessments", "assessments", "more than 100 assessments"),
        ("dose_changes", "steroids.dose_changes", "more than 100 dose changes"),
        ("labs", "labs", "more than 100 lab entries"),
    ],
)
def test_one_row_past_the_maximum_is_refused_naming_the_field(table, field, says) -> None:
    document = long_course(100, start=START)
    longer = long_course(101, start=START)
    if table == "dose_changes":
        document["steroids"]["dose_changes"] = longer["steroids"]["dose_changes"]
    else:
        document[table] = longer[table]
    with pytest.raises(InputError) as refused:
        parse_case(document)
    assert f"{field}: {says}" in str(refused.value)


def test_the_cli_and_the_store_refuse_a_case_past_the_maximum(tmp_path, capsys) -> None:
    document = long_course(100, start=START)
    document["labs"] = long_course(101, start=START)["labs"]
    path = tmp_path / "long.json"
    path.write_text(json.dumps(document))
    assert cli_main(["assess", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "labs: more than 100 lab entries" in err
    store = CaseStore(f"sqlite:///{tmp_path / 'cases.sqlite3'}")
    with pytest.raises(InputError, match="more than 100 lab entries"):
        store.save("LONG", document, "alice")
    assert store.latest("LONG") is None
    store.close()


def _opened(tmp_path: Path, monkeypatch, rows: int) -> AppTest:
    url = f"sqlite:///{tmp_path / f'cases{rows}.sqlite3'}"
    monkeypatch.setenv("SRGVHD_DATABASE_URL", url)
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(REPO / "models"))
    store = CaseStore(url)
    store.save("LONG", long_course(rows, start=START), "alice")
    store.close()
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.toggle(key="ward_closed").set_value(True).run()
    at.selectbox(key="ward_pick").set_value("LONG")
    at.button(key="ward_open").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _fields(at: AppTest) -> int:
    return len(at.text_input) + len(at.selectbox) + len(at.checkbox) + len(at.button)


def test_a_rerun_draws_as_many_fields_at_100_rows_as_at_10(tmp_path, monkeypatch) -> None:
    """What makes a rerun's cost linear: the fields drawn do not grow with the rows (three
    window choices are the only additions)."""
    ten = _fields(_opened(tmp_path, monkeypatch, 10))
    hundred = _opened(tmp_path, monkeypatch, 100)
    assert _fields(hundred) <= ten + 3
    assert len([t for t in hundred.text_input if t.key.startswith("assess_assessments_")]) == (
        entry.ROWS_SHOWN * 6  # date and 5 numbers per assessment in findings mode
    )


def test_the_newest_rows_are_shown_and_the_others_stay_editable(tmp_path, monkeypatch) -> None:
    at = _opened(tmp_path, monkeypatch, 100)
    window = at.selectbox(key=entry.WINDOW_KEYS["assessments"])
    assert window.value == 9 and "91–100 of 100 (newest)" in window.format_func(window.value)
    dates = [t for t in at.text_input if t.key.endswith("_date") and "assessments" in t.key]
    assert dates[-1].value == (date.fromisoformat(START) + timedelta(days=99)).isoformat()
    # the first window: assessment 1 is drawn, its rash value is edited to a bad one
    window.set_value(0).run()
    first_rash = next(t for t in at.text_input if t.key.endswith("_rash_bsa"))
    assert first_rash.value == "30"
    first_rash.input("abc")
    apply = first_rash.key.removesuffix("_rash_bsa") + "_apply"
    at.button(key=apply).click().run()  # the assessment's form applied (Enter)
    # back to the newest window: assessment 1's problem is still shown, named by its row
    at.selectbox(key=entry.WINDOW_KEYS["assessments"]).set_value(9).run()
    assert not at.exception
    assert any(e.value.startswith("Assessment 1:") for e in at.error), [e.value for e in at.error]
    at.selectbox(key=entry.WINDOW_KEYS["assessments"]).set_value(0).run()
    first_rash = next(t for t in at.text_input if t.key.endswith("_rash_bsa"))
    assert first_rash.value == "abc"  # the entry survived being out of sight


def test_adding_past_the_maximum_is_refused_with_a_message(tmp_path, monkeypatch) -> None:
    at = _opened(tmp_path, monkeypatch, 99)
    at.button(key="assess_add_assessment").click().run()
    assert at.selectbox(key=entry.WINDOW_KEYS["assessments"]).value == 9  # the new row is shown
    assert at.button(key="assess_add_assessment").disabled
    assert any("at most 100 assessments" in c.value for c in at.caption)
    assert len(at.session_state[entry.FORM]["assessments"]) == 100
    # a forged click on the disabled button: add_row itself refuses (tests/test_form.py)
    from srgvhd.app import form as F

    assert F.add_row(at.session_state[entry.FORM], "assessments") is None


def test_a_stored_version_past_the_new_maximum_is_refused_on_opening(tmp_path, monkeypatch) -> None:
    """A version saved before the limit (up to 500 rows were allowed) is not opened into the
    form: one message naming the field, no exception, the form unchanged."""
    from srgvhd.clinical import case as case_module

    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    monkeypatch.setattr(case_module, "MAX_ASSESSMENTS", 500)
    store = CaseStore(url)
    document = long_course(100, start=START)
    document["assessments"] = long_course(101, start=START)["assessments"]
    store.save("OLD", document, "alice")
    store.close()
    monkeypatch.setattr(case_module, "MAX_ASSESSMENTS", 100)
    monkeypatch.setenv("SRGVHD_DATABASE_URL", url)
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(REPO / "models"))
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.toggle(key="ward_closed").set_value(True).run()
    at.selectbox(key="ward_pick").set_value("OLD")
    at.button(key="ward_open").click().run()
    assert not at.exception, [e.value for e in at.exception]
    errors = " ".join(e.value for e in at.error)
    assert "Version 1 of OLD cannot be opened" in errors and "more than 100 assessments" in errors
    assert at.text_input(key="assess_age").value == ""
