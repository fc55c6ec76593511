"""Is the steroid course refractory? Two rule sets (clinical-rules.md §5).

- ``study`` (default): the definition of Niu et al. 2026 — methylprednisolone 2 mg/kg/day;
  R1 progression on days 3–5, R2 no PR from day 7, R3 no CR/VGPR from day 14.
- ``ebmt2018``: EBMT–NIH–CIBMTR Task Force (Schoemans et al., BMT 2018;53:1401–15) —
  refractory (E1 progression days 3–5; E2 failure to improve by day 7; E3 incomplete response
  after > 28 days), dependent (D1 dose re-escalated after a taper that followed an initial
  response of ≥ 7 days; D2 aGVHD worse again during the taper), intolerant (clinician's flag).

Input is the course as ``CoursePoint``s in date order, the first being the day-0 baseline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from srgvhd.clinical.policy import EBMT_INCOMPLETE_RESPONSE_DAY, EBMT_NO_IMPROVEMENT_DAY
from srgvhd.clinical.response import counts_as_response
from srgvhd.clinical.results import (
    DEPENDENT,
    REFRACTORY,
    RESPONSIVE,
    SO_FAR,
    Response,
    Status,
)
from srgvhd.clinical.staging import ORGANS, OrganStages

RULE_SETS = ("study", "ebmt2018")
RULE_SET_LABELS = {
    "study": "Study definition (Niu et al. 2026)",
    "ebmt2018": "EBMT–NIH–CIBMTR Task Force 2018 (Schoemans et al.)",
}


@dataclass(frozen=True)
class Rule:
    """One firing rule: its id and what it means."""

    id: str
    text: str


STUDY_RULES = {
    "R1": Rule("R1", "progression (any organ worse) on days 3–5"),
    "R2": Rule("R2", "no partial response by day 7"),
    "R3": Rule("R3", "no complete or very good partial response by day 14"),
}
EBMT_RULES = {
    "E1": Rule("E1", "progression in any organ within days 3–5"),
    "E2": Rule("E2", f"failure to improve by day {EBMT_NO_IMPROVEMENT_DAY}"),
    "E3": Rule("E3", f"incomplete response from day {EBMT_INCOMPLETE_RESPONSE_DAY} (> 28 days)"),
    "D1": Rule("D1", "dose re-escalated after a taper that followed an initial response"),
    "D2": Rule("D2", "aGVHD worse again during the steroid taper"),
}


@dataclass(frozen=True)
class CoursePoint:
    """One assessment of the course: date, day, stages and response vs baseline."""

    date: date
    day: int
    stages: OrganStages
    response: Response | None


def study_rules_fired(point: CoursePoint) -> list[str]:
    """Which of the study rules R1–R3 this assessment fires (Niu et al. 2026)."""
    fired = []
    d, r = point.day, point.response
    if 3 <= d <= 5 and r in ("progression", "mixed"):
        fired.append("R1")
    if d >= 7 and r not in ("CR", "VGPR", "PR"):
        fired.append("R2")
    if d >= 14 and r not in ("CR", "VGPR"):
        fired.append("R3")
    return fired


def study_status(points: list[CoursePoint], start: date) -> Status:
    """Verdict under the study definition: earliest firing assessment, ties to the lower rule."""
    for point in points[1:]:
        fired = study_rules_fired(point)
        if fired:
            return _fired(REFRACTORY, "study", fired[0], point.day, point.date, intolerant=False)
    return _not_refractory(points, start, "study", final_day=14, intolerant=False)


def ebmt_refractory_fired(point: CoursePoint) -> list[str]:
    """Which EBMT 2018 refractoriness rules (E1–E3) this assessment fires."""
    fired = []
    d, r = point.day, point.response
    if 3 <= d <= 5 and r in ("progression", "mixed"):
        fired.append("E1")
    if d >= EBMT_NO_IMPROVEMENT_DAY and r not in ("CR", "VGPR", "PR"):
        fired.append("E2")
    if d >= EBMT_INCOMPLETE_RESPONSE_DAY and r != "CR":
        fired.append("E3")
    return fired


def ebmt_dependence(
    points: list[CoursePoint], start_dose: float, changes: list[tuple[date, float]]
) -> tuple[str, CoursePoint | None, date] | None:
    """First EBMT 2018 steroid-dependence event, as (rule, assessment or None, date), or None.

    Needs an initial response (CR/VGPR/PR) on an assessment from day 7 before the taper began
    (the first dose below the starting dose). D1: the dose is raised again after the taper began.
    D2: during the taper an assessment has any organ worse than at the assessment before it.
    """
    taper = next((when for when, dose in changes if dose < start_dose), None)
    if taper is None:
        return None
    responded = any(
        p.day >= 7 and p.date <= taper and counts_as_response(p.response) for p in points
    )
    if not responded:
        return None
    events: list[tuple[date, int, str, CoursePoint | None]] = []
    previous_dose = start_dose
    for when, dose in changes:
        if when > taper and dose > previous_dose:
            events.append((when, 0, "D1", None))
            break
        previous_dose = dose
    for before, point in zip(points, points[1:], strict=False):
        if point.date > taper and _any_worse(before.stages, point.stages):
            events.append((point.date, 1, "D2", point))
            break
    if not events:
        return None
    when, _, rule, point = min(events, key=lambda e: (e[0], e[1]))
    return rule, point, when


def ebmt2018_status(
    points: list[CoursePoint],
    start: date,
    start_dose: float,
    changes: list[tuple[date, float]],
    intolerant: bool,
) -> Status:
    """Verdict under EBMT 2018: the earliest refractory or dependence event (ties: refractory)."""
    refractory = next(
        ((p, fired[0]) for p in points[1:] if (fired := ebmt_refractory_fired(p))), None
    )
    dependence = ebmt_dependence(points, start_dose, changes)
    candidates = []
    if refractory is not None:
        point, rule = refractory
        candidates.append(
            (
                point.date,
                0,
                _fired(REFRACTORY, "ebmt2018", rule, point.day, point.date, intolerant=intolerant),
            )
        )
    if dependence is not None:
        rule, _, when = dependence
        candidates.append(
            (
                when,
                1,
                _fired(
                    DEPENDENT, "ebmt2018", rule, (when - start).days, when, intolerant=intolerant
                ),
            )
        )
    if candidates:
        return min(candidates, key=lambda c: (c[0], c[1]))[2]
    return _not_refractory(
        points, start, "ebmt2018", final_day=EBMT_INCOMPLETE_RESPONSE_DAY, intolerant=intolerant
    )


def _fired(
    value: str, rule_set: str, rule: str, day: int, when: date, *, intolerant: bool
) -> Status:
    """A refractory or dependent verdict naming the rule (with its text), day and date."""
    text = {**STUDY_RULES, **EBMT_RULES}[rule].text
    return Status(
        value, rule_set, rule=rule, rule_text=text, day=day, date=when, intolerant=intolerant
    )


def _any_worse(before: OrganStages, after: OrganStages) -> bool:
    return any(getattr(after, o) > getattr(before, o) for o in ORGANS)


def _not_refractory(
    points: list[CoursePoint], start: date, rule_set: str, *, final_day: int, intolerant: bool
) -> Status:
    """Responsive once an assessment reached ``final_day``; else the next decision point."""
    last_day = points[-1].day
    if last_day >= final_day:
        return Status(RESPONSIVE, rule_set, assessed_through_day=last_day, intolerant=intolerant)
    next_day = 7 if last_day < 7 else final_day
    return Status(
        SO_FAR,
        rule_set,
        next_decision_day=next_day,
        next_decision_date=start + timedelta(days=next_day),
        intolerant=intolerant,
    )
