"""The Assess page's form state and its translation to and from a case file (interfaces.md §1).

Pure functions, testable without Streamlit. The form keeps exactly what the clinician typed, as
text (numbers, dates) or as one of a few choices; ``read_form`` turns it into a case dict
(``srgvhd-case/2``: a blank is ``null`` = not measured, clinical-rules.md §7), checks it with
``srgvhd.clinical.case.parse_case`` and says, in the clinician's words, what is wrong (beside the
field it belongs to) and what is still missing.

Form layout:

- scalar fields ``case_code``, ``age_years``, ``weight_kg``, ``hemoglobin_value`` (text, in
  ``hemoglobin_unit``), ``steroid_start`` (text YYYY-MM-DD), ``mp_dose`` (text),
  ``steroid_intolerant`` (bool), ``bilirubin_unit`` (one for every assessment),
  ``grade_override`` ("none", "II", "III", "IV"), ``rule_set`` (``refractory.RULE_SETS``);
- row lists ``assessments``, ``dose_changes`` and ``labs``, each row a dict with a stable
  ``id`` (widget keys are built from it, so deleting a row does not shift the others) and the
  fields of ``ROW_FIELDS[table]``. Assessment ``mode`` "findings" reads the raw findings,
  "stages" the directly entered stages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from srgvhd.app.fields import FieldError, number_text, parse_date, parse_number, range_words
from srgvhd.clinical.case import FORMAT, LEGACY_FORMAT, LIMITS, MAX_ASSESSMENTS, parse_case
from srgvhd.clinical.labs import (
    CREATININE_LIMITS,
    LDH_U_L,
    MAP_PROBABILITY,
    MAX_LABS,
    PLATELETS_10E9_L,
)
from srgvhd.clinical.staging import MAX_STAGE, ORGANS
from srgvhd.clinical.units import (
    bilirubin_to_mg_dl,
    canonical_bilirubin_unit,
    canonical_hemoglobin_unit,
    mg_dl_to_bilirubin_unit,
)
from srgvhd.errors import InputError, Problem

MODES = ("findings", "stages")
GRADE_OVERRIDES = ("none", "II", "III", "IV")
NOT_MEASURED = "not measured"
YES_NO = (NOT_MEASURED, "no", "yes")
STAGE_CHOICES = {organ: (NOT_MEASURED, *map(str, range(MAX_STAGE[organ] + 1))) for organ in ORGANS}
UNIT_WORDS = {"umol/L": "µmol/L"}

# Assessment number fields: form field -> (label, unit or None for the page's bilirubin unit,
# case-file measurement field, LIMITS key or None for the bilirubin unit's).
NUMBER_FINDINGS = {
    "rash_bsa": ("Rash", "% BSA", "skin_rash_bsa_percent", "bsa_percent"),
    "bullae_bsa": ("Bullae/desquamation", "% BSA", "skin_bullae_desquamation_bsa_percent",
                   "bsa_percent"),
    "bilirubin": ("Total bilirubin", None, "bilirubin", None),
    "stool_ml": ("Stool volume", "mL/day", "stool_ml_per_day", "stool_ml_per_day"),
    "stool_episodes": ("Stool episodes", "per day", "stool_episodes_per_day",
                       "stool_episodes_per_day"),
}
# Assessment yes/no findings: form field -> (label, case-file measurement field).
CHOICE_FINDINGS = {
    "upper_gi": ("Persistent nausea, vomiting or anorexia", "upper_gi_persistent_symptoms"),
    "pain_ileus": ("Severe abdominal pain or ileus", "severe_abdominal_pain_or_ileus"),
    "bloody_stool": ("Grossly bloody stool", "grossly_bloody_stool"),
}
STAGE_FIELDS = {f"{organ}_stage": organ for organ in ORGANS}
STAGE_LABELS = {"skin": "Skin stage", "liver": "Liver stage", "upper_gi": "Upper-GI stage",
                "lower_gi": "Lower-GI stage"}
# Labs (interfaces.md §6): form field -> (label, unit, case-file field).
LAB_NUMBERS = {
    "ldh": ("LDH", "U/L", "ldh_u_l"),
    "creatinine": ("Creatinine", None, "creatinine"),
    "platelets": ("Platelets", "10⁹/L", "platelets_10e9_l"),
    "map": ("MAP probability", "", "map_probability"),
}
ROW_FIELDS: dict[str, tuple[str, ...]] = {
    "assessments": ("date", "mode", *NUMBER_FINDINGS, *CHOICE_FINDINGS, *STAGE_FIELDS),
    "dose_changes": ("date", "dose"),
    "labs": ("date", *LAB_NUMBERS, "creatinine_unit"),
}
ROW_WORDS = {"assessments": "Assessment", "dose_changes": "Dose change", "labs": "Labs"}
# Most rows a table may hold: what a case file may hold (a forged client cannot grow the page).
MAX_ROWS = {"assessments": MAX_ASSESSMENTS, "dose_changes": MAX_ASSESSMENTS, "labs": MAX_LABS}
DOSE = "methylprednisolone_mg_per_kg_day"
# Scalar number fields: form field -> (label, unit, case-file path).
SCALAR_NUMBERS = {
    "age_years": ("Age", "years", "patient.age_years"),
    "weight_kg": ("Weight", "kg", "patient.weight_kg"),
    "hemoglobin_value": ("Hemoglobin", None, "patient.hemoglobin"),
    "mp_dose": ("Methylprednisolone", "mg/kg/day", f"steroids.{DOSE}"),
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
    "steroid_start": "Steroid start date", "case_code": "Case code",
    "grade_override": "Grade for the risk model", "rule_set": "Rule set",
    "steroid_intolerant": "Steroid intolerant",
}
_ROW_PATH = re.compile(r"^(assessments|steroids\.dose_changes|labs)\[(\d+)\](?:\.(.*))?$")
_TABLE_OF_PATH = {"assessments": "assessments", "steroids.dose_changes": "dose_changes",
                  "labs": "labs"}
_OUT_OF_RANGE = re.compile(r"^(\S+) is out of range ([\[(])([^,]+), ([^\]]+)\]$")
_PATH_WORDS = (
    (re.compile(r"steroids\.dose_changes\[(\d+)\]"), "dose change {}"),
    (re.compile(r"assessments\[(\d+)\]"), "assessment {}"),
    (re.compile(r"labs\[(\d+)\]"), "lab entry {}"),
)


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
    return None if len(form[table]) >= MAX_ROWS[table] else _append_row(form, table)


def _append_row(form: dict[str, Any], table: str) -> dict[str, Any]:
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


# ---------------------------------------------------------------- form -> case


@dataclass
class Reading:
    """What the form means: the case dict, the problems to show beside each field (by slot:
    a scalar form field, ``"<table>:<row id>"`` or ``"general"``) and what is still missing."""

    case: dict[str, Any]
    problems: dict[str, list[str]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)  # case-file paths of unreadable text

    def add(self, slot: str, message: str) -> None:
        """Record one problem beside ``slot``."""
        self.problems.setdefault(slot, []).append(message)

    @property
    def ok(self) -> bool:
        """True when the case can be assessed."""
        return not self.problems and not self.missing


def read_form(form: dict[str, Any]) -> Reading:
    """The case dict for a form and everything that stops it from being assessed.

    Typed text that cannot be read is reported beside its field (and left out of the case);
    ``parse_case`` then checks ranges and cross-field rules, and its problems are reworded and
    placed beside their field. A required value left blank is listed in ``missing``, not shown
    as an error: messages appear only for what was typed.
    """
    reading = Reading({})
    reading.case = _case_dict(form, reading)
    try:
        parse_case(reading.case)
    except InputError as exc:
        for problem in exc.problems:
            _place(form, reading, problem)
    if not form.get("assessments"):
        reading.missing.append("the baseline assessment (dated the steroid start date, day 0)")
    return reading


def _case_dict(form: dict[str, Any], reading: Reading) -> dict[str, Any]:
    def number(key: str) -> Any:
        label, unit, path = SCALAR_NUMBERS[key]
        unit = unit or form.get("hemoglobin_unit", "g/L")
        return _read_number(reading, (key, path), form.get(key), label, unit,
                            _limit_key(path, unit))

    patient: dict[str, Any] = {"age_years": number("age_years"), "weight_kg": number("weight_kg")}
    hemoglobin = number("hemoglobin_value")
    if hemoglobin is not None:
        patient["hemoglobin"] = {"value": hemoglobin, "unit": form.get("hemoglobin_unit", "g/L")}
    start = _read_date(reading, ("steroid_start", "steroids.start_date"),
                       form.get("steroid_start"), "Steroid start date")
    steroids: dict[str, Any] = {
        "start_date": _iso(start),
        DOSE: number("mp_dose"),
        "intolerant": bool(form.get("steroid_intolerant")),
    }
    changes = [
        _dose_change(row, reading, start, f"steroids.dose_changes[{i}]")
        for i, row in enumerate(form.get("dose_changes") or [])
    ]
    if changes:
        steroids["dose_changes"] = changes
    unit = form.get("bilirubin_unit", "mg/dL")
    override = form.get("grade_override", "none")
    case: dict[str, Any] = {
        "format": FORMAT,
        "patient": patient,
        "steroids": steroids,
        "assessments": [
            _assessment(row, reading, start, unit, f"assessments[{i}]")
            for i, row in enumerate(form.get("assessments") or [])
        ],
        "grade_override": None if override in (None, "none") else override,
        "rule_set": form.get("rule_set", "study"),
    }
    code = str(form.get("case_code") or "").strip()
    if code:
        case["case_code"] = code
    labs = [_lab(row, reading, start, f"labs[{i}]") for i, row in enumerate(form.get("labs") or [])]
    if labs:
        case["labs"] = labs
    return case


def _limit_key(path: str, unit: str) -> str:
    """The LIMITS key of a case-file field: its last path part, with the unit for quantities."""
    name = path.split(".")[-1]
    return f"{name}_{unit}" if name in ("hemoglobin", "bilirubin", "creatinine") else name


# Lab ranges (srgvhd.clinical.labs): LIMITS-style key -> (low, high, low inclusive).
LAB_LIMITS = {
    "ldh_u_l": (*LDH_U_L, False),
    **{f"creatinine_{unit}": (*limits, False) for unit, limits in CREATININE_LIMITS.items()},
    "platelets_10e9_l": (*PLATELETS_10E9_L, False),
    "map_probability": (*MAP_PROBABILITY, True),
}


def _allowed(limit_key: str, unit: str) -> str:
    if limit_key in LAB_LIMITS:
        low, high, inclusive = LAB_LIMITS[limit_key]
        return range_words(low, high, unit_words(unit), low_inclusive=inclusive)
    if limit_key not in LIMITS:
        return ""
    low, high = LIMITS[limit_key]
    return range_words(low, high, unit_words(unit))


def unit_words(unit: str) -> str:
    """A unit as written on the page (µmol/L, not umol/L)."""
    return UNIT_WORDS.get(unit, unit)


def _read_number(
    reading: Reading, where: tuple[str, str], text: Any, label: str, unit: str, limit_key: str
) -> Any:
    """``where``: (slot, case-file path) of the field."""
    try:
        name = f"{label} ({unit_words(unit)})" if unit else label
        return parse_number(text, name, _allowed(limit_key, unit))
    except FieldError as exc:
        reading.add(where[0], str(exc))
        reading.unreadable.add(where[1])
        return None


def _read_date(reading: Reading, where: tuple[str, str], text: Any, label: str,
               start: date | None = None) -> date | None:
    try:
        return parse_date(text, label, start)
    except FieldError as exc:
        reading.add(where[0], str(exc))
        reading.unreadable.add(where[1])
        return None


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _dose_change(
    row: dict[str, Any], reading: Reading, start: date | None, path: str
) -> dict[str, Any]:
    slot = f"dose_changes:{row['id']}"
    when = _read_date(reading, (slot, f"{path}.date"), row.get("date"), "Date", start)
    dose = _read_number(reading, (slot, f"{path}.{DOSE}"), row.get("dose"), "Methylprednisolone",
                        "mg/kg/day", DOSE)
    return {"date": _iso(when), DOSE: dose}


def _assessment(
    row: dict[str, Any], reading: Reading, start: date | None, bilirubin_unit: str, path: str
) -> dict[str, Any]:
    slot = f"assessments:{row['id']}"
    when = _read_date(reading, (slot, f"{path}.date"), row.get("date"), "Date", start)
    out: dict[str, Any] = {"date": _iso(when)}
    if row.get("mode") == "stages":
        out["stages"] = {
            organ: _stage(row.get(column)) for column, organ in STAGE_FIELDS.items()
        }
        return out
    measurements: dict[str, Any] = {}
    for column, (label, unit, name, limit_key) in NUMBER_FINDINGS.items():
        unit = unit or bilirubin_unit
        value = _read_number(reading, (slot, f"{path}.measurements.{name}"), row.get(column),
                             label, unit, limit_key or f"bilirubin_{unit}")
        measurements[name] = (
            {"value": value, "unit": unit} if name == "bilirubin" and value is not None else value
        )
    for column, (_, name) in CHOICE_FINDINGS.items():
        measurements[name] = _yes_no(row.get(column))
    out["measurements"] = measurements
    return out


def _lab(row: dict[str, Any], reading: Reading, start: date | None, path: str) -> dict[str, Any]:
    slot = f"labs:{row['id']}"
    when = _read_date(reading, (slot, f"{path}.date"), row.get("date"), "Date", start)
    out: dict[str, Any] = {"date": _iso(when)}
    for column, (label, unit, name) in LAB_NUMBERS.items():
        unit = row.get("creatinine_unit", "mg/dL") if unit is None else unit
        value = _read_number(reading, (slot, f"{path}.{name}"), row.get(column), label, unit,
                             _limit_key(name, unit))
        out[name] = (
            {"value": value, "unit": unit} if name == "creatinine" and value is not None else value
        )
    return out


def _yes_no(choice: Any) -> bool | None:
    return {"yes": True, "no": False}.get(choice)


def _stage(choice: Any) -> int | None:
    return None if choice in (None, "", NOT_MEASURED) else int(choice)


def read_as(form: dict[str, Any], reading: Reading) -> dict[str, str]:
    """By assessment slot, the values as they were read ("Read as: Rash 30 % BSA, Total bilirubin
    1.5 mg/dL; not measured: …"), so a clinician sees that "1,5" was taken as 1.5."""
    out: dict[str, str] = {}
    unit = form.get("bilirubin_unit", "mg/dL")
    for row, a in zip(form.get("assessments") or [], reading.case.get("assessments") or [],
                      strict=True):
        shown, blank = [], []
        if "stages" in a:
            for organ, stage in a["stages"].items():
                (blank if stage is None else shown).append(
                    STAGE_LABELS[organ] if stage is None else f"{STAGE_LABELS[organ]} {stage}")
        else:
            m = a["measurements"]
            for label, field_unit, name, _ in NUMBER_FINDINGS.values():
                value = m[name]["value"] if name == "bilirubin" and m[name] else m[name]
                words = f"{label} {number_text(value)} {unit_words(field_unit or unit)}"
                (blank if value is None else shown).append(label if value is None else words)
            for label, name in CHOICE_FINDINGS.values():
                value = m[name]
                (blank if value is None else shown).append(
                    label if value is None else f"{label}: {'yes' if value else 'no'}")
        words = "Read as: " + (" · ".join(shown) if shown else "nothing measured") + "."
        if blank:
            words += " Not measured: " + " · ".join(blank) + "."
        out[f"assessments:{row['id']}"] = words
    return out


def slot_words(form: dict[str, Any], slot: str) -> str:
    """Where a problem slot is on the page, in words: "Age", "Assessment 2", "Dose change 1"."""
    table, _, row_id = slot.partition(":")
    if row_id:
        ids = [row["id"] for row in form.get(table) or []]
        number = ids.index(int(row_id)) + 1 if int(row_id) in ids else "?"
        return f"{ROW_WORDS[table]} {number}"
    if slot in SCALAR_NUMBERS:
        return SCALAR_NUMBERS[slot][0]
    return SCALAR_LABELS.get(slot) or {"assessments": "Assessments", "dose_changes": "Dose changes",
                                       "labs": "Labs"}.get(slot, "Other")


# ---------------------------------------------------------------- problems -> fields


def _place(form: dict[str, Any], reading: Reading, problem: Problem) -> None:
    """Put one ``parse_case`` problem beside its field, in words; "is required" goes to missing.

    A field whose typed text could not be read is left out of the case, so its "is required"
    is not repeated.
    """
    slot, label, unit, row = _where(form, problem.where)
    what = problem.what
    if problem.where == "assessments" and (
        not form.get("assessments") or any(a["date"] is None for a in reading.case["assessments"])
    ):
        return  # listed in missing: the baseline assessment, or an assessment's date
    if what.startswith("is required"):
        if problem.where not in reading.unreadable:
            rest = re.sub(r"^\(YYYY-MM-DD\)$", "", what.removeprefix("is required").strip())
            name = ", ".join(part for part in (row, label) if part)
            reading.missing.append(_path_words(f"{name} {rest}".strip()))
        return
    name = label or row
    reading.add(slot, f"{name}: {_words(what, unit)}" if name else _words(what, unit))


def _where(form: dict[str, Any], path: str) -> tuple[str, str, str, str]:
    """(slot, field label in words, unit, row in words or "") of a case-file path."""
    row = _ROW_PATH.match(path)
    if row:
        table = _TABLE_OF_PATH[row.group(1)]
        index, sub = int(row.group(2)), row.group(3) or ""
        rows = form.get(table) or []
        slot = f"{table}:{rows[index]['id']}" if index < len(rows) else table
        label, unit = _row_field_words(form, table, index, sub)
        return slot, label, unit, f"{ROW_WORDS[table]} {index + 1}"
    for prefix, key in SCALAR_PATHS.items():
        if path == prefix or path.startswith(prefix + "."):
            if key in SCALAR_NUMBERS:
                label, unit, _ = SCALAR_NUMBERS[key]
                unit = unit or form.get("hemoglobin_unit", "g/L")
                return key, label, unit_words(unit), ""
            return key, SCALAR_LABELS[key], "", ""
    if path in _TABLE_OF_PATH:
        return _TABLE_OF_PATH[path], "", "", ""
    return "general", path, "", ""


def _row_field_words(
    form: dict[str, Any], table: str, index: int, sub: str
) -> tuple[str, str]:
    parts = [p for p in sub.split(".") if p not in ("measurements", "stages", "value")]
    name = parts[0] if parts else ""
    if name == "date":
        return "Date", ""
    if name in ORGANS:
        return STAGE_LABELS[name], ""
    if name == DOSE:
        return "methylprednisolone", "mg/kg/day"
    for label, unit, field_name, *_ in (*NUMBER_FINDINGS.values(), *LAB_NUMBERS.values()):
        if field_name == name:
            if unit is None and name == "bilirubin":
                unit = form.get("bilirubin_unit", "mg/dL")
            elif unit is None:
                rows = form.get(table) or []
                unit = rows[index].get("creatinine_unit", "mg/dL") if index < len(rows) else ""
            return label, unit_words(unit)
    for label, field_name in CHOICE_FINDINGS.values():
        if field_name == name:
            return label, ""
    return " ".join(parts), ""


def _words(what: str, unit: str) -> str:
    """A ``parse_case`` message in the clinician's words (ranges with units, no field paths)."""
    out_of_range = _OUT_OF_RANGE.match(what)
    if out_of_range:
        value, bracket, low, high = out_of_range.groups()
        allowed = range_words(float(low), float(high), unit, low_inclusive=bracket == "[")
        shown = f"{value} {unit}".strip()
        return f"{shown} is outside the allowed range ({allowed})."
    return _path_words(what)


def _path_words(text: str) -> str:
    text = text.replace("steroids.start_date", "the steroid start date")
    for pattern, words in _PATH_WORDS:
        text = pattern.sub(lambda m, w=words: w.format(int(m.group(1)) + 1), text)
    return text


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
    form["age_years"] = number_text(patient.get("age_years"))
    form["weight_kg"] = number_text(patient.get("weight_kg"))
    if patient.get("hemoglobin"):
        form["hemoglobin_value"] = number_text(patient["hemoglobin"]["value"])
        form["hemoglobin_unit"] = canonical_hemoglobin_unit(patient["hemoglobin"]["unit"])
    form["steroid_start"] = steroids["start_date"]
    form["mp_dose"] = number_text(steroids[DOSE])
    form["steroid_intolerant"] = bool(steroids.get("intolerant"))
    for change in steroids.get("dose_changes") or []:
        _append_row(form, "dose_changes").update(date=change["date"],
                                                 dose=number_text(change[DOSE]))
    form["bilirubin_unit"] = _table_bilirubin_unit(d["assessments"])
    for assessment in d["assessments"]:
        _fill_assessment(_append_row(form, "assessments"), assessment, form["bilirubin_unit"])
    for lab in d.get("labs") or []:
        _fill_lab(_append_row(form, "labs"), lab)
    form["grade_override"] = d.get("grade_override") or "none"
    form["rule_set"] = d.get("rule_set") or "study"
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
        shown = value if same else mg_dl_to_bilirubin_unit(
            bilirubin_to_mg_dl(value, unit), bilirubin_unit)
        row["bilirubin"] = number_text(shown)


def _fill_lab(row: dict[str, Any], lab: dict[str, Any]) -> None:
    row["date"] = lab["date"]
    for column, (_, _, name) in LAB_NUMBERS.items():
        value = lab.get(name)
        if name == "creatinine" and value is not None:
            row["creatinine_unit"] = value["unit"]
            value = value["value"]
        row[column] = number_text(value)
