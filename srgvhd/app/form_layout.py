"""The Assess page's form: what it holds, as typed (srgvhd.app.form reads it).

Scalar fields ``case_code``, ``age_years``, ``weight_kg``, ``hemoglobin_value`` (text, in
``hemoglobin_unit``), ``steroid_start`` (text YYYY-MM-DD), ``mp_dose`` (text),
``steroid_intolerant`` (bool), ``bilirubin_unit`` (one for every assessment),
``grade_override`` ("none", "II", "III", "IV"), ``rule_set`` (``refractory.RULE_SETS``); row lists
``assessments``, ``dose_changes`` and ``labs``, each row a dict with a stable ``id`` (widget keys
are built from it, so deleting a row does not shift the others) and the fields of
``ROW_FIELDS[table]``. Assessment ``mode`` "findings" reads the raw findings, "stages" the
directly entered stages. A number or date is text; a finding or stage choice is
``NOT_MEASURED`` until the clinician picks one.
"""

from __future__ import annotations

from typing import Any

from srgvhd.clinical.case import MAX_ASSESSMENTS, MAX_DOSE_CHANGES
from srgvhd.clinical.labs import MAX_LABS
from srgvhd.clinical.staging import MAX_STAGE, ORGANS
from srgvhd.i18n import N_, _

MODES = ("findings", "stages")
GRADE_OVERRIDES = ("none", "II", "III", "IV")
NOT_MEASURED = N_("not measured")
YES_NO = (NOT_MEASURED, N_("no"), N_("yes"))
STAGE_CHOICES = {organ: (NOT_MEASURED, *map(str, range(MAX_STAGE[organ] + 1))) for organ in ORGANS}
UNIT_WORDS = {"umol/L": "µmol/L"}

# Assessment number fields: form field -> (label, unit or None for the page's bilirubin unit,
# case-file measurement field, LIMITS key or None for the bilirubin unit's).
NUMBER_FINDINGS = {
    "rash_bsa": (N_("Rash"), "% BSA", "skin_rash_bsa_percent", "bsa_percent"),
    "bullae_bsa": (
        N_("Bullae/desquamation"),
        "% BSA",
        "skin_bullae_desquamation_bsa_percent",
        "bsa_percent",
    ),
    "bilirubin": (N_("Total bilirubin"), None, "bilirubin", None),
    "stool_ml": (N_("Stool volume"), "mL/day", "stool_ml_per_day", "stool_ml_per_day"),
    "stool_episodes": (
        N_("Stool episodes"),
        N_("per day"),
        "stool_episodes_per_day",
        "stool_episodes_per_day",
    ),
}
# Assessment yes/no findings: form field -> (label, case-file measurement field).
CHOICE_FINDINGS = {
    "upper_gi": (N_("Persistent nausea, vomiting or anorexia"), "upper_gi_persistent_symptoms"),
    "pain_ileus": (N_("Severe abdominal pain or ileus"), "severe_abdominal_pain_or_ileus"),
    "bloody_stool": (N_("Grossly bloody stool"), "grossly_bloody_stool"),
}
STAGE_FIELDS = {f"{organ}_stage": organ for organ in ORGANS}
STAGE_LABELS = {
    "skin": N_("Skin stage"),
    "liver": N_("Liver stage"),
    "upper_gi": N_("Upper-GI stage"),
    "lower_gi": N_("Lower-GI stage"),
}
# Labs (interfaces.md §6): form field -> (label, unit: None = the row's creatinine unit, "" =
# none, case-file field).
LAB_NUMBERS = {
    "ldh": (N_("LDH"), "U/L", "ldh_u_l"),
    "creatinine": (N_("Creatinine"), None, "creatinine"),
    "platelets": (N_("Platelets"), "10⁹/L", "platelets_10e9_l"),
    "map": (N_("MAP probability"), "", "map_probability"),
}
ROW_FIELDS: dict[str, tuple[str, ...]] = {
    "assessments": ("date", "mode", *NUMBER_FINDINGS, *CHOICE_FINDINGS, *STAGE_FIELDS),
    "dose_changes": ("date", "dose"),
    "labs": ("date", *LAB_NUMBERS, "creatinine_unit"),
}
ROW_WORDS = {"assessments": N_("Assessment"), "dose_changes": N_("Dose change"), "labs": N_("Labs")}
# Most rows a table may hold: what a case file may hold (a forged client cannot grow the page).
MAX_ROWS = {
    "assessments": MAX_ASSESSMENTS,
    "dose_changes": MAX_DOSE_CHANGES,
    "labs": MAX_LABS,
}
DOSE = "methylprednisolone_mg_per_kg_day"
# Scalar number fields: form field -> (label, unit, case-file path).
SCALAR_NUMBERS = {
    "age_years": (N_("Age"), N_("years"), "patient.age_years"),
    "weight_kg": (N_("Weight"), "kg", "patient.weight_kg"),
    "hemoglobin_value": (N_("Hemoglobin"), None, "patient.hemoglobin"),
    "mp_dose": (N_("Methylprednisolone"), "mg/kg/day", f"steroids.{DOSE}"),
}
SCALAR_PATHS = {
    **{path: key for key, (_, _, path) in SCALAR_NUMBERS.items()},
    "steroids.start_date": "steroid_start",
    "steroids.intolerant": "steroid_intolerant",
    "grade_override": "grade_override",
    "rule_set": "rule_set",
    "case_code": "case_code",
}
SCALAR_LABELS = {
    "steroid_start": N_("Steroid start date"),
    "case_code": N_("Case code"),
    "grade_override": N_("Grade for the risk model"),
    "rule_set": N_("Rule set"),
    "steroid_intolerant": N_("Steroid intolerant"),
}


def unit_words(unit: str) -> str:
    """A unit as written on the page (µmol/L, not umol/L), in the current language ("per day",
    "years"; symbols such as mg/dL stay as they are)."""
    return _(UNIT_WORDS.get(unit, unit)) if unit else unit


def empty_form() -> dict[str, Any]:
    """A blank form: study dose 2 mg/kg/day, SI units chosen, study rule set, no rows."""
    return {
        "case_code": "",
        "age_years": "",
        "weight_kg": "",
        "hemoglobin_value": "",
        "hemoglobin_unit": "g/L",
        "steroid_start": "",
        "mp_dose": "2",
        "steroid_intolerant": False,
        "dose_changes": [],
        "bilirubin_unit": "mg/dL",
        "assessments": [],
        "labs": [],
        "grade_override": "none",
        "rule_set": "study",
        "next_id": 0,
    }


def empty_row(table: str, row_id: int) -> dict[str, Any]:
    """A blank row of ``table``: every number blank, every finding and stage "not measured"."""
    row: dict[str, Any] = dict.fromkeys(ROW_FIELDS[table], "")
    row["id"] = row_id
    if table == "assessments":
        row["mode"] = "findings"
        row.update(dict.fromkeys((*CHOICE_FINDINGS, *STAGE_FIELDS), NOT_MEASURED))
    if table == "labs":
        row["creatinine_unit"] = "mg/dL"
    return row


def add_row(form: dict[str, Any], table: str) -> dict[str, Any] | None:
    """Append a blank row to ``table`` with a new id and return it; None (nothing added) when
    the table already holds ``MAX_ROWS[table]`` rows."""
    return None if len(form[table]) >= MAX_ROWS[table] else append_row(form, table)


def append_row(form: dict[str, Any], table: str) -> dict[str, Any]:
    """Append a blank row with a new id (an opened case file's rows: parse_case bounds them)."""
    row = empty_row(table, form["next_id"])
    form["next_id"] += 1
    form[table].append(row)
    return row


def delete_row(form: dict[str, Any], table: str, row_id: int) -> None:
    """Remove the row with ``row_id`` from ``table`` (nothing happens when it is not there)."""
    form[table] = [row for row in form[table] if row["id"] != row_id]


def is_blank(form: dict[str, Any]) -> bool:
    """True while nothing that goes into the case has been typed (units and rule set aside)."""
    blank = empty_form()
    keys = ("case_code", "age_years", "weight_kg", "hemoglobin_value", "steroid_start", "mp_dose")
    return (
        all(str(form.get(k, "")).strip() == blank[k] for k in keys)
        and not form.get("steroid_intolerant")
        and not any(form.get(table) for table in ROW_FIELDS)
        and form.get("grade_override", "none") == "none"
    )
