"""Calibration, Kaplan–Meier intervals and decision curves (srgvhd.risk.calibration) against
hand computations on small cohorts, and Kaplan–Meier against lifelines."""

from __future__ import annotations

import math

import numpy as np
import pytest
from lifelines import KaplanMeierFitter

from srgvhd.risk.calibration import (
    Z95,
    calibration_by_thirds,
    decision_curve,
    kaplan_meier_at,
)

TIME = np.array([10, 20, 20, 30, 40, 50])
DIED = np.array([1, 1, 0, 1, 0, 1])


def test_kaplan_meier_and_greenwood_interval_by_hand():
    km = kaplan_meier_at(TIME, DIED, 25)
    # day 10: 6 at risk, 1 death; day 20: 5 at risk, 1 death (the censored one stays at risk)
    estimate = (1 - 1 / 6) * (1 - 1 / 5)
    greenwood = 1 / (6 * 5) + 1 / (5 * 4)
    spread = Z95 * math.sqrt(greenwood) / abs(math.log(estimate))
    assert km.estimate == pytest.approx(estimate, abs=1e-12)
    assert km.lower == pytest.approx(estimate ** math.exp(spread), abs=1e-12)
    assert km.upper == pytest.approx(estimate ** math.exp(-spread), abs=1e-12)


@pytest.mark.parametrize("day", [9, 10, 19.5, 20, 30, 45, 50, 60])
def test_kaplan_meier_matches_lifelines_at_and_around_death_days(day):
    ours = kaplan_meier_at(TIME, DIED, day)
    kmf = KaplanMeierFitter().fit(TIME, DIED)
    assert ours.estimate == pytest.approx(float(kmf.survival_function_at_times(day).iloc[0]))
    band = kmf.confidence_interval_survival_function_.loc[:day].iloc[-1]
    if 0 < ours.estimate < 1:
        assert ours.lower == pytest.approx(float(band.iloc[0]), abs=1e-9)
        assert ours.upper == pytest.approx(float(band.iloc[1]), abs=1e-9)


def test_calibration_thirds_by_hand():
    predicted = np.array([0.9, 0.5, 0.8, 0.4, 0.7, 0.6])
    groups = calibration_by_thirds(TIME, DIED, predicted, 25)
    # lowest risk = highest predicted survival: patients 0 and 2, then 4 and 5, then 1 and 3
    assert [g.n for g in groups] == [2, 2, 2]
    assert [g.predicted for g in groups] == pytest.approx([0.85, 0.65, 0.45])
    assert [g.events for g in groups] == [1, 1, 2]
    # lowest: times 10 (died), 20 (censored) → KM at 25 = 1/2; middle: 40, 50 → 1;
    # highest: 20 (died), 30 (died) → 1/2 at day 25
    assert [g.observed for g in groups] == pytest.approx([0.5, 1.0, 0.5])
    assert [g.at_risk for g in groups] == [0, 2, 1]


def test_decision_curve_by_hand():
    predicted = np.array([0.9, 0.5, 0.8, 0.4, 0.7, 0.6])  # death probability 0.1 … 0.6
    (point,) = decision_curve(TIME, DIED, predicted, 25, thresholds=(0.4,))
    # high risk: death probability ≥ 0.4 → patients 3 (0.6), 1 (0.5), 5 (0.4)
    assert point.high_risk == 3
    survival_high = kaplan_meier_at(TIME[[1, 3, 5]], DIED[[1, 3, 5]], 25).estimate
    assert survival_high == pytest.approx(2 / 3)
    odds = 0.4 / 0.6
    assert point.model == pytest.approx(0.5 * ((1 - 2 / 3) - 2 / 3 * odds))
    overall = (1 - 1 / 6) * (1 - 1 / 5)
    assert point.treat_all == pytest.approx((1 - overall) - overall * odds)


def test_no_one_high_risk_has_zero_net_benefit():
    (point,) = decision_curve(TIME, DIED, np.full(6, 0.99), 25, thresholds=(0.5,))
    assert point.high_risk == 0 and point.model == 0.0
