"""A draft ``srgvhd-case/2`` from what a FHIR R4 record holds on or before the as-of date
(docs/interfaces.md §9, docs/ehr.md). A pure function of the resources read: no network here.

| case field | from | rule |
|---|---|---|
| patient.age_years | Patient.birthDate | whole years at steroids.start_date, else as-of |
| patient.weight_kg | LOINC 29463-7 | latest; kg, g, [lb_av] |
| patient.hemoglobin | LOINC 718-7 | latest; g/dL or g/L as recorded |
| steroids.* | methylprednisolone administrations (else prescriptions) | srgvhd.ehr.medication |
| labs[] | LDH 2532-0/14804-9, creatinine 2160-0/14682-9, platelets 777-3/26515-7 | one row a day |
| source.fhir.bilirubin[] | 1975-2 / 14631-6 | every usable result |

Every value filled names its resource, date and value and unit as recorded in
``source.fhir.fields``; every result not used is in ``source.fhir.skipped`` with the reason.
Nothing is guessed: a field the record cannot fill is null. Assessments are left empty for the
clinician (``srgvhd assess`` refuses a case without one, naming it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from srgvhd.clinical.case import FORMAT, LIMITS
from srgvhd.clinical.labs import CREATININE_LIMITS, LDH_U_L, MAX_LABS, PLATELETS_10E9_L
from srgvhd.ehr import medication as med
from srgvhd.ehr import ucum
from srgvhd.ehr.record import (
    Reading,
    Skip,
    belongs_to,
    loinc_code,
    parse_when,
    read_observation,
    reference,
)
from srgvhd.i18n.message import Msg


@dataclass(frozen=True)
class Analyte:
    """A LOINC-coded result the draft reads: where it goes, its units and plausible range."""

    field: str
    codes: tuple[str, ...]
    units: dict[str, tuple[str, float]]
    limits: dict[str, tuple[float, float]]


WEIGHT = Analyte("patient.weight_kg", ("29463-7",), ucum.WEIGHT, {"kg": LIMITS["weight_kg"]})
HEMOGLOBIN = Analyte(
    "patient.hemoglobin",
    ("718-7",),
    ucum.HEMOGLOBIN,
    {"g/L": LIMITS["hemoglobin_g/L"], "g/dL": LIMITS["hemoglobin_g/dL"]},
)
LDH = Analyte("ldh_u_l", ("2532-0", "14804-9"), ucum.LDH, {"U/L": LDH_U_L})
CREATININE = Analyte("creatinine", ("2160-0", "14682-9"), ucum.CREATININE, CREATININE_LIMITS)
PLATELETS = Analyte(
    "platelets_10e9_l", ("777-3", "26515-7"), ucum.PLATELETS, {"10*9/L": PLATELETS_10E9_L}
)
BILIRUBIN = Analyte(
    "bilirubin",
    ("1975-2", "14631-6"),
    ucum.BILIRUBIN,
    {"mg/dL": LIMITS["bilirubin_mg/dL"], "umol/L": LIMITS["bilirubin_umol/L"]},
)
ANALYTES = (WEIGHT, HEMOGLOBIN, LDH, CREATININE, PLATELETS, BILIRUBIN)
LAB_ANALYTES = (LDH, CREATININE, PLATELETS)
ALL_CODES = tuple(code for analyte in ANALYTES for code in analyte.codes)


@dataclass
class Record:
    """What was read from the server for one patient."""

    server: str
    patient_id: str
    patient: dict[str, Any]
    observations: list[dict[str, Any]]
    administrations: list[dict[str, Any]]
    requests: list[dict[str, Any]]
    resolve: Callable[[str], dict[str, Any] | None] = lambda _ref: None


class _Draft:
    """Collects filled fields, their sources and the skipped results while the draft is built."""

    def __init__(self) -> None:
        self.fields: dict[str, dict[str, Any]] = {}
        self.skipped: list[dict[str, Any]] = []

    def skip(self, ref: str, field: str, reason: str, *, code: str | None = None, **seen: Any):
        entry: dict[str, Any] = {"resource": ref, "field": field}
        if code is not None:
            entry["code"] = code
        entry |= {k: v for k, v in seen.items() if v is not None}
        entry["reason"] = reason
        self.skipped.append(entry)

    def skip_observation(self, obs: dict[str, Any], field: str, code: str, reason: str) -> None:
        when = obs.get("effectiveDateTime") or obs.get("effectiveInstant")
        vq = obs.get("valueQuantity") if isinstance(obs.get("valueQuantity"), dict) else {}
        self.skip(
            reference(obs),
            field,
            reason,
            code=code,
            date=when if isinstance(when, str) else None,
            value=vq.get("value"),
            unit=vq.get("code") or vq.get("unit"),
        )


def build_draft(record: Record, as_of: date, retrieved_at: datetime) -> dict[str, Any]:
    """The draft case file (a JSON-ready dict) for ``record`` as of ``as_of``."""
    d = _Draft()
    readings = _readings(record, as_of, d)
    weight = _latest(readings[WEIGHT.field], WEIGHT.field, d)
    hb = _latest(readings[HEMOGLOBIN.field], HEMOGLOBIN.field, d)
    weight_kg = None if weight is None else weight.value.value
    start, dose = _steroids(record, as_of, weight, d)
    age = _age(record, start or as_of, "steroids.start_date" if start else "as-of date", d)
    labs = _labs(readings, d)
    bilirubin = [
        {
            "date": r.when.day.isoformat(),
            "value": r.value.value,
            "unit": r.value.unit,
            "resource": r.reference,
            "code": r.code,
            "effective": r.when.text,
            "recorded": {"value": r.recorded_value, "unit": r.recorded_unit},
        }
        for r in sorted(readings[BILIRUBIN.field], key=lambda r: (r.when.instant, r.reference))
    ]
    return {
        "format": FORMAT,
        "patient": {
            "age_years": age,
            "weight_kg": weight_kg,
            "hemoglobin": None if hb is None else {"value": hb.value.value, "unit": hb.value.unit},
            "ehr": {"fhir_server": record.server, "patient_id": record.patient_id},
        },
        "steroids": {
            "start_date": None if start is None else start.isoformat(),
            "methylprednisolone_mg_per_kg_day": dose,
        },
        "assessments": [],
        "grade_override": None,
        "labs": labs,
        "source": {
            "fhir": {
                "server": record.server,
                "patient": f"Patient/{record.patient_id}",
                "retrieved_at": retrieved_at.isoformat(timespec="seconds"),
                "as_of": as_of.isoformat(),
                "fields": d.fields,
                "bilirubin": bilirubin,
                "skipped": d.skipped,
            }
        },
    }


def _readings(record: Record, as_of: date, d: _Draft) -> dict[str, list[Reading]]:
    """Every usable result by case field; the rest recorded as skipped."""
    out: dict[str, list[Reading]] = {a.field: [] for a in ANALYTES}
    for obs in record.observations:
        if not isinstance(obs, dict) or obs.get("resourceType") != "Observation":
            continue
        for analyte in ANALYTES:
            code = loinc_code(obs, analyte.codes)
            if code is None:
                continue
            field = analyte.field if analyte.field.startswith("patient.") else _where(analyte)
            if not belongs_to(obs, record.patient_id):
                d.skip_observation(obs, field, code, Msg("belongs to another patient"))
                break
            got = read_observation(obs, code, analyte.units, as_of, analyte.limits)
            if isinstance(got, Skip):
                d.skip_observation(obs, field, code, got.reason)
            else:
                out[analyte.field].append(got)
            break
    return out


def _where(analyte: Analyte) -> str:
    return "source.fhir.bilirubin" if analyte is BILIRUBIN else f"labs[].{analyte.field}"


def _latest(readings: list[Reading], field: str, d: _Draft) -> Reading | None:
    """The latest reading (ties: the last by resource id); each older one is listed as
    skipped, naming the later result used."""
    if not readings:
        return None
    best = max(readings, key=lambda r: (r.when.instant, r.reference))
    d.fields[field] = best.source()
    for r in sorted(readings, key=lambda r: (r.when.instant, r.reference)):
        if r is not best:
            d.skip(
                r.reference,
                field,
                Msg("not the latest result ({resource} is later)", resource=best.reference),
                code=r.code,
                date=r.when.text,
                value=r.recorded_value,
                unit=r.recorded_unit,
            )
    return best


def _age(record: Record, at: date, at_name: str, d: _Draft) -> int | None:
    """Whole years from Patient.birthDate to ``at`` (birthday not yet reached: one less)."""
    ref = f"Patient/{record.patient_id}"
    birth = parse_when(record.patient.get("birthDate"))
    if isinstance(birth, Skip):
        reason = (
            Msg("no birth date")
            if birth.reason == "no date"
            else Msg("birth {reason}", reason=birth.reason)
        )
        d.skip(ref, "patient.age_years", reason)
        return None
    born = birth.day
    if born > at:
        d.skip(
            ref,
            "patient.age_years",
            Msg("birth date {born} is after the {at_name} {at}", born=born, at_name=at_name, at=at)
            if at_name != "as-of date"
            else Msg("birth date {born} is after the as-of date {at}", born=born, at=at),
        )
        return None
    years = at.year - born.year - ((at.month, at.day) < (born.month, born.day))
    low, high = LIMITS["age_years"]
    if not low <= years <= high:
        d.skip(
            ref,
            "patient.age_years",
            Msg(
                "age {years} is outside {low}–{high} years",
                years=years,
                low=float(low),
                high=float(high),
            ),
        )
        return None
    d.fields["patient.age_years"] = {
        "resource": ref,
        "date": birth.text,
        "value": birth.text,
        "unit": "birthDate",
        "at": at.isoformat(),
        "at_is": at_name,
    }
    return years


def _steroids(
    record: Record, as_of: date, weight: Reading | None, d: _Draft
) -> tuple[date | None, float | None]:
    """steroids.start_date and the dose in mg/kg/day from the current methylprednisolone
    course (administrations, else prescriptions)."""
    course = _course(record.administrations, med.administration, as_of, d, False, record)
    if course.start is None:
        course = _course(record.requests, med.request, as_of, d, True, record)
    for ref, reason, when in course.skipped:
        d.skip(ref, "steroids.start_date", reason, date=when)
    if course.start is None:
        return None, None
    start = course.start
    d.fields["steroids.start_date"] = {
        "resource": start.reference,
        "date": start.when.text,
        "value": start.when.day.isoformat(),
        "unit": None,
    }
    field = "steroids.methylprednisolone_mg_per_kg_day"
    if course.daily_mg is None:
        d.skip(
            start.reference,
            field,
            Msg("no daily dose: {reason}", reason=course.dose_reason),
            date=start.when.text,
        )
        return start.when.day, None
    if weight is None:
        d.skip(start.reference, field, Msg("no usable weight to divide the daily dose by"))
        return start.when.day, None
    per_kg = round(course.daily_mg / weight.value.value, ucum.DECIMALS)
    low, high = LIMITS["methylprednisolone_mg_per_kg_day"]
    if not low < per_kg <= high:
        d.skip(
            start.reference,
            field,
            Msg(
                "{value} mg/kg/day is outside the plausible range {low}–{high}",
                value=float(per_kg),
                low=float(low),
                high=float(high),
            ),
            date=start.when.text,
        )
        return start.when.day, None
    d.fields[field] = {
        "resource": start.reference,
        "date": start.when.text,
        "value": course.daily_mg,
        "unit": "mg/day",
        "doses": [
            {"resource": x.reference, "date": x.when.text, **(x.recorded or {})}
            for x in course.daily_mg_doses
        ],
        "weight": {"resource": weight.reference, "kg": weight.value.value},
    }
    return start.when.day, per_kg


def _course(
    resources: Iterable[dict[str, Any]],
    read: Callable[[dict[str, Any], date], med.Dose | Skip],
    as_of: date,
    d: _Draft,
    prescriptions: bool,
    record: Record,
) -> med.Course:
    doses: list[med.Dose] = []
    for resource in resources:
        if not isinstance(resource, dict):
            continue
        if not med.is_methylprednisolone(med.medication_of(resource, record.resolve)):
            continue
        ref = reference(resource)
        if not belongs_to(resource, record.patient_id):
            d.skip(ref, "steroids.start_date", Msg("belongs to another patient"))
            continue
        got = read(resource, as_of)
        if isinstance(got, Skip):
            d.skip(ref, "steroids.start_date", got.reason)
        else:
            doses.append(got)
    return med.build_course(doses, prescriptions=prescriptions)


def _labs(readings: dict[str, list[Reading]], d: _Draft) -> list[dict[str, Any]]:
    """One ``labs`` row per day (interfaces.md §6); on a day with two results of one analyte
    the later is used and the earlier listed as skipped."""
    days: dict[date, dict[str, Reading]] = {}
    for analyte in LAB_ANALYTES:
        for r in sorted(readings[analyte.field], key=lambda r: (r.when.instant, r.reference)):
            row = days.setdefault(r.when.day, {})
            earlier = row.get(analyte.field)
            if earlier is not None:
                d.skip(
                    earlier.reference,
                    f"labs[].{analyte.field}",
                    Msg("a later result the same day was used ({resource})", resource=r.reference),
                    code=earlier.code,
                    date=earlier.when.text,
                    value=earlier.recorded_value,
                    unit=earlier.recorded_unit,
                )
            row[analyte.field] = r
    kept = sorted(days)
    for day in kept[:-MAX_LABS] if len(kept) > MAX_LABS else ():
        for r in days[day].values():
            d.skip(
                r.reference,
                f"labs[].{_field_of(r)}",
                Msg("more than {count} lab days", count=MAX_LABS),
            )
    rows = []
    for i, day in enumerate(kept[-MAX_LABS:]):
        row = days[day]
        out: dict[str, Any] = {"date": day.isoformat()}
        for analyte in LAB_ANALYTES:
            r = row.get(analyte.field)
            if r is None:
                out[analyte.field] = None
                continue
            v = r.value
            out[analyte.field] = (
                {"value": v.value, "unit": v.unit} if analyte is CREATININE else v.value
            )
            d.fields[f"labs[{i}].{analyte.field}"] = r.source()
        out["map_probability"] = None
        rows.append(out)
    return rows


def _field_of(r: Reading) -> str:
    return next(a.field for a in LAB_ANALYTES if r.code in a.codes)
