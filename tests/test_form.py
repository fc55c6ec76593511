"""The Assess page's form logic (srgvhd.app.form) and the risk wording (srgvhd.report.text) —
pure functions, no Streamlit. The admin gate is tested in tests/test_attacks_gate.py."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from srgvhd.app.form import (
    case_dict_to_form,
    empty_form,
    empty_row,
    form_to_case_dict,
    is_blank,
    problems_by_widget,
)
from srgvhd.clinical.case import case_to_dict, parse_case
from srgvhd.clinical.course import assess_case
from srgvhd.errors import InputError, Problem
from srgvhd.report.text import REFERENCE_WORDS, driving_factors, model_hazard_ratios

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "examples").glob("*.json"))


def _problems(form: dict) -> list[Problem]:
    with pytest.raises(InputError) as info:
        parse_case(form_to_case_dict(form))
    return info.value.problems


def _valid_form() -> dict:
    """Adult, steroid start 2026-11-01, baseline rash 30% BSA, day 7 rash 10%."""
    form = empty_form()
    form.update(
        age_years=42.0, weight_kg=70.0, hemoglobin_value=85.0, steroid_start=date(2026, 11, 1)
    )
    baseline, later = empty_row(), empty_row()
    baseline.update(date=date(2026, 11, 1), rash_bsa=30.0)
    later.update(date=date(2026, 11, 8), rash_bsa=10.0)
    form["assessments"] = [baseline, later]
    return form


def _meaning(case) -> dict:
    """The case file with unset true/false findings as false: interfaces.md §1 says a missing
    finding means "not involved", and a form checkbox is either ticked or not."""
    d = case_to_dict(case)
    for a in d["assessments"]:
        for key, value in (a.get("measurements") or {}).items():
            if value is None and key in BOOLEAN_FIELDS:
                a["measurements"][key] = False
    return d


BOOLEAN_FIELDS = (
    "upper_gi_persistent_symptoms",
    "severe_abdominal_pain_or_ileus",
    "grossly_bloody_stool",
)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_case_round_trips_through_the_form(path: Path) -> None:
    case = parse_case(json.loads(path.read_text(encoding="utf-8")))
    form = case_dict_to_form(case_to_dict(case))
    again = parse_case(form_to_case_dict(form))
    assert _meaning(again) == _meaning(case)
    assert assess_case(again) == assess_case(case)


def test_there_are_three_example_cases() -> None:
    assert {p.name for p in EXAMPLES} >= {
        "refractory_r1.json",
        "refractory_r2.json",
        "responsive.json",
    }


def test_table_cells_as_the_editor_returns_them() -> None:
    form = _valid_form()
    row = form["assessments"][1]
    row.update(
        date=pd.Timestamp("2026-11-08"),
        rash_bsa=np.float64(10.0),
        bullae_bsa=np.nan,
        stool_ml=float("nan"),
        upper_gi=None,
        bilirubin=pd.NA,
    )
    stages_row = empty_row()
    stages_row.update(
        date=pd.Timestamp("2026-11-15"), mode="stages", skin_stage=2.0, lower_gi_stage=np.nan
    )
    form["assessments"].append(stages_row)
    d = form_to_case_dict(form)
    day7, day14 = d["assessments"][1], d["assessments"][2]
    assert day7["date"] == "2026-11-08"
    assert day7["measurements"]["skin_rash_bsa_percent"] == 10
    assert day7["measurements"]["skin_bullae_desquamation_bsa_percent"] is None
    assert day7["measurements"]["stool_ml_per_day"] is None
    assert day7["measurements"]["upper_gi_persistent_symptoms"] is False
    assert "bilirubin" not in day7["measurements"]
    # a blank stage is stage 0, as a missing finding is "not involved" (interfaces.md §1)
    assert day14 == {
        "date": "2026-11-15",
        "stages": {"skin": 2, "liver": 0, "upper_gi": 0, "lower_gi": 0},
    }
    parse_case(d)


def test_units_chosen_on_the_page_go_into_the_case() -> None:
    form = _valid_form()
    form.update(hemoglobin_value=8.5, hemoglobin_unit="g/dL", bilirubin_unit="umol/L")
    form["assessments"][0]["bilirubin"] = 34.2
    case = parse_case(form_to_case_dict(form))
    assert case.patient.hemoglobin_g_l == pytest.approx(85.0)  # 1 g/dL = 10 g/L
    # 1 mg/dL = 17.1 µmol/L (clinical-rules.md §1): 34.2 µmol/L is 2.0 mg/dL
    assert case.assessments[0].measurements.bilirubin_mg_dl == pytest.approx(2.0)


def test_mixed_bilirubin_units_are_shown_in_the_first_unit() -> None:
    d = form_to_case_dict(_valid_form())
    d["assessments"][0]["measurements"]["bilirubin"] = {"value": 34.2, "unit": "umol/L"}
    d["assessments"][1]["measurements"]["bilirubin"] = {"value": 3.0, "unit": "mg/dL"}
    form = case_dict_to_form(case_to_dict(parse_case(d)))
    assert form["bilirubin_unit"] == "umol/L"
    assert form["assessments"][0]["bilirubin"] == pytest.approx(34.2)
    assert form["assessments"][1]["bilirubin"] == pytest.approx(3.0 * 17.1)


def test_steroid_details_round_trip() -> None:
    form = _valid_form()
    form.update(
        mp_dose=1.5,
        steroid_intolerant=True,
        grade_override="IV",
        dose_changes=[{"date": pd.Timestamp("2026-11-10"), "dose": 1.0}],
    )
    case = parse_case(form_to_case_dict(form))
    assert case.steroids.mg_per_kg_day == 1.5
    assert case.steroids.intolerant is True
    assert case.grade_override == "IV"
    assert [(c.date, c.mg_per_kg_day) for c in case.steroids.dose_changes] == [
        (date(2026, 11, 10), 1.0)
    ]
    back = case_dict_to_form(case_to_dict(case))
    assert back["dose_changes"] == [{"date": date(2026, 11, 10), "dose": 1.0}]
    assert (back["steroid_intolerant"], back["grade_override"]) == (True, "IV")


def test_blank_form_is_blank_and_a_typed_value_is_not() -> None:
    assert is_blank(empty_form())
    form = empty_form()
    form["hemoglobin_unit"] = "g/dL"
    assert is_blank(form)
    form["age_years"] = 30.0
    assert not is_blank(form)


def test_blank_form_names_the_required_fields() -> None:
    grouped = problems_by_widget(_problems(empty_form()))
    assert "is required" in grouped["age_years"][0]
    assert "is required" in grouped["steroid_start"][0]
    assert grouped["assessments"]


@pytest.mark.parametrize(
    ("change", "widget", "start"),
    [
        ({"age_years": 130.0}, "age_years", "130"),
        ({"weight_kg": 0.0}, "weight_kg", "0"),
        ({"hemoglobin_value": 900.0}, "hemoglobin_value", "900"),
        ({"mp_dose": 0.0}, "mp_dose", "0"),
    ],
)
def test_out_of_range_values_are_put_next_to_their_widget(change, widget, start) -> None:
    form = _valid_form()
    form.update(change)
    grouped = problems_by_widget(_problems(form))
    assert list(grouped) == [widget]
    assert grouped[widget][0].startswith(start)


def test_table_problems_name_the_row_and_column() -> None:
    form = _valid_form()
    form["assessments"][1]["date"] = date(2026, 10, 30)
    form["assessments"][0]["bilirubin"] = -1.0
    grouped = problems_by_widget(_problems(form))
    assert grouped == {
        "assessments": [
            "row 1, bilirubin: -1 is out of range [0, 100]",
            "row 2, date: before steroids.start_date",
        ]
    }


def test_missing_baseline_is_a_table_problem() -> None:
    form = _valid_form()
    form["assessments"] = form["assessments"][1:]
    grouped = problems_by_widget(_problems(form))
    assert list(grouped) == ["assessments"]
    assert "baseline" in grouped["assessments"][0]


def test_dose_change_and_unknown_paths() -> None:
    grouped = problems_by_widget(
        [
            Problem("steroids.dose_changes[1].date", "must be after steroids.start_date"),
            Problem("steroids.dose_changes[0].methylprednisolone_mg_per_kg_day", "is required"),
            Problem("assessments[3].stages.upper_gi", "2 is out of range [0, 1]"),
            Problem("patient.hemoglobin.unit", "expected one of g/L, g/dL"),
            Problem("format", "expected 'srgvhd-case/1'"),
        ]
    )
    assert grouped == {
        "dose_changes": [
            "row 2, date: must be after steroids.start_date",
            "row 1, dose (mg/kg/day): is required",
        ],
        "assessments": ["row 4, upper-GI stage: 2 is out of range [0, 1]"],
        "hemoglobin_value": ["expected one of g/L, g/dL"],
        "general": ["format: expected 'srgvhd-case/1'"],
    }


def test_driving_factors_name_each_non_reference_category_with_its_hr() -> None:
    # published HRs (Niu et al. 2026) as the model's: 5.02 age, 5.63 grade IV, 5.13 Hb
    hrs = {"age_ge35": 5.02, "grade_IV": 5.63, "hb_le_90": 5.13, "grade_II": 0.5}
    covariates = {"age_group": "≥35", "grade": "IV", "hemoglobin_le_90": True}
    assert driving_factors(covariates, hrs) == [
        "age ≥35 (HR 5.02)",
        "grade IV (HR 5.63)",
        "Hb ≤ 90 g/L (HR 5.13)",
    ]
    child = {"age_group": "<18", "grade": "II", "hemoglobin_le_90": False}
    assert driving_factors(child, hrs) == ["age <18", "grade II (HR 0.50)"]
    reference = {"age_group": "18-34", "grade": "III", "hemoglobin_le_90": False}
    assert driving_factors(reference, hrs) == [REFERENCE_WORDS]


def test_model_hazard_ratios_are_exp_beta() -> None:
    hrs = model_hazard_ratios(["age_ge35", "hb_le_90"], [math.log(2.0), 0.0])
    assert hrs == pytest.approx({"age_ge35": 2.0, "hb_le_90": 1.0})
