"""Words and number formats for a result, shared by the CLI table, the Assess page and the PDF.

One place for: hazard ratio with its CI, survival with its band, the reference patient, the
rule set, the scope of the risk estimate, raw findings and "not measured", the bedside scores'
lines, and the time a report was generated. The Cox model's covariates are the categories of
Niu et al. 2026 (age ≥35 vs 18–34 years, grade IV vs III, hemoglobin ≤90 vs >90 g/L;
docs/clinical-rules.md §6); the reference patient is the paper's reference categories
(srgvhd.risk.covariates.REFERENCE). Survival horizons are never written here: they are the
keys of the risk estimate's ``survival`` (set once by the risk model, srgvhd.risk.predict).

References
----------
Niu Y, et al. Umbilical cord-derived mesenchymal stem cells for steroid-refractory acute
graft-versus-host disease: a real-world study. Leuk Lymphoma 2026:1–8.
doi:10.1080/10428194.2026.2634172 (covariates, reference categories, the cohort the model
describes: steroid-refractory patients from the start of second-line therapy).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from srgvhd.clinical.case import Measurements
from srgvhd.clinical.policy import HEMOGLOBIN_THRESHOLD_G_L
from srgvhd.clinical.refractory import RULE_SET_LABELS
from srgvhd.clinical.results import DEPENDENT, REFRACTORY, RESPONSIVE, CourseResult, Status
from srgvhd.clinical.scores import (
    EASIX_NOTE,
    EASIX_SOURCE,
    EASIX_STATEMENT,
    MAP_SOURCE,
    MAP_STATEMENT,
    MAP_THRESHOLD,
    Scores,
)
from srgvhd.clinical.staging import ORGAN_LABELS, ORGANS
from srgvhd.risk.covariates import COVARIATE_COLUMNS, REFERENCE, encode

NOT_MEASURED = "n/m"
NOT_MEASURED_LEGEND = "n/m = not measured (not the same as 0 / not involved)"
LEGACY_BLANK = "blank"
LEGACY_LEGEND = (
    "blank = left empty in an srgvhd-case/1 file, where an empty finding meant not involved"
)
INCOMPLETE_MARK = "*"
INCOMPLETE_LEGEND = "* grade from an assessment with an organ not measured (may be higher)"
OWN_RISK_HEADING = "Survival risk (Cox model)"
CONDITIONAL_RISK_HEADING = "If this course becomes steroid-refractory"
CONDITIONAL_RISK_NOTE = (
    "The model was fitted on steroid-refractory patients from the start of second-line "
    "therapy; this course is not steroid-refractory, so these figures are not this patient's "
    "prognosis now."
)
NOT_ESTIMATED = "not estimated (beyond the model's follow-up)"
TIMEZONE_ENV = "SRGVHD_TIMEZONE"
UNIT_WORDS = {"umol/L": "µmol/L"}
FACTOR_WORDS = {
    "age_lt18": "age <18",
    "age_ge35": "age ≥35",
    "grade_II": "grade II",
    "grade_IV": "grade IV",
    "hb_le_90": "Hb ≤ 90 g/L",
}


# --- numbers ------------------------------------------------------------------------------------
def number(value: float) -> str:
    """A measurement as entered, without a trailing ``.0``."""
    return f"{float(value):g}"


def ratio(value: float) -> str:
    """A hazard ratio to three significant figures, never in exponent notation."""
    return f"{value:.0f}" if value >= 100 else f"{value:.3g}"


def percent(value: float) -> str:
    """A probability as a whole percentage."""
    return f"{100 * value:.0f}%"


def hazard_ratio_text(hazard_ratio: float, ci: Sequence[float]) -> str:
    """``12.3 (95% CI 2.1–71)``."""
    low, high = ci
    return f"{ratio(hazard_ratio)} (95% CI {ratio(low)}–{ratio(high)})"


def survival_text(estimate: float | None, lower: float | None, upper: float | None) -> str:
    """``70% (95% band 52%–83%)``, or that it was not estimated (null beyond follow-up)."""
    if estimate is None or lower is None or upper is None:
        return NOT_ESTIMATED
    return f"{percent(estimate)} (95% band {percent(lower)}–{percent(upper)})"


def horizon_text(days: str | int) -> str:
    """A survival horizon (a key of the risk estimate's ``survival``) in words."""
    return f"{int(days)} days"


# --- the model's categories ---------------------------------------------------------------------
def age_group_text(group: str) -> str:
    """An age group of the model as printed: ``18-34`` with an en dash."""
    return group.replace("-", "–")


def hemoglobin_group_text(le_threshold: bool) -> str:
    """``Hb ≤ 90 g/L`` or ``Hb > 90 g/L`` (threshold: srgvhd.clinical.policy, rules §6)."""
    return f"Hb {'≤' if le_threshold else '>'} {number(HEMOGLOBIN_THRESHOLD_G_L)} g/L"


def covariates_text(age_group: str, grade: str, hemoglobin_le_90: bool) -> str:
    """``age 18–34, grade III, Hb > 90 g/L``."""
    return (
        f"age {age_group_text(age_group)}, grade {grade}, {hemoglobin_group_text(hemoglobin_le_90)}"
    )


def reference_patient_text() -> str:
    """The reference patient of every hazard ratio (hazard ratio 1; Niu et al. 2026)."""
    return covariates_text(
        REFERENCE["age_group"], REFERENCE["grade"], REFERENCE["hemoglobin_le_90"]
    )


REFERENCE_WORDS = f"none: the reference categories ({reference_patient_text()})"


def model_hazard_ratios(covariates: Sequence[str], beta: Sequence[float]) -> dict[str, float]:
    """Hazard ratio exp(β) of each model covariate (indicator column name -> HR)."""
    return {name: math.exp(b) for name, b in zip(covariates, beta, strict=True)}


def driving_factors(risk_covariates: Mapping, hazard_ratios: dict[str, float]) -> list[str]:
    """The patient's non-reference categories with the model's HR, e.g. "age ≥35 (HR 5.02)".

    ``risk_covariates`` is the ``covariates`` object of an assess result's ``risk``
    (age_group, grade, hemoglobin_le_90). A category without a coefficient is named without HR.
    """
    row = encode(
        risk_covariates["age_group"], risk_covariates["grade"], risk_covariates["hemoglobin_le_90"]
    )
    factors = []
    for column, present in zip(COVARIATE_COLUMNS, row, strict=True):
        if not present:
            continue
        hr = hazard_ratios.get(column)
        factors.append(FACTOR_WORDS[column] + ("" if hr is None else f" (HR {hr:.2f})"))
    return factors or [REFERENCE_WORDS]


REFERENCE_HAZARD_RATIO = "Hazard ratio 1 (reference patient: {reference})."
HAZARD_RATIO_SENTENCE = "Hazard ratio {hazard_ratio} vs the reference patient ({reference})."


def is_reference_patient(risk_covariates: Mapping) -> bool:
    """Whether the risk estimate's covariates are the model's reference categories: its hazard
    ratio is 1 by definition, with no interval (Niu et al. 2026)."""
    return all(risk_covariates.get(key) == value for key, value in REFERENCE.items())


def hazard_ratio_sentence(risk: Mapping) -> str:
    """The hazard ratio vs the reference patient with its 95% CI; for the reference patient
    itself "Hazard ratio 1 (reference patient: …)" — a "95% CI 1–1" would read as a measured
    certainty rather than a definition."""
    if is_reference_patient(risk["covariates"]):
        return REFERENCE_HAZARD_RATIO.format(reference=reference_patient_text())
    return HAZARD_RATIO_SENTENCE.format(
        hazard_ratio=hazard_ratio_text(risk["hazard_ratio"], risk["hazard_ratio_ci"]),
        reference=reference_patient_text(),
    )


def risk_sentences(risk: Mapping) -> list[str]:
    """The risk estimate (the interfaces.md §2 ``risk`` object) in sentences: hazard ratio vs
    the reference patient, the covariates used (with where the grade came from), and survival
    at each of the estimate's horizons."""
    cov = risk["covariates"]
    covariates = covariates_text(cov["age_group"], cov["grade"], cov["hemoglobin_le_90"])
    source = f" (grade: {risk['grade_source']})" if risk.get("grade_source") else ""
    return [
        hazard_ratio_sentence(risk),
        f"Covariates: {covariates}{source}.",
        *(
            f"Survival at {horizon_text(day)}: "
            f"{survival_text(s['estimate'], s['lower'], s['upper'])}."
            for day, s in risk["survival"].items()
        ),
    ]


# --- verdict and scope --------------------------------------------------------------------------
def rule_set_text(rule_set: str) -> str:
    """The rule set's name (srgvhd.clinical.refractory.RULE_SET_LABELS)."""
    return RULE_SET_LABELS.get(rule_set, rule_set)


def risk_is_own(status_value: str) -> bool:
    """Whether the Cox estimate describes this patient now: the model was fitted on
    steroid-refractory patients from the start of second-line therapy (Niu et al. 2026), so
    only a steroid-refractory course gets it as its own."""
    return status_value == REFRACTORY


def _shown(value: object, text: str, blank: str) -> str:
    return blank if value is None else text


def _yes_no(value: bool | None, blank: str) -> str:
    return _shown(value, "yes" if value else "no", blank)


def findings_text(m: Measurements, *, legacy: bool = False) -> str:
    """The raw findings of one assessment, units included, "n/m" where not measured.

    e.g. ``rash 30% · bullae 0% · bilirubin 2.5 mg/dL · upper-GI symptoms yes ·
    stool 800 mL/day, n/m episodes/day · pain/ileus no · bloody stool no``. In an
    ``srgvhd-case/1`` file (``legacy``) a blank meant "not involved", so it prints as "blank".
    """
    blank = LEGACY_BLANK if legacy else NOT_MEASURED
    rash, bullae = m.skin_rash_bsa_percent, m.skin_bullae_desquamation_bsa_percent
    bili = m.bilirubin
    bili_text = _shown(
        bili,
        "" if bili is None else f"{number(bili.value)} {UNIT_WORDS.get(bili.unit, bili.unit)}",
        blank,
    )
    volume, episodes = m.stool_ml_per_day, m.stool_episodes_per_day
    return " · ".join(
        (
            f"rash {_shown(rash, f'{number(rash or 0)}%', blank)}",
            f"bullae {_shown(bullae, f'{number(bullae or 0)}%', blank)}",
            f"bilirubin {bili_text}",
            f"upper-GI symptoms {_yes_no(m.upper_gi_persistent_symptoms, blank)}",
            f"stool {_shown(volume, number(volume or 0), blank)} mL/day, "
            f"{_shown(episodes, number(episodes or 0), blank)} episodes/day",
            f"pain/ileus {_yes_no(m.severe_abdominal_pain_or_ileus, blank)}",
            f"bloody stool {_yes_no(m.grossly_bloody_stool, blank)}",
        )
    )


def marks_legend(cells: Iterable[str], incomplete: bool) -> list[str]:
    """The legend lines for the marks that occur in a printed course table: "n/m", an
    srgvhd-case/1 "blank", and the incomplete-grade mark when ``incomplete``."""
    cells = list(cells)
    legends = [
        legend
        for mark, legend in ((NOT_MEASURED, NOT_MEASURED_LEGEND), (LEGACY_BLANK, LEGACY_LEGEND))
        if any(mark in cell for cell in cells)
    ]
    return [*legends, INCOMPLETE_LEGEND] if incomplete else legends


def stage_text(stage: int | None) -> str:
    """An organ stage, or "n/m" when the organ was not measured."""
    return NOT_MEASURED if stage is None else str(stage)


def grade_text(grade: str, incomplete: bool) -> str:
    """A MAGIC grade, marked when an organ of its assessment was not measured."""
    return f"{grade}{INCOMPLETE_MARK}" if incomplete else str(grade)


def max_grade_text(course: CourseResult) -> str:
    """The course's highest MAGIC grade, marked when any assessment left an organ out: that
    assessment's own grade is a lower bound, so the maximum is one too (clinical-rules.md §7.5)."""
    return grade_text(course.max_grade, any(a.grade_incomplete for a in course.assessments))


def stored_max_grade_text(grade: str | None, incomplete: bool) -> str:
    """A stored course's highest grade for a list (the Ward page), marked like ``grade_text``."""
    return "—" if grade is None else grade_text(grade, incomplete)


# --- the headline: what the clinician must do, first ------------------------------------------
# Whole sentences with named placeholders, one per situation, so each can be translated whole.
# Order of urgency (docs/clinical-rules.md §5, §7.6, §8.9): a rule that cannot be judged and a
# decision point that has passed lead with what to enter; a verdict leads with itself.
HEADLINE_WAITING = (
    "Cannot decide yet: {reason} — enter it. Rule {rule} cannot be judged until then; its "
    "decision point, day {day} ({date}), is overdue."
)
HEADLINE_WAITING_SEVERAL = (
    "Cannot decide yet: {reason} — enter them. Rule {rule} cannot be judged until then; its "
    "decision point, day {day} ({date}), is overdue."
)
HEADLINE_OVERDUE = (
    "Decision overdue: the day-{day} decision point ({date}) has passed — enter the day-{day} "
    "assessment. Not refractory so far."
)
HEADLINE_DUE_TODAY = (
    "Decision due today: day {day} ({date}) — enter the day-{day} assessment. Not refractory "
    "so far."
)
HEADLINE_SO_FAR = "Not refractory so far; next decision point day {day} ({date})."
HEADLINE_REFRACTORY = (
    "Steroid-refractory by rule {rule} ({rule_text}) on day {day} ({date}) — choose "
    "second-line therapy."
)
HEADLINE_DEPENDENT = "Steroid-dependent by rule {rule} ({rule_text}) on day {day} ({date})."
HEADLINE_RESPONSIVE = "Steroid-responsive: no refractoriness rule fired through day {day}."
HEADLINE_INTOLERANT = "Steroid intolerance recorded by the clinician."

# The compact verdict bar: a title, where the verdict stands, and the next step.
TITLE_WAITING = "Cannot decide yet"
TITLE_OVERDUE = "Decision overdue"
TITLE_DUE_TODAY = "Decision due today"
TITLE_SO_FAR = "Not refractory so far"
TITLE_REFRACTORY = "Steroid-refractory"
TITLE_DEPENDENT = "Steroid-dependent"
TITLE_RESPONSIVE = "Steroid-responsive"
WHERE_RULE = "rule {rule} · day {day}"
WHERE_NEXT = "next decision day {day} · {date}"
WHERE_THROUGH = "assessed through day {day}"
ACTION_WAITING = "Enter what is missing: {reason}."
ACTION_ASSESS = "Enter the day-{day} assessment."
ACTION_NEXT = "Next assessment by day {day} ({date})."
ACTION_SECOND_LINE = "Choose second-line therapy."
ACTION_DEPENDENT = "Review the steroid taper."
ACTION_NONE = "No refractoriness decision pending."
BAR_GRADE = "max grade {grade}"

# Tones of the headline; the page and the PDF colour them (red, amber, green, blue).
TONE_REFRACTORY = "refractory"
TONE_ATTENTION = "attention"
TONE_RESPONSIVE = "responsive"
TONE_PENDING = "pending"


@dataclass(frozen=True)
class Headline:
    """The verdict as the clinician should meet it: ``text`` leads with what to do, ``tone``
    says how urgent it is, and ``title``/``where``/``action`` are its compact form (the verdict
    bar)."""

    tone: str
    title: str
    text: str
    where: str
    action: str


def headline(status: Status, today: date | None = None) -> Headline:
    """The verdict's headline. A rule that cannot be judged (clinical-rules.md §7.6) leads with
    "Cannot decide yet" and what to enter, never with "not refractory"; a decision point
    before ``today`` (None: not known, e.g. a stored result) leads with "Decision overdue", on
    ``today`` with "Decision due today" (the ward's urgency, srgvhd.casestore.ward)."""
    tone, title, text, where, action = _headline_parts(status, today)
    if status.intolerant:
        text = f"{text} {HEADLINE_INTOLERANT}"
    return Headline(tone, title, text, where, action)


def _headline_parts(status: Status, today: date | None) -> tuple[str, str, str, str, str]:
    if status.value in (REFRACTORY, DEPENDENT):
        assert status.date is not None
        fields = {
            "rule": status.rule,
            "rule_text": status.rule_text,
            "day": status.day,
            "date": status.date.isoformat(),
        }
        where = WHERE_RULE.format(**fields)
        if status.value == REFRACTORY:
            text = HEADLINE_REFRACTORY.format(**fields)
            return TONE_REFRACTORY, TITLE_REFRACTORY, text, where, ACTION_SECOND_LINE
        text = HEADLINE_DEPENDENT.format(**fields)
        return TONE_ATTENTION, TITLE_DEPENDENT, text, where, ACTION_DEPENDENT
    if status.value == RESPONSIVE:
        day = status.assessed_through_day
        text = HEADLINE_RESPONSIVE.format(day=day)
        return TONE_RESPONSIVE, TITLE_RESPONSIVE, text, WHERE_THROUGH.format(day=day), ACTION_NONE
    assert status.next_decision_date is not None
    fields = {"day": status.next_decision_day, "date": status.next_decision_date.isoformat()}
    if status.waiting is not None:
        waiting = status.waiting
        template = HEADLINE_WAITING_SEVERAL if _several(waiting.reason) else HEADLINE_WAITING
        text = template.format(reason=waiting.reason, rule=waiting.rule, **fields)
        where = WHERE_RULE.format(rule=waiting.rule, day=waiting.day)
        action = ACTION_WAITING.format(reason=waiting.reason)
        return TONE_ATTENTION, TITLE_WAITING, text, where, action
    where = WHERE_NEXT.format(**fields)
    if today is not None and status.next_decision_date <= today:
        overdue = status.next_decision_date < today
        text = (HEADLINE_OVERDUE if overdue else HEADLINE_DUE_TODAY).format(**fields)
        title = TITLE_OVERDUE if overdue else TITLE_DUE_TODAY
        return TONE_ATTENTION, title, text, where, ACTION_ASSESS.format(**fields)
    text = HEADLINE_SO_FAR.format(**fields)
    return TONE_PENDING, TITLE_SO_FAR, text, where, ACTION_NEXT.format(**fields)


def _several(reason: str) -> bool:
    """Whether a waiting rule's reason (srgvhd.clinical.course) names more than one missing
    finding: several parts, or several organs in one part."""
    outside = re.sub(r"\([^)]*\)", "", reason)  # a finding named in brackets is not a part
    return any(mark in outside for mark in (";", ",", " and "))


# --- completeness of each assessment (clinical-rules.md §7) ------------------------------------
COMPLETE_ASSESSMENT = "Day {day} ({date}): all four organs measured."
PARTLY_MEASURED = "Day {day} ({date}): {measured} measured; not measured: {missing}."
NOTHING_MEASURED = "Day {day} ({date}): no organ measured."


def completeness_text(day: int, when: date, not_measured: Sequence[str]) -> str:
    """Which organs an assessment measured, in one sentence ("Day 7 (2026-11-08): skin, liver
    and lower GI measured; not measured: upper GI.")."""
    fields = {"day": day, "date": when.isoformat()}
    if not not_measured:
        return COMPLETE_ASSESSMENT.format(**fields)
    measured = [organ for organ in ORGANS if organ not in not_measured]
    if not measured:
        return NOTHING_MEASURED.format(**fields)
    return PARTLY_MEASURED.format(
        measured=_organ_list(measured), missing=_organ_list(list(not_measured)), **fields
    )


def completeness_lines(course: CourseResult) -> list[str]:
    """``completeness_text`` for each assessment of the course, in date order."""
    return [completeness_text(a.day, a.date, a.not_measured) for a in course.assessments]


def _organ_list(organs: Sequence[str]) -> str:
    labels = [ORGAN_LABELS[o] for o in organs]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


# --- bedside scores (docs/interfaces.md §6) ----------------------------------------------------
def score_items(scores: Scores | None) -> list[tuple[str, str]]:
    """Each score present as (headline, its source then what it means): EASIX (Luft et
    al. 2017), MAP (Srinagesh et al. 2019; Major-Monfried et al. 2018) and the day-28 response
    (MacMillan et al. 2010; Inamoto et al. 2014), as srgvhd.clinical.scores states them."""
    if scores is None:
        return []
    items = []
    if scores.easix is not None:
        e = scores.easix
        items.append(
            (
                f"EASIX {e.value:.3g} (log2 {math.log2(e.value):.2f}) from labs of "
                f"{e.date.isoformat()} (day {e.day}): LDH {number(e.ldh_u_l)} U/L × creatinine "
                f"{number(round(e.creatinine_mg_dl, 3))} mg/dL / platelets "
                f"{number(e.platelets_10e9_l)} ×10⁹/L",
                f"Source: {EASIX_SOURCE}. {EASIX_STATEMENT} {EASIX_NOTE}",
            )
        )
    if scores.map is not None:
        m = scores.map
        items.append(
            (
                f"MAP {number(m.value)}: {m.group} (threshold {MAP_THRESHOLD:.3f}), "
                f"drawn on day {m.day} ({m.date.isoformat()})",
                f"Source: {MAP_SOURCE}. {MAP_STATEMENT}",
            )
        )
    if scores.day28 is not None:
        d = scores.day28
        group = f" ({d.group})" if d.group else ""
        items.append(
            (
                f"Day-28 response: {d.response.value}{group}, assessed day {d.day} "
                f"({d.date.isoformat()})",
                d.meaning,
            )
        )
    return items


# --- time ---------------------------------------------------------------------------------------
def report_zone() -> tuple[tzinfo | None, str | None]:
    """The zone reports are dated in: ``$SRGVHD_TIMEZONE`` (an IANA name, e.g.
    ``Europe/Berlin``), else the system's local zone (None). Returns a note when the
    variable names no known zone (the report is then dated in UTC and says why)."""
    name = os.environ.get(TIMEZONE_ENV, "").strip()
    if not name:
        return None, None
    try:
        return ZoneInfo(name), None
    except (ZoneInfoNotFoundError, ValueError):
        return UTC, f"{TIMEZONE_ENV} {name!r} is not a known time zone"


def report_today() -> date:
    """Today's date in the report zone (``report_zone``): the day a headline's "overdue" is
    judged against."""
    return datetime.now(report_zone()[0]).date()


def generated_text(when: datetime) -> str:
    """``2026-11-25 15:30 CET (UTC+01:00)`` (or ``… 14:30 UTC``) in the report zone; a naive
    ``when`` is UTC."""
    zone, note = report_zone()
    aware = when if when.tzinfo else when.replace(tzinfo=UTC)
    local = aware.astimezone(zone)
    offset = local.strftime("%z")
    text = f"{local:%Y-%m-%d %H:%M} {local.tzname()}"
    if local.tzname() != "UTC":
        text += f" (UTC{offset[:3]}:{offset[3:]})"
    return f"{text}; {note}" if note else text
