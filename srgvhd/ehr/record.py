"""Reading single FHIR R4 resources as the record holds them: dates, the patient they belong to,
and an Observation's value with its UCUM unit. A result that cannot be used is returned as a
``Skip`` with the reason in plain words, never repaired or guessed (docs/interfaces.md §9)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from srgvhd.ehr.ucum import UCUM_SYSTEM, Converted, convert
from srgvhd.i18n.message import Msg

LOINC = "http://loinc.org"
# Observation statuses whose value stands (FHIR R4 ObservationStatus): a result that is only
# registered or preliminary, cancelled, entered in error or of unknown status is not used.
USABLE_OBSERVATION_STATUSES = ("final", "amended", "corrected")
_DATE_TIME = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})"
    r"(?:T(?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(?P<zone>Z|[+-]\d{2}:\d{2})?)?$"
)
_PARTIAL_DATE = re.compile(r"^\d{4}(-\d{2})?$")


@dataclass(frozen=True)
class When:
    """A recorded date or date-time: the calendar day as written, and an instant to order by."""

    text: str
    day: date
    instant: datetime
    has_time: bool


@dataclass(frozen=True)
class Skip:
    """A resource that was not used, and why."""

    reason: str


@dataclass(frozen=True)
class Reading:
    """One usable result: where it came from, when, as recorded, and in the case's unit."""

    reference: str
    code: str
    when: When
    recorded_value: float
    recorded_unit: str
    value: Converted

    def source(self) -> dict[str, Any]:
        """The provenance kept in the case file's ``source.fhir`` for a filled field."""
        return {
            "resource": self.reference,
            "code": self.code,
            "date": self.when.text,
            "value": self.recorded_value,
            "unit": self.recorded_unit,
        }


def parse_when(text: Any) -> When | Skip:
    """A FHIR ``date`` / ``dateTime`` / ``instant``. A day's date without a time counts as the
    start of that day for ordering; a year or a month alone is refused (no day to place it)."""
    if not isinstance(text, str) or not text:
        return Skip(Msg("no date"))
    if _PARTIAL_DATE.match(text):
        return Skip(Msg("date {text} has no day", text=repr(text)))
    m = _DATE_TIME.match(text)
    if m is None:
        return Skip(Msg("date {text} is not a FHIR date", text=repr(text[:40])))
    try:
        day = date.fromisoformat(m["date"])
        if m["time"] is None:
            return When(text, day, datetime.combine(day, time(), UTC), False)
        moment = datetime.fromisoformat(f"{m['date']}T{m['time']}{_zone(m['zone'])}")
    except ValueError:
        return Skip(Msg("date {text} is not a real date", text=repr(text[:40])))
    return When(text, day, moment.astimezone(UTC), True)


def _zone(zone: str | None) -> str:
    # FHIR requires a zone with a time; without one the time is read as UTC for ordering only
    # (the calendar day is the one written, whatever the zone).
    return "+00:00" if zone in (None, "Z") else zone


def effective(resource: dict[str, Any]) -> When | Skip:
    """When an Observation or MedicationAdministration happened: ``effectiveDateTime``,
    ``effectiveInstant`` or the start of ``effectivePeriod``."""
    for key in ("effectiveDateTime", "effectiveInstant"):
        if key in resource:
            return parse_when(resource[key])
    period = resource.get("effectivePeriod")
    if isinstance(period, dict) and "start" in period:
        return parse_when(period["start"])
    return Skip(Msg("no date"))


def reference(resource: dict[str, Any]) -> str:
    """``Type/id`` of a resource read from the server."""
    return f"{resource.get('resourceType')}/{resource.get('id')}"


def belongs_to(resource: dict[str, Any], patient_id: str) -> bool:
    """Whether the resource's ``subject`` (or ``patient``) is ``Patient/patient_id`` — checked
    on every result, whatever the server's search answered, so that no other patient's value
    can enter the case."""
    for key in ("subject", "patient"):
        ref = resource.get(key)
        if isinstance(ref, dict) and isinstance(ref.get("reference"), str):
            tail = ref["reference"].rstrip("/").split("/")[-2:]
            return tail == ["Patient", patient_id]
    return False


def loinc_code(resource: dict[str, Any], codes: tuple[str, ...]) -> str | None:
    """The first LOINC code of ``resource.code`` that is one of ``codes``."""
    code = resource.get("code")
    codings = code.get("coding") if isinstance(code, dict) else None
    for coding in codings if isinstance(codings, list) else ():
        if isinstance(coding, dict) and coding.get("system") == LOINC:
            if coding.get("code") in codes:
                return coding["code"]
    return None


def status_skip(status: Any, usable: tuple[str, ...]) -> Skip | None:
    """The reason a resource's status rules it out, or None when the status is usable."""
    if status in usable:
        return None
    if status == "entered-in-error":
        return Skip(Msg("entered in error (status entered-in-error)"))
    if not status:
        return Skip(Msg("no status"))
    return Skip(Msg("status {status} is not a final result", status=repr(status)))


def quantity(
    value: Any, table: dict[str, tuple[str, float]], what: str
) -> tuple[float, str, Converted] | Skip:
    """A FHIR Quantity's number and UCUM code, and the number in the case's unit, or why not."""
    none = Msg("no dose") if what == "dose" else Msg("no value")
    if not isinstance(value, dict):
        return Skip(none)
    number = value.get("value")
    if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number):
        return Skip(none)
    if value.get("comparator") is not None:
        limit = f"{value['comparator']} {number}"
        if what == "dose":
            return Skip(Msg("dose is a limit ({limit}), not a measurement", limit=limit))
        return Skip(Msg("value is a limit ({limit}), not a measurement", limit=limit))
    code = value.get("code")
    system = value.get("system")
    if not isinstance(code, str) or not code:
        shown = value.get("unit")
        if not shown:
            return Skip(Msg("no unit"))
        return Skip(Msg("no UCUM unit code (unit text {unit})", unit=repr(shown)))
    if system is not None and system != UCUM_SYSTEM:
        return Skip(
            Msg(
                "unit {unit} is not a UCUM code (system {system})",
                unit=repr(code),
                system=repr(str(system)[:60]),
            )
        )
    converted = convert(number, code, table)
    if converted is None:
        return Skip(Msg("unknown unit {unit}", unit=repr(code)))
    return float(number), code, converted


def read_observation(
    obs: dict[str, Any],
    code: str,
    table: dict[str, tuple[str, float]],
    as_of: date,
    limits: dict[str, tuple[float, float]],
) -> Reading | Skip:
    """One Observation's value in the case's unit, or why it is not used: its status, its date
    (none, or after ``as_of``), its value or unit, or a value outside the plausible range for
    that unit (``limits``: case unit -> inclusive (low, high); a low of 0 is exclusive)."""
    bad = status_skip(obs.get("status"), USABLE_OBSERVATION_STATUSES)
    if bad is not None:
        return bad
    when = effective(obs)
    if isinstance(when, Skip):
        return when
    if when.day > as_of:
        return Skip(Msg("after the as-of date {date}", date=as_of))
    read = quantity(obs.get("valueQuantity"), table, "value")
    if isinstance(read, Skip):
        if "valueQuantity" not in obs and isinstance(obs.get("dataAbsentReason"), dict):
            return Skip(Msg("no value (data absent)"))
        return read
    recorded, unit, converted = read
    low, high = limits[converted.unit]
    if not (low < converted.value <= high if low == 0 else low <= converted.value <= high):
        return Skip(
            Msg(
                "{value} {unit} is outside the plausible range {low}–{high} {case_unit}",
                value=float(recorded),
                unit=unit,
                low=float(low),
                high=float(high),
                case_unit=converted.unit,
            )
        )
    return Reading(reference(obs), code, when, recorded, unit, converted)
