"""Shared wording and number formats (srgvhd.report.text), at their boundaries."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from srgvhd.clinical.case import Measurements, Quantity
from srgvhd.report import text as words
from srgvhd.risk.predict import ConditionalSurvival, RiskEstimate, SurvivalBand, SurvivalCurve


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.5, "0.5"), (12.34, "12.3"), (99.94, "99.9"), (100.0, "100"), (1878.2, "1878")],
)
def test_ratio_has_three_significant_figures_and_no_exponent(value: float, expected: str) -> None:
    assert words.ratio(value) == expected


def test_hazard_ratio_and_survival_texts() -> None:
    assert words.hazard_ratio_text(12.3, [2.1, 71.0]) == "12.3 (95% CI 2.1–71)"
    assert words.survival_text(0.7, 0.52, 0.83) == "70% (95% band 52%–83%)"
    assert words.survival_text(0.0, 0.0, 0.004) == "0% (95% band 0%–0%)"  # zero is a value
    assert words.survival_text(None, None, None) == words.NOT_ESTIMATED


def test_reference_patient_is_the_papers_reference_categories() -> None:
    # Niu et al. 2026: age 18–34 (en dash), grade III, hemoglobin > 90 g/L
    assert words.reference_patient_text() == "age 18–34, grade III, Hb > 90 g/L"


def _estimate(
    age_group: str = "≥35",
    grade: str = "IV",
    hemoglobin_le_90: bool = True,
    hazard_ratio: float = 5.0,
    hazard_ratio_ci: tuple[float, float] = (1.2, 20.0),
    survival: dict[int, SurvivalBand] | None = None,
) -> RiskEstimate:
    """A typed estimate as srgvhd.risk.predict.patient_risk returns it (figures made up)."""
    return RiskEstimate(
        model_version="v-test",
        reference_model=False,
        synthetic=False,
        age_group=age_group,
        grade=grade,
        hemoglobin_le_90=hemoglobin_le_90,
        hazard_ratio=hazard_ratio,
        hazard_ratio_ci=hazard_ratio_ci,
        survival=survival or {180: SurvivalBand(0.5, 0.4, 0.6)},
        curve=SurvivalCurve((0, 100), (1.0, 0.8), (1.0, 0.7), (1.0, 0.9)),
        model_card_sha256=None,
    )


def test_risk_sentences_follow_the_estimates_horizons() -> None:
    risk = _estimate(
        survival={90: SurvivalBand(0.9, 0.8, 0.95), 365: SurvivalBand(None, None, None)}
    )
    assert words.risk_sentences(risk, "clinician override") == [
        "Hazard ratio 5 (95% CI 1.2–20) vs the reference patient (age 18–34, grade III, "
        "Hb > 90 g/L).",
        "Covariates: age ≥35, grade IV, Hb ≤ 90 g/L (grade: clinician override).",
        "Survival at 90 days: 90% (95% band 80%–95%).",
        "Survival at 365 days: not estimated (beyond the model's follow-up).",
    ]
    # without a grade source (a bare estimate) the covariates sentence names none
    assert words.risk_sentences(risk)[1] == "Covariates: age ≥35, grade IV, Hb ≤ 90 g/L."


@pytest.mark.parametrize(
    ("value", "own"),
    [
        ("steroid-refractory", True),
        ("steroid-dependent", False),
        ("steroid-responsive", False),
        ("not refractory so far", False),
    ],
)
def test_only_a_refractory_course_gets_the_estimate_as_its_own(value: str, own: bool) -> None:
    assert words.risk_is_own(value) is own


def test_findings_print_zero_and_false_as_values_and_none_as_not_measured() -> None:
    m = Measurements(
        skin_rash_bsa_percent=0,
        skin_bullae_desquamation_bsa_percent=None,
        bilirubin=Quantity(34.2, "umol/L"),
        upper_gi_persistent_symptoms=False,
        stool_ml_per_day=None,
        stool_episodes_per_day=6,
        severe_abdominal_pain_or_ileus=None,
        grossly_bloody_stool=True,
    )
    assert words.findings_text(m) == (
        "rash 0% · bullae n/m · bilirubin 34.2 µmol/L · upper-GI symptoms no · "
        "stool n/m mL/day, 6 episodes/day · pain/ileus n/m · bloody stool yes"
    )
    assert words.findings_text(Measurements()).count("n/m") == 8


def test_stage_and_grade_marks() -> None:
    assert (words.stage_text(0), words.stage_text(None)) == ("0", "n/m")
    assert (words.grade_text("II", False), words.grade_text("II", True)) == ("II", "II*")


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "2026-03-29 01:59 CET (UTC+01:00)"),
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "2026-03-29 03:00 CEST (UTC+02:00)"),
        (datetime(2026, 11, 25, 14, 30), "2026-11-25 15:30 CET (UTC+01:00)"),  # naive = UTC
    ],
)
def test_generated_time_crosses_daylight_saving_in_the_configured_zone(
    monkeypatch: pytest.MonkeyPatch, when: datetime, expected: str
) -> None:
    monkeypatch.setenv("SRGVHD_TIMEZONE", "Europe/Berlin")
    assert words.generated_text(when) == expected


def test_an_unknown_zone_is_named_and_utc_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SRGVHD_TIMEZONE", "../etc/passwd")
    assert words.generated_text(datetime(2026, 1, 1, tzinfo=UTC)) == (
        "2026-01-01 00:00 UTC; SRGVHD_TIMEZONE '../etc/passwd' is not a known time zone"
    )


def test_marks_legend_names_only_the_marks_in_the_table() -> None:
    assert words.marks_legend(["2", "II", "rash 30%"], incomplete=False) == []
    assert words.marks_legend(["n/m", "II*"], incomplete=True) == [
        words.NOT_MEASURED_LEGEND,
        words.INCOMPLETE_LEGEND,
    ]
    assert words.marks_legend(["stool blank mL/day"], incomplete=False) == [words.LEGACY_LEGEND]


def test_score_items_lead_with_value_then_source() -> None:
    from datetime import date

    from srgvhd.clinical.results import Response
    from srgvhd.clinical.scores import Day28, Easix, MapScore, Scores

    scores = Scores(
        easix=Easix(date(2026, 11, 8), 7, ldh_u_l=420, creatinine_mg_dl=1.1, platelets_10e9_l=45),
        map=MapScore(date(2026, 11, 8), 7, value=0.290),  # at the threshold: high (≥ 0.290)
        day28=Day28(date(2026, 11, 29), 28, Response.PR),
    )
    (easix, easix_detail), (map_line, map_detail), (day28, meaning) = words.score_items(scores)
    # 420 × 1.1 / 45 = 10.27, log2 = 3.36 (Luft et al. 2017)
    assert easix.startswith("EASIX 10.3 (log2 3.36) from labs of 2026-11-08 (day 7)")
    assert easix_detail.startswith("Source: Luft et al., Lancet Haematol 2017")
    assert map_line == "MAP 0.29: high (threshold 0.290), drawn on day 7 (2026-11-08)"
    assert map_detail.startswith("Source: Srinagesh et al., Blood Adv 2019")
    assert day28 == "Day-28 response: PR (PR/no response), assessed day 28 (2026-11-29)"
    assert "Inamoto" in meaning
    assert words.score_items(None) == [] and words.score_items(Scores()) == []


# --- the headline (clinical-rules.md §5, §7.6) -------------------------------------------------
def _status(**fields):
    from srgvhd.clinical.results import Status

    return Status(rule_set="study", **fields)


def test_a_waiting_rule_leads_with_what_to_enter_never_not_refractory() -> None:
    from srgvhd.clinical.results import SO_FAR, Waiting

    status = _status(
        value=SO_FAR,
        next_decision_day=7,
        next_decision_date=date(2026, 11, 9),
        waiting=Waiting("R2", 7, "upper GI not measured on day 7"),
    )
    for today in (None, date(2026, 11, 1), date(2026, 12, 1)):  # "today" changes nothing
        lead = words.headline(status, today)
        assert lead.text == (
            "Cannot decide yet: upper GI not measured on day 7 — enter it. Rule R2 cannot be "
            "judged until then; its decision point, day 7 (2026-11-09), is overdue."
        )
        assert (lead.tone, lead.title, lead.where) == (
            words.TONE_ATTENTION,
            "Cannot decide yet",
            "rule R2 · day 7",
        )
        assert "not refractory" not in lead.text.lower()


@pytest.mark.parametrize(
    ("reason", "several"),
    [
        ("liver not measured on day 14", False),
        ("skin (bullae not entered; the baseline had it) not comparable", False),
        ("liver and lower GI not measured on day 7", True),
        ("skin, liver and upper GI not measured on day 7", True),
        ("upper GI not measured on day 7; upper GI not measured at baseline (day 0)", True),
    ],
)
def test_enter_it_or_them(reason: str, several: bool) -> None:
    from srgvhd.clinical.results import SO_FAR, Waiting

    status = _status(
        value=SO_FAR,
        next_decision_day=7,
        next_decision_date=date(2026, 11, 9),
        waiting=Waiting("R2", 7, reason),
    )
    text = words.headline(status).text
    assert text.startswith(f"Cannot decide yet: {reason} — enter {'them' if several else 'it'}.")


def test_a_decision_point_before_today_is_overdue_on_it_due_after_it_pending() -> None:
    from srgvhd.clinical.results import SO_FAR

    status = _status(value=SO_FAR, next_decision_day=7, next_decision_date=date(2026, 11, 8))
    overdue = words.headline(status, date(2026, 11, 9))
    assert (overdue.tone, overdue.title) == (words.TONE_ATTENTION, "Decision overdue")
    assert overdue.text.startswith("Decision overdue: the day-7 decision point (2026-11-08)")
    assert overdue.action == "Enter the day-7 assessment."
    today = words.headline(status, date(2026, 11, 8))
    assert (today.tone, today.title) == (words.TONE_ATTENTION, "Decision due today")
    for not_yet in (date(2026, 11, 7), None):
        pending = words.headline(status, not_yet)
        assert (pending.tone, pending.title) == (words.TONE_PENDING, "Not refractory so far")
        assert pending.text == "Not refractory so far; next decision point day 7 (2026-11-08)."


def test_verdicts_lead_with_themselves_and_keep_intolerance() -> None:
    from srgvhd.clinical.results import DEPENDENT, REFRACTORY, RESPONSIVE

    fired = {"rule": "R1", "rule_text": "progression on days 3–5", "day": 4}
    refractory = words.headline(
        _status(value=REFRACTORY, date=date(2026, 11, 5), intolerant=True, **fired)
    )
    assert refractory.text == (
        "Steroid-refractory by rule R1 (progression (any organ worse) on days 3–5) on day 4 "
        "(2026-11-05) — choose "
        "second-line therapy. Steroid intolerance recorded by the clinician."
    )
    assert (refractory.tone, refractory.action) == (
        words.TONE_REFRACTORY,
        "Choose second-line therapy.",
    )
    dependent = words.headline(_status(value=DEPENDENT, date=date(2026, 11, 5), **fired))
    assert dependent.tone == words.TONE_ATTENTION
    responsive = words.headline(
        _status(value=RESPONSIVE, assessed_through_day=14), date(2027, 1, 1)
    )
    assert (responsive.tone, responsive.where) == (words.TONE_RESPONSIVE, "assessed through day 14")


def test_completeness_names_measured_and_missing_organs() -> None:
    when = date(2026, 11, 9)
    assert words.completeness_text(7, when, ()) == "Day 7 (2026-11-09): all four organs measured."
    assert words.completeness_text(7, when, ("upper_gi",)) == (
        "Day 7 (2026-11-09): skin, liver and lower GI measured; not measured: upper GI."
    )
    assert words.completeness_text(7, when, ("skin", "lower_gi")) == (
        "Day 7 (2026-11-09): liver and upper GI measured; not measured: skin and lower GI."
    )
    every = ("skin", "liver", "upper_gi", "lower_gi")
    assert words.completeness_text(0, when, every) == "Day 0 (2026-11-09): no organ measured."


def test_the_reference_patients_hazard_ratio_is_1_by_definition() -> None:
    risk = _estimate("18-34", "III", False, 1.0, (1.0, 1.0))
    assert words.is_reference_patient(risk)
    assert words.hazard_ratio_sentence(risk) == (
        "Hazard ratio 1 (reference patient: age 18–34, grade III, Hb > 90 g/L)."
    )
    other = replace(risk, grade="IV", hazard_ratio_ci=(1.0, 3.0))
    assert not words.is_reference_patient(other)
    assert "95% CI 1–3" in words.hazard_ratio_sentence(other)
    # one category off the reference is enough: Hb ≤ 90 g/L, or an age group
    assert not words.is_reference_patient(replace(risk, hemoglobin_le_90=True))
    assert not words.is_reference_patient(replace(risk, age_group="<18"))


def test_driving_factors_read_the_typed_estimate_as_the_files_covariates() -> None:
    hrs = {"age_ge35": 5.02, "grade_IV": 5.63, "hb_le_90": 5.13}
    typed = words.driving_factors(_estimate(), hrs)
    assert typed == ["age ≥35 (HR 5.02)", "grade IV (HR 5.63)", "Hb ≤ 90 g/L (HR 5.13)"]
    from_file = {"age_group": "≥35", "grade": "IV", "hemoglobin_le_90": True}
    assert words.driving_factors(from_file, hrs) == typed


def test_conditional_lines_skip_passed_horizons_and_read_the_typed_survival() -> None:
    from srgvhd.report.second_line_text import conditional_lines

    conditional = ConditionalSurvival(
        alive_on_day=200, survival={180: None, 365: SurvivalBand(0.61, 0.42, 0.75)}
    )
    assert conditional_lines(conditional) == [
        "Survival from the second-line start, alive on day 200 of second line:",
        "  Survival at 365 days: 61% (95% band 42%–75%).",
    ]
    nothing = ConditionalSurvival(alive_on_day=400, survival={180: None, 365: None})
    assert conditional_lines(nothing)[1:] == [
        "  every horizon is already passed or beyond the model's follow-up."
    ]
