"""Differences between two versions of a case in the clinician's words (the store panel's
comparisons): each case-file field path named by its label on the Assess page, each value as
plain text ("not measured" for a blank finding, "yes"/"no", numbers with the language's decimal
sign), all in the current language. Pure functions, no Streamlit.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from srgvhd.app.form_layout import (
    CHOICE_FINDINGS,
    DOSE,
    LAB_NUMBERS,
    NOT_MEASURED,
    NUMBER_FINDINGS,
    SCALAR_LABELS,
    STAGE_LABELS,
    unit_words,
)
from srgvhd.casestore.diff import ABSENT, changes
from srgvhd.i18n import N_, _, current

_ROW = re.compile(r"^(assessments|labs|steroids\.dose_changes)\[([^\]]+)\]\.?(.*)$")
# Field paths -> labels (English message ids, said in the current language by field_label).
TOP = {
    "patient.age_years": N_("Age (years)"),
    "patient.weight_kg": N_("Weight (kg)"),
    "patient.hemoglobin.value": N_("Hemoglobin"),
    "patient.hemoglobin.unit": N_("Hemoglobin unit"),
    "patient.ehr.patient_id": N_("EHR patient id"),
    "patient.ehr.fhir_server": N_("EHR server"),
    "steroids.start_date": SCALAR_LABELS["steroid_start"],
    f"steroids.{DOSE}": N_("Methylprednisolone (mg/kg/day)"),
    "steroids.intolerant": SCALAR_LABELS["steroid_intolerant"],
    "grade_override": SCALAR_LABELS["grade_override"],
    "rule_set": SCALAR_LABELS["rule_set"],
    "case_code": SCALAR_LABELS["case_code"],
    "format": N_("File format"),
}
# A finding or lab: (label, unit or None).
FINDINGS: dict[str, tuple[str, str | None]] = {
    **{name: (label, unit) for label, unit, name, _key in NUMBER_FINDINGS.values()},
    **{name: (label, None) for label, name in CHOICE_FINDINGS.values()},
}
LABS: dict[str, tuple[str, str | None]] = {
    name: (label, unit) for label, unit, name in LAB_NUMBERS.values()
}
ROW_WORDS = {
    "assessments": N_("Assessment {date}"),
    "labs": N_("Labs {date}"),
    "steroids.dose_changes": N_("Dose change {date}"),
}
ORDER = ("case_code", "patient", "steroids", "assessments", "labs")  # the page's order


def field_label(path: str) -> str:
    """``assessments[2026-11-05].stages.skin`` → ``Assessment 2026-11-05: Skin stage`` (in the
    current language, the date in its order)."""
    if path in TOP:
        return _(TOP[path])
    row = _ROW.match(path)
    if row is None:
        return _words(path)
    table, key, rest = row.groups()
    head = _(ROW_WORDS[table], date=_day(key))
    if not rest:
        return head
    return _("{row}: {field}", row=head, field=_row_field(table, rest))


def _day(key: str) -> date | str:
    """A row's key: its date (said the language's way), or the key as stored."""
    try:
        return date.fromisoformat(key)
    except ValueError:
        return key


def _labelled(label: str, unit: str | None) -> str:
    """``Rash (% BSA)``; a label without a unit alone."""
    return _("{label} ({unit})", label=_(label), unit=unit_words(unit)) if unit else _(label)


def _row_field(table: str, rest: str) -> str:
    parts = rest.split(".")
    if table == "assessments" and parts[0] == "stages" and len(parts) > 1:
        stage = STAGE_LABELS.get(parts[1])
        return _(stage) if stage else _words(parts[1])
    named = FINDINGS if table == "assessments" else LABS if table == "labs" else None
    name = parts[1] if table == "assessments" and len(parts) > 1 else parts[0]
    if named is not None and (table == "labs" or parts[0] == "measurements"):
        found = named.get(name)
        label = _labelled(*found) if found else _words(name)
        return _("{label} unit", label=label) if parts[-1] == "unit" else label
    if table == "steroids.dose_changes" and parts[0] == DOSE:
        return _("methylprednisolone (mg/kg/day)")
    return _words(rest)


def _words(path: str) -> str:
    text = path.replace("_", " ").replace(".", " · ")
    return text[:1].upper() + text[1:]


def value_words(path: str, value: Any) -> str:
    """A stored value as plain text: blank findings "not measured", absent fields "—"."""
    if value == ABSENT:
        return "—"
    if value is None:
        return _(NOT_MEASURED) if path.startswith(("assessments", "labs", "patient")) else "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else current().number(value)
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
    """One row per differing field: ``{"field": label, left: before, right: after}`` (the
    first column headed in the current language)."""
    before, after = with_defaults(before), with_defaults(after)
    field = _("field")
    return [
        {
            field: field_label(c["field"]),
            left: value_words(c["field"], c["before"]),
            right: value_words(c["field"], c["after"]),
        }
        for c in sorted(changes(before, after), key=_rank)
    ]


def _rank(change: dict[str, Any]) -> int:
    path = change["field"]
    return next((i for i, head in enumerate(ORDER) if path.startswith(head)), len(ORDER))
