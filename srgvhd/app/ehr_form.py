"""The EHR's draft case (srgvhd.ehr.draft) on the Assess page's form, and each pre-filled
value's source in words ("Hemoglobin 85 g/L · 2026-11-01T08:00:00+01:00 · Observation/…"),
marked "typed" once the clinician changes it. No Streamlit here (docs/ehr.md)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from srgvhd.app.fields import number_text
from srgvhd.app.form_open import case_dict_to_form
from srgvhd.clinical.units import bilirubin_to_mg_dl, mg_dl_to_bilirubin_unit

# form field -> (label, case field path in source.fhir.fields, unit words or None)
SCALARS = {
    "age_years": ("Age", "patient.age_years", "years"),
    "weight_kg": ("Weight", "patient.weight_kg", "kg"),
    "hemoglobin_value": ("Hemoglobin", "patient.hemoglobin", None),
    "steroid_start": ("Steroid start", "steroids.start_date", None),
    "mp_dose": ("Methylprednisolone", "steroids.methylprednisolone_mg_per_kg_day", "mg/kg/day"),
}
LAB_COLUMNS = {"ldh": "ldh_u_l", "creatinine": "creatinine", "platelets": "platelets_10e9_l"}


def draft_to_form(draft: dict[str, Any]) -> dict[str, Any]:
    """The form for an imported draft: every filled value as text, every null left blank."""
    d = copy.deepcopy(draft)
    start = d["steroids"].get("start_date")
    form = case_dict_to_form(d)
    form["steroid_start"] = start or ""
    return form


@dataclass(frozen=True)
class SourceLine:
    """One pre-filled value: what the form shows now, where it came from, whether edited."""

    label: str
    shown: str
    source: str
    typed: bool


def _recorded(entry: dict[str, Any]) -> str:
    value, unit = entry.get("value"), entry.get("unit")
    if unit in (None, "birthDate"):
        return f"{value}" if unit is None else f"born {value}"
    return f"{value:g} {unit}" if isinstance(value, int | float) else f"{value} {unit}"


def source_lines(
    draft: dict[str, Any], filled: dict[str, Any], form: dict[str, Any]
) -> list[SourceLine]:
    """Each value the record filled, with its source and date; ``typed`` when the form's text
    now differs from what was filled (``filled``: the form as the import left it)."""
    fields = draft["source"]["fhir"]["fields"]
    lines = []
    for key, (label, path, unit) in SCALARS.items():
        entry = fields.get(path)
        if entry is None:
            continue
        shown = form.get(key, "")
        if key == "hemoglobin_value":
            unit = form.get("hemoglobin_unit")
        words = f"{shown} {unit}" if unit and shown else str(shown)
        source = f"{_recorded(entry)} · {entry['date']} · {entry['resource']}"
        lines.append(SourceLine(label, words, source, shown != filled.get(key, "")))
    rows_now = {row["date"]: row for row in form.get("labs", [])}
    rows_then = {row["date"]: row for row in filled.get("labs", [])}
    for i, lab in enumerate(draft.get("labs", [])):
        for column, name in LAB_COLUMNS.items():
            entry = fields.get(f"labs[{i}].{name}")
            if entry is None:
                continue
            now = rows_now.get(lab["date"], {}).get(column, "")
            then = rows_then.get(lab["date"], {}).get(column, "")
            label = f"{column.upper() if column == 'ldh' else column.capitalize()} {lab['date']}"
            source = f"{_recorded(entry)} · {entry['date']} · {entry['resource']}"
            lines.append(SourceLine(label, str(now), source, now != then))
    return lines


def skipped_lines(draft: dict[str, Any]) -> list[str]:
    """Each result the import did not use, with the reason, in words."""
    out = []
    for s in draft["source"]["fhir"]["skipped"]:
        seen = f"{s['value']} {s.get('unit', '')}".strip() if "value" in s else ""
        when = f" · {s['date']}" if s.get("date") else ""
        out.append(
            f"{s['resource']} ({s['field']}{when}{' · ' + seen if seen else ''}): {s['reason']}"
        )
    return out


def bilirubin_lines(draft: dict[str, Any]) -> list[str]:
    """The record's bilirubin results by date, for an assessment of the same date."""
    return [
        f"{b['date']}: {b['value']:g} {b['unit']} ({b['resource']})"
        for b in draft["source"]["fhir"]["bilirubin"]
    ]


def bilirubin_for(draft: dict[str, Any], day: str, unit: str) -> tuple[str, dict[str, Any]] | None:
    """The record's total bilirubin of ``day`` (YYYY-MM-DD; the latest of that day) as the
    form's text in the form's bilirubin ``unit``, with the result it came from; None when the
    record has none that day."""
    found = [b for b in draft["source"]["fhir"]["bilirubin"] if b["date"] == day]
    if not found:
        return None
    result = found[-1]  # the draft lists them in time order
    value = result["value"]
    if result["unit"] != unit:
        value = mg_dl_to_bilirubin_unit(bilirubin_to_mg_dl(value, result["unit"]), unit)
    return number_text(value), result
