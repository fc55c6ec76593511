"""Is the steroid course refractory? Two rule sets (clinical-rules.md §5).

- ``study`` (default): the definition of Niu et al. 2026 — methylprednisolone 2 mg/kg/day;
  R1 progression on days 3–5, R2 no PR from day 7, R3 no CR/VGPR from day 14.
- ``ebmt2018``: EBMT–NIH–CIBMTR Task Force (Schoemans et al., BMT 2018;53:1401–15) —
  refractory (E1 progression days 3–5; E2 failure to improve, judged once, on the first
  assessable assessment from day 7; E3 incomplete response after > 28 days), dependent (D1 dose
  re-escalated after a taper that followed an initial response of ≥ 7 days; D2 aGVHD worse again
  during the taper; on the same date as E3, dependence wins: a flare during the taper of a
  responding patient is dependence), intolerant (clinician's flag).

Input is the course as ``CoursePoint``s in date order, the first being the day-0 baseline.

Not measured (docs/clinical-rules.md §7.6, Rule of this project): a "not assessable" assessment
fires no rule. A rule fired by an assessable one is final; otherwise the first not-assessable
assessment inside a rule's window leaves that rule waiting, and the course stays "not refractory
so far" with the rule's decision day as the (overdue) next decision point — never responsive.
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
    Waiting,
)
from srgvhd.clinical.staging import ORGAN_LABELS, ORGANS, OrganStages
from srgvhd.i18n.message import Listed, Msg

RULE_SETS = ("study", "ebmt2018")
RULE_SET_LABELS = {
    "study": "Study definition (Niu et al. 2026)",
    "ebmt2018": "EBMT–NIH–CIBMTR Task Force 2018 (Schoemans et al.)",
}


ASSESSABLE_WORSE = frozenset({Response.PROGRESSION, Response.MIXED})
NOT_PR_OR_BETTER = ASSESSABLE_WORSE | {Response.NO_RESPONSE}
NOT_VGPR_OR_BETTER = NOT_PR_OR_BETTER | {Response.PR}
NOT_CR = NOT_VGPR_OR_BETTER | {Response.VGPR}


@dataclass(frozen=True)
class Rule:
    """One rule: its id and meaning; per-assessment rules also give the steroid days they apply
    on (``first_day`` to ``last_day``, open-ended when None) and the responses that fire them.
    A ``once`` rule is a decision at one time point: only the first assessable assessment in its
    window judges it. "not assessable" fires no rule (docs/clinical-rules.md §7.6)."""

    id: str
    text: str
    first_day: int | None = None
    last_day: int | None = None
    fires_on: frozenset[Response] = frozenset()
    once: bool = False

    def applies(self, day: int) -> bool:
        """Whether this per-assessment rule judges an assessment on steroid day ``day``."""
        return (
            self.first_day is not None
            and day >= self.first_day
            and (self.last_day is None or day <= self.last_day)
        )

    def fires(self, point: CoursePoint) -> bool:
        """Whether this assessment fires the rule."""
        return self.applies(point.day) and point.response in self.fires_on


STUDY_RULES = {
    "R1": Rule("R1", "progression (any organ worse) on days 3–5", 3, 5, ASSESSABLE_WORSE),
    "R2": Rule("R2", "no partial response by day 7", 7, None, NOT_PR_OR_BETTER),
    "R3": Rule(
        "R3", "no complete or very good partial response by day 14", 14, None, NOT_VGPR_OR_BETTER
    ),
}
EBMT_RULES = {
    "E1": Rule("E1", "progression in any organ within days 3–5", 3, 5, ASSESSABLE_WORSE),
    "E2": Rule(
        "E2",
        f"failure to improve by day {EBMT_NO_IMPROVEMENT_DAY}",
        EBMT_NO_IMPROVEMENT_DAY,
        None,
        NOT_PR_OR_BETTER,
        once=True,
    ),
    "E3": Rule(
        "E3",
        f"incomplete response from day {EBMT_INCOMPLETE_RESPONSE_DAY} (> 28 days)",
        EBMT_INCOMPLETE_RESPONSE_DAY,
        None,
        NOT_CR,
    ),
    "D1": Rule("D1", "dose re-escalated after a taper that followed an initial response"),
    "D2": Rule("D2", "aGVHD worse again during the steroid taper"),
}
EBMT_REFRACTORY_RULES = (EBMT_RULES["E1"], EBMT_RULES["E2"], EBMT_RULES["E3"])
# The rules each rule set applies to single assessments (those a not-assessable one leaves open).
ASSESSMENT_RULES = {"study": tuple(STUDY_RULES.values()), "ebmt2018": EBMT_REFRACTORY_RULES}


@dataclass(frozen=True)
class CoursePoint:
    """One assessment of the course: date, day, stages and response vs baseline; when the
    response is "not assessable", ``unjudged`` says which organ was missing where."""

    date: date
    day: int
    stages: OrganStages
    response: Response | None
    unjudged: str = ""


def judged_points(points: list[CoursePoint], rule: Rule) -> list[CoursePoint]:
    """The assessments after baseline that ``rule`` judges: every one in its window; for a
    ``once`` rule, those up to the first assessable one in its window (earlier not-assessable
    ones leave it waiting, later ones no longer concern it)."""
    judged = []
    for point in points[1:]:
        if rule.applies(point.day):
            judged.append(point)
            if rule.once and point.response != Response.NOT_ASSESSABLE:
                break
    return judged


def first_fired(
    points: list[CoursePoint], rules: tuple[Rule, ...]
) -> tuple[CoursePoint, str] | None:
    """The earliest assessment that fires one of ``rules`` and the rule (ties: the first listed)."""
    fired = [
        (point.date, order, point, rule.id)
        for order, rule in enumerate(rules)
        for point in judged_points(points, rule)
        if rule.fires(point)
    ]
    if not fired:
        return None
    _, _, point, rule_id = min(fired, key=lambda f: (f[0], f[1]))
    return point, rule_id


def waiting_rule(points: list[CoursePoint], rules: tuple[Rule, ...]) -> Waiting | None:
    """The rule left undecided by the first not-assessable assessment in a rule's window
    (docs/clinical-rules.md §7.6), or None. Of the rules judging that assessment, the one with
    the latest decision day is named (a day-14 gap leaves R3 waiting); its decision day is the
    rule's first day."""
    judged = {rule.id: judged_points(points, rule) for rule in rules}
    for point in points[1:]:
        if point.response != Response.NOT_ASSESSABLE:
            continue
        applying = [rule for rule in rules if point in judged[rule.id]]
        if applying:
            rule = max(applying, key=lambda r: r.first_day or 0)
            assert rule.first_day is not None
            return Waiting(rule.id, rule.first_day, point.unjudged)
    return None


def study_status(points: list[CoursePoint], start: date) -> Status:
    """Verdict under the study definition: earliest firing assessment, ties to the lower rule.

    A not-assessable assessment fires no rule; when one leaves a rule undecided and no rule
    fired, the course is "not refractory so far" with that rule waiting (§7.6).
    """
    fired = first_fired(points, ASSESSMENT_RULES["study"])
    if fired is not None:
        point, rule = fired
        return _fired(REFRACTORY, "study", rule, point.day, point.date, intolerant=False)
    waiting = waiting_rule(points, ASSESSMENT_RULES["study"])
    return _not_refractory(points, start, "study", waiting, final_day=14, intolerant=False)


def ebmt_worse_after_day_7(points: list[CoursePoint]) -> CoursePoint | None:
    """The first assessment after the E2 decision (first assessable one from day 7) and before
    day 29 that shows an organ worse: EBMT 2018 has no rule for it (E2 is decided, E3 not yet),
    so the result says so instead of staying silent."""
    decided = judged_points(points, EBMT_RULES["E2"])
    if not decided or decided[-1].response == Response.NOT_ASSESSABLE:
        return None
    return next(
        (
            p
            for p in points
            if decided[-1].day < p.day < EBMT_INCOMPLETE_RESPONSE_DAY
            and p.response in ASSESSABLE_WORSE
        ),
        None,
    )


def ebmt_dependence(
    points: list[CoursePoint], start_dose: float, changes: list[tuple[date, float]]
) -> tuple[str, CoursePoint | None, date] | None:
    """First EBMT 2018 steroid-dependence event, as (rule, assessment or None, date), or None.

    Needs an initial response (CR/VGPR/PR) on an assessment from day 7 before the taper began
    (the first dose below the starting dose). D1: the dose is raised again after the taper began.
    D2: during the taper an assessment has any organ worse than at the assessment before it.
    """
    taper = _taper_after_response(points, start_dose, changes)
    if taper is None:
        return None
    events: list[tuple[date, int, str, CoursePoint | None]] = []
    previous_dose = start_dose
    for when, dose in changes:
        if when > taper and dose > previous_dose:
            events.append((when, 0, "D1", None))
            break
        previous_dose = dose
    for before, point in _taper_pairs(points, taper):
        if _compared(points[0].stages, before.stages, point.stages)[0]:
            events.append((point.date, 1, "D2", point))
            break
    if not events:
        return None
    when, _, rule, point = min(events, key=lambda e: (e[0], e[1]))
    return rule, point, when


def _taper_after_response(
    points: list[CoursePoint], start_dose: float, changes: list[tuple[date, float]]
) -> date | None:
    """The date the taper began (first dose below the start), if an initial response (CR, VGPR
    or PR on day ≥ 7) came before it; else None (no dependence can be judged)."""
    taper = next((when for when, dose in changes if dose < start_dose), None)
    if taper is None:
        return None
    responded = any(
        p.day >= 7 and p.date <= taper and counts_as_response(p.response) for p in points
    )
    return taper if responded else None


def _taper_pairs(points: list[CoursePoint], taper: date) -> list[tuple[CoursePoint, CoursePoint]]:
    """Consecutive assessments whose later one falls during the taper."""
    return [(b, p) for b, p in zip(points, points[1:], strict=False) if p.date > taper]


def _compared(
    baseline: OrganStages, before: OrganStages, after: OrganStages
) -> tuple[bool, tuple[str, ...]]:
    """(some organ is worse at ``after`` than at ``before``, organs unknown at either).

    An organ not involved at baseline and not measured is read as not involved (§7.2).
    """

    def stage(stages: OrganStages, organ: str) -> int | None:
        value = getattr(stages, organ)
        return 0 if value is None and getattr(baseline, organ) == 0 else value

    worse, unknown = False, []
    for organ in ORGANS:
        b, a = stage(before, organ), stage(after, organ)
        if b is None or a is None:
            unknown.append(organ)
        elif a > b:
            worse = True
    return worse, tuple(unknown)


def ebmt_d2_waiting(
    points: list[CoursePoint], start_dose: float, changes: list[tuple[date, float]]
) -> Waiting | None:
    """D2 left undecided: during the taper, an organ not measured at an assessment or at the one
    before it (docs/clinical-rules.md §7.6). Only asked when no dependence event fired."""
    taper = _taper_after_response(points, start_dose, changes)
    if taper is None:
        return None
    for before, point in _taper_pairs(points, taper):
        unknown = _compared(points[0].stages, before.stages, point.stages)[1]
        if unknown:
            reason = Msg(
                "{organs} not measured on day {before} or day {day}",
                organs=Listed([ORGAN_LABELS[o] for o in unknown], style="unit"),
                before=before.day,
                day=point.day,
            )
            return Waiting("D2", point.day, reason)
    return None


def ebmt2018_status(
    points: list[CoursePoint],
    start: date,
    start_dose: float,
    changes: list[tuple[date, float]],
    intolerant: bool,
) -> Status:
    """Verdict under EBMT 2018: the earliest refractory or dependence event. On one date, a
    dependence event wins over E3 (the only refractory rule that can meet one): a patient who
    responded and flares during the taper is steroid-dependent (Schoemans et al. 2018)."""
    refractory = first_fired(points, EBMT_REFRACTORY_RULES)
    dependence = ebmt_dependence(points, start_dose, changes)
    candidates = []
    if refractory is not None:
        point, rule = refractory
        candidates.append(
            (
                point.date,
                1,
                _fired(REFRACTORY, "ebmt2018", rule, point.day, point.date, intolerant=intolerant),
            )
        )
    if dependence is not None:
        rule, _, when = dependence
        candidates.append(
            (
                when,
                0,
                _fired(
                    DEPENDENT, "ebmt2018", rule, (when - start).days, when, intolerant=intolerant
                ),
            )
        )
    if candidates:
        return min(candidates, key=lambda c: (c[0], c[1]))[2]
    waiting = waiting_rule(points, ASSESSMENT_RULES["ebmt2018"]) or ebmt_d2_waiting(
        points, start_dose, changes
    )
    return _not_refractory(
        points,
        start,
        "ebmt2018",
        waiting,
        final_day=EBMT_INCOMPLETE_RESPONSE_DAY,
        intolerant=intolerant,
    )


def _fired(
    value: str, rule_set: str, rule: str, day: int, when: date, *, intolerant: bool
) -> Status:
    """A refractory or dependent verdict naming the rule (with its text), day and date."""
    text = {**STUDY_RULES, **EBMT_RULES}[rule].text
    return Status(
        value, rule_set, rule=rule, rule_text=text, day=day, date=when, intolerant=intolerant
    )


def _not_refractory(
    points: list[CoursePoint],
    start: date,
    rule_set: str,
    waiting: Waiting | None,
    *,
    final_day: int,
    intolerant: bool,
) -> Status:
    """No rule fired: a rule ``waiting`` on a not-assessable assessment keeps the course "not
    refractory so far" at that rule's decision day (overdue); else responsive once an assessment
    reached ``final_day``; else the next decision point (day 7, then ``final_day``)."""
    last_day = points[-1].day
    if waiting is not None:
        next_day = waiting.day
    elif last_day >= final_day:
        return Status(RESPONSIVE, rule_set, assessed_through_day=last_day, intolerant=intolerant)
    else:
        next_day = 7 if last_day < 7 else final_day
    return Status(
        SO_FAR,
        rule_set,
        next_decision_day=next_day,
        next_decision_date=start + timedelta(days=next_day),
        intolerant=intolerant,
        waiting=waiting,
    )
