"""The current methylprednisolone course from the record (docs/interfaces.md §9, docs/ehr.md):
its start (day 0 of the case) and the daily dose of its first day.

Methylprednisolone is recognised by code, never by free text alone: RxNorm 6902 (the
ingredient); an RxNorm product (a clinical or branded drug, whose normalised RxNorm name states
its ingredient, e.g. "methylprednisolone sodium succinate 125 MG Injection"); a Medication whose
ingredient is RxNorm 6902; or ATC H02AB04.

Administrations (MedicationAdministration, status completed or in progress) are used when the
record has any; else prescriptions (MedicationRequest, status active or completed).

- The current course is the last run of administrations with no gap longer than
  ``COURSE_GAP_DAYS`` days between one administration's day and the next; its first
  administration is the start.
- The daily dose is the sum of the doses given on the calendar day of the first administration
  (the day the record wrote, in its own time zone). One dose that day without a usable amount
  (no mg or g) leaves the daily dose unknown. A schedule begun late in the day shows a smaller
  first-day total: the page shows each value with its source for the clinician to confirm.
- A prescription's daily dose is dose × frequency per period (periods in hours or days); its
  start is ``timing.repeat.boundsPeriod.start``, else ``authoredOn``. Successive prescriptions
  belong to one course unless the earlier one ended more than ``COURSE_GAP_DAYS`` days before
  the next starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from srgvhd.ehr import ucum
from srgvhd.ehr.record import Skip, When, parse_when, quantity, reference, status_skip
from srgvhd.i18n.message import Msg

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
RXNORM_METHYLPREDNISOLONE = "6902"
ATC_SYSTEMS = ("http://www.whocc.no/atc", "urn:oid:2.16.840.1.113883.6.73")
ATC_METHYLPREDNISOLONE = "H02AB04"
INGREDIENT_NAME = "methylprednisolone"
COURSE_GAP_DAYS = 7
USABLE_ADMINISTRATION_STATUSES = ("completed", "in-progress")
USABLE_REQUEST_STATUSES = ("active", "completed")
_HOURS_PER_UNIT = {"h": 1.0, "d": 24.0}


def _is_methylprednisolone_concept(concept: Any) -> bool:
    codings = concept.get("coding") if isinstance(concept, dict) else None
    for coding in codings if isinstance(codings, list) else ():
        if not isinstance(coding, dict):
            continue
        system, code = coding.get("system"), coding.get("code")
        if system in ATC_SYSTEMS and code == ATC_METHYLPREDNISOLONE:
            return True
        if system == RXNORM and code == RXNORM_METHYLPREDNISOLONE:
            return True
        display = coding.get("display")
        if system == RXNORM and isinstance(display, str) and INGREDIENT_NAME in display.lower():
            return True  # an RxNorm product: its normalised name names the ingredient
    return False


def is_methylprednisolone(medication: Any) -> bool:
    """Whether a Medication resource (or a medication CodeableConcept wrapped as
    ``{"code": concept}``) is methylprednisolone or a product of it."""
    if not isinstance(medication, dict):
        return False
    if _is_methylprednisolone_concept(medication.get("code")):
        return True
    ingredients = medication.get("ingredient")
    for item in ingredients if isinstance(ingredients, list) else ():
        if isinstance(item, dict) and _is_methylprednisolone_concept(
            item.get("itemCodeableConcept")
        ):
            return True
    return False


def medication_of(resource: dict[str, Any], resolve: Any) -> dict[str, Any] | None:
    """The medication of an administration or request: its CodeableConcept (as ``{"code": …}``)
    or the Medication it references (contained, or read through ``resolve(reference)``)."""
    concept = resource.get("medicationCodeableConcept")
    if isinstance(concept, dict):
        return {"code": concept}
    ref = resource.get("medicationReference")
    target = ref.get("reference") if isinstance(ref, dict) else None
    if not isinstance(target, str):
        return None
    if target.startswith("#"):
        for contained in resource.get("contained") or ():
            if isinstance(contained, dict) and contained.get("id") == target[1:]:
                return contained
        return None
    return resolve(target)


@dataclass(frozen=True)
class Dose:
    """One administration (or prescription) of the course."""

    reference: str
    when: When
    mg: float | None
    recorded: dict[str, Any] | None  # the dose as recorded (value, unit), or None
    end: date | None = None  # a prescription's last day, when it has one
    mg_reason: str | None = None  # why ``mg`` is None


@dataclass
class Course:
    """What the record says about the current course."""

    start: Dose | None = None
    daily_mg: float | None = None
    daily_mg_doses: list[Dose] = field(default_factory=list)
    dose_reason: str | None = None  # why daily_mg is None while a start exists
    kind: str = "MedicationAdministration"
    skipped: list[tuple[str, str, str | None]] = field(default_factory=list)  # ref, reason, date


def _dose_mg(value: Any) -> tuple[float | None, dict[str, Any] | None, str | None]:
    read = quantity(value, ucum.DOSE, "dose")
    if isinstance(read, Skip):
        return None, None, read.reason
    recorded, unit, converted = read
    if converted.value <= 0:
        return None, {"value": recorded, "unit": unit}, Msg("dose is not above 0")
    return converted.value, {"value": recorded, "unit": unit}, None


def administration(resource: dict[str, Any], as_of: date) -> Dose | Skip:
    """One methylprednisolone administration, or why it is not used."""
    bad = status_skip(resource.get("status"), USABLE_ADMINISTRATION_STATUSES)
    if bad is not None:
        return bad
    period = resource.get("effectivePeriod")
    text = resource.get("effectiveDateTime")
    if text is None and isinstance(period, dict):
        text = period.get("start")
    when = parse_when(text)
    if isinstance(when, Skip):
        return when
    if when.day > as_of:
        return Skip(Msg("after the as-of date {date}", date=as_of))
    dosage = resource.get("dosage")
    mg, recorded, reason = _dose_mg(dosage.get("dose") if isinstance(dosage, dict) else None)
    return Dose(reference(resource), when, mg, recorded, mg_reason=reason)


def request(resource: dict[str, Any], as_of: date) -> Dose | Skip:
    """One methylprednisolone prescription with its daily dose, or why it is not used."""
    bad = status_skip(resource.get("status"), USABLE_REQUEST_STATUSES)
    if bad is not None:
        return bad
    instructions = resource.get("dosageInstruction")
    instructions = instructions if isinstance(instructions, list) else []
    repeat: dict[str, Any] = {}
    if len(instructions) == 1 and isinstance(instructions[0], dict):
        timing = instructions[0].get("timing")
        found = timing.get("repeat") if isinstance(timing, dict) else None
        repeat = found if isinstance(found, dict) else {}
    bounds = repeat.get("boundsPeriod") if isinstance(repeat.get("boundsPeriod"), dict) else {}
    when = parse_when(bounds.get("start") or resource.get("authoredOn"))
    if isinstance(when, Skip):
        return when
    if when.day > as_of:
        return Skip(Msg("after the as-of date {date}", date=as_of))
    end = parse_when(bounds.get("end")) if bounds.get("end") else None
    end_day = end.day if isinstance(end, When) else None
    mg, recorded, reason = _daily_mg_of_request(instructions, repeat)
    return Dose(reference(resource), when, mg, recorded, end_day, reason)


def _daily_mg_of_request(
    instructions: list[Any], repeat: dict[str, Any]
) -> tuple[float | None, dict[str, Any] | None, str | None]:
    if len(instructions) != 1 or not isinstance(instructions[0], dict):
        return (
            None,
            None,
            Msg("{count} dosage instructions (one expected)", count=len(instructions)),
        )
    rates = instructions[0].get("doseAndRate")
    first = rates[0] if isinstance(rates, list) and rates and isinstance(rates[0], dict) else {}
    mg, recorded, reason = _dose_mg(first.get("doseQuantity"))
    if mg is None:
        return None, recorded, reason
    frequency, period, unit = (
        repeat.get("frequency"),
        repeat.get("period"),
        repeat.get("periodUnit"),
    )
    numbers = (frequency, period)
    if any(isinstance(n, bool) or not isinstance(n, int | float) or n <= 0 for n in numbers):
        return None, recorded, Msg("no frequency and period to make a daily dose")
    if unit not in _HOURS_PER_UNIT:
        return None, recorded, Msg("period unit {unit} (hours or days expected)", unit=repr(unit))
    daily = mg * frequency * 24.0 / (period * _HOURS_PER_UNIT[unit])
    return round(daily, ucum.DECIMALS), recorded, None


def current_course(doses: list[Dose], *, prescriptions: bool) -> tuple[list[Dose], list[Dose]]:
    """The doses of the current (last) course, and those of earlier courses."""
    ordered = sorted(doses, key=lambda d: (d.when.instant, d.reference))
    begin = 0
    for i in range(1, len(ordered)):
        before, now = ordered[i - 1], ordered[i]
        if prescriptions:
            gap = before.end is not None and (now.when.day - before.end).days > COURSE_GAP_DAYS
        else:
            gap = (now.when.day - before.when.day).days > COURSE_GAP_DAYS
        if gap:
            begin = i
    return ordered[begin:], ordered[:begin]


def first_day_doses(course: list[Dose]) -> list[Dose]:
    """The doses given on the course's first day (the calendar day the record wrote)."""
    return [d for d in course if d.when.day == course[0].when.day]


def build_course(doses: list[Dose], *, prescriptions: bool) -> Course:
    """The start and first-day dose of the current course from the usable doses."""
    kind = "MedicationRequest" if prescriptions else "MedicationAdministration"
    result = Course(kind=kind)
    if not doses:
        return result
    course, earlier = current_course(doses, prescriptions=prescriptions)
    for d in earlier:
        result.skipped.append((d.reference, Msg("an earlier steroid course"), d.when.text))
    result.start = course[0]
    window = [course[0]] if prescriptions else first_day_doses(course)
    result.daily_mg_doses = window
    missing = [d for d in window if d.mg is None]
    if missing:
        result.dose_reason = Msg(
            "{resource}: {reason}",
            resource=missing[0].reference,
            reason=missing[0].mg_reason or Msg("no dose"),
        )
        return result
    result.daily_mg = round(sum(d.mg for d in window if d.mg is not None), ucum.DECIMALS)
    return result
