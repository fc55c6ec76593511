"""The Assess page's form state and its translation to and from a case file (interfaces.md §1).

Pure functions, testable without Streamlit. The form (layout: ``srgvhd.app.form_layout``) keeps
exactly what the clinician typed; ``read_form`` turns it into a case dict (``srgvhd-case/2``: a
blank is ``null`` = not measured, clinical-rules.md §7), checks it with
``srgvhd.clinical.case.parse_case`` and says, in the clinician's words
(``srgvhd.app.form_words``), what is wrong beside the field it belongs to and what is still
missing. ``case_dict_to_form`` (``srgvhd.app.form_open``) goes the other way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from srgvhd.app import second_line_form
from srgvhd.app.fields import FieldError, number_text, parse_date, parse_number, range_words
from srgvhd.app.form_layout import (
    CHOICE_FINDINGS,
    DOSE,
    GRADE_OVERRIDES,
    LAB_NUMBERS,
    MAX_ROWS,
    MODES,
    NOT_MEASURED,
    NUMBER_FINDINGS,
    ROW_FIELDS,
    SCALAR_NUMBERS,
    STAGE_CHOICES,
    STAGE_FIELDS,
    STAGE_LABELS,
    YES_NO,
    add_row,
    delete_row,
    empty_form,
    is_blank,
    unit_words,
)
from srgvhd.app.form_open import case_dict_to_form, legacy_blanks_as_not_involved
from srgvhd.app.form_words import MISSING, place, slot_words
from srgvhd.clinical.case import FORMAT, LIMITS, parse_case
from srgvhd.clinical.labs import CREATININE_LIMITS, LDH_U_L, MAP_PROBABILITY, PLATELETS_10E9_L
from srgvhd.errors import InputError
from srgvhd.i18n import N_, _, current

__all__ = [  # the form's API in one place (pages, entry widgets and tests use it as ``F``)
    "CHOICE_FINDINGS",
    "GRADE_OVERRIDES",
    "MAX_ROWS",
    "MODES",
    "NOT_MEASURED",
    "NUMBER_FINDINGS",
    "ROW_FIELDS",
    "STAGE_CHOICES",
    "STAGE_FIELDS",
    "STAGE_LABELS",
    "YES_NO",
    "Reading",
    "add_row",
    "case_dict_to_form",
    "delete_row",
    "empty_form",
    "is_blank",
    "legacy_blanks_as_not_involved",
    "read_as",
    "read_form",
    "slot_words",
    "unit_words",
]


@dataclass
class Reading:
    """What the form means: the case dict, the problems to show beside each field (by slot:
    a scalar form field, ``"<table>:<row id>"`` or ``"general"``) and what is still missing."""

    case: dict[str, Any]
    problems: dict[str, list[str]] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)  # case-file paths of unreadable text
    # Problems of the optional labs when the rest is complete: shown beside the labs, the case
    # is assessed without them (labs feed only the bedside scores, never the verdict).
    labs_problems: dict[str, list[str]] = field(default_factory=dict)
    labs_missing: list[str] = field(default_factory=list)

    def add(self, slot: str, message: str) -> None:
        """Record one problem beside ``slot``."""
        self.problems.setdefault(slot, []).append(message)

    @property
    def ok(self) -> bool:
        """True when the case can be assessed."""
        return not self.problems and not self.missing

    @property
    def savable(self) -> bool:
        """True when the case can be saved: assessable, and no lab row left out of it."""
        return self.ok and not self.labs_problems and not self.labs_missing


def read_form(form: dict[str, Any]) -> Reading:
    """The case dict for a form and everything that stops it from being assessed.

    Typed text that cannot be read is reported beside its field (and left out of the case);
    ``parse_case`` then checks ranges and cross-field rules, and its problems are reworded and
    placed beside their field. A required value left blank is listed in ``missing``, not shown
    as an error: messages appear only for what was typed. When only the optional labs stand in
    the way, the case is read without them and their problems go to ``labs_problems`` /
    ``labs_missing``: an unfinished lab row must not hide the verdict.
    """
    reading = _read(form)
    if reading.ok or not form.get("labs"):
        return reading
    core = _read({**form, "labs": []})
    if not core.ok:
        return reading
    core.labs_problems = reading.problems
    core.labs_missing = [m for m in reading.missing if m not in core.missing]
    return core


def _read(form: dict[str, Any]) -> Reading:
    reading = Reading({})
    reading.case = _case_dict(form, reading)
    try:
        parse_case(reading.case)
    except InputError as exc:
        for problem in exc.problems:
            placed = place(form, reading.case, reading.unreadable, problem)
            if placed is None:
                continue
            slot, message = placed
            if slot == MISSING:
                reading.missing.append(message)
            else:
                reading.add(slot, message)
    if not form.get("assessments"):
        reading.missing.append(_("the baseline assessment (dated the steroid start date, day 0)"))
    return reading


def _case_dict(form: dict[str, Any], reading: Reading) -> dict[str, Any]:
    def number(key: str) -> Any:
        label, unit, path = SCALAR_NUMBERS[key]
        unit = unit or form.get("hemoglobin_unit", "g/L")
        return _read_number(
            reading, (key, path), form.get(key), label, unit, _limit_key(path, unit)
        )

    patient: dict[str, Any] = {"age_years": number("age_years"), "weight_kg": number("weight_kg")}
    hemoglobin = number("hemoglobin_value")
    if hemoglobin is not None:
        patient["hemoglobin"] = {"value": hemoglobin, "unit": form.get("hemoglobin_unit", "g/L")}
    if form.get("patient_ehr"):  # the EHR reference of an opened case, never typed
        patient["ehr"] = dict(form["patient_ehr"])
    start = _read_date(
        reading,
        ("steroid_start", "steroids.start_date"),
        form.get("steroid_start"),
        N_("Steroid start date"),
    )
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
    second_line_form.case_entry(form, case, reading)
    return case


def _limit_key(path: str, unit: str) -> str:
    """The LIMITS key of a case-file field: its last path part, with the unit for quantities."""
    name = path.split(".")[-1]
    return f"{name}_{unit}" if name in ("hemoglobin", "bilirubin", "creatinine") else name


# Lab ranges (srgvhd.clinical.labs): LIMITS-style key -> (low, high, low inclusive).
LAB_LIMITS = {
    "ldh_u_l": (*LDH_U_L, True),
    **{f"creatinine_{unit}": (*limits, True) for unit, limits in CREATININE_LIMITS.items()},
    "platelets_10e9_l": (*PLATELETS_10E9_L, True),
    "map_probability": (*MAP_PROBABILITY, True),
}


def _limits(limit_key: str) -> tuple[float, float, bool] | None:
    """(low, high, low inclusive) of a field's allowed range, or None when it has none."""
    if limit_key in LAB_LIMITS:
        return LAB_LIMITS[limit_key]
    return (*LIMITS[limit_key], True) if limit_key in LIMITS else None


def _allowed(limit_key: str, unit: str) -> str:
    limits = _limits(limit_key)
    if limits is None:
        return ""
    low, high, inclusive = limits
    return range_words(low, high, unit_words(unit), low_inclusive=inclusive)


def _read_number(
    reading: Reading, where: tuple[str, str], text: Any, label: str, unit: str, limit_key: str
) -> Any:
    """``where``: (slot, case-file path) of the field."""
    try:
        name = _("{label} ({unit})", label=_(label), unit=unit_words(unit)) if unit else _(label)
        limits = _limits(limit_key)
        high = None if limits is None else limits[1]
        # the language's own grouped numbers too, read strictly (srgvhd.app.fields)
        return parse_number(text, name, _allowed(limit_key, unit), high, lang=current().lang)
    except FieldError as exc:
        reading.add(where[0], str(exc))
        reading.unreadable.add(where[1])
        return None


def _read_date(
    reading: Reading, where: tuple[str, str], text: Any, label: str, start: date | None = None
) -> date | None:
    try:
        return parse_date(text, _(label), start, is_start=where[0] == "steroid_start")
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
    when = _read_date(reading, (slot, f"{path}.date"), row.get("date"), N_("Date"), start)
    dose = _read_number(
        reading, (slot, f"{path}.{DOSE}"), row.get("dose"), "Methylprednisolone", "mg/kg/day", DOSE
    )
    return {"date": _iso(when), DOSE: dose}


def _assessment(
    row: dict[str, Any], reading: Reading, start: date | None, bilirubin_unit: str, path: str
) -> dict[str, Any]:
    slot = f"assessments:{row['id']}"
    when = _read_date(reading, (slot, f"{path}.date"), row.get("date"), N_("Date"), start)
    out: dict[str, Any] = {"date": _iso(when)}
    if row.get("mode") == "stages":
        out["stages"] = {organ: _stage(row.get(column)) for column, organ in STAGE_FIELDS.items()}
        return out
    measurements: dict[str, Any] = {}
    for column, (label, unit, name, limit_key) in NUMBER_FINDINGS.items():
        unit = unit or bilirubin_unit
        value = _read_number(
            reading,
            (slot, f"{path}.measurements.{name}"),
            row.get(column),
            label,
            unit,
            limit_key or f"bilirubin_{unit}",
        )
        measurements[name] = (
            {"value": value, "unit": unit} if name == "bilirubin" and value is not None else value
        )
    for column, (_label, name) in CHOICE_FINDINGS.items():
        measurements[name] = _yes_no(row.get(column))
    out["measurements"] = measurements
    return out


def _lab(row: dict[str, Any], reading: Reading, start: date | None, path: str) -> dict[str, Any]:
    slot = f"labs:{row['id']}"
    when = _read_date(reading, (slot, f"{path}.date"), row.get("date"), N_("Date"), start)
    out: dict[str, Any] = {"date": _iso(when)}
    for column, (label, unit, name) in LAB_NUMBERS.items():
        unit = row.get("creatinine_unit", "mg/dL") if unit is None else unit
        value = _read_number(
            reading, (slot, f"{path}.{name}"), row.get(column), label, unit, _limit_key(name, unit)
        )
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
    for row, a in zip(
        form.get("assessments") or [], reading.case.get("assessments") or [], strict=True
    ):
        shown, blank = [], []
        if "stages" in a:
            for organ, stage in a["stages"].items():
                label = _(STAGE_LABELS[organ])
                (blank if stage is None else shown).append(
                    label if stage is None else _("{label} {stage}", label=label, stage=stage)
                )
        else:
            m = a["measurements"]
            for english, field_unit, name, _limit in NUMBER_FINDINGS.values():
                value = m[name]["value"] if name == "bilirubin" and m[name] else m[name]
                label = _(english)
                words = _(
                    "{label} {value} {unit}",
                    label=label,
                    value=number_text(value),
                    unit=unit_words(field_unit or unit),
                )
                (blank if value is None else shown).append(label if value is None else words)
            for english, name in CHOICE_FINDINGS.values():
                value = m[name]
                label = _(english)
                (blank if value is None else shown).append(
                    label
                    if value is None
                    else _("{label}: {answer}", label=label, answer=_("yes") if value else _("no"))
                )
        read = " · ".join(shown) if shown else _("nothing measured")
        words = (
            _("Read as: {read}. Not measured: {blank}.", read=read, blank=" · ".join(blank))
            if blank
            else _("Read as: {read}.", read=read)
        )
        out[f"assessments:{row['id']}"] = words
    return out
