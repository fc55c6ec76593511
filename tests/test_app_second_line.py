"""The Assess page's second-line section (docs/clinical-rules.md §8) through its widgets
(AppTest), and its form entries <-> case file (no Streamlit)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from srgvhd.app import form as F
from srgvhd.app import second_line_form as SL
from srgvhd.clinical.case import case_to_dict, parse_case
from tests.streamlit_text import as_read

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
EXAMPLE = ROOT / "examples" / "second_line_uc_msc.json"


@pytest.fixture
def at(monkeypatch) -> AppTest:
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(ROOT / "srgvhd" / "risk" / "reference"))
    app = AppTest.from_file(APP, default_timeout=60)
    app.run()
    app.switch_page("views/assess.py").run()
    assert not app.exception
    return app


def _open(at: AppTest, doc: dict) -> None:
    at.sidebar.file_uploader(key="assess_open_case").set_value(
        ("case.json", json.dumps(doc).encode(), "application/json")
    ).run()
    assert not at.exception


def _texts(elements) -> list[str]:
    return [as_read(e.value) for e in elements]


def test_form_entries_round_trip_the_case_files_second_line():
    doc = json.loads(EXAMPLE.read_text())
    form = F.case_dict_to_form(case_to_dict(parse_case(doc)))
    assert form["second_line"]["infusions"][2] | {"id": 0} == {
        "id": 0,
        "date": "2026-10-24",
        "dose": "0.8",
    }
    reading = F.read_form(form)
    assert reading.ok, reading.problems
    assert parse_case(reading.case).second_line == parse_case(doc).second_line


def test_unreadable_dose_is_named_beside_the_second_line_section():
    doc = json.loads(EXAMPLE.read_text())
    form = F.case_dict_to_form(case_to_dict(parse_case(doc)))
    form["second_line"]["infusions"][1]["dose"] = "1,5,"
    reading = F.read_form(form)
    assert not reading.ok
    assert [m.split(":")[0] for m in reading.problems[SL.SLOT]] == ["Infusion 2"]


def test_a_case_without_second_line_gets_no_second_line_entry():
    doc = json.loads(EXAMPLE.read_text())
    del doc["second_line"]
    form = F.case_dict_to_form(case_to_dict(parse_case(doc)))
    assert "second_line" not in form and "second_line" not in F.read_form(form).case


def test_opened_example_shows_the_second_line_and_stays_saved(at):
    _open(at, json.loads(EXAMPLE.read_text()))
    assert at.selectbox(key="assess_sl_therapy").value == "uc-msc"
    assert at.text_input(key="assess_sl_start_date").value == "2026-10-10"
    assert at.text_input(key="assess_sl_infusion_3_dose").value == "0.8"
    headers = [h.value for h in at.subheader]
    assert "Second line" in headers
    assert "Week-4 response: CR on day 28 (2026-11-07), an overall response." in _texts(at.success)
    # the verdict is the steroid course's, judged before the second-line start
    assert any(e.value.startswith("**Steroid-refractory by rule R2") for e in at.error)
    assert any("outside the study's range of 1–3" in w for w in _texts(at.warning))
    guard = [e.proto.body for e in at.main if getattr(e, "type", None) == "html"]
    assert any("window.srgvhdUnsaved = false;" in body for body in guard)


def test_recording_ruxolitinib_after_the_verdict_goes_into_the_case(at):
    doc = json.loads((ROOT / "examples" / "refractory_r2.json").read_text())
    _open(at, doc)
    at.selectbox(key="assess_sl_therapy").set_value("ruxolitinib").run()
    at.text_input(key="assess_sl_start_date").input("2026-10-28").run()
    assert not at.exception
    case = F.read_form(at.session_state["assess_form"]).case
    assert case["second_line"] == {
        "therapy": "ruxolitinib",
        "therapy_name": None,
        "start_date": "2026-10-28",
    }
    assert "Week-4 response: due on 2026-11-25 (days 28–35 of second line)." in _texts(at.info)
    captions = " ".join(_texts(at.caption))
    assert "REACH2" in captions


def test_a_dose_outside_0_1_to_10_is_refused_and_named(at):
    doc = json.loads((ROOT / "examples" / "refractory_r2.json").read_text())
    _open(at, doc)
    at.selectbox(key="assess_sl_therapy").set_value("uc-msc").run()
    at.text_input(key="assess_sl_start_date").input("2026-10-28").run()
    at.button(key="assess_sl_add_infusion").click().run()
    at.text_input(key="assess_sl_infusion_1_date").input("2026-10-28")
    at.text_input(key="assess_sl_infusion_1_dose").input("12").run()
    assert not at.exception
    errors = " ".join(_texts(at.error))
    # named by its label on the page, not by its case-file path
    assert errors == (
        "Infusion 1: dose: 12 × 10^6 cells/kg is outside the allowed range "
        "(0.1–10 × 10^6 cells/kg)."
    )
    at.text_input(key="assess_sl_infusion_1_dose").input("2").run()
    assert "Second line" in [h.value for h in at.subheader]
    at.button(key="assess_sl_infusion_1_delete").click().run()
    assert not at.exception
    assert at.session_state["assess_form"]["second_line"]["infusions"] == []


def test_an_unreadable_start_date_is_said_once_beside_the_section():
    doc = json.loads(EXAMPLE.read_text())
    doc["second_line"] = {"therapy": "standard", "start_date": "2026-10-10"}
    form = F.case_dict_to_form(case_to_dict(parse_case(doc)))
    form["second_line"]["start_date"] = "10.10.2026"
    reading = F.read_form(form)
    assert [m.split(":")[0] for m in reading.problems[SL.SLOT]] == ["Second-line start date"]
    assert reading.missing == []  # not "is required" as well
    form["second_line"]["start_date"] = "day 9"  # steroid day 9 = 2026-10-10
    assert F.read_form(form).case["second_line"]["start_date"] == "2026-10-10"
