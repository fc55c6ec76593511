"""The Assess page's form state and its translation to and from a case file (interfaces.md §1).

Pure functions, testable without Streamlit. The form keeps what the clinician typed, in the units
chosen on the page; ``srgvhd.clinical.case.parse_case`` does every check on the case dict built
from it, and
``problems_by_widget`` puts each of its problems next to the widget or table row it came from.

Form layout (all values may be None until typed):

- ``age_years``, ``weight_kg``, ``hemoglobin_value`` (in ``hemoglobin_unit``: g/L or g/dL);
- ``steroid_start`` (date), ``mp_dose`` (methylprednisolone mg/kg/day), ``steroid_intolerant``;
- ``dose_changes``: rows ``{"date", "dose"}``;
- ``bilirubin_unit`` (mg/dL or umol/L, one for the whole table);
- ``assessments``: rows with ``ROW_COLUMNS`` keys; ``mode`` "findings" reads the raw-finding
  columns, "stages" the stage columns (a blank stage means stage 0, as a missing finding means
  "not involved" in a case
  file);
- ``grade_override`` ("none", "II", "III", "IV") and ``rule_set`` (``refractory.RULE_SETS``).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

from srgvhd.clinical.case import LEGACY_FORMAT
from srgvhd.clinical.staging import ORGANS
from srgvhd.clinical.units import (
    bilirubin_to_mg_dl,
    canonical_bilirubin_unit,
    canonical_hemoglobin_unit,
    mg_dl_to_bilirubin_unit,
)
from srgvhd.errors import Problem

MODES = ("findings", "stages")
GRADE_OVERRIDES = ("none", "II", "III", "IV")

# Form column -> case-file measurement field (findings mode).
FINDING_FIELDS = {
    "rash_bsa": "skin_rash_bsa_percent",
    "bullae_bsa": "skin_bullae_desquamation_bsa_percent",
    "upper_gi": "upper_gi_persistent_symptoms",
    "stool_ml": "stool_ml_per_day",
    "stool_episodes": "stool_episodes_per_day",
    "pain_ileus": "severe_abdominal_pain_or_ileus",
    "bloody_stool": "grossly_bloody_stool",
}
BOOLEAN_FINDINGS = ("upper_gi", "pain_ileus", "bloody_stool")
# Form column -> organ (stages mode).
STAGE_FIELDS = {f"{organ}_stage": organ for organ in ORGANS}
# Table column order: findings as MAGIC lists the organs (skin, liver, upper GI, lower GI).
ROW_COLUMNS = (
    "date", "mode", "rash_bsa", "bullae_bsa", "bilirubin", "upper_gi",
    "stool_ml", "stool_episodes", "pain_ileus", "bloody_stool", *STAGE_FIELDS,
)

# Words shown for a case-file field in a problem message.
FIELD_LABELS = {
    "date": "date",
    "skin_rash_bsa_percent": "rash % BSA",
    "skin_bullae_desquamation_bsa_percent": "bullae/desquamation % BSA",
    "bilirubin": "bilirubin",
    "upper_gi_persistent_symptoms": "persistent upper-GI symptoms",
    "stool_ml_per_day": "stool mL/day",
    "stool_episodes_per_day": "stool episodes/day",
    "severe_abdominal_pain_or_ileus": "severe pain/ileus",
    "grossly_bloody_stool": "grossly bloody stool",
    "skin": "skin stage",
    "liver": "liver stage",
    "upper_gi": "upper-GI stage",
    "lower_gi": "lower-GI stage",
    "methylprednisolone_mg_per_kg_day": "dose (mg/kg/day)",
}
# Case-file path prefix -> form key of the widget that shows its problems.
_WIDGET_OF_PATH = {
    "patient.age_years": "age_years",
    "patient.weight_kg": "weight_kg",
    "patient.hemoglobin": "hemoglobin_value",
    "steroids.start_date": "steroid_start",
    "steroids.methylprednisolone_mg_per_kg_day": "mp_dose",
    "steroids.intolerant": "steroid_intolerant",
    "grade_override": "grade_override",
}
_ROW_PATH = re.compile(r"^(assessments|steroids\.dose_changes)\[(\d+)\](?:\.(.*))?$")


def empty_form() -> dict[str, Any]:
    """A blank form: study dose 2 mg/kg/day, SI units chosen, study rule set."""
    return {
        "age_years": None,
        "weight_kg": None,
        "hemoglobin_value": None,
        "hemoglobin_unit": "g/L",
        "steroid_start": None,
        "mp_dose": 2.0,
        "steroid_intolerant": False,
        "dose_changes": [],
        "bilirubin_unit": "mg/dL",
        "assessments": [],
        "grade_override": "none",
        "rule_set": "study",
    }


def is_blank(form: dict[str, Any]) -> bool:
    """True while nothing that goes into the case has been entered (units and rule set aside)."""
    return form_to_case_dict(form) == form_to_case_dict(empty_form())


def empty_row() -> dict[str, Any]:
    """A blank assessment row (findings mode, nothing involved)."""
    row: dict[str, Any] = dict.fromkeys(ROW_COLUMNS)
    row["mode"] = "findings"
    row.update(dict.fromkeys(BOOLEAN_FINDINGS, False))
    return row


# ---------------------------------------------------------------- form -> case


def form_to_case_dict(form: dict[str, Any]) -> dict[str, Any]:
    """The ``srgvhd-case/1`` dict for a form. Nothing is checked here: ``parse_case`` does that.

    Blank cells become null (or are left out), so a blank required value is reported by
    ``parse_case`` as "is required" at the right field path.
    """
    patient: dict[str, Any] = {
        "age_years": _number(form.get("age_years")),
        "weight_kg": _number(form.get("weight_kg")),
    }
    hb = _number(form.get("hemoglobin_value"))
    if hb is not None:
        patient["hemoglobin"] = {"value": hb, "unit": form.get("hemoglobin_unit", "g/L")}
    steroids: dict[str, Any] = {
        "start_date": _iso(form.get("steroid_start")),
        "methylprednisolone_mg_per_kg_day": _number(form.get("mp_dose")),
        "intolerant": bool(form.get("steroid_intolerant")),
    }
    changes = [
        {
            "date": _iso(row.get("date")),
            "methylprednisolone_mg_per_kg_day": _number(row.get("dose")),
        }
        for row in form.get("dose_changes") or []
    ]
    if changes:
        steroids["dose_changes"] = changes
    unit = form.get("bilirubin_unit", "mg/dL")
    override = form.get("grade_override", "none")
    return {
        # The grid's blank cells still mean "not involved" (srgvhd-case/1); an opened /2 file
        # keeps /2. The form helper switches new cases to /2 with explicit "not involved".
        "format": form.get("format", LEGACY_FORMAT),
        "patient": patient,
        "steroids": steroids,
        "assessments": [_row_to_assessment(row, unit) for row in form.get("assessments") or []],
        "grade_override": None if override in (None, "none") else override,
    }


def _row_to_assessment(row: dict[str, Any], bilirubin_unit: str) -> dict[str, Any]:
    out: dict[str, Any] = {"date": _iso(row.get("date"))}
    if row.get("mode") == "stages":
        out["stages"] = {organ: _stage(row.get(column)) for column, organ in STAGE_FIELDS.items()}
        return out
    measurements: dict[str, Any] = {}
    for column, field in FINDING_FIELDS.items():
        value = row.get(column)
        measurements[field] = (
            bool(_blank_to_none(value)) if column in BOOLEAN_FINDINGS else (_number(value))
        )
    bilirubin = _number(row.get("bilirubin"))
    if bilirubin is not None:
        measurements["bilirubin"] = {"value": bilirubin, "unit": bilirubin_unit}
    out["measurements"] = measurements
    return out


def _blank_to_none(value: Any) -> Any:
    """None for the blank values a table cell can hold (None, NaN, NaT, empty text)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        if value != value:  # NaN and NaT are the values unequal to themselves
            return None
    except (TypeError, ValueError):  # pandas.NA refuses to be compared: it is blank too
        return None
    return value


def _number(value: Any) -> Any:
    """A cell as a JSON number (int when whole), None when blank; other values pass unchanged."""
    value = _blank_to_none(value)
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float) or hasattr(value, "item"):
        number = float(value)
        return int(number) if math.isfinite(number) and number.is_integer() else number
    return value


def _stage(value: Any) -> Any:
    """A stage cell: blank means stage 0."""
    number = _number(value)
    return 0 if number is None else number


def _iso(value: Any) -> Any:
    """A date cell as YYYY-MM-DD, None when blank; text passes unchanged for parse_case to check."""
    value = _blank_to_none(value)
    if isinstance(value, datetime):  # also pandas.Timestamp
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value.strip() if isinstance(value, str) else value


# ---------------------------------------------------------------- case -> form


def case_dict_to_form(d: dict[str, Any]) -> dict[str, Any]:
    """The form for a valid case dict (``case_to_dict`` output). Dates become ``date`` objects.

    Bilirubin is shown in one unit for the whole table: the unit of the first measured value;
    values entered in the other unit are converted (srgvhd.clinical.units).
    """
    form = empty_form()
    form["format"] = d["format"]
    patient, steroids = d["patient"], d["steroids"]
    form["age_years"] = patient.get("age_years")
    form["weight_kg"] = patient.get("weight_kg")
    if patient.get("hemoglobin"):
        form["hemoglobin_value"] = patient["hemoglobin"]["value"]
        form["hemoglobin_unit"] = canonical_hemoglobin_unit(patient["hemoglobin"]["unit"])
    form["steroid_start"] = date.fromisoformat(steroids["start_date"])
    form["mp_dose"] = steroids["methylprednisolone_mg_per_kg_day"]
    form["steroid_intolerant"] = bool(steroids.get("intolerant"))
    form["dose_changes"] = [
        {"date": date.fromisoformat(c["date"]), "dose": c["methylprednisolone_mg_per_kg_day"]}
        for c in steroids.get("dose_changes") or []
    ]
    form["bilirubin_unit"] = _table_bilirubin_unit(d["assessments"])
    form["assessments"] = [_assessment_to_row(a, form["bilirubin_unit"]) for a in d["assessments"]]
    form["grade_override"] = d.get("grade_override") or "none"
    return form


def _table_bilirubin_unit(assessments: list[dict[str, Any]]) -> str:
    for a in assessments:
        bilirubin = (a.get("measurements") or {}).get("bilirubin")
        if bilirubin:
            return canonical_bilirubin_unit(bilirubin["unit"]) or "mg/dL"
    return "mg/dL"


def _assessment_to_row(a: dict[str, Any], bilirubin_unit: str) -> dict[str, Any]:
    row = empty_row()
    row["date"] = date.fromisoformat(a["date"])
    if a.get("stages") is not None:
        row["mode"] = "stages"
        for column, organ in STAGE_FIELDS.items():
            row[column] = a["stages"].get(organ, 0)
        return row
    m = a.get("measurements") or {}
    for column, field in FINDING_FIELDS.items():
        value = m.get(field)
        row[column] = bool(value) if column in BOOLEAN_FINDINGS else value
    if m.get("bilirubin"):
        mg_dl = bilirubin_to_mg_dl(m["bilirubin"]["value"], m["bilirubin"]["unit"])
        same = canonical_bilirubin_unit(m["bilirubin"]["unit"]) == bilirubin_unit
        row["bilirubin"] = (
            m["bilirubin"]["value"] if same else mg_dl_to_bilirubin_unit(mg_dl, bilirubin_unit)
        )
    return row


# ---------------------------------------------------------------- problems -> widgets


def problems_by_widget(problems: list[Problem]) -> dict[str, list[str]]:
    """Group ``parse_case`` problems by the form key of the widget that shows them.

    Scalar fields map to their widget (``age_years``, ``hemoglobin_value``, ``steroid_start``,
    ...). Problems inside a table map to ``assessments`` or ``dose_changes`` with the 1-based row
    number and the column in words ("row 3, bilirubin: ..."). Anything else goes to ``general``.
    """
    grouped: dict[str, list[str]] = {}
    for problem in problems:
        key, message = _place(problem)
        grouped.setdefault(key, []).append(message)
    return grouped


def _place(problem: Problem) -> tuple[str, str]:
    where, what = problem.where, problem.what
    row = _ROW_PATH.match(where)
    if row:
        table = "assessments" if row.group(1) == "assessments" else "dose_changes"
        column = _column_words(row.group(3))
        prefix = f"row {int(row.group(2)) + 1}" + (f", {column}" if column else "")
        return table, f"{prefix}: {what}"
    for path, key in _WIDGET_OF_PATH.items():
        if where == path or where.startswith(path + "."):
            return key, what
    if where in ("assessments", "steroids.dose_changes"):
        return where.split(".")[-1], what
    return "general", str(problem)


def _column_words(sub_path: str | None) -> str:
    """'measurements.bilirubin.value' -> 'bilirubin'; 'stages.skin' -> 'skin stage'."""
    if not sub_path:
        return ""
    parts = [p for p in sub_path.split(".") if p not in ("measurements", "stages", "value")]
    return " ".join(FIELD_LABELS.get(p, p) for p in parts) if parts else ""
