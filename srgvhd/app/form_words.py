"""``parse_case`` problems in the clinician's words, placed beside the form field they concern.

A problem's field path (``assessments[1].measurements.bilirubin.value``) becomes a slot of the
page (``"assessments:<row id>"``, a scalar field, ``"general"``) and a message with the field's
label, unit and allowed range ("Total bilirubin: 150 mg/dL is outside the allowed range
(0–100 mg/dL)."); "is required" becomes an entry of the list of what is still missing.
"""

from __future__ import annotations

import re
from typing import Any

from srgvhd.app.fields import range_words
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
from srgvhd.clinical.staging import ORGANS
from srgvhd.errors import Problem
from srgvhd.i18n import N_, _

_ROW_PATH = re.compile(r"^(assessments|steroids\.dose_changes|labs)\[(\d+)\](?:\.(.*))?$")
_TABLE_OF_PATH = {
    "assessments": "assessments",
    "steroids.dose_changes": "dose_changes",
    "labs": "labs",
}
_OUT_OF_RANGE = re.compile(r"^(\S+) is out of range ([\[(])([^,]+), ([^\]]+)\]$")
_PATH_WORDS = (
    (re.compile(r"steroids\.dose_changes\[(\d+)\]"), "dose change {}"),
    (re.compile(r"assessments\[(\d+)\]"), "assessment {}"),
    (re.compile(r"labs\[(\d+)\]"), "lab entry {}"),
)


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
    if problem.where == "assessments" and (
        not form.get("assessments") or any(a["date"] is None for a in case["assessments"])
    ):
        return None  # listed in missing: the baseline assessment, or an assessment's date
    if what.startswith("is required"):
        if problem.where in unreadable:
            return None
        rest = re.sub(r"^\(YYYY-MM-DD\)$", "", what.removeprefix("is required").strip())
        name = ", ".join(part for part in (row, label) if part)
        return MISSING, _path_words(f"{name} {rest}".strip())
    name = label or row
    message = (
        _("{name}: {problem}", name=name, problem=_words(what, unit))
        if name
        else _words(what, unit)
    )
    if slot == "hemoglobin_value" and _OUT_OF_RANGE.match(what):
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
    return "general", path, "", ""


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
    """A ``parse_case`` message in the clinician's words (ranges with units, no field paths)."""
    out_of_range = _OUT_OF_RANGE.match(what)
    if out_of_range:
        value, bracket, low, high = out_of_range.groups()
        allowed = range_words(float(low), float(high), unit, low_inclusive=bracket == "[")
        shown = f"{value} {unit}".strip()
        return _("{value} is outside the allowed range ({allowed}).", value=shown, allowed=allowed)
    return _path_words(what)


def file_problem_words(where: str, what: str) -> str:
    """A case file's problem for the clinician who opened it: rows counted from 1 as on the page
    ("assessment 2, date"), with the file's own field path after it for whoever edits the file."""
    words = _path_words(where).replace(".", ", ").replace("_", " ")
    what = _path_words(what)
    return f"{words}: {what} (file field {where})" if words != where else f"{where}: {what}"


def _path_words(text: str) -> str:
    text = text.replace("steroids.start_date", "the steroid start date")
    for pattern, words in _PATH_WORDS:
        text = pattern.sub(lambda m, w=words: w.format(int(m.group(1)) + 1), text)
    return text
