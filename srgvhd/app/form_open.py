"""A case file back into the Assess page's form (numbers as text, dates YYYY-MM-DD)."""

from __future__ import annotations

from typing import Any

from srgvhd.app.fields import number_text
from srgvhd.app.form_layout import (
    CHOICE_FINDINGS,
    DOSE,
    LAB_NUMBERS,
    NOT_MEASURED,
    NUMBER_FINDINGS,
    STAGE_FIELDS,
    append_row,
    empty_form,
)
from srgvhd.app.second_line_form import form_part
from srgvhd.clinical.case import FORMAT, LEGACY_FORMAT
from srgvhd.clinical.units import (
    bilirubin_to_mg_dl,
    canonical_bilirubin_unit,
    canonical_hemoglobin_unit,
    mg_dl_to_bilirubin_unit,
)

# ---------------------------------------------------------------- case -> form


def case_dict_to_form(d: dict[str, Any]) -> dict[str, Any]:
    """The form for a valid case dict (``case_to_dict`` output): numbers as text, dates as
    YYYY-MM-DD, findings and stages that were not measured as "not measured".

    Bilirubin is shown in one unit for every assessment: the unit of the first measured value;
    values entered in the other unit are converted (srgvhd.clinical.units). In a
    ``srgvhd-case/1`` file a blank finding meant "not involved": it is shown as 0 / "no", so the
    case keeps its meaning when the form saves it as ``srgvhd-case/2``.
    """
    if d.get("format") == LEGACY_FORMAT:
        d = legacy_blanks_as_not_involved(d)
    form = empty_form()
    patient, steroids = d["patient"], d["steroids"]
    form["case_code"] = d.get("case_code") or ""
    if patient.get("ehr"):  # kept as it came: the course's patient binding (interfaces.md §8)
        form["patient_ehr"] = dict(patient["ehr"])
    form["age_years"] = number_text(patient.get("age_years"))
    form["weight_kg"] = number_text(patient.get("weight_kg"))
    if patient.get("hemoglobin"):
        form["hemoglobin_value"] = number_text(patient["hemoglobin"]["value"])
        form["hemoglobin_unit"] = canonical_hemoglobin_unit(patient["hemoglobin"]["unit"])
    form["steroid_start"] = steroids["start_date"]
    form["mp_dose"] = number_text(steroids[DOSE])
    form["steroid_intolerant"] = bool(steroids.get("intolerant"))
    for change in steroids.get("dose_changes") or []:
        append_row(form, "dose_changes").update(date=change["date"], dose=number_text(change[DOSE]))
    form["bilirubin_unit"] = _table_bilirubin_unit(d["assessments"])
    for assessment in d["assessments"]:
        _fill_assessment(append_row(form, "assessments"), assessment, form["bilirubin_unit"])
    for lab in d.get("labs") or []:
        _fill_lab(append_row(form, "labs"), lab)
    form["grade_override"] = d.get("grade_override") or "none"
    form["rule_set"] = d.get("rule_set") or "study"
    if d.get("second_line"):
        form["second_line"] = form_part(d["second_line"])
    return form


def legacy_blanks_as_not_involved(d: dict[str, Any]) -> dict[str, Any]:
    """A ``srgvhd-case/1`` dict with each blank finding written as "not involved" (0 / false,
    bilirubin 0 in the unit of the case's first bilirubin), the meaning /1 gave it."""
    unit = _table_bilirubin_unit(d["assessments"])
    assessments = []
    for a in d["assessments"]:
        m = a.get("measurements")
        if m is not None:
            m = {**m}
            for _, _, name, _ in NUMBER_FINDINGS.values():
                if m.get(name) is None:
                    m[name] = {"value": 0, "unit": unit} if name == "bilirubin" else 0
            for _, name in CHOICE_FINDINGS.values():
                m[name] = bool(m.get(name))
            a = {**a, "measurements": m}
        assessments.append(a)
    return {**d, "format": FORMAT, "assessments": assessments}


def _table_bilirubin_unit(assessments: list[dict[str, Any]]) -> str:
    for a in assessments:
        bilirubin = (a.get("measurements") or {}).get("bilirubin")
        if bilirubin:
            return canonical_bilirubin_unit(bilirubin["unit"]) or "mg/dL"
    return "mg/dL"


def _fill_assessment(row: dict[str, Any], a: dict[str, Any], bilirubin_unit: str) -> None:
    row["date"] = a["date"]
    if a.get("stages") is not None:
        row["mode"] = "stages"
        for column, organ in STAGE_FIELDS.items():
            stage = a["stages"].get(organ)
            row[column] = NOT_MEASURED if stage is None else str(stage)
        return
    m = a.get("measurements") or {}
    for column, (_, _, name, _) in NUMBER_FINDINGS.items():
        if name != "bilirubin":
            row[column] = number_text(m.get(name))
    for column, (_, name) in CHOICE_FINDINGS.items():
        row[column] = {True: "yes", False: "no"}.get(m.get(name), NOT_MEASURED)
    if m.get("bilirubin"):
        value, unit = m["bilirubin"]["value"], m["bilirubin"]["unit"]
        same = canonical_bilirubin_unit(unit) == bilirubin_unit
        shown = (
            value
            if same
            else mg_dl_to_bilirubin_unit(bilirubin_to_mg_dl(value, unit), bilirubin_unit)
        )
        row["bilirubin"] = number_text(shown)


def _fill_lab(row: dict[str, Any], lab: dict[str, Any]) -> None:
    row["date"] = lab["date"]
    for column, (_, _, name) in LAB_NUMBERS.items():
        value = lab.get(name)
        if name == "creatinine" and value is not None:
            row["creatinine_unit"] = value["unit"]
            value = value["value"]
        row[column] = number_text(value)
