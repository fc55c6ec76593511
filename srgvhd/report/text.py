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
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from srgvhd.clinical.case import Measurements
from srgvhd.clinical.policy import (
    EBMT_INCOMPLETE_RESPONSE_DAY,
    EBMT_NO_IMPROVEMENT_DAY,
    HEMOGLOBIN_THRESHOLD_G_L,
)
from srgvhd.clinical.results import (
    DEPENDENT,
    GRADE_INCOMPLETE_MARK,
    REFRACTORY,
    RESPONSIVE,
    SO_FAR,
    CourseResult,
    Response,
    Status,
)
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
from srgvhd.i18n import N_, NP_, _, current
from srgvhd.risk.covariates import COVARIATE_COLUMNS, REFERENCE, encode

if TYPE_CHECKING:
    from srgvhd.risk.predict import RiskEstimate

# Words are English message ids marked with N_ and said with _() where they are shown, in the
# current language (srgvhd.i18n.using; docs/glossary.md for the clinical terms).
NOT_MEASURED = N_("n/m")
NOT_MEASURED_LEGEND = N_("n/m = not measured (not the same as 0 / not involved)")
LEGACY_BLANK = N_("blank")
LEGACY_LEGEND = N_(
    "blank = left empty in an srgvhd-case/1 file, where an empty finding meant not involved"
)
INCOMPLETE_MARK = GRADE_INCOMPLETE_MARK  # "*": srgvhd.clinical.results
INCOMPLETE_LEGEND = N_("* grade from an assessment with an organ not measured (may be higher)")
OWN_RISK_HEADING = N_("Survival risk (Cox model)")
CONDITIONAL_RISK_HEADING = N_("If this course becomes steroid-refractory")
CONDITIONAL_RISK_NOTE = N_(
    "The model was fitted on steroid-refractory patients from the start of second-line "
    "therapy; this course is not steroid-refractory, so these figures are not this patient's "
    "prognosis now."
)
NOT_ESTIMATED = N_("not estimated (beyond the model's follow-up)")
TIMEZONE_ENV = "SRGVHD_TIMEZONE"
UNIT_WORDS = {"umol/L": "µmol/L"}
FACTOR_WORDS = {
    "age_lt18": N_("age <18"),
    "age_ge35": N_("age ≥35"),
    "grade_II": N_("grade II"),
    "grade_IV": N_("grade IV"),
    "hb_le_90": N_("Hb ≤ 90 g/L"),
}
# The engine's values (the --json contract, English) in words of the current language.
STATUS_WORDS = {
    REFRACTORY: N_("steroid-refractory"),
    DEPENDENT: N_("steroid-dependent"),
    RESPONSIVE: N_("steroid-responsive"),
    SO_FAR: N_("not refractory so far"),
}
RESPONSE_WORDS = {
    Response.CR: N_("CR"),
    Response.VGPR: N_("VGPR"),
    Response.PR: N_("PR"),
    Response.MIXED: N_("mixed"),
    Response.PROGRESSION: N_("progression"),
    Response.NO_RESPONSE: N_("no response"),
    Response.NOT_ASSESSABLE: N_("not assessable"),
}
BASELINE = N_("baseline")
MINNESOTA = "Minnesota risk"
MINNESOTA_WORDS = {
    "standard": NP_("Minnesota risk", "standard"),
    "high": NP_("Minnesota risk", "high"),
}
MAP_GROUP_WORDS = {"high": N_("high"), "low": N_("low")}
DAY28_GROUP_WORDS = {"CR/VGPR": N_("CR/VGPR"), "PR/no response": N_("PR/no response")}
# The rules' meanings (srgvhd.clinical.refractory STUDY_RULES / EBMT_RULES; the English text
# is the engine's, tests/test_i18n.py holds them equal).
RULE_WORDS = {
    "R1": N_("progression (any organ worse) on days 3–5"),
    "R2": N_("no partial response by day 7"),
    "R3": N_("no complete or very good partial response by day 14"),
    "E1": N_("progression in any organ within days 3–5"),
    "E2": N_("failure to improve by day {day}"),
    "E3": N_("incomplete response from day {day} (> 28 days)"),
    "D1": N_("dose re-escalated after a taper that followed an initial response"),
    "D2": N_("aGVHD worse again during the steroid taper"),
}
RULE_DAYS = {"E2": EBMT_NO_IMPROVEMENT_DAY, "E3": EBMT_INCOMPLETE_RESPONSE_DAY}


# --- numbers ------------------------------------------------------------------------------------
def number(value: float) -> str:
    """A measurement as entered, without a trailing ``.0`` (decimal comma in German and
    French)."""
    return current().number(float(value))


def ratio(value: float) -> str:
    """A hazard ratio to three significant figures, never in exponent notation."""
    return current().number(value, ".0f" if value >= 100 else ".3g")


def percent(value: float) -> str:
    """A probability as a whole percentage."""
    return current().percent(value)


def figures(text: str) -> str:
    """Published figures as printed ("84.1% (37/44)", "p = 0.007") with the current language's
    decimal sign and percent spacing: "84,1 % (37/44)", "p = 0,007" in German and French."""
    tr = current()
    if tr.decimal_sign != ".":
        text = re.sub(r"(?<=\d)\.(?=\d)", tr.decimal_sign, text)
    spaced = tr.percent(0.5).removeprefix("50").removesuffix("%")
    return re.sub(r"(?<=\d)%", spaced + "%", text) if spaced else text


def day_date(when: date) -> str:
    """A date as the current language writes it (ISO 8601 in English)."""
    return current().date(when)


def hazard_ratio_text(hazard_ratio: float, ci: Sequence[float]) -> str:
    """``12.3 (95% CI 2.1–71)``."""
    low, high = ci
    return _("{hr} (95% CI {low}–{high})", hr=ratio(hazard_ratio), low=ratio(low), high=ratio(high))


def survival_text(estimate: float | None, lower: float | None, upper: float | None) -> str:
    """``70% (95% band 52%–83%)``, or that it was not estimated (null beyond follow-up)."""
    if estimate is None or lower is None or upper is None:
        return _(NOT_ESTIMATED)
    return _(
        "{estimate} (95% band {lower}–{upper})",
        estimate=percent(estimate),
        lower=percent(lower),
        upper=percent(upper),
    )


def horizon_text(days: str | int) -> str:
    """A survival horizon (a key of the risk estimate's ``survival``) in words."""
    return _("{days} days", days=int(days))


# --- the model's categories ---------------------------------------------------------------------
def age_group_text(group: str) -> str:
    """An age group of the model as printed: ``18-34`` with an en dash."""
    return group.replace("-", "–")


def hemoglobin_group_text(le_threshold: bool) -> str:
    """``Hb ≤ 90 g/L`` or ``Hb > 90 g/L`` (threshold: srgvhd.clinical.policy, rules §6)."""
    return f"Hb {'≤' if le_threshold else '>'} {number(HEMOGLOBIN_THRESHOLD_G_L)} g/L"


def covariates_text(age_group: str, grade: str, hemoglobin_le_90: bool) -> str:
    """``age 18–34, grade III, Hb > 90 g/L``."""
    return _(
        "age {age}, grade {grade}, {hemoglobin}",
        age=age_group_text(age_group),
        grade=grade,
        hemoglobin=hemoglobin_group_text(hemoglobin_le_90),
    )


def reference_patient_text() -> str:
    """The reference patient of every hazard ratio (hazard ratio 1; Niu et al. 2026)."""
    return covariates_text(
        REFERENCE["age_group"], REFERENCE["grade"], REFERENCE["hemoglobin_le_90"]
    )


def reference_words() -> str:
    """What drives the estimate when the patient is in every reference category."""
    return _("none: the reference categories ({reference})", reference=reference_patient_text())


REFERENCE_WORDS = reference_words()  # in English, as the import's default language


def model_hazard_ratios(covariates: Sequence[str], beta: Sequence[float]) -> dict[str, float]:
    """Hazard ratio exp(β) of each model covariate (indicator column name -> HR)."""
    return {name: math.exp(b) for name, b in zip(covariates, beta, strict=True)}


def driving_factors(
    risk_covariates: RiskEstimate | Mapping, hazard_ratios: dict[str, float]
) -> list[str]:
    """The patient's non-reference categories with the model's HR, e.g. "age ≥35 (HR 5.02)".

    ``risk_covariates`` is the estimate itself (srgvhd.risk.predict.RiskEstimate) or, as read
    from a file, the ``covariates`` object of an assess result's ``risk`` (age_group, grade,
    hemoglobin_le_90). A category without a coefficient is named without HR.
    """
    row = encode(*_covariates(risk_covariates))
    factors = []
    for column, present in zip(COVARIATE_COLUMNS, row, strict=True):
        if not present:
            continue
        hr = hazard_ratios.get(column)
        factor = _(FACTOR_WORDS[column])
        factors.append(
            factor if hr is None else _("{factor} (HR {hr})", factor=factor, hr=number_f(hr, 2))
        )
    return factors or [reference_words()]


def number_f(value: float, digits: int) -> str:
    """A number with ``digits`` decimals (decimal comma in German and French)."""
    return current().number(value, f".{digits}f")


REFERENCE_HAZARD_RATIO = N_("Hazard ratio 1 (reference patient: {reference}).")


def _covariates(risk: RiskEstimate | Mapping) -> tuple[str, str, bool]:
    """(age group, grade, Hb ≤ 90) of an estimate, or of a file's ``covariates`` object."""
    if isinstance(risk, Mapping):
        return risk["age_group"], risk["grade"], risk["hemoglobin_le_90"]
    return risk.age_group, risk.grade, risk.hemoglobin_le_90


def is_reference_patient(risk: RiskEstimate) -> bool:
    """Whether the estimate's covariates are the model's reference categories: its hazard
    ratio is 1 by definition, with no interval (Niu et al. 2026)."""
    return _covariates(risk) == (
        REFERENCE["age_group"],
        REFERENCE["grade"],
        REFERENCE["hemoglobin_le_90"],
    )


def hazard_ratio_sentence(risk: RiskEstimate) -> str:
    """The hazard ratio vs the reference patient with its 95% CI; for the reference patient
    itself "Hazard ratio 1 (reference patient: …)" — a "95% CI 1–1" would read as a measured
    certainty rather than a definition."""
    if is_reference_patient(risk):
        return _(REFERENCE_HAZARD_RATIO, reference=reference_patient_text())
    return _(
        "Hazard ratio {hazard} vs the reference patient ({reference}).",
        hazard=hazard_ratio_text(risk.hazard_ratio, risk.hazard_ratio_ci),
        reference=reference_patient_text(),
    )


def risk_sentences(risk: RiskEstimate, grade_source: str | None = None) -> list[str]:
    """The model's estimate (srgvhd.risk.predict.RiskEstimate) in sentences: hazard ratio vs
    the reference patient, the covariates used (with ``grade_source``, where the grade came
    from, srgvhd.risk.patient), and survival at each of the estimate's horizons."""
    covariates = covariates_text(*_covariates(risk))
    return [
        hazard_ratio_sentence(risk),
        _(
            "Covariates: {covariates} (grade: {source}).",
            covariates=covariates,
            source=_(GRADE_SOURCE_WORDS.get(grade_source, grade_source)),
        )
        if grade_source
        else _("Covariates: {covariates}.", covariates=covariates),
        *(
            _(
                "Survival at {horizon}: {survival}.",
                horizon=horizon_text(day),
                survival=survival_text(band.estimate, band.lower, band.upper),
            )
            for day, band in risk.survival.items()
        ),
    ]


GRADE_SOURCE_WORDS = {
    "course maximum": N_("course maximum"),
    "clinician override": N_("clinician override"),
}


# --- verdict and scope --------------------------------------------------------------------------
def rule_set_text(rule_set: str) -> str:
    """The rule set's name (srgvhd.clinical.refractory.RULE_SET_LABELS)."""
    return _(RULE_SET_WORDS[rule_set]) if rule_set in RULE_SET_WORDS else rule_set


RULE_SET_WORDS = {
    "study": N_("Study definition (Niu et al. 2026)"),
    "ebmt2018": N_("EBMT–NIH–CIBMTR Task Force 2018 (Schoemans et al.)"),
}


def status_text(value: str) -> str:
    """A verdict value (``steroid-refractory`` …) in words."""
    return _(STATUS_WORDS[value]) if value in STATUS_WORDS else value


def response_text(response: str | None) -> str:
    """A response (CR, VGPR, PR, mixed, progression, no response, not assessable), or
    "baseline" for the day-0 assessment."""
    if response is None:
        return _(BASELINE)
    return _(RESPONSE_WORDS[Response(response)])


def minnesota_text(risk: str | None) -> str:
    """Minnesota risk (standard / high), or "—"."""
    if risk in MINNESOTA_WORDS:
        return current().pgettext(MINNESOTA, MINNESOTA_WORDS[risk])
    return risk or "—"


def rule_text(rule: str) -> str:
    """What a refractoriness or dependence rule says."""
    return _(RULE_WORDS[rule], **({"day": RULE_DAYS[rule]} if rule in RULE_DAYS else {}))


def verdict_sentence(status: Status) -> str:
    """The verdict in one sentence in the current language (``Status.sentence`` is the
    English of the --json contract; the same facts): rule, day and date, or the next
    decision point, or the rule waiting for an assessable assessment (clinical-rules.md §7.6)."""
    tr = current()
    if status.value in (REFRACTORY, DEPENDENT):
        assert status.date is not None and status.rule is not None
        params = {
            "rule": status.rule,
            "rule_text": rule_text(status.rule),
            "day": status.day,
            "date": day_date(status.date),
        }
        text = (
            _("Steroid-refractory by rule {rule} ({rule_text}) on day {day} ({date}).", **params)
            if status.value == REFRACTORY
            else _(
                "Steroid-dependent by rule {rule} ({rule_text}) on day {day} ({date}).", **params
            )
        )
    elif status.value == RESPONSIVE:
        text = _(
            "Steroid-responsive: no refractoriness rule fired through day {day}.",
            day=status.assessed_through_day,
        )
    elif status.waiting is not None:
        assert status.next_decision_date is not None
        text = _(
            "Not refractory so far, but rule {rule} cannot be judged: {reason}. Decision point "
            "day {day} ({date}) is overdue and needs an assessable assessment.",
            rule=status.waiting.rule,
            reason=tr.text(status.waiting.reason),
            day=status.next_decision_day,
            date=day_date(status.next_decision_date),
        )
    else:
        assert status.next_decision_date is not None
        text = _(
            "Not refractory so far; next decision point day {day} ({date}).",
            day=status.next_decision_day,
            date=day_date(status.next_decision_date),
        )
    if status.intolerant:
        text += " " + _("Steroid intolerance recorded by the clinician.")
    return text


def engine_text(text: str) -> str:
    """An engine note or warning (English in --json) in the current language."""
    return current().text(text)


def risk_is_own(status_value: str) -> bool:
    """Whether the Cox estimate describes this patient now: the model was fitted on
    steroid-refractory patients from the start of second-line therapy (Niu et al. 2026), so
    only a steroid-refractory course gets it as its own."""
    return status_value == REFRACTORY


def _shown(value: object, text: str, blank: str) -> str:
    return blank if value is None else text


def _yes_no(value: bool | None, blank: str) -> str:
    return _shown(value, _("yes") if value else _("no"), blank)


def findings_text(m: Measurements, *, legacy: bool = False) -> str:
    """The raw findings of one assessment, units included, "n/m" where not measured.

    e.g. ``rash 30% · bullae 0% · bilirubin 2.5 mg/dL · upper-GI symptoms yes ·
    stool 800 mL/day, n/m episodes/day · pain/ileus no · bloody stool no``. In an
    ``srgvhd-case/1`` file (``legacy``) a blank meant "not involved", so it prints as "blank".
    """
    blank = _(LEGACY_BLANK if legacy else NOT_MEASURED)
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
            _("rash {value}", value=_shown(rash, f"{number(rash or 0)}%", blank)),
            _("bullae {value}", value=_shown(bullae, f"{number(bullae or 0)}%", blank)),
            _("bilirubin {value}", value=bili_text),
            _("upper-GI symptoms {value}", value=_yes_no(m.upper_gi_persistent_symptoms, blank)),
            _(
                "stool {volume} mL/day, {episodes} episodes/day",
                volume=_shown(volume, number(volume or 0), blank),
                episodes=_shown(episodes, number(episodes or 0), blank),
            ),
            _("pain/ileus {value}", value=_yes_no(m.severe_abdominal_pain_or_ileus, blank)),
            _("bloody stool {value}", value=_yes_no(m.grossly_bloody_stool, blank)),
        )
    )


def marks_legend(cells: Iterable[str], incomplete: bool) -> list[str]:
    """The legend lines for the marks that occur in a printed course table: "n/m", an
    srgvhd-case/1 "blank", and the incomplete-grade mark when ``incomplete``."""
    cells = list(cells)
    legends = [
        _(legend)
        for mark, legend in ((NOT_MEASURED, NOT_MEASURED_LEGEND), (LEGACY_BLANK, LEGACY_LEGEND))
        if any(_(mark) in cell for cell in cells)
    ]
    return [*legends, _(INCOMPLETE_LEGEND)] if incomplete else legends


def stage_text(stage: int | None) -> str:
    """An organ stage, or "n/m" when the organ was not measured."""
    return _(NOT_MEASURED) if stage is None else str(stage)


def grade_text(grade: str, incomplete: bool) -> str:
    """A MAGIC grade, marked when an organ of its assessment was not measured."""
    return f"{grade}{INCOMPLETE_MARK}" if incomplete else str(grade)


def max_grade_text(course: CourseResult) -> str:
    """The course's highest MAGIC grade, marked when any assessment left an organ out: that
    assessment's own grade is a lower bound, so the maximum is one too (clinical-rules.md §7.5)."""
    return grade_text(course.max_grade, any(a.grade_incomplete for a in course.assessments))


# --- the headline: what the clinician must do, first ------------------------------------------
# Whole sentences with named placeholders, one per situation, so each can be translated whole.
# Order of urgency (docs/clinical-rules.md §5, §7.6, §8.9): a rule that cannot be judged and a
# decision point that has passed lead with what to enter; a verdict leads with itself.
HEADLINE_WAITING = N_(
    "Cannot decide yet: {reason} — enter it. Rule {rule} cannot be judged until then; its "
    "decision point, day {day} ({date}), is overdue."
)
HEADLINE_WAITING_SEVERAL = N_(
    "Cannot decide yet: {reason} — enter them. Rule {rule} cannot be judged until then; its "
    "decision point, day {day} ({date}), is overdue."
)
HEADLINE_OVERDUE = N_(
    "Decision overdue: the day-{day} decision point ({date}) has passed — enter the day-{day} "
    "assessment. Not refractory so far."
)
HEADLINE_DUE_TODAY = N_(
    "Decision due today: day {day} ({date}) — enter the day-{day} assessment. Not refractory "
    "so far."
)
HEADLINE_SO_FAR = N_("Not refractory so far; next decision point day {day} ({date}).")
HEADLINE_REFRACTORY = N_(
    "Steroid-refractory by rule {rule} ({rule_text}) on day {day} ({date}) — choose "
    "second-line therapy."
)
HEADLINE_DEPENDENT = N_("Steroid-dependent by rule {rule} ({rule_text}) on day {day} ({date}).")
HEADLINE_RESPONSIVE = N_("Steroid-responsive: no refractoriness rule fired through day {day}.")
HEADLINE_INTOLERANT = N_("Steroid intolerance recorded by the clinician.")

# The compact verdict bar: a title, where the verdict stands, and the next step.
TITLE_WAITING = N_("Cannot decide yet")
TITLE_OVERDUE = N_("Decision overdue")
TITLE_DUE_TODAY = N_("Decision due today")
TITLE_SO_FAR = N_("Not refractory so far")
TITLE_REFRACTORY = N_("Steroid-refractory")
TITLE_DEPENDENT = N_("Steroid-dependent")
TITLE_RESPONSIVE = N_("Steroid-responsive")
WHERE_RULE = N_("rule {rule} · day {day}")
WHERE_NEXT = N_("next decision day {day} · {date}")
WHERE_THROUGH = N_("assessed through day {day}")
ACTION_WAITING = N_("Enter what is missing: {reason}.")
ACTION_ASSESS = N_("Enter the day-{day} assessment.")
ACTION_NEXT = N_("Next assessment by day {day} ({date}).")
ACTION_SECOND_LINE = N_("Choose second-line therapy.")
ACTION_DEPENDENT = N_("Review the steroid taper.")
ACTION_NONE = N_("No refractoriness decision pending.")
BAR_GRADE = N_("max grade {grade}")

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
        text = f"{text} {_(HEADLINE_INTOLERANT)}"
    return Headline(tone, title, text, where, action)


def _headline_parts(status: Status, today: date | None) -> tuple[str, str, str, str, str]:
    if status.value in (REFRACTORY, DEPENDENT):
        assert status.date is not None
        fields = {
            "rule": status.rule,
            "rule_text": rule_text(status.rule),
            "day": status.day,
            "date": day_date(status.date),
        }
        where = _(WHERE_RULE, **fields)
        if status.value == REFRACTORY:
            text = _(HEADLINE_REFRACTORY, **fields)
            return TONE_REFRACTORY, _(TITLE_REFRACTORY), text, where, _(ACTION_SECOND_LINE)
        text = _(HEADLINE_DEPENDENT, **fields)
        return TONE_ATTENTION, _(TITLE_DEPENDENT), text, where, _(ACTION_DEPENDENT)
    if status.value == RESPONSIVE:
        day = status.assessed_through_day
        text = _(HEADLINE_RESPONSIVE, day=day)
        return TONE_RESPONSIVE, _(TITLE_RESPONSIVE), text, _(WHERE_THROUGH, day=day), _(ACTION_NONE)
    assert status.next_decision_date is not None
    fields = {"day": status.next_decision_day, "date": day_date(status.next_decision_date)}
    if status.waiting is not None:
        waiting = status.waiting
        template = HEADLINE_WAITING_SEVERAL if _several(waiting.reason) else HEADLINE_WAITING
        reason = engine_text(waiting.reason)
        text = _(template, reason=reason, rule=waiting.rule, **fields)
        where = _(WHERE_RULE, rule=waiting.rule, day=waiting.day)
        action = _(ACTION_WAITING, reason=reason)
        return TONE_ATTENTION, _(TITLE_WAITING), text, where, action
    where = _(WHERE_NEXT, **fields)
    if today is not None and status.next_decision_date <= today:
        overdue = status.next_decision_date < today
        text = _(HEADLINE_OVERDUE if overdue else HEADLINE_DUE_TODAY, **fields)
        title = _(TITLE_OVERDUE) if overdue else _(TITLE_DUE_TODAY)
        return TONE_ATTENTION, title, text, where, _(ACTION_ASSESS, **fields)
    text = _(HEADLINE_SO_FAR, **fields)
    return TONE_PENDING, _(TITLE_SO_FAR), text, where, _(ACTION_NEXT, **fields)


def _several(reason: str) -> bool:
    """Whether a waiting rule's reason (srgvhd.clinical.course) names more than one missing
    finding: several parts, or several organs in one part."""
    outside = re.sub(r"\([^)]*\)", "", reason)  # a finding named in brackets is not a part
    return any(mark in outside for mark in (";", ",", " and "))


# --- completeness of each assessment (clinical-rules.md §7) ------------------------------------
COMPLETE_ASSESSMENT = N_("Day {day} ({date}): all four organs measured.")
PARTLY_MEASURED = N_("Day {day} ({date}): {measured} measured; not measured: {missing}.")
NOTHING_MEASURED = N_("Day {day} ({date}): no organ measured.")


def completeness_text(day: int, when: date, not_measured: Sequence[str]) -> str:
    """Which organs an assessment measured, in one sentence ("Day 7 (2026-11-08): skin, liver
    and lower GI measured; not measured: upper GI.")."""
    fields = {"day": day, "date": day_date(when)}
    if not not_measured:
        return _(COMPLETE_ASSESSMENT, **fields)
    measured = [organ for organ in ORGANS if organ not in not_measured]
    if not measured:
        return _(NOTHING_MEASURED, **fields)
    return _(
        PARTLY_MEASURED,
        measured=_organ_list(measured),
        missing=_organ_list(list(not_measured)),
        **fields,
    )


def completeness_lines(course: CourseResult) -> list[str]:
    """``completeness_text`` for each assessment of the course, in date order."""
    return [completeness_text(a.day, a.date, a.not_measured) for a in course.assessments]


def _organ_list(organs: Sequence[str]) -> str:
    """Organ names joined the current language's way ("skin, liver and lower GI")."""
    return current().listed([_(ORGAN_LABELS[o]) for o in organs])


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
                _(
                    "EASIX {value} (log2 {log2}) from labs of {date} (day {day}): LDH {ldh} U/L "
                    "× creatinine {creatinine} mg/dL / platelets {platelets} ×10⁹/L",
                    value=current().number(e.value, ".3g"),
                    log2=number_f(math.log2(e.value), 2),
                    date=day_date(e.date),
                    day=e.day,
                    ldh=number(e.ldh_u_l),
                    creatinine=number(round(e.creatinine_mg_dl, 3)),
                    platelets=number(e.platelets_10e9_l),
                ),
                _(
                    "Source: {source}. {statement} {note}",
                    source=EASIX_SOURCE,
                    statement=_(EASIX_STATEMENT),
                    note=_(EASIX_NOTE),
                ),
            )
        )
    if scores.map is not None:
        m = scores.map
        items.append(
            (
                _(
                    "MAP {value}: {group} (threshold {threshold}), drawn on day {day} ({date})",
                    value=number(m.value),
                    group=_(MAP_GROUP_WORDS.get(m.group, m.group)),
                    threshold=number_f(MAP_THRESHOLD, 3),
                    day=m.day,
                    date=day_date(m.date),
                ),
                _("Source: {source}. {statement}", source=MAP_SOURCE, statement=_(MAP_STATEMENT)),
            )
        )
    if scores.day28 is not None:
        d = scores.day28
        response = response_text(d.response.value)
        params = {"response": response, "day": d.day, "date": day_date(d.date)}
        items.append(
            (
                _(
                    "Day-28 response: {response} ({group}), assessed day {day} ({date})",
                    group=_(DAY28_GROUP_WORDS.get(d.group, d.group)),
                    **params,
                )
                if d.group
                else _("Day-28 response: {response}, assessed day {day} ({date})", **params),
                engine_text(d.meaning),
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
