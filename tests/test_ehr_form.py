"""The imported draft on the Assess form (srgvhd.app.ehr_form): values as the form shows them,
blanks where the record had nothing, each value's source, and an edit marked as typed."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

from srgvhd.app import form as F
from srgvhd.app.ehr_form import (
    bilirubin_for,
    bilirubin_lines,
    draft_to_form,
    skipped_lines,
    source_lines,
)
from srgvhd.app.form_layout import append_row
from srgvhd.clinical.case import parse_case
from srgvhd.ehr.draft import Record, build_draft
from tests.test_ehr_draft import admin, obs


def _draft(observations=(), admins=(), birth="1980-05-17"):
    patient = {"resourceType": "Patient", "id": "p1", "birthDate": birth}
    record = Record("http://ehr.test/fhir", "p1", patient, list(observations), list(admins), [])
    return build_draft(record, date(2026, 11, 10), datetime(2026, 11, 10, tzinfo=UTC))


FULL = _draft(
    [
        obs("w", "29463-7", "2026-11-01T08:00:00+01:00", 154, "[lb_av]"),
        obs("h", "718-7", "2026-11-01T08:00:00+01:00", 8.2, "g/dL"),
        obs("l", "2532-0", "2026-11-01T08:00:00+01:00", 420, "U/L"),
        obs("c", "14682-9", "2026-11-01T08:00:00+01:00", 97.24, "umol/L"),
        obs("b", "1975-2", "2026-11-01T08:00:00+01:00", 2.5, "mg/dL"),
        obs("x", "718-7", "2026-11-02", 5.1, "mmol/L"),
    ],
    [admin("m", "2026-11-01T09:00:00+01:00", 140)],
)


def test_the_draft_fills_the_form_as_text():
    form = draft_to_form(FULL)
    assert form["age_years"] == "46"
    assert form["weight_kg"] == "69.853225"
    assert (form["hemoglobin_value"], form["hemoglobin_unit"]) == ("8.2", "g/dL")
    assert form["steroid_start"] == "2026-11-01"
    assert form["mp_dose"] == "2.004202"  # 140 mg / 69.853225 kg, 6 decimals
    assert form["assessments"] == []
    (lab,) = form["labs"]
    assert (lab["date"], lab["ldh"], lab["creatinine"], lab["creatinine_unit"]) == (
        "2026-11-01",
        "420",
        "97.24",
        "umol/L",
    )


def test_a_draft_with_nothing_usable_leaves_the_form_blank():
    form = draft_to_form(_draft(birth=None))
    for key in ("age_years", "weight_kg", "hemoglobin_value", "steroid_start", "mp_dose"):
        assert form[key] == "", key
    # not even the blank form's usual 2 mg/kg/day: the record gave no dose
    assert form["labs"] == [] and form["assessments"] == []


def test_the_filled_form_reads_back_to_the_records_values():
    form = draft_to_form(FULL)
    row = append_row(form, "assessments")
    row.update(date="2026-11-01", mode="stages", skin_stage="1", liver_stage="0")
    row.update(upper_gi_stage="0", lower_gi_stage="0")
    reading = F.read_form(form)
    case = parse_case(reading.case)
    assert case.patient.age_years == 46
    assert case.patient.weight_kg == 69.853225
    assert case.steroids.mg_per_kg_day == 2.004202
    assert case.labs[0].creatinine.value == 97.24


def test_sources_and_typed_marks():
    filled = draft_to_form(FULL)
    lines = {line.label: line for line in source_lines(FULL, filled, filled)}
    assert lines["Weight"].source == ("154 [lb_av] · 2026-11-01T08:00:00+01:00 · Observation/w")
    assert lines["Age"].source == "born 1980-05-17 · 1980-05-17 · Patient/p1"
    assert lines["Hemoglobin"].shown == "8.2 g/dL"
    assert not any(line.typed for line in lines.values())
    edited = copy.deepcopy(filled)
    edited["weight_kg"] = "70"
    edited["labs"][0]["ldh"] = "430"
    typed = {line.label for line in source_lines(FULL, filled, edited) if line.typed}
    assert typed == {"Weight", "LDH 2026-11-01"}


def test_results_not_used_and_bilirubin_in_words():
    assert skipped_lines(FULL) == [
        "Observation/x (patient.hemoglobin · 2026-11-02 · 5.1 mmol/L): unknown unit 'mmol/L'"
    ]
    assert bilirubin_lines(FULL) == ["2026-11-01: 2.5 mg/dL (Observation/b)"]


def test_bilirubin_of_the_same_date_in_the_forms_unit():
    draft = _draft(
        [
            obs("b1", "14631-6", "2026-11-05T06:00:00+01:00", 30, "umol/L"),
            obs("b2", "14631-6", "2026-11-05T18:00:00+01:00", 51.3, "umol/L"),
            obs("b3", "1975-2", "2026-11-06", 2.5, "mg/dL"),
        ]
    )
    text, result = bilirubin_for(draft, "2026-11-05", "mg/dL")
    assert (text, result["resource"]) == ("3", "Observation/b2")  # the day's latest, 51.3 / 17.1
    assert bilirubin_for(draft, "2026-11-05", "umol/L")[0] == "51.3"
    assert bilirubin_for(draft, "2026-11-06", "umol/L")[0] == "42.75"  # 2.5 × 17.1
    assert bilirubin_for(draft, "2026-11-07", "mg/dL") is None
