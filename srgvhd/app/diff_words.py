"""Differences between two versions of a case in the clinician's words (the store panel's
comparisons): each case-file field path named by its label on the Assess page, each value as
plain text ("not measured" for a blank finding, "yes"/"no"). Pure functions, no Streamlit.
"""

from __future__ import annotations

import re
from typing import Any

from srgvhd.app.form_layout import (
    CHOICE_FINDINGS,
    DOSE,
    LAB_NUMBERS,
    NUMBER_FINDINGS,
    SCALAR_LABELS,
    STAGE_LABELS,
    unit_words,
)
from srgvhd.casestore.diff import ABSENT, changes

_ROW = re.compile(r"^(assessments|labs|steroids\.dose_changes)\[([^\]]+)\]\.?(.*)$")
TOP = {
    "patient.age_years": "Age (years)",
    "patient.weight_kg": "Weight (kg)",
    "patient.hemoglobin.value": "Hemoglobin",
    "patient.hemoglobin.unit": "Hemoglobin unit",
    "patient.ehr.patient_id": "EHR patient id",
    "patient.ehr.fhir_server": "EHR server",
    "steroids.start_date": SCALAR_LABELS["steroid_start"],
    f"steroids.{DOSE}": "Methylprednisolone (mg/kg/day)",
    "steroids.intolerant": SCALAR_LABELS["steroid_intolerant"],
    "grade_override": SCALAR_LABELS["grade_override"],
    "rule_set": SCALAR_LABELS["rule_set"],
    "case_code": SCALAR_LABELS["case_code"],
    "format": "File format",
}
FINDINGS = {
    **{
        name: f"{label} ({unit_words(unit)})" if unit else label
        for label, unit, name, _ in NUMBER_FINDINGS.values()
    },
    **{name: label for label, name in CHOICE_FINDINGS.values()},
}
LABS = {name: f"{label} ({unit})" if unit else label for label, unit, name in LAB_NUMBERS.values()}
ROW_WORDS = {"assessments": "Assessment", "labs": "Labs", "steroids.dose_changes": "Dose change"}
ORDER = ("case_code", "patient", "steroids", "assessments", "labs")  # the page's order


def field_label(path: str) -> str:
    """``assessments[2026-11-05].stages.skin`` → ``Assessment 2026-11-05: Skin stage``."""
    if path in TOP:
        return TOP[path]
    row = _ROW.match(path)
    if row is None:
        return _words(path)
    table, key, rest = row.groups()
    head = f"{ROW_WORDS[table]} {key}"
    if not rest:
        return head
    return f"{head}: {_row_field(table, rest)}"


def _row_field(table: str, rest: str) -> str:
    parts = rest.split(".")
    if table == "assessments" and parts[0] == "stages" and len(parts) > 1:
        return STAGE_LABELS.get(parts[1], _words(parts[1]))
    if table == "assessments" and parts[0] == "measurements" and len(parts) > 1:
        label = FINDINGS.get(parts[1], _words(parts[1]))
        return f"{label} unit" if parts[-1] == "unit" else label
    if table == "labs":
        label = LABS.get(parts[0], _words(parts[0]))
        return f"{label} unit" if parts[-1] == "unit" else label
    if table == "steroids.dose_changes" and parts[0] == DOSE:
        return "methylprednisolone (mg/kg/day)"
    return _words(rest)


def _words(path: str) -> str:
    text = path.replace("_", " ").replace(".", " · ")
    return text[:1].upper() + text[1:]


def value_words(path: str, value: Any) -> str:
    """A stored value as plain text: blank findings "not measured", absent fields "—"."""
    if value == ABSENT:
        return "—"
    if value is None:
        return "not measured" if path.startswith(("assessments", "labs", "patient")) else "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return "—" if not value else str(value)
    return unit_words(str(value))


def with_defaults(document: dict[str, Any]) -> dict[str, Any]:
    """A case file with the defaults the format gives an absent field written out (rule set
    "study", not intolerant, no grade override), so that absent and default do not differ."""
    steroids = document.get("steroids")
    out = {"rule_set": "study", "grade_override": None, **document}
    if out["rule_set"] is None:
        out["rule_set"] = "study"
    if isinstance(steroids, dict):
        out["steroids"] = {"intolerant": False, **steroids}
    return out


def labelled_changes(
    before: dict[str, Any], after: dict[str, Any], left: str, right: str
) -> list[dict[str, str]]:
    """One row per differing field: ``{"field": label, left: before, right: after}``."""
    before, after = with_defaults(before), with_defaults(after)
    return [
        {
            "field": field_label(c["field"]),
            left: value_words(c["field"], c["before"]),
            right: value_words(c["field"], c["after"]),
        }
        for c in sorted(changes(before, after), key=_rank)
    ]


def _rank(change: dict[str, Any]) -> int:
    path = change["field"]
    return next((i for i, head in enumerate(ORDER) if path.startswith(head)), len(ORDER))
