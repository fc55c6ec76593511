"""The draft case from FHIR resources (srgvhd.ehr.draft, docs/interfaces.md §9): every row of
the mapping, every unit conversion, skipped results with their reasons, and a record with
nothing usable. Expected values are worked by hand from the definitions (1 [lb_av] =
0.45359237 kg exactly, 1 µkat/L = 60 U/L), not taken from the code."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from srgvhd.clinical.case import parse_case
from srgvhd.ehr import ucum
from srgvhd.ehr.draft import Record, build_draft
from srgvhd.errors import InputError

P = "p1"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
RX = "http://www.nlm.nih.gov/research/umls/rxnorm"
ATC = "http://www.whocc.no/atc"
AS_OF = date(2026, 11, 10)
NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


def obs(rid, code, when, value=None, unit=None, *, status="final", patient=P, system=UCUM):
    r = {
        "resourceType": "Observation",
        "id": rid,
        "status": status,
        "code": {"coding": [{"system": LOINC, "code": code}]},
        "subject": {"reference": f"Patient/{patient}"},
    }
    if when is not None:
        r["effectiveDateTime"] = when
    if value is not None:
        r["valueQuantity"] = {"value": value, "unit": unit, "system": system, "code": unit}
    return r


def admin(rid, when, mg, *, status="completed", unit="mg", med=None, patient=P):
    r = {
        "resourceType": "MedicationAdministration",
        "id": rid,
        "status": status,
        "subject": {"reference": f"Patient/{patient}"},
        "effectiveDateTime": when,
        "dosage": {"dose": {"value": mg, "unit": unit, "system": UCUM, "code": unit}},
    }
    r |= med or {"medicationCodeableConcept": {"coding": [{"system": RX, "code": "6902"}]}}
    return r


def draft(*, birth="1980-05-17", obs_=(), admins=(), requests=(), as_of=AS_OF, resolve=None):
    patient = {"resourceType": "Patient", "id": P}
    if birth is not None:
        patient["birthDate"] = birth
    record = Record("http://ehr.test/fhir", P, patient, list(obs_), list(admins), list(requests))
    if resolve is not None:
        record.resolve = resolve
    return build_draft(record, as_of, NOW)


def skipped(d, rid):
    return [s["reason"] for s in d["source"]["fhir"]["skipped"] if s["resource"].endswith(rid)]


# ---------------------------------------------------------------------------- patient.age_years
def test_age_in_whole_years_at_the_steroid_start():
    d = draft(birth="1980-11-02", admins=[admin("m1", "2026-11-01T09:00:00+01:00", 140)])
    assert d["steroids"]["start_date"] == "2026-11-01"
    assert d["patient"]["age_years"] == 45  # birthday the next day: still 45
    assert d["source"]["fhir"]["fields"]["patient.age_years"]["resource"] == "Patient/p1"


def test_age_on_the_birthday_counts_the_new_year():
    d = draft(birth="1980-11-01", admins=[admin("m1", "2026-11-01T09:00:00+01:00", 140)])
    assert d["patient"]["age_years"] == 46


def test_age_at_the_as_of_date_without_a_steroid_start():
    d = draft(birth="2008-11-10")
    assert d["steroids"]["start_date"] is None
    assert d["patient"]["age_years"] == 18  # 18th birthday on the as-of date


@pytest.mark.parametrize("birth", ["1980", "1980-05"])
def test_a_birth_date_without_a_day_gives_no_age(birth):
    d = draft(birth=birth)
    assert d["patient"]["age_years"] is None
    assert skipped(d, "Patient/p1") == [f"birth date {birth!r} has no day"]


def test_no_birth_date_gives_no_age():
    d = draft(birth=None)
    assert d["patient"]["age_years"] is None
    assert skipped(d, "Patient/p1") == ["no birth date"]


# ---------------------------------------------------------------------------- patient.weight_kg
@pytest.mark.parametrize(
    "value, unit, kg",
    [(70, "kg", 70.0), (25300, "g", 25.3), (154, "[lb_av]", 69.853225)],  # 154 × 0.45359237
)
def test_weight_units(value, unit, kg):
    d = draft(obs_=[obs("w", "29463-7", "2026-11-01", value, unit)])
    assert d["patient"]["weight_kg"] == pytest.approx(kg, abs=1e-9)
    source = d["source"]["fhir"]["fields"]["patient.weight_kg"]
    assert (source["value"], source["unit"], source["resource"]) == (value, unit, "Observation/w")


def test_weight_latest_before_the_as_of_date_wins():
    d = draft(
        obs_=[
            obs("old", "29463-7", "2026-10-01T08:00:00+01:00", 72, "kg"),
            obs("new", "29463-7", "2026-11-02T08:00:00+01:00", 70, "kg"),
            obs("later", "29463-7", "2026-11-11T08:00:00+01:00", 60, "kg"),
        ]
    )
    assert d["patient"]["weight_kg"] == 70.0
    assert skipped(d, "later") == ["after the as-of date 2026-11-10"]
    assert skipped(d, "old") == ["not the latest result (Observation/new is later)"]


def test_latest_is_by_instant_across_time_zones():
    # 23:30 at -05:00 on 1 Nov is 04:30 UTC on 2 Nov: later than 02:00 UTC on 2 Nov
    d = draft(
        obs_=[
            obs("a", "29463-7", "2026-11-01T23:30:00-05:00", 71, "kg"),
            obs("b", "29463-7", "2026-11-02T02:00:00Z", 70, "kg"),
        ]
    )
    assert d["patient"]["weight_kg"] == 71.0


@pytest.mark.parametrize("unit", ["[oz_av]", "kg/m2", "lb"])
def test_weight_in_another_unit_is_skipped(unit):
    d = draft(obs_=[obs("w", "29463-7", "2026-11-01", 10, unit)])
    assert d["patient"]["weight_kg"] is None
    assert skipped(d, "w") == [f"unknown unit {unit!r}"]


# --------------------------------------------------------------------------- patient.hemoglobin
@pytest.mark.parametrize("value, unit", [(8.2, "g/dL"), (82, "g/L"), (82, "g/l"), (8.2, "g/dl")])
def test_hemoglobin_kept_as_recorded(value, unit):
    d = draft(obs_=[obs("h", "718-7", "2026-11-01T08:00:00+01:00", value, unit)])
    assert d["patient"]["hemoglobin"] == {"value": value, "unit": unit[:-1] + "L"}
    # the case parser accepts it as it is
    case = dict(d, assessments=[{"date": "2026-11-01", "stages": _stages()}])
    case["patient"]["age_years"] = 40
    case["steroids"] = {"start_date": "2026-11-01", "methylprednisolone_mg_per_kg_day": 2}
    assert parse_case(case).patient.hemoglobin_g_l == pytest.approx(82.0)


def test_hemoglobin_in_mmol_per_litre_is_skipped_with_the_reason():
    d = draft(obs_=[obs("h", "718-7", "2026-11-01", 5.1, "mmol/L")])
    assert d["patient"]["hemoglobin"] is None
    assert skipped(d, "h") == ["unknown unit 'mmol/L'"]


def test_unit_comes_from_the_ucum_code_not_the_display():
    r = obs("h", "718-7", "2026-11-01", 8.2, "g/dL")
    r["valueQuantity"] = {"value": 8.2, "unit": "g/dL"}  # display text only
    wrong = obs("h2", "718-7", "2026-11-02", 82, "g/L")
    wrong["valueQuantity"]["unit"] = "g/dL"  # display says g/dL, the code says g/L
    d = draft(obs_=[r, wrong])
    assert d["patient"]["hemoglobin"] == {"value": 82.0, "unit": "g/L"}
    assert skipped(d, "/h") == ["no UCUM unit code (unit text 'g/dL')"]


def test_a_unit_code_from_another_system_is_skipped():
    d = draft(obs_=[obs("h", "718-7", "2026-11-01", 82, "g/L", system="http://example.org/u")])
    assert d["patient"]["hemoglobin"] is None
    assert skipped(d, "h")[0].startswith("unit 'g/L' is not a UCUM code")


@pytest.mark.parametrize(
    "status, reason",
    [
        ("entered-in-error", "entered in error (status entered-in-error)"),
        ("preliminary", "status 'preliminary' is not a final result"),
        ("cancelled", "status 'cancelled' is not a final result"),
    ],
)
def test_results_not_final_are_skipped(status, reason):
    d = draft(
        obs_=[
            obs("ok", "718-7", "2026-11-01", 80, "g/L"),
            obs("bad", "718-7", "2026-11-02", 60, "g/L", status=status),
        ]
    )
    assert d["patient"]["hemoglobin"] == {"value": 80.0, "unit": "g/L"}
    assert skipped(d, "bad") == [reason]


@pytest.mark.parametrize("status", ["amended", "corrected"])
def test_amended_and_corrected_results_are_used(status):
    d = draft(obs_=[obs("h", "718-7", "2026-11-01", 80, "g/L", status=status)])
    assert d["patient"]["hemoglobin"] == {"value": 80.0, "unit": "g/L"}


def test_results_without_a_date_or_value_or_with_a_limit_are_skipped():
    no_date = obs("nd", "718-7", None, 80, "g/L")
    no_value = obs("nv", "718-7", "2026-11-01")
    no_value["dataAbsentReason"] = {"text": "haemolysed"}
    limit = obs("lim", "718-7", "2026-11-01", 50, "g/L")
    limit["valueQuantity"]["comparator"] = "<"
    bad_date = obs("bd", "718-7", "2026-02-30", 80, "g/L")
    d = draft(obs_=[no_date, no_value, limit, bad_date])
    assert d["patient"]["hemoglobin"] is None
    assert skipped(d, "nd") == ["no date"]
    assert skipped(d, "nv") == ["no value (data absent)"]
    assert skipped(d, "lim") == ["value is a limit (< 50), not a measurement"]
    assert skipped(d, "bd") == ["date '2026-02-30' is not a real date"]


def test_implausible_values_are_skipped_not_clamped():
    d = draft(obs_=[obs("h", "718-7", "2026-11-01", 85, "g/dL")])  # g/L typed as g/dL
    assert d["patient"]["hemoglobin"] is None
    assert skipped(d, "h") == ["85 g/dL is outside the plausible range 2–25 g/dL"]


def test_another_patients_result_is_never_used():
    d = draft(obs_=[obs("x", "718-7", "2026-11-01", 80, "g/L", patient="p2")])
    assert d["patient"]["hemoglobin"] is None
    assert skipped(d, "x") == ["belongs to another patient"]


# ------------------------------------------------------------------------------------ steroids
def test_first_administration_of_the_current_course_and_its_first_day():
    d = draft(
        obs_=[obs("w", "29463-7", "2026-11-01", 70, "kg")],
        admins=[
            admin("old1", "2026-08-01T09:00:00+02:00", 80),
            admin("old2", "2026-08-02T09:00:00+02:00", 80),
            admin("err", "2026-10-31T09:00:00+01:00", 500, status="entered-in-error"),
            admin("m1", "2026-11-01T08:00:00+01:00", 70),
            admin("m2", "2026-11-01T20:00:00+01:00", 70),  # same day
            admin("m3", "2026-11-02T07:00:00+01:00", 70),  # within 24 h, but day 1
            admin("m4", "2026-11-03T08:00:00+01:00", 60),
        ],
    )
    assert d["steroids"] == {
        "start_date": "2026-11-01",
        "methylprednisolone_mg_per_kg_day": 2.0,  # (70 + 70) mg / 70 kg
    }
    fields = d["source"]["fhir"]["fields"]
    assert fields["steroids.start_date"]["resource"] == "MedicationAdministration/m1"
    dose = fields["steroids.methylprednisolone_mg_per_kg_day"]
    assert dose["value"] == 140.0
    assert [x["resource"] for x in dose["doses"]] == [
        "MedicationAdministration/m1",
        "MedicationAdministration/m2",
    ]
    assert skipped(d, "old1") == ["an earlier steroid course"]
    assert skipped(d, "err") == ["entered in error (status entered-in-error)"]


def test_the_first_day_is_the_day_the_record_wrote_not_utc():
    # 00:30 at +01:00 on 2 Nov is 23:30 UTC on 1 Nov: a dose of 2 Nov, not of the first day
    d = draft(
        obs_=[obs("w", "29463-7", "2026-11-01", 50, "kg")],
        admins=[
            admin("a", "2026-11-01T09:00:00+01:00", 100),
            admin("b", "2026-11-02T00:30:00+01:00", 100),
        ],
    )
    assert d["steroids"]["methylprednisolone_mg_per_kg_day"] == 2.0


def test_a_gap_of_seven_days_stays_in_the_course_eight_starts_a_new_one():
    w = [obs("w", "29463-7", "2026-10-01", 50, "kg")]
    same = draft(obs_=w, admins=[admin("a", "2026-10-25", 100), admin("b", "2026-11-01", 100)])
    assert same["steroids"]["start_date"] == "2026-10-25"
    new = draft(obs_=w, admins=[admin("a", "2026-10-24", 100), admin("b", "2026-11-01", 100)])
    assert new["steroids"]["start_date"] == "2026-11-01"


def test_date_only_administrations_sum_the_calendar_day():
    d = draft(
        obs_=[obs("w", "29463-7", "2026-10-01", 80, "kg")],
        admins=[
            admin("a", "2026-11-01", 80),
            admin("b", "2026-11-01", 80),
            admin("c", "2026-11-02", 80),
        ],
    )
    assert d["steroids"]["methylprednisolone_mg_per_kg_day"] == 2.0


def test_dose_in_grams_converts_to_mg():
    d = draft(
        obs_=[obs("w", "29463-7", "2026-10-01", 50, "kg")],
        admins=[admin("a", "2026-11-01T09:00:00Z", 0.1, unit="g")],
    )
    assert d["steroids"]["methylprednisolone_mg_per_kg_day"] == 2.0


@pytest.mark.parametrize(
    "med",
    [
        {"medicationCodeableConcept": {"coding": [{"system": ATC, "code": "H02AB04"}]}},
        {
            "medicationCodeableConcept": {
                "coding": [
                    {
                        "system": RX,
                        "code": "1743704",
                        "display": "methylPREDNISolone sodium succinate 125 MG Injection",
                    }
                ]
            }
        },
        {
            "contained": [
                {
                    "resourceType": "Medication",
                    "id": "m",
                    "ingredient": [
                        {"itemCodeableConcept": {"coding": [{"system": RX, "code": "6902"}]}}
                    ],
                }
            ],
            "medicationReference": {"reference": "#m"},
        },
        {"medicationReference": {"reference": "Medication/solu"}},
    ],
    ids=["atc", "rxnorm-product", "contained-ingredient", "referenced"],
)
def test_methylprednisolone_recognised_by_code(med):
    def resolve(ref):
        assert ref == "Medication/solu"
        return {
            "resourceType": "Medication",
            "code": {"coding": [{"system": ATC, "code": "H02AB04"}]},
        }

    d = draft(
        obs_=[obs("w", "29463-7", "2026-10-01", 50, "kg")],
        admins=[admin("a", "2026-11-01T09:00:00Z", 100, med=med)],
        resolve=resolve,
    )
    assert d["steroids"] == {"start_date": "2026-11-01", "methylprednisolone_mg_per_kg_day": 2.0}


def test_other_steroids_and_free_text_are_not_methylprednisolone():
    meds = [
        {
            "medicationCodeableConcept": {
                "coding": [{"system": RX, "code": "8640", "display": "prednisone"}]
            }
        },
        {"medicationCodeableConcept": {"text": "methylprednisolone"}},  # text alone: not a code
        {"medicationCodeableConcept": {"coding": [{"system": ATC, "code": "H02AB06"}]}},
    ]
    d = draft(admins=[admin(f"a{i}", "2026-11-01", 100, med=m) for i, m in enumerate(meds)])
    assert d["steroids"] == {"start_date": None, "methylprednisolone_mg_per_kg_day": None}


def test_no_weight_leaves_the_dose_unknown_but_keeps_the_start():
    d = draft(admins=[admin("a", "2026-11-01T09:00:00Z", 100)])
    assert d["steroids"] == {"start_date": "2026-11-01", "methylprednisolone_mg_per_kg_day": None}
    assert skipped(d, "a") == ["no usable weight to divide the daily dose by"]


def test_a_first_day_dose_without_an_amount_leaves_the_dose_unknown():
    no_amount = admin("b", "2026-11-01T21:00:00Z", 100)
    del no_amount["dosage"]
    d = draft(
        obs_=[obs("w", "29463-7", "2026-10-01", 50, "kg")],
        admins=[admin("a", "2026-11-01T09:00:00Z", 100), no_amount],
    )
    assert d["steroids"]["start_date"] == "2026-11-01"
    assert d["steroids"]["methylprednisolone_mg_per_kg_day"] is None
    assert skipped(d, "/a") == ["no daily dose: MedicationAdministration/b: no dose"]


def test_prescription_when_there_is_no_administration():
    rx = {
        "resourceType": "MedicationRequest",
        "id": "rx",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "Patient/p1"},
        "authoredOn": "2026-11-02T18:00:00+01:00",
        "medicationCodeableConcept": {"coding": [{"system": RX, "code": "6902"}]},
        "dosageInstruction": [
            {
                "timing": {
                    "repeat": {
                        "boundsPeriod": {"start": "2026-11-03"},
                        "frequency": 1,
                        "period": 12,
                        "periodUnit": "h",
                    }
                },
                "doseAndRate": [{"doseQuantity": {"value": 25, "system": UCUM, "code": "mg"}}],
            }
        ],
    }
    d = draft(
        birth="2019-03-10", obs_=[obs("w", "29463-7", "2026-11-03", 25000, "g")], requests=[rx]
    )
    # 25 mg every 12 h = 50 mg/day; 50 / 25 kg
    assert d["steroids"] == {"start_date": "2026-11-03", "methylprednisolone_mg_per_kg_day": 2.0}
    assert d["patient"]["age_years"] == 7
    assert (
        d["source"]["fhir"]["fields"]["steroids.start_date"]["resource"] == "MedicationRequest/rx"
    )


# ----------------------------------------------------------------------------------------- labs
def test_labs_one_row_per_date_with_unit_conversions():
    d = draft(
        obs_=[
            obs("l1", "2532-0", "2026-11-01T08:00:00+01:00", 420, "U/L"),
            obs("c1", "2160-0", "2026-11-01T08:00:00+01:00", 1.1, "mg/dL"),
            obs("p1", "777-3", "2026-11-01T08:00:00+01:00", 45, "10*3/uL"),
            obs("l5", "14804-9", "2026-11-05T08:00:00+01:00", 6.5, "ukat/L"),  # × 60
            obs("c5", "14682-9", "2026-11-05T08:00:00+01:00", 97.24, "umol/L"),
            obs("p5a", "26515-7", "2026-11-05T06:00:00+01:00", 58, "10*9/L"),
            obs("p5", "26515-7", "2026-11-05T08:00:00+01:00", 60, "/nL"),
            obs("l6", "2532-0", "2026-11-06", 300, "[IU]/L"),
            obs("cx", "2160-0", "2026-11-06", 0.1, "mmol/L"),
        ]
    )
    assert d["labs"] == [
        {
            "date": "2026-11-01",
            "ldh_u_l": 420.0,
            "creatinine": {"value": 1.1, "unit": "mg/dL"},
            "platelets_10e9_l": 45.0,
            "map_probability": None,
        },
        {
            "date": "2026-11-05",
            "ldh_u_l": 390.0,
            "creatinine": {"value": 97.24, "unit": "umol/L"},
            "platelets_10e9_l": 60.0,
            "map_probability": None,
        },
        {
            "date": "2026-11-06",
            "ldh_u_l": 300.0,
            "creatinine": None,
            "platelets_10e9_l": None,
            "map_probability": None,
        },
    ]
    assert skipped(d, "p5a") == ["a later result the same day was used (Observation/p5)"]
    assert skipped(d, "cx") == ["unknown unit 'mmol/L'"]
    assert d["source"]["fhir"]["fields"]["labs[1].ldh_u_l"] == {
        "resource": "Observation/l5",
        "code": "14804-9",
        "date": "2026-11-05T08:00:00+01:00",
        "value": 6.5,
        "unit": "ukat/L",
    }


# ------------------------------------------------------------------------------------ bilirubin
def test_every_bilirubin_result_with_its_date():
    d = draft(
        obs_=[
            obs("b2", "14631-6", "2026-11-05T08:00:00+01:00", 51.3, "umol/L"),
            obs("b1", "1975-2", "2026-11-01T08:00:00+01:00", 2.5, "mg/dL"),
            obs("b3", "1975-2", "2026-11-05T18:00:00+01:00", 3.0, "mg/dl"),
            obs("bx", "1975-2", "2026-11-06", 3.0, "mg/L"),
        ]
    )
    rows = [
        (b["date"], b["value"], b["unit"], b["resource"]) for b in d["source"]["fhir"]["bilirubin"]
    ]
    assert rows == [
        ("2026-11-01", 2.5, "mg/dL", "Observation/b1"),
        ("2026-11-05", 51.3, "umol/L", "Observation/b2"),
        ("2026-11-05", 3.0, "mg/dL", "Observation/b3"),
    ]
    assert d["source"]["fhir"]["bilirubin"][2]["recorded"] == {"value": 3.0, "unit": "mg/dl"}
    assert skipped(d, "bx") == ["unknown unit 'mg/L'"]


# --------------------------------------------------------------------------------- whole draft
def test_nothing_usable_gives_all_null_and_nothing_invented():
    no_start = admin("m", "2026-11-01", 100)
    no_start["effectiveDateTime"] = None
    d = draft(
        birth=None,
        obs_=[
            obs("w", "29463-7", "2026-11-01", 70, "kg", status="entered-in-error"),
            obs("h", "718-7", "2026-11-01", 5.1, "mmol/L"),
            obs("b", "1975-2", None, 2.0, "mg/dL"),
        ],
        admins=[no_start],
    )
    assert d["patient"] == {
        "age_years": None,
        "weight_kg": None,
        "hemoglobin": None,
        "ehr": {"fhir_server": "http://ehr.test/fhir", "patient_id": "p1"},
    }
    assert d["steroids"] == {"start_date": None, "methylprednisolone_mg_per_kg_day": None}
    assert d["labs"] == [] and d["assessments"] == []
    fhir = d["source"]["fhir"]
    assert fhir["fields"] == {} and fhir["bilirubin"] == []
    assert {s["resource"] for s in fhir["skipped"]} == {
        "Patient/p1",
        "Observation/w",
        "Observation/h",
        "Observation/b",
        "MedicationAdministration/m",
    }
    assert (fhir["server"], fhir["patient"]) == ("http://ehr.test/fhir", "Patient/p1")
    assert fhir["retrieved_at"] == "2026-11-10T12:00:00+00:00"


def test_a_draft_is_refused_by_the_case_parser_naming_the_assessments():
    d = draft(
        obs_=[obs("w", "29463-7", "2026-11-01", 70, "kg")],
        admins=[admin("a", "2026-11-01T09:00:00Z", 140)],
    )
    with pytest.raises(InputError) as refused:
        parse_case(json.loads(json.dumps(d)))
    assert [p.where for p in refused.value.problems] == ["assessments"]


def _stages():
    return {"skin": 1, "liver": 0, "upper_gi": 0, "lower_gi": 0}


def test_a_completed_draft_is_a_valid_case():
    d = draft(
        obs_=[
            obs("w", "29463-7", "2026-11-01", 70, "kg"),
            obs("l", "2532-0", "2026-11-01", 420, "U/L"),
        ],
        admins=[admin("a", "2026-11-01T09:00:00Z", 140)],
    )
    d["assessments"] = [{"date": "2026-11-01", "stages": _stages()}]
    case = parse_case(json.loads(json.dumps(d)))
    assert case.patient.age_years == 46 and case.steroids.mg_per_kg_day == 2.0
    assert case.labs[0].ldh_u_l == 420.0


# ------------------------------------------------------------------------------------ properties
WEIGHT_CODES = st.sampled_from(sorted(ucum.WEIGHT))


@given(st.lists(st.tuples(WEIGHT_CODES, st.floats(1, 200), st.integers(1, 30)), max_size=6))
def test_the_weight_used_is_one_of_the_records_own_results(results):
    """Whatever the record holds, the weight is the latest usable result converted by its
    unit's factor, or null when there is none: never a made-up value."""
    resources = [
        obs(f"w{i}", "29463-7", f"2026-11-{day:02d}T{i:02d}:00:00Z", v, code)
        for i, (code, v, day) in enumerate(results)
    ]
    d = draft(obs_=resources, as_of=date(2026, 11, 30))
    factors = {"kg": 1.0, "g": 0.001, "[lb_av]": 0.45359237}
    usable = [
        (day, i, v * factors[code])
        for i, (code, v, day) in enumerate(results)
        if 0 < v * factors[code] <= 300
    ]
    if not usable:
        assert d["patient"]["weight_kg"] is None
    else:
        assert d["patient"]["weight_kg"] == pytest.approx(max(usable)[2], rel=1e-9, abs=1e-6)
    accounted = set(d["source"]["fhir"]["fields"].get("patient.weight_kg", {}).values())
    # every result is either the one used or listed as skipped
    assert len(d["source"]["fhir"]["skipped"]) == len(results) - (1 if usable else 0)
    assert not usable or f"Observation/w{max(usable)[1]}" in accounted


@pytest.mark.parametrize(
    "table, code, value, expected",
    [
        (ucum.WEIGHT, "kg", 70, ("kg", 70.0)),
        (ucum.WEIGHT, "g", 3500, ("kg", 3.5)),
        (ucum.WEIGHT, "[lb_av]", 100, ("kg", 45.359237)),
        (ucum.HEMOGLOBIN, "g/dl", 9.1, ("g/dL", 9.1)),
        (ucum.HEMOGLOBIN, "g/L", 91, ("g/L", 91.0)),
        (ucum.BILIRUBIN, "umol/l", 34.2, ("umol/L", 34.2)),
        (ucum.CREATININE, "mg/dL", 1.3, ("mg/dL", 1.3)),
        (ucum.LDH, "U/l", 250, ("U/L", 250.0)),
        (ucum.LDH, "[IU]/L", 250, ("U/L", 250.0)),
        (ucum.LDH, "ukat/L", 4.2, ("U/L", 252.0)),
        (ucum.PLATELETS, "10*3/uL", 150, ("10*9/L", 150.0)),
        (ucum.PLATELETS, "10*3/mm3", 150, ("10*9/L", 150.0)),
        (ucum.PLATELETS, "/nL", 150, ("10*9/L", 150.0)),
        (ucum.PLATELETS, "10*9/l", 150, ("10*9/L", 150.0)),
        (ucum.DOSE, "g", 1, ("mg", 1000.0)),
    ],
)
def test_each_ucum_code_and_factor(table, code, value, expected):
    converted = ucum.convert(value, code, table)
    assert (converted.unit, converted.value) == (expected[0], pytest.approx(expected[1]))


@pytest.mark.parametrize(
    "table, code",
    [
        (ucum.HEMOGLOBIN, "mmol/L"),
        (ucum.HEMOGLOBIN, "G/DL"),  # UCUM is case-sensitive: G is the gauss
        (ucum.PLATELETS, "K/uL"),
        (ucum.LDH, "U"),
        (ucum.CREATININE, "mmol/L"),
        (ucum.WEIGHT, "lb"),
    ],
)
def test_codes_outside_the_tables_are_refused(table, code):
    assert ucum.convert(1.0, code, table) is None
