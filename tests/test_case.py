"""The ``srgvhd-case/1`` file (interfaces.md §1): every refusal names its field; round trips.

Each bad document differs from a valid one in one place, and the test names the field path the
refusal must carry.
"""

from __future__ import annotations

import copy
import json
import math
import os
from pathlib import Path
from typing import Any

import pytest

from srgvhd.clinical import case as case_module
from srgvhd.clinical.case import (
    case_to_dict,
    dumps_case,
    load_case,
    loads_case,
    parse_case,
    save_case,
)
from srgvhd.errors import InputError
from tests.cases import START, bilirubin, case_doc, measured, staged, valid_doc


def problems_of(doc: Any) -> list[tuple[str, str]]:
    with pytest.raises(InputError) as info:
        parse_case(doc)
    assert all(p.where and p.what for p in info.value.problems)
    return [(p.where, p.what) for p in info.value.problems]


def wheres(doc: Any) -> list[str]:
    return [where for where, _ in problems_of(doc)]


def with_change(path: str, value: Any) -> dict:
    """A valid document with the value at dotted ``path`` replaced (``DELETE`` removes it)."""
    doc = valid_doc()
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    target = doc
    for key in parents:
        target = target[key]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return doc


DELETE = object()
M0 = "assessments.0.measurements"  # path into the document
W0 = "assessments[0].measurements"  # the same place as a problem names it
S1 = "assessments.1.stages"
DOSE = "steroids.methylprednisolone_mg_per_kg_day"
DC0 = "steroids.dose_changes[0]"


def test_valid_document_parses():
    case = parse_case(valid_doc())
    assert case.patient.age_years == 42
    assert [a.date.isoformat() for a in case.assessments] == ["2026-11-01", "2026-11-08"]


# ---------------------------------------------------------------- one bad field at a time


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        # format
        ("format", DELETE, "format"),
        ("format", "srgvhd-case/3", "format"),
        # patient
        ("patient", DELETE, "patient"),
        ("patient", [1, 2], "patient"),
        ("patient.age_years", DELETE, "patient.age_years"),
        ("patient.age_years", "42", "patient.age_years"),
        ("patient.age_years", True, "patient.age_years"),
        ("patient.age_years", math.nan, "patient.age_years"),
        ("patient.age_years", math.inf, "patient.age_years"),
        ("patient.age_years", -1, "patient.age_years"),
        ("patient.age_years", 121, "patient.age_years"),
        ("patient.weight_kg", 0, "patient.weight_kg"),
        ("patient.weight_kg", "70 kg", "patient.weight_kg"),
        ("patient.weight_kg", 301, "patient.weight_kg"),
        ("patient.hemoglobin", {"value": 85, "unit": "mmol/L"}, "patient.hemoglobin.unit"),
        ("patient.hemoglobin", {"value": 85}, "patient.hemoglobin.unit"),
        ("patient.hemoglobin", {"value": 85, "unit": "g/dL"}, "patient.hemoglobin.value"),
        ("patient.hemoglobin", {"value": 8.5, "unit": "g/L"}, "patient.hemoglobin.value"),
        ("patient.hemoglobin", {"value": False, "unit": "g/L"}, "patient.hemoglobin.value"),
        ("patient.hemoglobin", {"unit": "g/L"}, "patient.hemoglobin.value"),
        ("patient.hemoglobin", "85 g/L", "patient.hemoglobin"),
        # steroids
        ("steroids", DELETE, "steroids"),
        ("steroids.start_date", DELETE, "steroids.start_date"),
        ("steroids.start_date", "01/11/2026", "steroids.start_date"),
        ("steroids.start_date", "2026-13-01", "steroids.start_date"),
        ("steroids.start_date", "2026-02-30", "steroids.start_date"),
        ("steroids.start_date", "2026-11-01T00:00", "steroids.start_date"),
        ("steroids.start_date", 20261101, "steroids.start_date"),
        ("steroids.start_date", "9999-12-30", "steroids.start_date"),  # day 7 is not a date
        ("steroids.start_date", "0001-01-01", "steroids.start_date"),
        (DOSE, DELETE, DOSE),
        (DOSE, 0, DOSE),
        (DOSE, "2", DOSE),
        (DOSE, True, DOSE),
        ("steroids.intolerant", "yes", "steroids.intolerant"),
        ("steroids.dose_changes", "2026-11-10: 1.0", "steroids.dose_changes"),
        ("steroids.dose_changes", [{"date": "2026-11-10"}], f"{DC0}.{DOSE.split('.')[1]}"),
        ("steroids.dose_changes", [{"date": START, DOSE.split(".")[1]: 1}], f"{DC0}.date"),
        # assessments
        ("assessments", DELETE, "assessments"),
        ("assessments", [], "assessments"),
        ("assessments", {"date": "2026-11-01"}, "assessments"),
        ("assessments.1", "2026-11-08", "assessments[1]"),
        ("assessments.1.date", DELETE, "assessments[1].date"),
        ("assessments.1.date", "2026-11-31", "assessments[1].date"),
        ("assessments.1.date", "8 Nov 2026", "assessments[1].date"),
        ("assessments.1.date", "2026-11-01", "assessments[1].date"),  # duplicate of baseline
        ("assessments.1.date", "2026-10-31", "assessments[1].date"),  # before start
        ("assessments.1.measurements", {"skin_rash_bsa_percent": 10}, "assessments[1]"),  # both
        ("assessments.1.stages", DELETE, "assessments[1]"),  # neither
        ("assessments.1.stages", None, "assessments[1]"),  # neither
        # stages
        (f"{S1}.skin", 5, "assessments[1].stages.skin"),
        (f"{S1}.skin", -1, "assessments[1].stages.skin"),
        (f"{S1}.skin", 1.5, "assessments[1].stages.skin"),
        (f"{S1}.skin", "1", "assessments[1].stages.skin"),
        (f"{S1}.skin", True, "assessments[1].stages.skin"),
        (f"{S1}.upper_gi", 2, "assessments[1].stages.upper_gi"),
        (f"{S1}.liver", DELETE, "assessments[1].stages.liver"),
        (f"{S1}.lower_gi", math.nan, "assessments[1].stages.lower_gi"),
        (f"{S1}.gut", 1, "assessments[1].stages.gut"),
        (S1, [1, 0, 0, 1], "assessments[1].stages"),
        # measurements
        (f"{M0}.stool_volume", 800, f"{W0}.stool_volume"),
        (f"{M0}.skin_rash_bsa_percent", 101, f"{W0}.skin_rash_bsa_percent"),
        (f"{M0}.skin_rash_bsa_percent", -0.1, f"{W0}.skin_rash_bsa_percent"),
        (f"{M0}.skin_rash_bsa_percent", "30%", f"{W0}.skin_rash_bsa_percent"),
        (
            f"{M0}.skin_bullae_desquamation_bsa_percent",
            math.nan,
            f"{W0}.skin_bullae_desquamation_bsa_percent",
        ),  # noqa: E501
        (f"{M0}.stool_ml_per_day", True, f"{W0}.stool_ml_per_day"),
        (f"{M0}.stool_ml_per_day", -5, f"{W0}.stool_ml_per_day"),
        (f"{M0}.stool_episodes_per_day", [3], f"{W0}.stool_episodes_per_day"),
        (f"{M0}.upper_gi_persistent_symptoms", "yes", f"{W0}.upper_gi_persistent_symptoms"),
        (f"{M0}.upper_gi_persistent_symptoms", 1, f"{W0}.upper_gi_persistent_symptoms"),
        (f"{M0}.grossly_bloody_stool", 0, f"{W0}.grossly_bloody_stool"),
        (f"{M0}.severe_abdominal_pain_or_ileus", "false", f"{W0}.severe_abdominal_pain_or_ileus"),
        (f"{M0}.bilirubin", {"value": 2.5, "unit": "mmol/L"}, f"{W0}.bilirubin.unit"),
        (f"{M0}.bilirubin", {"value": True, "unit": "mg/dL"}, f"{W0}.bilirubin.value"),
        (f"{M0}.bilirubin", {"value": 2000, "unit": "umol/L"}, f"{W0}.bilirubin.value"),
        (f"{M0}.bilirubin", 2.5, f"{W0}.bilirubin"),
        (M0, "skin 30%", W0),
        # grade override
        ("grade_override", "V", "grade_override"),
        ("grade_override", "I", "grade_override"),
        ("grade_override", 3, "grade_override"),
    ],
)
def test_each_bad_field_is_named(path, value, where):
    assert wheres(with_change(path, value)) == [where]


def test_root_must_be_an_object():
    for bad in ([], "case", 3, None, True):
        assert wheres(bad) == ["case"]


def test_unknown_key_with_a_line_break_is_named_on_one_line():
    doc = with_change(f"{M0}.stool\nvolume", 800)
    [(where, what)] = problems_of(doc)
    assert where.startswith(f"{W0}.") and "stool" in where
    assert "\n" not in where + what


def test_bad_baseline_content_is_not_reported_as_a_missing_baseline():
    # The day-0 assessment exists; only its value is wrong, so only that value is named.
    assert wheres(with_change(f"{M0}.stool_ml_per_day", -5)) == [f"{W0}.stool_ml_per_day"]


def test_missing_baseline_names_assessments():
    doc = with_change("assessments.0.date", "2026-11-02")
    assert wheres(doc) == ["assessments"]


def test_child_with_stool_volume_needs_weight():
    doc = case_doc([measured(0, stool_ml_per_day=400)], age=10, weight=None)
    assert wheres(doc) == ["patient.weight_kg"]


def test_child_with_stool_episodes_needs_weight():
    # Under 18 the weight decides between child and adult episode thresholds (§1).
    doc = case_doc([measured(0, stool_episodes_per_day=4)], age=10, weight=None)
    assert wheres(doc) == ["patient.weight_kg"]


def test_adult_without_weight_is_accepted_with_stool_findings():
    findings = measured(0, stool_ml_per_day=400, stool_episodes_per_day=4)
    doc = case_doc([findings], age=18, weight=None)
    assert parse_case(doc).patient.weight_kg is None


def test_every_problem_is_listed_in_input_order():
    doc = valid_doc()
    doc["patient"]["age_years"] = "old"
    doc["assessments"][1]["stages"]["skin"] = 9
    doc["grade_override"] = "V"
    assert wheres(doc) == [
        "patient.age_years",
        "assessments[1].stages.skin",
        "grade_override",
    ]


def test_unit_spellings_are_accepted():
    doc = valid_doc()
    doc["assessments"][0]["measurements"]["bilirubin"] = bilirubin(42.75, "µmol/L")
    doc["patient"]["hemoglobin"] = {"value": 8.5, "unit": "g/dl"}
    case = parse_case(doc)
    assert case.assessments[0].measurements.bilirubin_mg_dl == pytest.approx(2.5)
    assert case.patient.hemoglobin_g_l == pytest.approx(85.0)


def test_valid_grade_override_and_optional_fields():
    doc = valid_doc()
    doc["grade_override"] = "III"
    doc["steroids"]["intolerant"] = True
    doc["steroids"]["dose_changes"] = [
        {"date": "2026-11-10", "methylprednisolone_mg_per_kg_day": 1.0}
    ]
    case = parse_case(doc)
    assert case.grade_override == "III"
    assert case.steroids.intolerant is True
    assert [c.mg_per_kg_day for c in case.steroids.dose_changes] == [1.0]


# ---------------------------------------------------------------- text and files


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_loads_case_refuses_nan_and_infinity(constant):
    text = json.dumps(valid_doc()).replace('"age_years": 42', f'"age_years": {constant}')
    assert not math.isfinite(json.loads(text)["patient"]["age_years"])  # json.loads accepts it
    with pytest.raises(InputError) as info:
        loads_case(text)
    assert info.value.problems[0].where == "patient.age_years"


def test_loads_case_refuses_overflowing_number():
    text = json.dumps(valid_doc()).replace('"age_years": 42', '"age_years": 1e400')
    with pytest.raises(InputError) as info:
        loads_case(text)
    assert [p.where for p in info.value.problems] == ["patient.age_years"]


@pytest.mark.parametrize(
    ("path", "digits"),
    [("patient.age_years", 400), ("assessments[1].stages.skin", 400)],
)
def test_loads_case_refuses_integers_too_large_for_a_float(path, digits):
    text = json.dumps(valid_doc())
    old = '"age_years": 42' if path.startswith("patient") else '"skin": 1'
    text = text.replace(old, old.split(":")[0] + ": 1" + "0" * digits)
    with pytest.raises(InputError) as info:
        loads_case(text)
    assert [p.where for p in info.value.problems] == [path]


@pytest.mark.parametrize(
    "text",
    ["", "{", "not json", '{"format": "srgvhd-case/1",}', "[1, 2", "\x00"],
)
def test_loads_case_refuses_non_json(text):
    with pytest.raises(InputError) as info:
        loads_case(text)
    assert [p.where for p in info.value.problems] == ["file"]


def test_loads_case_refuses_non_utf8_bytes():
    with pytest.raises(InputError) as info:
        loads_case(b'{"format": "\xff"}')
    assert [p.where for p in info.value.problems] == ["file"]


def test_loads_case_accepts_utf8_bom():
    text = "\ufeff" + json.dumps(valid_doc())
    assert loads_case(text.encode("utf-8")).patient.age_years == 42


def test_loads_case_refuses_huge_file():
    text = json.dumps(valid_doc()) + " " * 1_000_001
    with pytest.raises(InputError) as info:
        loads_case(text)
    assert [p.where for p in info.value.problems] == ["file"]


def test_loads_case_refuses_deep_nesting():
    with pytest.raises(InputError) as info:
        loads_case("[" * 100_000 + "]" * 100_000)
    assert [p.where for p in info.value.problems] == ["file"]


def test_load_case_missing_file_names_file(tmp_path: Path):
    with pytest.raises(InputError) as info:
        load_case(tmp_path / "nope.json")
    assert [p.where for p in info.value.problems] == ["file"]


# ---------------------------------------------------------------- round trips


def _examples() -> list[dict]:
    return [
        valid_doc(),
        case_doc(
            [
                measured(0, bilirubin=bilirubin(44.5, "umol/L"), stool_episodes_per_day=6),
                staged(7, skin=1, liver=1, upper_gi=0, lower_gi=1),
                measured(14),
            ],
            hemoglobin={"value": 10.2, "unit": "g/dL"},
            intolerant=True,
            dose_changes=[{"date": "2026-11-10", "methylprednisolone_mg_per_kg_day": 1.0}],
        ),
        case_doc([staged(0, skin=2)], age=16.5, weight=45.5, dose=1.5),
    ]


@pytest.mark.parametrize("doc", _examples())
def test_case_to_dict_is_stable(doc):
    first = case_to_dict(parse_case(doc))
    assert case_to_dict(parse_case(copy.deepcopy(first))) == first
    assert parse_case(first) == parse_case(doc)


@pytest.mark.parametrize("doc", _examples())
def test_save_then_load_round_trip(doc, tmp_path: Path):
    case = parse_case(doc)
    path = tmp_path / "case.json"
    save_case(case, path)
    assert load_case(path) == case
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == "srgvhd-case/1"
    assert [p.name for p in tmp_path.iterdir()] == ["case.json"]


def test_entered_units_are_kept_in_the_file():
    doc = _examples()[1]
    saved = json.loads(dumps_case(parse_case(doc)))
    assert saved["assessments"][0]["measurements"]["bilirubin"] == {
        "value": 44.5,
        "unit": "umol/L",
    }
    assert saved["patient"]["hemoglobin"] == {"value": 10.2, "unit": "g/dL"}


def test_assessments_are_stored_in_date_order():
    doc = valid_doc()
    doc["assessments"].reverse()
    dates = [a["date"] for a in case_to_dict(parse_case(doc))["assessments"]]
    assert dates == ["2026-11-01", "2026-11-08"]


def test_failed_save_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "case.json"
    old = parse_case(valid_doc())
    save_case(old, path)
    before = path.read_bytes()

    def broken_replace(src: Any, dst: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(case_module.os, "replace", broken_replace)
    with pytest.raises(OSError):
        save_case(parse_case(_examples()[1]), path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["case.json"]
