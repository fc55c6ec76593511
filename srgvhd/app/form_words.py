"""``parse_case`` problems in the clinician's words, placed beside the form field they concern.

A problem's field path (``assessments[1].measurements.bilirubin.value``) becomes a slot of the
page (``"assessments:<row id>"``, a scalar field, ``"general"``) and a message with the field's
label, unit and allowed range ("Total bilirubin: 150 mg/dL is outside the allowed range
(0–100 mg/dL)."); "is required" becomes an entry of the list of what is still missing.
"""

from __future__ import annotations

import re
from typing import Any

from srgvhd.app.fields import number_text, range_words
from srgvhd.app.form_layout import (
    CHOICE_FINDINGS,
    DOSE,
    LAB_NUMBERS,
    NUMBER_FINDINGS,
    ROW_WORDS,
    SCALAR_LABELS,
    SCALAR_NUMBERS,
    SCALAR_PATHS,
    STAGE_LABELS,
    unit_words,
)
from srgvhd.app.second_line_form import SLOT as SECOND_LINE_SLOT
from srgvhd.clinical.case import (
    ASSESSMENTS_REQUIRED,
    CHILD_WEIGHT_REQUIRED,
    UC_MSC_INFUSIONS_REQUIRED,
)
from srgvhd.clinical.staging import ORGANS
from srgvhd.clinical.validate import (
    OUT_OF_RANGE,
    OUT_OF_RANGE_OPEN,
    REQUIRED,
    REQUIRED_DATE,
    STEROID_START,
    row_path,
)
from srgvhd.errors import Problem
from srgvhd.i18n import N_, NP_, Msg, _, current

_ROW_PATH = re.compile(r"^(assessments|steroids\.dose_changes|labs)\[(\d+)\](?:\.(.*))?$")
_TABLE_OF_PATH = {
    "assessments": "assessments",
    "steroids.dose_changes": "dose_changes",
    "labs": "labs",
}
MSC_DOSE_UNIT = N_("× 10^6 cells/kg")  # an MSC infusion's dose (docs/interfaces.md §7)
# A required value with a reason: listed among what is still to be entered, the reason after
# the field's name ("Weight for a patient under 18 with stool findings entered (…)").
_REQUIRED_FOR = {
    ASSESSMENTS_REQUIRED: N_("{name} (a list with the baseline assessment on day 0)"),
    UC_MSC_INFUSIONS_REQUIRED: N_(
        "{name} for uc-msc (the second-line start is the first UC-MSC infusion)"
    ),
    CHILD_WEIGHT_REQUIRED: N_(
        "{name} for a patient under 18 with stool findings entered "
        "(child thresholds apply at ≤ 50 kg and are in mL/kg/day)"
    ),
}
_SECOND_LINE_LABELS = {
    "second_line.therapy": N_("Therapy"),
    "second_line.therapy_name": N_("Therapy name"),
    "second_line.note": N_("Note"),
}
_ROW_TABLES = ("steroids.dose_changes", "second_line.infusions", "assessments", "labs")
_SEGMENT = re.compile(r"([^.\[\]]+)(?:\[(\d+)\])?")
# A case file's field names as a clinician reads them in a file problem's path
# ("assessment 2, measurements, bilirubin, value"); English: the name with spaces.
FILE_FIELD_WORDS = {
    "file": NP_("case file field", "file"),
    "case": NP_("case file field", "case"),
    "format": NP_("case file field", "format"),
    "case_code": NP_("case file field", "case code"),
    "patient": NP_("case file field", "patient"),
    "age_years": NP_("case file field", "age years"),
    "weight_kg": NP_("case file field", "weight kg"),
    "hemoglobin": NP_("case file field", "hemoglobin"),
    "value": NP_("case file field", "value"),
    "unit": NP_("case file field", "unit"),
    "ehr": NP_("case file field", "ehr"),
    "fhir_server": NP_("case file field", "fhir server"),
    "patient_id": NP_("case file field", "patient id"),
    "steroids": NP_("case file field", "steroids"),
    "methylprednisolone_mg_per_kg_day": NP_("case file field", "methylprednisolone mg per kg day"),
    "intolerant": NP_("case file field", "intolerant"),
    "dose_changes": NP_("case file field", "dose changes"),
    "date": NP_("case file field", "date"),
    "assessments": NP_("case file field", "assessments"),
    "measurements": NP_("case file field", "measurements"),
    "stages": NP_("case file field", "stages"),
    "skin": NP_("case file field", "skin"),
    "liver": NP_("case file field", "liver"),
    "upper_gi": NP_("case file field", "upper gi"),
    "lower_gi": NP_("case file field", "lower gi"),
    "skin_rash_bsa_percent": NP_("case file field", "skin rash bsa percent"),
    "skin_bullae_desquamation_bsa_percent": NP_(
        "case file field", "skin bullae desquamation bsa percent"
    ),
    "bilirubin": NP_("case file field", "bilirubin"),
    "upper_gi_persistent_symptoms": NP_("case file field", "upper gi persistent symptoms"),
    "stool_ml_per_day": NP_("case file field", "stool ml per day"),
    "stool_episodes_per_day": NP_("case file field", "stool episodes per day"),
    "severe_abdominal_pain_or_ileus": NP_("case file field", "severe abdominal pain or ileus"),
    "grossly_bloody_stool": NP_("case file field", "grossly bloody stool"),
    "grade_override": NP_("case file field", "grade override"),
    "rule_set": NP_("case file field", "rule set"),
    "labs": NP_("case file field", "labs"),
    "ldh_u_l": NP_("case file field", "ldh u l"),
    "creatinine": NP_("case file field", "creatinine"),
    "platelets_10e9_l": NP_("case file field", "platelets 10e9 l"),
    "map_probability": NP_("case file field", "map probability"),
    "second_line": NP_("case file field", "second line"),
    "therapy": NP_("case file field", "therapy"),
    "therapy_name": NP_("case file field", "therapy name"),
    "note": NP_("case file field", "note"),
    "infusions": NP_("case file field", "infusions"),
    "dose_10e6_cells_per_kg": NP_("case file field", "dose 10e6 cells per kg"),
}


def slot_words(form: dict[str, Any], slot: str) -> str:
    """Where a problem slot is on the page, in words: "Age", "Assessment 2", "Dose change 1"."""
    table, _colon, row_id = slot.partition(":")
    if row_id:
        ids = [row["id"] for row in form.get(table) or []]
        number = ids.index(int(row_id)) + 1 if int(row_id) in ids else "?"
        return _("{row} {number}", row=_(ROW_WORDS[table]), number=str(number))
    if slot in SCALAR_NUMBERS:
        return _(SCALAR_NUMBERS[slot][0])
    tables = {
        "assessments": N_("Assessments"),
        "dose_changes": N_("Dose changes"),
        "labs": N_("Labs"),
        SECOND_LINE_SLOT: N_("Second-line therapy"),
    }
    words = SCALAR_LABELS.get(slot) or tables.get(slot, N_("Other"))
    return _(words)


# ---------------------------------------------------------------- problems -> fields


MISSING = "missing"  # the slot of a value still to be entered (not an error)


HB_UNIT_HINT = N_("Check the unit beside it: 85 g/L = 8.5 g/dL.")


def place(
    form: dict[str, Any], case: dict[str, Any], unreadable: set[str], problem: Problem
) -> tuple[str, str] | None:
    """(slot, message) for one ``parse_case`` problem of ``case`` (the form's case dict), in
    words; slot ``MISSING`` for a required value not entered; None when nothing is to be said.

    A field whose typed text could not be read (its path in ``unreadable``) was left out of the
    case, so its "is required" is not repeated.
    """
    slot, label, unit, row = _where(form, problem.where)
    what = problem.what
    template = what.template if isinstance(what, Msg) else what
    if problem.where == "assessments" and (
        not form.get("assessments") or any(a["date"] is None for a in case["assessments"])
    ):
        return None  # listed in missing: the baseline assessment, or an assessment's date
    if template in (REQUIRED, REQUIRED_DATE) or template in _REQUIRED_FOR:
        if problem.where in unreadable:
            return None
        name = ", ".join(part for part in (row, label) if part)
        return MISSING, _(_REQUIRED_FOR[template], name=name) if template in _REQUIRED_FOR else name
    name = label or row
    said = _words(what, unit)
    message = _("{name}: {problem}", name=name, problem=said) if name else said
    if slot == "hemoglobin_value" and template in (OUT_OF_RANGE, OUT_OF_RANGE_OPEN):
        message = _("{problem} {hint}", problem=message, hint=_(HB_UNIT_HINT))
    return slot, message


def _where(form: dict[str, Any], path: str) -> tuple[str, str, str, str]:
    """(slot, field label in words, unit, row in words or "") of a case-file path."""
    row = _ROW_PATH.match(path)
    if row:
        table = _TABLE_OF_PATH[row.group(1)]
        index, sub = int(row.group(2)), row.group(3) or ""
        rows = form.get(table) or []
        slot = f"{table}:{rows[index]['id']}" if index < len(rows) else table
        label, unit = _row_field_words(form, table, index, sub)
        row_words = _("{row} {number}", row=_(ROW_WORDS[table]), number=str(index + 1))
        return slot, label, unit, row_words
    for prefix, key in SCALAR_PATHS.items():
        if path == prefix or path.startswith(prefix + "."):
            if key in SCALAR_NUMBERS:
                label, unit, _path = SCALAR_NUMBERS[key]
                unit = unit or form.get("hemoglobin_unit", "g/L")
                return key, _(label), unit_words(unit), ""
            return key, _(SCALAR_LABELS[key]), "", ""
    if path in _TABLE_OF_PATH:
        return _TABLE_OF_PATH[path], "", "", ""
    if path == SECOND_LINE_SLOT or path.startswith(SECOND_LINE_SLOT + "."):
        return SECOND_LINE_SLOT, *_second_line_words(path), ""
    return "general", path_words(path), "", ""


def _second_line_words(path: str) -> tuple[str, str]:
    """(field label in words, unit) of a ``second_line`` path (docs/interfaces.md §7)."""
    if path == "second_line.start_date":
        return _("Second-line start date"), ""
    if path in _SECOND_LINE_LABELS:
        return _(_SECOND_LINE_LABELS[path]), ""
    infusion = re.match(r"^second_line\.infusions\[(\d+)\]\.(date|dose_10e6_cells_per_kg)$", path)
    if infusion and infusion.group(2) == "date":
        return _("Infusion {number}: date", number=int(infusion.group(1)) + 1), ""
    if infusion:
        return _("Infusion {number}: dose", number=int(infusion.group(1)) + 1), _(MSC_DOSE_UNIT)
    return path_words(path), ""


def _row_field_words(form: dict[str, Any], table: str, index: int, sub: str) -> tuple[str, str]:
    parts = [p for p in sub.split(".") if p not in ("measurements", "stages", "value")]
    name = parts[0] if parts else ""
    if name == "date":
        return _("Date"), ""
    if name in ORGANS:
        return _(STAGE_LABELS[name]), ""
    if name == DOSE:
        return _("methylprednisolone"), "mg/kg/day"
    for label, unit, field_name, *_rest in (*NUMBER_FINDINGS.values(), *LAB_NUMBERS.values()):
        if field_name == name:
            if unit is None and name == "bilirubin":
                unit = form.get("bilirubin_unit", "mg/dL")
            elif unit is None:
                rows = form.get(table) or []
                unit = rows[index].get("creatinine_unit", "mg/dL") if index < len(rows) else ""
            return _(label), unit_words(unit)
    for label, field_name in CHOICE_FINDINGS.values():
        if field_name == name:
            return _(label), ""
    return " ".join(parts), ""


def _words(what: str, unit: str) -> str:
    """A ``parse_case`` message in the clinician's words and language (ranges with units, fields
    named in words, not by their file path)."""
    if isinstance(what, Msg) and what.template in (OUT_OF_RANGE, OUT_OF_RANGE_OPEN):
        low, high = float(what.params["low"]), float(what.params["high"])
        allowed = range_words(low, high, unit, low_inclusive=what.template == OUT_OF_RANGE)
        shown = f"{number_text(what.params['number'])} {unit}".strip()
        return _("{value} is outside the allowed range ({allowed}).", value=shown, allowed=allowed)
    return problem_words(what)


def problem_words(what: str) -> str:
    """A problem's words (``Problem.what``) in the current language: an engine ``Msg`` by its
    template, with the fields it names in words ("before the steroid start date")."""
    return current().text(what) if isinstance(what, Msg) else _old_path_words(what)


def file_problem_words(where: str, what: str) -> str:
    """A case file's problem for the clinician who opened it, in the current language: rows
    counted from 1 as on the page ("assessment 2, date"), with the file's own field path after
    it for whoever edits the file."""
    words = path_words(where)
    said = problem_words(what)
    if words == where:
        return _("{name}: {problem}", name=where, problem=said)
    return _("{field}: {problem} (file field {path})", field=words, problem=said, path=where)


def path_words(path: str) -> str:
    """A case-file field path in words of the current language: ``assessments[1].date`` →
    "assessment 2, date", ``steroids.start_date`` → "the steroid start date"."""
    if path == STEROID_START.path:
        return current().text(STEROID_START)
    parts: list[str] = []
    rest = path
    while rest:
        table = next((t for t in _ROW_TABLES if re.match(rf"^{re.escape(t)}\[\d+\]", rest)), None)
        if table is not None:
            index = re.match(rf"^{re.escape(table)}\[(\d+)\]", rest)
            assert index is not None
            parts.append(current().text(row_path(table, int(index.group(1)))))
            rest = rest[index.end() :]
        else:
            segment = _SEGMENT.match(rest)
            if segment is None:
                parts.append(rest)
                break
            name = segment.group(0)
            words = FILE_FIELD_WORDS.get(name)
            parts.append(
                current().pgettext("case file field", words) if words else name.replace("_", " ")
            )
            rest = rest[segment.end() :]
        rest = rest.removeprefix(".")
    return current().listed(parts, "unit") if len(parts) > 1 else "".join(parts)


def _old_path_words(text: str) -> str:
    """A plain (unmarked) problem text as it is, with the few file paths it may name in words."""
    text = text.replace("steroids.start_date", "the steroid start date")
    for pattern, words in (
        (re.compile(r"steroids\.dose_changes\[(\d+)\]"), "dose change {}"),
        (re.compile(r"assessments\[(\d+)\]"), "assessment {}"),
        (re.compile(r"labs\[(\d+)\]"), "lab entry {}"),
    ):
        text = pattern.sub(lambda m, w=words: w.format(int(m.group(1)) + 1), text)
    return text
