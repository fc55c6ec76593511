"""Second-line therapy after the steroid verdict: baseline, responses, week 4, progression.

docs/clinical-rules.md §8 (after Niu et al., Leuk Lymphoma 2026: "treatment response (CR and
ORR) was assessed at week 4 after the initiation of SR-aGVHD therapy"; survival from the first
UC-MSC infusion or the start of second-line therapy):

- day of second line = date − start date (the start is day 0, §8.2);
- the second-line baseline is the latest assessment on or before the start and at most
  ``SECOND_LINE_BASELINE_MAX_DAYS_BEFORE`` (7) days before it (§8.3); without one every
  second-line response is "not assessable" (no second-line baseline) and the result asks for an
  assessment at the start;
- each assessment after the start is judged against that baseline with the steroid course's
  own response rules (§4 with §7 for missing measurements, §8.4) — ``judge`` is
  ``srgvhd.clinical.course.judge_assessments``, never a second copy of them;
- week 4 (§8.5): the first assessable assessment on second-line days 28–35; "due" until then
  (due date = start + 28), "missed" once the course is past day 35 with none assessable, "not
  assessable" without a baseline or when the window holds only not-assessable assessments;
  ORR = CR, VGPR or PR (mixed is not a response, §4);
- progression (§8.6): the first assessment on day ≥ 1 whose response is progression or mixed.

"Today" is the engine's as-of date, as for the steroid verdict's next decision point
(``srgvhd.clinical.refractory``): the date of the last assessment recorded, and at least the
start date (the patient was seen when second line began). The result never reads the clock, so
the same case file always gives the same answer.

Pure: no pandas, no risk model, no published figures (``srgvhd.literature.second_line`` adds
the study's rates beside the result).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

from srgvhd.clinical.case import MSC_THERAPIES, Assessment, Case, SecondLine
from srgvhd.clinical.policy import (
    DAY28_WINDOW_DAYS,
    SECOND_LINE_BASELINE_MAX_DAYS_BEFORE,
    STUDY_MSC_DOSE_RANGE,
)
from srgvhd.clinical.response import ORR_RESPONSES
from srgvhd.clinical.results import (
    WEEK4_ASSESSED,
    WEEK4_DUE,
    WEEK4_MISSED,
    WEEK4_NOT_ASSESSABLE,
    AssessmentResult,
    Response,
    SecondLineAssessment,
    SecondLineEvent,
    SecondLineResult,
    Week4,
)
from srgvhd.i18n.message import N_, Msg

# English words of the --json contract, marked for the catalogues (docs/glossary.md): a report
# says them in its language (srgvhd.report.second_line_text).
NO_BASELINE = N_("no second-line baseline")
WORSE = (Response.PROGRESSION, Response.MIXED)
THERAPY_LABELS = {
    "uc-msc": N_("UC-MSC + standard second-line therapy"),
    "standard": N_("standard second-line therapy"),
    "ruxolitinib": N_("ruxolitinib"),
    "bm-msc": N_("BM-MSC"),
    "other": N_("other"),
}
NOT_ASSESSABLE_NOTE = "response not assessable: {reason}"  # srgvhd.clinical.course's note

# (baseline, assessments after it in date order, words naming the baseline) -> their rows
Judge = Callable[[Assessment, Sequence[Assessment], str], list[AssessmentResult]]


def therapy_label(therapy: str, name: str | None) -> str:
    """The therapy in words: ``other`` by its name, any other therapy with its name beside."""
    label = THERAPY_LABELS[therapy]
    if name is None:
        return label
    return name if therapy == "other" else f"{label} ({name})"


def second_line_baseline(assessments: Sequence[Assessment], start: date) -> Assessment | None:
    """The latest assessment dated on or before ``start`` and at most 7 days before it (§8.3),
    or None."""
    earliest = start - timedelta(days=SECOND_LINE_BASELINE_MAX_DAYS_BEFORE)
    eligible = [a for a in assessments if earliest <= a.date <= start]
    return max(eligible, key=lambda a: a.date, default=None)


def as_of(case: Case, second: SecondLine) -> date:
    """The date the result is read at: the last assessment's, and not before the start."""
    return max(case.assessments[-1].date, second.start_date)


def assess_second_line(case: Case, judge: Judge) -> SecondLineResult:
    """The second-line result of a case that records one (``case.second_line`` not None)."""
    second = case.second_line
    assert second is not None
    start = second.start_date
    baseline = second_line_baseline(case.assessments, start)
    later = [a for a in case.assessments if a.date > start]
    if baseline is None:
        rows = [
            SecondLineAssessment(a.date, second.day(a.date), Response.NOT_ASSESSABLE, NO_BASELINE)
            for a in later
        ]
    else:
        words = Msg("the second-line baseline ({date})", date=baseline.date)
        rows = [
            SecondLineAssessment(r.date, r.day, _response(r), _reason(r), r)
            for r in judge(baseline, later, words)
        ]
    today = second.day(as_of(case, second))
    return SecondLineResult(
        therapy=second.therapy,
        therapy_name=second.therapy_name,
        start_date=start,
        day=today,
        baseline_date=None if baseline is None else baseline.date,
        assessments=tuple(rows),
        week4=week4(rows, start, today, has_baseline=baseline is not None),
        progression=progression(rows),
        infusions=second.infusions,
        warnings=tuple(_warnings(second, baseline)),
    )


def _response(row: AssessmentResult) -> Response:
    assert row.response is not None  # every row after the baseline is judged
    return row.response


def _reason(row: AssessmentResult) -> str | None:
    """Why a second-line response is not assessable (the engine's note), else None; the reason
    keeps its template, so a report can say it in another language."""
    for note in row.notes:
        if isinstance(note, Msg) and note.template == NOT_ASSESSABLE_NOTE:
            return note.params["reason"]
    prefix = NOT_ASSESSABLE_NOTE.removesuffix("{reason}")
    return next((n[len(prefix) :] for n in row.notes if n.startswith(prefix)), None)


def week4(
    rows: Sequence[SecondLineAssessment], start: date, today: int, *, has_baseline: bool
) -> Week4:
    """The week-4 response (§8.5) as of second-line day ``today``."""
    first_day, last_day = DAY28_WINDOW_DAYS
    due = start + timedelta(days=first_day)
    window = [r for r in rows if first_day <= r.day <= last_day]
    assessable = [r for r in window if r.response != Response.NOT_ASSESSABLE]
    if has_baseline and assessable:
        r = assessable[0]
        return Week4(WEEK4_ASSESSED, due, r.date, r.day, r.response, r.response in ORR_RESPONSES)
    if not has_baseline or window:
        first = window[0] if window else None
        return Week4(
            WEEK4_NOT_ASSESSABLE,
            due,
            None if first is None else first.date,
            None if first is None else first.day,
            None if first is None else first.response,
        )
    return Week4(WEEK4_MISSED if today > last_day else WEEK4_DUE, due)


def progression(rows: Sequence[SecondLineAssessment]) -> SecondLineEvent | None:
    """The first assessment on day ≥ 1 of second line whose response is progression or mixed
    (an organ worse than at the second-line baseline, §8.6), or None."""
    worse = next((r for r in rows if r.day >= 1 and r.response in WORSE), None)
    return None if worse is None else SecondLineEvent(worse.date, worse.day, worse.response)


# One infusion's dose outside the study's range (a warning, not a refusal; §8.1).
DOSE_OUTSIDE_STUDY = N_(
    "{field}: {dose} × 10^6 cells/kg on {date} is outside the study's range of "
    "{low}–{high} × 10^6 cells/kg per infusion (Niu et al. 2026)"
)


def _warnings(second: SecondLine, baseline: Assessment | None) -> list[str]:
    """Doses outside the study's range (accepted, §8.1) and a missing baseline (§8.3)."""
    low, high = STUDY_MSC_DOSE_RANGE
    warnings: list[str] = [
        Msg(
            DOSE_OUTSIDE_STUDY,
            field=f"second_line.infusions[{i}].dose_10e6_cells_per_kg",
            dose=float(infusion.dose_10e6_cells_per_kg),
            date=infusion.date,
            low=float(low),
            high=float(high),
        )
        for i, infusion in enumerate(second.infusions)
        if second.therapy in MSC_THERAPIES and not low <= infusion.dose_10e6_cells_per_kg <= high
    ]
    if baseline is None:
        earliest = second.start_date - timedelta(days=SECOND_LINE_BASELINE_MAX_DAYS_BEFORE)
        warnings.append(
            Msg(
                "no second-line baseline: no assessment from {earliest} to the second-line start "
                "({start}), so every second-line response is not assessable — record an "
                "assessment on the second-line start date",
                earliest=earliest,
                start=second.start_date,
            )
        )
    return warnings
