"""The model card's typed fields (srgvhd.risk.card) and the renderers that read them
(srgvhd.report.card_text comparison, srgvhd.report.vega calibration chart)."""

from __future__ import annotations

import pytest

from srgvhd.report import card_text as words
from srgvhd.report.vega import calibration_spec
from srgvhd.risk.calibration import CalibrationGroup
from srgvhd.risk.card import CardError, ModelCard

BASE = {"version": "v1", "artifact_sha256": "a" * 64}


def _group(name: str, predicted: float | None, observed: float | None) -> dict:
    return {
        "group": name,
        "n": 10,
        "events": 3,
        "at_risk": 7,
        "predicted": predicted,
        "observed": observed,
        "observed_lower": None if observed is None else observed - 0.1,
        "observed_upper": None if observed is None else observed + 0.1,
    }


CARD = {
    **BASE,
    "n": 120,
    "events": 60,
    "events_per_coefficient": 12.0,
    "dialect": {"description": "comma-separated, decimal point, UTF-8"},
    "complete_rows": {
        "excluded": 3,
        "listed": 2,
        "rows": [
            {"row": 5, "patient_id": "P4", "empty": ["hemoglobin_g_l"]},
            {"row": 9, "patient_id": None, "empty": ["grade", "age_years"]},
        ],
    },
    "coefficients": [
        {
            "name": "grade_IV",
            "label": "grade IV vs III",
            "coef": 1.6,
            "se": 0.4,
            "hazard_ratio": 4.95,
            "hr_lower": 2.26,
            "hr_upper": 10.8,
            "p": 0.0001,
        }
    ],
    "metrics": {
        "concordance_apparent": 0.712,
        "concordance_cv": {"mean": 0.655, "folds": [{"fold": 1}, {"fold": 2}]},
        "concordance_by_day": {"365": {"apparent": 0.73, "cross_validated": 0.69}},
        "ph_test": {"method": "score test", "verdict": "fine", "global": {"p": 0.4321}},
        "calibration_cv": {
            "365": [_group("low", 0.80, 0.75), _group("high", 0.40, 0.52), _group("x", None, 0.1)],
            "n": 118,
        },
        "calibration": {"365": [_group("low", 0.8, 0.8)]},
        "decision_curve_cv": {
            "365": [{"threshold": 0.2, "high_risk": 40, "model": 0.1, "treat_all": None}]
        },
    },
}


def test_typed_fields_read_what_the_json_says() -> None:
    card = ModelCard.from_json(CARD)
    assert card.coefficients[0].hazard_ratio == 4.95 and card.coefficients[0].label.startswith("g")
    m = card.metrics
    assert (m.concordance_apparent, m.concordance_cv_mean, m.concordance_cv_folds) == (
        0.712,
        0.655,
        2,
    )
    assert m.concordance_by_day["365"].cross_validated == 0.69
    assert m.ph_test.global_p == 0.4321 and m.calibration_cv_n == 118
    high = m.calibration_cv["365"][1]
    assert isinstance(high, CalibrationGroup)
    assert (high.group, high.n, high.events, high.at_risk) == ("high", 10, 3, 7)
    assert (high.predicted, high.observed) == (0.4, 0.52)
    assert (high.observed_lower, high.observed_upper) == (pytest.approx(0.42), pytest.approx(0.62))
    assert m.decision_curve_cv["365"][0].treat_all is None
    assert m.calibration_days == ["365"]
    assert card.exclusions is not None and card.exclusions.excluded == 3
    assert card.exclusions.rows[1].empty == ("grade", "age_years")
    assert card.dialect_description.startswith("comma")


def test_an_old_card_without_metrics_reads_as_empty_figures() -> None:
    card = ModelCard.from_json(BASE)
    assert card.coefficients == () and card.exclusions is None
    assert card.metrics.concordance_apparent is None and card.metrics.calibration == {}
    assert words.concordance_text(card.metrics) == "apparent —, cross-validated — (0 folds)"


@pytest.mark.parametrize(
    ("metrics", "field"),
    [
        ({"concordance_apparent": "high"}, "metrics.concordance_apparent"),
        ({"calibration": {"180": [{"group": "a", "predicted": "x"}]}}, "metrics.calibration.180"),
        ({"calibration": {"180": {"group": "a"}}}, "metrics.calibration.180"),
        ({"ph_test": {"global": {"p": [1]}}}, "metrics.ph_test.global.p"),
        ({"concordance_by_day": {"365": {"apparent": True}}}, "metrics.concordance_by_day.365"),
    ],
)
def test_a_wrong_type_deep_in_the_metrics_is_refused_naming_it(metrics, field) -> None:
    with pytest.raises(CardError) as caught:
        ModelCard.from_json({**BASE, "metrics": metrics})
    assert caught.value.field.startswith(field)


def test_comparison_rows_put_the_new_version_beside_the_current_one() -> None:
    new = ModelCard.from_json(CARD)
    rows = {r[""]: (r["current"], r["new (not active)"]) for r in words.comparison_rows(None, new)}
    assert rows["patients (deaths)"] == ("—", "120 (60)")
    assert rows["events per coefficient"] == ("—", "12.0")
    assert rows["concordance, cross-validated"] == ("—", "0.66")
    assert rows["concordance to day 365, cross-validated"] == ("—", "0.69")
    # |0.80 − 0.75| = 5 points, |0.40 − 0.52| = 12 points; the row without a prediction is left out
    assert rows["largest calibration gap at day 365, cross-validated"] == ("—", "12%")
    assert rows["proportional hazards, global p"] == ("—", "0.432")
    assert rows["rows left out (complete rows)"] == ("—", "3")
    old = ModelCard.from_json(BASE)
    same = {r[""]: r["current"] for r in words.comparison_rows(old, new)}
    assert same["patients (deaths)"] == "— (—)" and same["concordance, apparent"] == "—"


def test_exclusion_words_and_rows() -> None:
    card = ModelCard.from_json(CARD)
    assert words.exclusion_summary(card.exclusions) == (
        "used; 3 rows left out, empty cells (of the first 2 listed): "
        "age_years 1, grade 1, hemoglobin_g_l 1"
    )
    assert words.exclusion_rows(card.exclusions)[1] == {
        "row": 9,
        "patient_id": "—",
        "empty": "grade, age_years",
    }


def test_calibration_chart_plots_only_groups_with_both_figures() -> None:
    rows = ModelCard.from_json(CARD).metrics.calibration_cv["365"]
    spec = calibration_spec(rows)
    points = spec["layer"][2]["data"]["values"]
    assert [(p["group"], p["predicted"], p["observed"]) for p in points] == [
        ("low", 0.8, 0.75),
        ("high", 0.4, 0.52),
    ]
    assert spec["layer"][1]["data"]["values"][1]["lower"] == pytest.approx(0.42)
