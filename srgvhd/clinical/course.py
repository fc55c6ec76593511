"""What a steroid course means: stages, grades, responses and the steroid-refractory verdict.

``assess_case`` builds the typed result (``srgvhd.clinical.results.CourseResult``) whose
``to_json()`` is ``srgvhd assess --json`` (docs/interfaces.md §2) from a parsed case. The risk
model's estimate is added outside the clinical engine, by ``srgvhd.risk.patient``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date

from srgvhd.clinical.case import MEASUREMENT_FIELDS, Assessment, Case, Measurements, Patient
from srgvhd.clinical.comparison import compare_with_baseline
from srgvhd.clinical.grading import (
    Grade,
    grade_rank,
    ibmtr_index,
    keystone_grade,
    magic_grade,
    minnesota_risk,
)
from srgvhd.clinical.policy import (
    EBMT_INCOMPLETE_RESPONSE_DAY,
    STUDY_METHYLPREDNISOLONE_MG_PER_KG_DAY,
)
from srgvhd.clinical.refractory import (
    ASSESSMENT_RULES,
    RULE_SETS,
    CoursePoint,
    ebmt2018_status,
    ebmt_worse_after_day_7,
    judged_points,
    study_status,
)
from srgvhd.clinical.response import judge_response, taken_as_not_involved
from srgvhd.clinical.results import SO_FAR, AssessmentResult, CourseResult, Response, Status
from srgvhd.clinical.scores import course_scores
from srgvhd.clinical.second_line import assess_second_line
from srgvhd.clinical.staging import (
    ORGAN_LABELS,
    ORGANS,
    OrganStages,
    Staging,
    stage_liver,
    stage_lower_gi,
    stage_skin,
    stage_upper_gi,
)
from srgvhd.i18n.message import N_, Listed, Msg

CHILD_NOTE = N_("lower GI staged with child thresholds (age < 18 and weight ≤ 50 kg)")
BULLAE_NOTE = N_(
    "skin: rash > 50% BSA with bullae/desquamation not entered, taken as none (stage 3; stage 4 "
    "needs bullae and desquamation > 5% BSA)"
)
GI_FLAGS_NOTE = N_(
    "lower GI: severe abdominal pain/ileus or grossly bloody stool not entered, taken as absent"
)
LEGACY_WARNING = N_(
    "srgvhd-case/1 file: its blank findings were taken as not involved (the old meaning); in "
    "srgvhd-case/2, which the app saves, a blank means not measured"
)


def measured_organs(m: Measurements) -> dict[str, bool]:
    """Which organs a ``srgvhd-case/2`` assessment measured (Rule of this project, §7).

    An organ is measured when its primary finding is entered: skin the rash % BSA, liver the
    bilirubin, upper GI the persistent-symptoms answer, lower GI the stool volume or the episode
    count, or a stage-4 finding (severe pain/ileus, grossly bloody stool) answered true. A blank
    secondary finding of a measured organ (bullae/desquamation, the other of volume and
    episodes, a stage-4 finding) is taken as absent, with a note where it could raise the stage;
    at a later assessment ``srgvhd.clinical.comparison`` may still set the organ not measured.
    """
    return {
        "skin": m.skin_rash_bsa_percent is not None,
        "liver": m.bilirubin is not None,
        "upper_gi": m.upper_gi_persistent_symptoms is not None,
        "lower_gi": m.stool_ml_per_day is not None
        or m.stool_episodes_per_day is not None
        or bool(m.severe_abdominal_pain_or_ileus)
        or bool(m.grossly_bloody_stool),
    }


def stage_assessment(assessment: Assessment, patient: Patient, *, legacy: bool = False) -> Staging:
    """MAGIC stages of one assessment: entered directly, or staged from its raw findings.

    An organ not measured has stage None; with ``legacy`` (a ``srgvhd-case/1`` file) every
    blank finding is read as not involved, as that format meant.
    """
    if assessment.stages is not None:
        return Staging(assessment.stages)
    m = assessment.measurements
    assert m is not None
    measured = dict.fromkeys(ORGANS, True) if legacy else measured_organs(m)
    lower_gi, notes = stage_lower_gi(
        stool_ml_per_day=m.stool_ml_per_day,
        stool_episodes_per_day=m.stool_episodes_per_day,
        severe_pain_or_ileus=m.severe_abdominal_pain_or_ileus,
        grossly_bloody_stool=m.grossly_bloody_stool,
        child=patient.child,
        weight_kg=patient.weight_kg,
    )
    stool_given = m.stool_ml_per_day is not None or m.stool_episodes_per_day is not None
    if patient.child and stool_given:
        notes = (CHILD_NOTE, *notes)
    rash = m.skin_rash_bsa_percent
    if not legacy:
        if rash is not None and rash > 50 and m.skin_bullae_desquamation_bsa_percent is None:
            notes = (*notes, BULLAE_NOTE)
        flags = (m.severe_abdominal_pain_or_ileus, m.grossly_bloody_stool)
        if measured["lower_gi"] and lower_gi < 4 and None in flags:
            notes = (*notes, GI_FLAGS_NOTE)
    staged = {
        "skin": stage_skin(rash, m.skin_bullae_desquamation_bsa_percent),
        "liver": stage_liver(m.bilirubin_mg_dl),
        "upper_gi": stage_upper_gi(m.upper_gi_persistent_symptoms),
        "lower_gi": lower_gi,
    }
    stages = OrganStages(**{o: staged[o] if measured[o] else None for o in ORGANS})
    return Staging(stages, notes)


def _organs(organs: tuple[str, ...] | list[str]) -> str:
    """Organ names for a sentence: "liver", "liver and lower GI", "skin, liver and upper GI"
    (a ``Listed``, which another language joins its own way)."""
    return Listed([ORGAN_LABELS[o] for o in organs])


STEROID_BASELINE = "baseline (day 0)"  # how a not-assessable reason names the steroid baseline


def _unjudged(
    baseline: OrganStages,
    current: OrganStages,
    day: int,
    reasons: dict[str, str],
    baseline_words: str = STEROID_BASELINE,
) -> str:
    """Why a response is not assessable: which organs were not measured, and when; an organ
    not compared with baseline (``reasons``, srgvhd.clinical.comparison) says which finding."""
    rule2 = taken_as_not_involved(baseline, current)
    now = [o for o in current.not_measured if o not in rule2 and o not in reasons]
    parts = [Msg("{organs} not measured on day {day}", organs=_organs(now), day=day)] if now else []
    parts += [
        Msg(
            "{organ} not comparable on day {day} ({reason})",
            organ=ORGAN_LABELS[organ],
            day=day,
            reason=reason,
        )
        for organ, reason in reasons.items()
    ]
    if baseline.not_measured:
        parts.append(
            Msg("{organs} not measured at baseline (day 0)", organs=_organs(baseline.not_measured))
            if baseline_words == STEROID_BASELINE
            else Msg(
                "{organs} not measured at {baseline}",
                organs=_organs(baseline.not_measured),
                baseline=baseline_words,
            )
        )
    return _joined(parts)


def _joined(parts: list[Msg]) -> str:
    """Reasons one after another, separated by semicolons (each translated on its own)."""
    if len(parts) <= 1:
        return parts[0] if parts else ""
    return Msg("{first}; {rest}", first=parts[0], rest=_joined(parts[1:]))


def _bilirubin(assessment: Assessment) -> float | None:
    return None if assessment.measurements is None else assessment.measurements.bilirubin_mg_dl


def judge_assessments(
    case: Case,
    baseline: Assessment,
    assessments: Sequence[Assessment],
    day_of: Callable[[date], int],
    baseline_words: str = STEROID_BASELINE,
) -> list[tuple[AssessmentResult, CoursePoint]]:
    """Stage and grade each assessment and judge every one after ``baseline`` against it.

    ``assessments`` is in date order and starts with ``baseline`` (its response is None);
    ``day_of`` gives an assessment's day (of the steroid course, or of second line) and
    ``baseline_words`` names the baseline in a not-assessable reason. Used for the steroid
    course (baseline = day 0) and for second line (docs/clinical-rules.md §8.4: the same §4 and
    §7 rules against the second-line baseline).
    """
    base = stage_assessment(baseline, case.patient, legacy=case.legacy).stages
    base_bilirubin = _bilirubin(baseline)
    judged: list[tuple[AssessmentResult, CoursePoint]] = []
    for assessment in assessments:
        staging = stage_assessment(assessment, case.patient, legacy=case.legacy)
        floor, reasons = staging.stages, {}
        if assessment is not baseline and not case.legacy:
            comparison = compare_with_baseline(baseline, base, assessment, staging)
            staging, floor, reasons = comparison.staging, comparison.floor, comparison.reasons
        stages, bilirubin = staging.stages, _bilirubin(assessment)
        day = day_of(assessment.date)
        response, unjudged, notes = None, "", staging.notes
        if assessment is not baseline:
            response = judge_response(
                base,
                stages,
                baseline_bilirubin_mg_dl=base_bilirubin,
                current_bilirubin_mg_dl=bilirubin,
            )
            if stages.not_measured:
                notes += tuple(
                    Msg(
                        "{organ} not measured: taken as not involved (not involved at baseline)",
                        organ=ORGAN_LABELS[o],
                    )
                    for o in taken_as_not_involved(base, stages)
                )
            if response == Response.NOT_ASSESSABLE:
                unjudged = _unjudged(base, stages, day, reasons, baseline_words)
                notes += (Msg("response not assessable: {reason}", reason=unjudged),)
        point = CoursePoint(assessment.date, day, stages, response, unjudged)
        judged.append((_row(assessment, day, stages, floor, notes, response, bilirubin), point))
    return judged


def steroid_phase(case: Case) -> Case:
    """The case as the steroid verdict sees it: only the assessments before the second-line
    start (docs/clinical-rules.md §8.4 — later assessments never change the verdict)."""
    if case.second_line is None:
        return case
    start = case.second_line.start_date
    return replace(case, assessments=tuple(a for a in case.assessments if a.date < start))


def assess_case(case: Case, rule_set: str | None = None) -> CourseResult:
    """Stage, grade and judge every assessment, then give the refractoriness verdict.

    The first assessment is the day-0 baseline (``parse_case`` guarantees it); each later one is
    judged against it. ``rule_set`` is "study" (Niu et al. 2026) or "ebmt2018"; None uses the
    case's own (``Case.rules``: the stored rule set, else the study definition).

    With a second line recorded, the steroid part (assessments, grade, verdict, warnings,
    scores) is judged on the assessments before the second-line start only, and the second line
    on its own baseline (``srgvhd.clinical.second_line``, docs/clinical-rules.md §8).
    """
    rule_set = rule_set or case.rules
    if rule_set not in RULE_SETS:
        raise ValueError(f"rule_set must be one of {RULE_SETS}, not {rule_set!r}")
    whole, case = case, steroid_phase(case)
    judged = judge_assessments(case, case.assessments[0], case.assessments, case.day)
    rows = [row for row, _ in judged]
    points = [point for _, point in judged]
    steroids = case.steroids
    if rule_set == "study":
        status = study_status(points, steroids.start_date)
    else:
        changes = [(d.date, d.mg_per_kg_day) for d in steroids.dose_changes]
        status = ebmt2018_status(
            points, steroids.start_date, steroids.mg_per_kg_day, changes, steroids.intolerant
        )
    max_grade = max((r.grade for r in rows), key=grade_rank)
    second = None
    if whole.second_line is not None:
        day_of_second_line = whole.second_line.day

        def judge(
            base: Assessment, later: Sequence[Assessment], words: str
        ) -> list[AssessmentResult]:
            judged = judge_assessments(whole, base, [base, *later], day_of_second_line, words)
            return [row for row, _ in judged[1:]]

        second = assess_second_line(whole, judge)
    return CourseResult(
        rule_set=rule_set,
        assessments=tuple(rows),
        max_grade=max_grade,
        status=status,
        warnings=tuple(_warnings(case, rows, points, status, max_grade)),
        scores=course_scores(case.labs, steroids.start_date, tuple(rows)),
        second_line=second,
    )


def _warnings(
    case: Case,
    rows: list[AssessmentResult],
    points: list[CoursePoint],
    status: Status,
    max_grade: Grade,
) -> list[str]:
    """Dose below the study's, a ``/1`` file's blanks, grades that are lower bounds (§7.5) and a
    verdict that a not-assessable assessment may have delayed (§7.6)."""
    warnings = []
    if case.rule_set is not None and status.rule_set != case.rule_set:
        warnings.append(
            Msg(
                "judged by the {asked} rule set as asked, not by the case's own ({own})",
                asked=status.rule_set,
                own=case.rule_set,
            )
        )
    dose = case.steroids.mg_per_kg_day
    if dose < STUDY_METHYLPREDNISOLONE_MG_PER_KG_DAY:
        warnings.append(
            Msg(
                "methylprednisolone {dose} mg/kg/day is below the {study} mg/kg/day the "
                "refractoriness rules assume; the verdict is given but read it with care",
                dose=float(dose),
                study=float(STUDY_METHYLPREDNISOLONE_MG_PER_KG_DAY),
            )
        )
    if case.legacy and any(_has_blank(a.measurements) for a in case.assessments):
        warnings.append(LEGACY_WARNING)
    incomplete = [r for r in rows if r.grade_incomplete]
    if incomplete:
        days = Listed(
            [
                Msg("day {day}: {organs}", day=r.day, organs=_organs(r.not_measured))
                for r in incomplete
            ],
            style="unit",
        )
        warnings.append(
            Msg(
                "grades leave out organs not measured ({days}); the highest MAGIC grade {grade} "
                "is a lower bound, and the risk model uses it as such",
                days=days,
                grade=max_grade.value,
            )
        )
    judged = [judged_points(points, rule) for rule in ASSESSMENT_RULES[status.rule_set]]
    earlier = [
        p
        for p in points
        if p.response == Response.NOT_ASSESSABLE
        and status.date is not None
        and p.date < status.date
        and any(p in points_of_rule for points_of_rule in judged)
    ]
    worse = ebmt_worse_after_day_7(points) if status.rule_set == "ebmt2018" else None
    if worse is not None and status.value == SO_FAR:
        warnings.append(
            Msg(
                "day {day}: {response} after the day-7 decision; the EBMT 2018 rule set has no "
                "rule for it before day {decision} (incomplete response) — judge it clinically",
                day=worse.day,
                response=str(worse.response),
                decision=EBMT_INCOMPLETE_RESPONSE_DAY,
            )
        )
    if earlier:
        warnings.append(
            Msg(
                "the assessment on day {day} could not be judged ({reason}); the course may have "
                "become {status} before day {verdict_day}",
                day=earlier[0].day,
                reason=earlier[0].unjudged,
                status=status.value,
                verdict_day=status.day,
            )
        )
    return warnings


def _has_blank(m: Measurements | None) -> bool:
    return m is not None and any(getattr(m, key) is None for key in MEASUREMENT_FIELDS)


def _row(
    assessment: Assessment,
    day: int,
    stages: OrganStages,
    floor: OrganStages,
    notes: tuple[str, ...],
    response: Response | None,
    bilirubin_mg_dl: float | None,
) -> AssessmentResult:
    """One assessment's result. Its grades come from ``floor`` (the stages, with an organ not
    compared with baseline at its stage from the findings entered): unknown organs are left
    out (§7.5), so the grade is a lower bound, flagged by ``grade_incomplete``."""
    known = floor.known()
    return AssessmentResult(
        date=assessment.date,
        day=day,
        stages=stages,
        grade=magic_grade(known),
        minnesota_risk=minnesota_risk(known),
        response=response,
        source="stages" if assessment.stages is not None else "measurements",
        bilirubin_mg_dl=bilirubin_mg_dl,
        keystone_grade=keystone_grade(known),
        ibmtr_index=ibmtr_index(known),
        notes=notes,
    )
