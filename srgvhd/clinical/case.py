"""The case file: one patient's steroid course (``srgvhd-case/2``, docs/interfaces.md §1).

``parse_case`` reads the JSON document into frozen dataclasses and refuses bad input with an
``InputError`` listing every problem by field path. ``case_to_dict`` writes it back; the file
keeps values in the units the clinician entered (conversions live in ``srgvhd.clinical.units``).

In ``srgvhd-case/2`` a finding or stage that is null or absent is *not measured*; 0 / false is
measured, not involved (docs/clinical-rules.md §7). ``srgvhd-case/1`` files are still read with
their old meaning (a blank is not involved): the ``Case`` remembers it (``legacy``), the engine
warns, and ``case_to_dict`` writes such a case back as ``/1`` so its meaning never changes
silently; cases built by the app are ``/2``. The case also keeps its ``rule_set``, an optional
pseudonymous ``case_code``, the clinician's ``grade_override`` and optional ``labs``
(``srgvhd.clinical.labs``).
Optional additions to the format (allowed by interfaces.md): ``steroids.dose_changes`` (dated
methylprednisolone doses, for the EBMT 2018 steroid-dependence rules),
``steroids.intolerant`` (the clinician's flag), ``patient.ehr`` (the EHR's own reference to the
patient, interfaces.md §8: a FHIR server and the patient's id there, never a name) and
``second_line`` (the therapy after the steroid course, its start date and, for MSC, the infusion
log; docs/interfaces.md §7, docs/clinical-rules.md §8).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from srgvhd.clinical.labs import Lab, parse_labs
from srgvhd.clinical.limits import LIMITS
from srgvhd.clinical.policy import (
    CHILD_MAX_AGE_YEARS_EXCLUSIVE,
    MSC_DOSE_LIMITS,
    RISK_MODEL_GRADES,
)
from srgvhd.clinical.refractory import RULE_SETS
from srgvhd.clinical.staging import MAX_STAGE, ORGANS, OrganStages, is_child
from srgvhd.clinical.units import (
    BILIRUBIN_UNITS,
    HEMOGLOBIN_UNITS,
    Quantity,
    bilirubin_to_mg_dl,
    canonical_bilirubin_unit,
    canonical_hemoglobin_unit,
    hemoglobin_to_g_l,
)
from srgvhd.clinical.validate import (
    MISSING,
    REQUIRED,
    SECOND_LINE_START,
    STEROID_START,
    Collector,
    row_path,
)
from srgvhd.errors import InputError, Problem
from srgvhd.files import atomic_write
from srgvhd.i18n.message import N_, Msg
from srgvhd.jsontext import read_json

FORMAT = "srgvhd-case/2"
LEGACY_FORMAT = "srgvhd-case/1"
DEFAULT_RULE_SET = "study"
# Pseudonymous case code (docs/interfaces.md §5): letters, digits, "-", "_", 1–32 characters.
CASE_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")
MAX_CASE_BYTES = 1_000_000
# Most rows a case may hold (docs/interfaces.md §1 "Limits"). The steroid course is judged within
# its first weeks (the EBMT rule's last step is an assessment after day 28, clinical-rules.md
# §5b); 100 assessments are a daily one for more than three months, 100 dose changes a change
# every day as long. The bound keeps each page rerun and each parse of a stored case small.
MAX_ASSESSMENTS = 100
MAX_DOSE_CHANGES = 100
# Plausible steroid start dates; also keeps every decision date (start + 29 days) representable.
START_DATE_RANGE = (date(1900, 1, 1), date(2199, 12, 31))
# "is required" with a reason: the app lists the field among what is still to be entered, with
# the reason after it (srgvhd.app.form_words).
ASSESSMENTS_REQUIRED = N_("is required (a list with the baseline assessment on day 0)")
UC_MSC_INFUSIONS_REQUIRED = N_(
    "is required for uc-msc (the second-line start is the first UC-MSC infusion)"
)
CHILD_WEIGHT_REQUIRED = N_(
    "is required for a patient under 18 with stool findings entered "
    "(child thresholds apply at ≤ 50 kg and are in mL/kg/day)"
)

MEASUREMENT_FIELDS = (
    "skin_rash_bsa_percent",
    "skin_bullae_desquamation_bsa_percent",
    "bilirubin",
    "upper_gi_persistent_symptoms",
    "stool_ml_per_day",
    "stool_episodes_per_day",
    "severe_abdominal_pain_or_ileus",
    "grossly_bloody_stool",
)


@dataclass(frozen=True)
class EhrRef:
    """The EHR's reference to the patient (``patient.ehr``): its FHIR base URL and the
    Patient resource id there (FHIR R4 id syntax), never a name."""

    fhir_server: str
    patient_id: str

    def to_json(self) -> dict[str, str]:
        """The case file's ``patient.ehr`` object."""
        return {"fhir_server": self.fhir_server, "patient_id": self.patient_id}


@dataclass(frozen=True)
class Patient:
    """Age, weight and hemoglobin as entered; the EHR reference when the case has one."""

    age_years: float
    weight_kg: float | None = None
    hemoglobin: Quantity | None = None
    ehr: EhrRef | None = None

    @property
    def hemoglobin_g_l(self) -> float | None:
        """Hemoglobin in g/L, or None when not entered."""
        return (
            None
            if self.hemoglobin is None
            else hemoglobin_to_g_l(self.hemoglobin.value, self.hemoglobin.unit)
        )

    @property
    def child(self) -> bool:
        """Whether child stool thresholds apply (srgvhd.clinical.staging.is_child)."""
        return is_child(self.age_years, self.weight_kg)


@dataclass(frozen=True)
class DoseChange:
    """A new methylprednisolone dose from ``date`` on (mg/kg/day; 0 = stopped)."""

    date: date
    mg_per_kg_day: float


@dataclass(frozen=True)
class Steroids:
    """The steroid course: start (day 0), starting dose, later dose changes, intolerance flag."""

    start_date: date
    mg_per_kg_day: float
    dose_changes: tuple[DoseChange, ...] = ()
    intolerant: bool = False


@dataclass(frozen=True)
class Measurements:
    """Raw findings of one assessment; None is not measured (``srgvhd-case/1``: not involved)."""

    skin_rash_bsa_percent: float | None = None
    skin_bullae_desquamation_bsa_percent: float | None = None
    bilirubin: Quantity | None = None
    upper_gi_persistent_symptoms: bool | None = None
    stool_ml_per_day: float | None = None
    stool_episodes_per_day: float | None = None
    severe_abdominal_pain_or_ileus: bool | None = None
    grossly_bloody_stool: bool | None = None

    @property
    def bilirubin_mg_dl(self) -> float | None:
        """Total bilirubin in mg/dL, or None when not measured."""
        return (
            None
            if self.bilirubin is None
            else bilirubin_to_mg_dl(self.bilirubin.value, self.bilirubin.unit)
        )


@dataclass(frozen=True)
class Assessment:
    """One dated assessment: raw ``measurements`` or directly entered ``stages`` (not both)."""

    date: date
    measurements: Measurements | None = None
    stages: OrganStages | None = None


# Second-line therapies (docs/clinical-rules.md §8.1): "uc-msc" is the study's MSC arm (UC-MSC on
# top of standard second-line therapy), "standard" its other arm; "other" needs its name.
SECOND_LINE_THERAPIES = ("uc-msc", "standard", "ruxolitinib", "bm-msc", "other")
MSC_THERAPIES = ("uc-msc", "bm-msc")
MAX_INFUSIONS = 100
MAX_TEXT_CHARS = 200


@dataclass(frozen=True)
class Infusion:
    """One MSC infusion: its date and dose in 10^6 cells per kg, as entered."""

    date: date
    dose_10e6_cells_per_kg: float


@dataclass(frozen=True)
class SecondLine:
    """The second-line therapy: which, from when (day 0 of second line), and for MSC the
    infusions in the order entered (``first_infusion`` is the earliest)."""

    therapy: str
    start_date: date
    therapy_name: str | None = None
    infusions: tuple[Infusion, ...] = ()
    note: str | None = None

    @property
    def first_infusion(self) -> Infusion | None:
        """The earliest infusion, or None when none is recorded."""
        return min(self.infusions, key=lambda i: i.date, default=None)

    def day(self, when: date) -> int:
        """Day of second line (the start date = day 0; docs/clinical-rules.md §8.2)."""
        return (when - self.start_date).days


@dataclass(frozen=True)
class Case:
    """One patient's steroid course; assessments are kept in date order."""

    patient: Patient
    steroids: Steroids
    assessments: tuple[Assessment, ...]
    grade_override: str | None = None
    rule_set: str | None = None
    case_code: str | None = None
    legacy: bool = False
    labs: tuple[Lab, ...] = ()
    second_line: SecondLine | None = None

    @property
    def rules(self) -> str:
        """The rule set to judge the course by: the stored one, else the study definition."""
        return self.rule_set or DEFAULT_RULE_SET

    def day(self, when: date) -> int:
        """Day of the steroid course (start date = day 0)."""
        return (when - self.steroids.start_date).days


# ---------------------------------------------------------------- reading


def loads_case(text: str | bytes) -> Case:
    """Parse a case file's text. ``srgvhd.jsontext.read_json`` refuses files over 1 MB, non-JSON,
    deep nesting, a key given twice and lone surrogates; NaN and Infinity are refused at their
    field by ``parse_case``."""
    return parse_case(read_case_json(text))


def read_case_json(text: str | bytes) -> Any:
    """A case file's JSON document, read as every case-file reader must (``loads_case``, the
    app's Open case, ``srgvhd cases save``), not yet validated as a case."""
    return read_json(text, where="file", max_bytes=MAX_CASE_BYTES)


def load_case(path: str | os.PathLike) -> Case:
    """Read and parse a case file from disk."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_CASE_BYTES + 1)
    except OSError as exc:
        raise InputError(
            Problem(
                "file",
                Msg(
                    "cannot read {path}: {reason}",
                    path=repr(os.fspath(path)),
                    reason=str(exc.strerror),
                ),
            )
        ) from None
    return loads_case(raw)


def parse_case(data: Any) -> Case:
    """Validate a decoded ``srgvhd-case/2`` (or ``/1``) document and build a ``Case``.

    Every problem is reported with its field path. Clinical requirements checked here:
    a baseline assessment on the steroid start date (clinical-rules.md §5: without it the status
    is an error, not a guess), no assessment before the start date, one assessment per date.
    """
    c = Collector()
    root = c.obj(data, "case")
    if root is None:
        raise InputError(c.problems)
    fmt = root.get("format", MISSING)
    if fmt not in (FORMAT, LEGACY_FORMAT):
        c.add(
            "format",
            Msg(
                "expected {format} (or {legacy}), got {value}",
                format=repr(FORMAT),
                legacy=repr(LEGACY_FORMAT),
                value=_shown(fmt),
            ),
        )
    legacy = fmt == LEGACY_FORMAT
    patient = _patient(c, root.get("patient", MISSING))
    steroids = _steroids(c, root.get("steroids", MISSING))
    assessments = _assessments(c, root.get("assessments", MISSING), steroids, legacy)
    override = _optional_choice(c, root, "grade_override", RISK_MODEL_GRADES)
    rule_set = _optional_choice(c, root, "rule_set", RULE_SETS)
    code = root.get("case_code")
    if code is not None and not (isinstance(code, str) and CASE_CODE.fullmatch(code)):
        c.add("case_code", Msg("expected 1–32 letters, digits, '-' or '_' (a pseudonym, no names)"))
    labs = parse_labs(c, root.get("labs", MISSING))
    second_line = _second_line(c, root.get("second_line"), steroids)
    if patient is not None and assessments:
        _check_child_weight(c, patient, assessments)
    if c.problems:
        raise InputError(c.problems)
    assert patient is not None and steroids is not None
    return Case(
        patient,
        steroids,
        tuple(sorted(assessments, key=lambda a: a.date)),
        grade_override=override,
        rule_set=rule_set,
        case_code=code,
        legacy=legacy,
        labs=labs,
        second_line=second_line,
    )


def _shown(value: Any) -> str:
    return Msg("nothing") if value is MISSING else repr(value)[:40]


def _between_dates() -> Msg:
    low, high = START_DATE_RANGE
    return Msg("must be between {low} and {high}", low=low, high=high)


def _same_date(table: str, index: int) -> Msg:
    """A second row on the date of row ``index`` of ``table`` (a ``validate.ROW_WORDS`` key)."""
    return Msg("same date as {other}", other=row_path(table, index))


def _optional_choice(c: Collector, root: dict, key: str, options: tuple[str, ...]) -> str | None:
    value = root.get(key)
    return None if value is None else c.choice(value, key, options)


def _quantity(
    c: Collector, value: Any, where: str, canon: Any, units: tuple[str, ...], limit_key: str
) -> Quantity | None:
    limits = {unit: LIMITS[f"{limit_key}_{unit}"] for unit in units}
    found = c.quantity(value, where, canon, limits)
    return None if found is None else Quantity(*found)


def _patient(c: Collector, value: Any) -> Patient | None:
    obj = c.obj(value, "patient")
    if obj is None:
        return None
    n = len(c.problems)
    age_low, age_high = LIMITS["age_years"]
    age = c.number(
        obj.get("age_years", MISSING),
        "patient.age_years",
        low=age_low,
        high=age_high,
        required=True,
    )
    w_low, w_high = LIMITS["weight_kg"]
    weight = c.number(
        obj.get("weight_kg"), "patient.weight_kg", low=w_low, high=w_high, low_inclusive=False
    )
    hb = _quantity(
        c,
        obj.get("hemoglobin"),
        "patient.hemoglobin",
        canonical_hemoglobin_unit,
        HEMOGLOBIN_UNITS,
        "hemoglobin",
    )
    ehr = _ehr(c, obj.get("ehr"))
    if len(c.problems) > n or age is None:
        return None
    return Patient(age, weight, hb, ehr)


# FHIR R4 resource id syntax; the server is an http(s) base URL (interfaces.md §8).
FHIR_ID = re.compile(r"[A-Za-z0-9.-]{1,64}")
FHIR_SERVER = re.compile(r"https?://[^\s/?#]+[^\s?#]*")
FHIR_SERVER_MAX = 500


def _ehr(c: Collector, value: Any) -> EhrRef | None:
    """``patient.ehr`` (optional): ``{"fhir_server": "https://…/fhir", "patient_id": "123"}``."""
    obj = c.obj(value, "patient.ehr", required=False)
    if obj is None:
        return None
    server, pid = obj.get("fhir_server"), obj.get("patient_id")
    n = len(c.problems)
    if not (
        isinstance(server, str) and len(server) <= FHIR_SERVER_MAX and FHIR_SERVER.fullmatch(server)
    ):
        c.add("patient.ehr.fhir_server", Msg("expected the FHIR server's http(s) base URL"))
    if not (isinstance(pid, str) and FHIR_ID.fullmatch(pid)):
        c.add(
            "patient.ehr.patient_id",
            Msg("expected the EHR's patient id (1–64 letters, digits, '-' or '.')"),
        )
    return None if len(c.problems) > n else EhrRef(server, pid)


def _steroids(c: Collector, value: Any) -> Steroids | None:
    obj = c.obj(value, "steroids")
    if obj is None:
        return None
    n = len(c.problems)
    start = c.iso_date(obj.get("start_date", MISSING), "steroids.start_date")
    if start is not None and not START_DATE_RANGE[0] <= start <= START_DATE_RANGE[1]:
        c.add("steroids.start_date", _between_dates())
        start = None
    low, high = LIMITS["methylprednisolone_mg_per_kg_day"]
    dose = c.number(
        obj.get("methylprednisolone_mg_per_kg_day", MISSING),
        "steroids.methylprednisolone_mg_per_kg_day",
        low=low,
        high=high,
        low_inclusive=False,
        required=True,
    )
    intolerant = c.boolean(obj.get("intolerant"), "steroids.intolerant")
    changes = _dose_changes(c, obj.get("dose_changes"), start)
    if len(c.problems) > n or start is None or dose is None:
        return None
    return Steroids(start, dose, changes, bool(intolerant))


def _dose_changes(c: Collector, value: Any, start: date | None) -> tuple[DoseChange, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        c.add(
            "steroids.dose_changes",
            Msg("expected a list of {fields}", fields="{date, methylprednisolone_mg_per_kg_day}"),
        )
        return ()
    if len(value) > MAX_DOSE_CHANGES:
        c.add(
            "steroids.dose_changes", Msg("more than {count} dose changes", count=MAX_DOSE_CHANGES)
        )
        return ()
    low, high = LIMITS["methylprednisolone_mg_per_kg_day"]
    changes: list[DoseChange] = []
    seen: dict[date, int] = {}
    for i, item in enumerate(value):
        where = f"steroids.dose_changes[{i}]"
        obj = c.obj(item, where)
        if obj is None:
            continue
        when = c.iso_date(obj.get("date", MISSING), f"{where}.date")
        dose = c.number(
            obj.get("methylprednisolone_mg_per_kg_day", MISSING),
            f"{where}.methylprednisolone_mg_per_kg_day",
            low=low,
            high=high,
            required=True,
        )
        if when is None or dose is None:
            continue
        if start is not None and when <= start:
            c.add(f"{where}.date", Msg("must be after {field}", field=STEROID_START))
        elif when in seen:
            c.add(f"{where}.date", _same_date("steroids.dose_changes", seen[when]))
        else:
            seen[when] = i
            changes.append(DoseChange(when, dose))
    return tuple(sorted(changes, key=lambda d: d.date))


def _text(c: Collector, value: Any, where: str, *, required: bool) -> str | None:
    """A short one-line text (a therapy's name, a note), or None when absent."""
    if value is None or value is MISSING:
        if required:
            c.add(where, Msg(REQUIRED))
        return None
    if not isinstance(value, str) or not value.strip():
        c.add(where, Msg("expected a non-empty text"))
        return None
    if len(value) > MAX_TEXT_CHARS or not value.isprintable():
        c.add(where, Msg("expected one line of at most {count} characters", count=MAX_TEXT_CHARS))
        return None
    return value


def _second_line(c: Collector, value: Any, steroids: Steroids | None) -> SecondLine | None:
    """The optional ``second_line`` object (docs/interfaces.md §7, clinical-rules.md §8.1).

    The start must be after ``steroids.start_date``; ``other`` needs ``therapy_name``; infusions
    only for MSC therapies, each on or after the start, one per date, dose within 0.1–10 × 10^6
    cells/kg (the study's 1–3 is a warning, given by the engine); for ``uc-msc`` the start is the
    first infusion, so at least one infusion is needed and the earliest is on the start date.
    """
    obj = c.obj(value, "second_line", required=False)
    if obj is None:
        return None
    n = len(c.problems)
    c.known_keys(obj, "second_line", ("therapy", "therapy_name", "start_date", "infusions", "note"))
    therapy = c.choice(obj.get("therapy"), "second_line.therapy", SECOND_LINE_THERAPIES)
    name = _text(
        c, obj.get("therapy_name"), "second_line.therapy_name", required=therapy == "other"
    )
    note = _text(c, obj.get("note"), "second_line.note", required=False)
    start = c.iso_date(obj.get("start_date", MISSING), "second_line.start_date")
    if start is not None and steroids is not None and start <= steroids.start_date:
        c.add(
            "second_line.start_date",
            Msg("must be after {field} ({date})", field=STEROID_START, date=steroids.start_date),
        )
        start = None
    elif start is not None and not START_DATE_RANGE[0] <= start <= START_DATE_RANGE[1]:
        c.add("second_line.start_date", _between_dates())
        start = None
    infusions = _infusions(c, obj.get("infusions"), start, therapy)
    if therapy == "uc-msc" and start is not None and len(c.problems) == n:
        first = min((i.date for i in infusions), default=None)
        if first is None:
            c.add(
                "second_line.infusions",
                Msg(UC_MSC_INFUSIONS_REQUIRED),
            )
        elif first != start:
            c.add(
                "second_line.start_date",
                Msg("must equal the first UC-MSC infusion's date ({date}) for uc-msc", date=first),
            )
    if len(c.problems) > n or therapy is None or start is None:
        return None
    return SecondLine(therapy, start, name, infusions, note)


def _infusions(
    c: Collector, value: Any, start: date | None, therapy: str | None
) -> tuple[Infusion, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        c.add(
            "second_line.infusions",
            Msg("expected a list of {fields}", fields="{date, dose_10e6_cells_per_kg}"),
        )
        return ()
    if value and therapy is not None and therapy not in MSC_THERAPIES:
        c.add(
            "second_line.infusions",
            Msg(
                "infusions are recorded for MSC therapies only ({therapies}), not for {therapy}",
                therapies=", ".join(MSC_THERAPIES),
                therapy=therapy,
            ),
        )
        return ()
    if len(value) > MAX_INFUSIONS:
        c.add("second_line.infusions", Msg("more than {count} infusions", count=MAX_INFUSIONS))
        return ()
    low, high = MSC_DOSE_LIMITS
    found: list[Infusion] = []
    seen: dict[date, int] = {}
    for i, item in enumerate(value):
        where = f"second_line.infusions[{i}]"
        obj = c.obj(item, where)
        if obj is None:
            continue
        c.known_keys(obj, where, ("date", "dose_10e6_cells_per_kg"))
        when = c.iso_date(obj.get("date", MISSING), f"{where}.date")
        dose = c.number(
            obj.get("dose_10e6_cells_per_kg", MISSING),
            f"{where}.dose_10e6_cells_per_kg",
            low=low,
            high=high,
            required=True,
        )
        if when is None or dose is None:
            continue
        if start is not None and when < start:
            c.add(
                f"{where}.date", Msg("before {field} ({date})", field=SECOND_LINE_START, date=start)
            )
        elif when in seen:
            c.add(f"{where}.date", _same_date("second_line.infusions", seen[when]))
        else:
            seen[when] = i
            found.append(Infusion(when, dose))
    return tuple(found)


def _assessments(
    c: Collector, value: Any, steroids: Steroids | None, legacy: bool
) -> list[Assessment]:
    if value is MISSING or value is None:
        c.add("assessments", Msg(ASSESSMENTS_REQUIRED))
        return []
    if not isinstance(value, list) or not value:
        c.add("assessments", Msg("expected a non-empty list of assessments"))
        return []
    if len(value) > MAX_ASSESSMENTS:
        c.add("assessments", Msg("more than {count} assessments", count=MAX_ASSESSMENTS))
        return []
    result: list[Assessment] = []
    seen: dict[date, int] = {}
    for i, item in enumerate(value):
        when, assessment = _assessment(c, item, f"assessments[{i}]", legacy)
        if when is None:
            continue
        where = f"assessments[{i}].date"
        if steroids is not None and when < steroids.start_date:
            c.add(
                where, Msg("before {field} ({date})", field=STEROID_START, date=steroids.start_date)
            )
        elif when in seen:
            c.add(where, _same_date("assessments", seen[when]))
        else:
            seen[when] = i
            if assessment is not None:
                result.append(assessment)
    if steroids is not None and result and steroids.start_date not in seen:
        c.add(
            "assessments",
            Msg(
                "no baseline assessment on {field} ({date}, day 0); response and "
                "refractoriness are judged against it",
                field=STEROID_START,
                date=steroids.start_date,
            ),
        )
    return result


def _assessment(
    c: Collector, value: Any, where: str, legacy: bool
) -> tuple[date | None, Assessment | None]:
    """The assessment's date (when valid, even if its findings are not) and the assessment."""
    obj = c.obj(value, where)
    if obj is None:
        return None, None
    n = len(c.problems)
    when = c.iso_date(obj.get("date", MISSING), f"{where}.date")
    has_m, has_s = obj.get("measurements") is not None, obj.get("stages") is not None
    measurements = stages = None
    if has_m == has_s:
        c.add(where, Msg("needs either measurements or stages (exactly one of them)"))
    elif has_m:
        measurements = _measurements(c, obj["measurements"], f"{where}.measurements")
    else:
        stages = _stages(c, obj["stages"], f"{where}.stages", required=legacy)
    if len(c.problems) > n or when is None:
        return when, None
    return when, Assessment(when, measurements, stages)


def _measurements(c: Collector, value: Any, where: str) -> Measurements | None:
    obj = c.obj(value, where)
    if obj is None:
        return None
    c.known_keys(obj, where, MEASUREMENT_FIELDS)
    bsa = LIMITS["bsa_percent"]

    def num(key: str, limits: tuple[float, float]) -> float | None:
        return c.number(obj.get(key), f"{where}.{key}", low=limits[0], high=limits[1])

    return Measurements(
        skin_rash_bsa_percent=num("skin_rash_bsa_percent", bsa),
        skin_bullae_desquamation_bsa_percent=num("skin_bullae_desquamation_bsa_percent", bsa),
        bilirubin=_quantity(
            c,
            obj.get("bilirubin"),
            f"{where}.bilirubin",
            canonical_bilirubin_unit,
            BILIRUBIN_UNITS,
            "bilirubin",
        ),
        upper_gi_persistent_symptoms=c.boolean(
            obj.get("upper_gi_persistent_symptoms"), f"{where}.upper_gi_persistent_symptoms"
        ),
        stool_ml_per_day=num("stool_ml_per_day", LIMITS["stool_ml_per_day"]),
        stool_episodes_per_day=num("stool_episodes_per_day", LIMITS["stool_episodes_per_day"]),
        severe_abdominal_pain_or_ileus=c.boolean(
            obj.get("severe_abdominal_pain_or_ileus"), f"{where}.severe_abdominal_pain_or_ileus"
        ),
        grossly_bloody_stool=c.boolean(
            obj.get("grossly_bloody_stool"), f"{where}.grossly_bloody_stool"
        ),
    )


def _stages(c: Collector, value: Any, where: str, *, required: bool) -> OrganStages | None:
    """Directly entered stages; in ``/2`` an organ null or absent is not measured, in ``/1``
    every organ is required."""
    obj = c.obj(value, where)
    if obj is None:
        return None
    c.known_keys(obj, where, ORGANS)
    n = len(c.problems)
    values = {
        organ: c.number(
            obj.get(organ, MISSING),
            f"{where}.{organ}",
            low=0,
            high=MAX_STAGE[organ],
            required=required,
            integer=True,
        )
        for organ in ORGANS
    }
    if len(c.problems) > n:
        return None
    return OrganStages(**{k: None if v is None else int(v) for k, v in values.items()})


def _check_child_weight(c: Collector, patient: Patient, assessments: list[Assessment]) -> None:
    """Under 18, the weight decides between child and adult stool thresholds (and child
    volume is in mL/kg/day), so stool findings need it."""
    needs_weight = (
        patient.age_years < CHILD_MAX_AGE_YEARS_EXCLUSIVE
        and patient.weight_kg is None
        and any(
            a.measurements is not None
            and (
                a.measurements.stool_ml_per_day is not None
                or a.measurements.stool_episodes_per_day is not None
            )
            for a in assessments
        )
    )
    if needs_weight:
        c.add(
            "patient.weight_kg",
            Msg(CHILD_WEIGHT_REQUIRED),
        )


# ---------------------------------------------------------------- writing


def case_to_dict(case: Case) -> dict[str, Any]:
    """The case file document (values in the units they were entered in): ``srgvhd-case/2``,
    or ``/1`` for a case read from a ``/1`` file, so that its blanks keep their meaning."""
    patient: dict[str, Any] = {
        "age_years": case.patient.age_years,
        "weight_kg": case.patient.weight_kg,
    }
    if case.patient.hemoglobin is not None:
        patient["hemoglobin"] = _quantity_dict(case.patient.hemoglobin)
    if case.patient.ehr is not None:
        patient["ehr"] = case.patient.ehr.to_json()
    steroids: dict[str, Any] = {
        "start_date": case.steroids.start_date.isoformat(),
        "methylprednisolone_mg_per_kg_day": case.steroids.mg_per_kg_day,
    }
    if case.steroids.dose_changes:
        steroids["dose_changes"] = [
            {"date": d.date.isoformat(), "methylprednisolone_mg_per_kg_day": d.mg_per_kg_day}
            for d in case.steroids.dose_changes
        ]
    if case.steroids.intolerant:
        steroids["intolerant"] = True
    out: dict[str, Any] = {"format": LEGACY_FORMAT if case.legacy else FORMAT}
    if case.case_code is not None:
        out["case_code"] = case.case_code
    out |= {
        "patient": patient,
        "steroids": steroids,
        "assessments": [_assessment_dict(a) for a in case.assessments],
        "grade_override": case.grade_override,
    }
    if case.rule_set is not None:
        out["rule_set"] = case.rule_set
    if case.labs:
        out["labs"] = [lab.to_json() for lab in case.labs]
    if case.second_line is not None:
        out["second_line"] = _second_line_dict(case.second_line)
    return out


def _second_line_dict(second: SecondLine) -> dict[str, Any]:
    out: dict[str, Any] = {
        "therapy": second.therapy,
        "therapy_name": second.therapy_name,
        "start_date": second.start_date.isoformat(),
        "infusions": [
            {"date": i.date.isoformat(), "dose_10e6_cells_per_kg": i.dose_10e6_cells_per_kg}
            for i in second.infusions
        ],
    }
    if second.note is not None:
        out["note"] = second.note
    return out


def _quantity_dict(q: Quantity) -> dict[str, Any]:
    return {"value": q.value, "unit": q.unit}


def _assessment_dict(a: Assessment) -> dict[str, Any]:
    out: dict[str, Any] = {"date": a.date.isoformat()}
    if a.stages is not None:
        out["stages"] = a.stages.as_dict()
        return out
    assert a.measurements is not None
    m = {}
    for key in MEASUREMENT_FIELDS:
        value = getattr(a.measurements, key)
        m[key] = _quantity_dict(value) if isinstance(value, Quantity) else value
    out["measurements"] = m
    return out


def dumps_case(case: Case) -> str:
    """The case file's text (UTF-8 JSON, indented, stable key order)."""
    return json.dumps(case_to_dict(case), indent=2, ensure_ascii=False) + "\n"


def save_case(case: Case, path: str | os.PathLike) -> None:
    """Write a case file atomically: a crash leaves either the old file or the new one."""
    atomic_write(Path(path), dumps_case(case).encode("utf-8"))
