"""The EHR's draft case (srgvhd.ehr.draft) on the Assess page's form, and each pre-filled
value's source in words ("Hemoglobin 85 g/L · 2026-11-01T08:00:00+01:00 · Observation/…"), marked
"typed" once the clinician changes it. No Streamlit here (docs/ehr.md).

The words, numbers and dates are said in the current language (srgvhd.i18n; a German reader
sees "Hämoglobin 8,5 g/dL · 01.11.2026 08:00"); the record's units (UCUM) and references are
shown as the record holds them."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from srgvhd.app.fields import number_text
from srgvhd.app.form_open import case_dict_to_form
from srgvhd.clinical.units import bilirubin_to_mg_dl, mg_dl_to_bilirubin_unit
from srgvhd.i18n import DEFAULT_LANGUAGE, N_, _, current

# form field -> (label, case field path in source.fhir.fields, unit words or None)
SCALARS = {
    "age_years": (N_("Age"), "patient.age_years", N_("years")),
    "weight_kg": (N_("Weight"), "patient.weight_kg", "kg"),
    "hemoglobin_value": (N_("Hemoglobin"), "patient.hemoglobin", None),
    "steroid_start": (N_("Steroid start"), "steroids.start_date", None),
    "mp_dose": (
        N_("Methylprednisolone"),
        "steroids.methylprednisolone_mg_per_kg_day",
        N_("mg/kg/day"),
    ),
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


def when_words(text: object) -> str:
    """A record's date or date-time in the reader's order ("01.11.2026 08:00" in German; the
    clock time as the record wrote it, without its offset); English keeps the record's own ISO
    text, offset included; anything else as it is."""
    if not isinstance(text, str) or current().lang == DEFAULT_LANGUAGE:
        return str(text)
    try:
        if len(text) == 10:
            return current().date(date.fromisoformat(text))
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    return f"{current().date(moment.date())} {moment:%H:%M}"


def _number(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    return current().number(float(value))


def _recorded(entry: dict[str, Any]) -> str:
    value, unit = entry.get("value"), entry.get("unit")
    if unit is None:
        return when_words(value) if isinstance(value, str) else _number(value)
    if unit == "birthDate":
        return _("born {date}", date=when_words(value))
    return f"{_number(value)} {unit}"  # the record's own unit (UCUM), never translated


def _source(entry: dict[str, Any]) -> str:
    return f"{_recorded(entry)} · {when_words(entry['date'])} · {entry['resource']}"


def result_source(result: dict[str, Any]) -> str:
    """A bilirubin result of the record (``source.fhir.bilirubin[]``) as its source words: the
    value and unit as recorded, when, which resource."""
    recorded = result["recorded"]
    return (
        f"{_number(recorded['value'])} {recorded['unit']} · {when_words(result['effective'])} · "
        f"{result['resource']}"
    )


def _lab_label(column: str, day: str) -> str:
    when = when_words(day)
    if column == "ldh":
        return _("LDH {date}", date=when)
    if column == "creatinine":
        return _("Creatinine {date}", date=when)
    return _("Platelets {date}", date=when)


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
        elif unit is not None and unit != "kg":
            unit = _(unit)
        words = f"{shown} {unit}" if unit and shown else str(shown)
        lines.append(SourceLine(_(label), words, _source(entry), shown != filled.get(key, "")))
    rows_now = {row["date"]: row for row in form.get("labs", [])}
    rows_then = {row["date"]: row for row in filled.get("labs", [])}
    for i, lab in enumerate(draft.get("labs", [])):
        for column, name in LAB_COLUMNS.items():
            entry = fields.get(f"labs[{i}].{name}")
            if entry is None:
                continue
            now = rows_now.get(lab["date"], {}).get(column, "")
            then = rows_then.get(lab["date"], {}).get(column, "")
            label = _lab_label(column, lab["date"])
            lines.append(SourceLine(label, str(now), _source(entry), now != then))
    return lines


def skipped_lines(draft: dict[str, Any]) -> list[str]:
    """Each result the import did not use, with the reason, in words (the reason in the reader's
    language when it has words there; the field path and reference as the file names them)."""
    out = []
    for s in draft["source"]["fhir"]["skipped"]:
        seen = f"{_number(s['value'])} {s.get('unit', '')}".strip() if "value" in s else ""
        when = f" · {when_words(s['date'])}" if s.get("date") else ""
        out.append(
            _(
                "{field}: {value}",
                field=f"{s['resource']} ({s['field']}{when}{' · ' + seen if seen else ''})",
                value=current().text(s["reason"]),
            )
        )
    return out


def bilirubin_lines(draft: dict[str, Any]) -> list[str]:
    """The record's bilirubin results by date, for an assessment of the same date."""
    return [
        _(
            "{field}: {value}",
            field=when_words(b["date"]),
            value=f"{_number(b['value'])} {b['unit']} ({b['resource']})",
        )
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
