"""ModelCard (tolerant but validated) and RiskEstimate (frozen, interfaces.md §2 ``risk``)."""

from __future__ import annotations

import dataclasses

import pytest

from srgvhd.risk.card import CardError, ModelCard
from srgvhd.risk.predict import patient_risk
from srgvhd.risk.store import REFERENCE_DIR, ModelStore

MINIMAL = {"version": "v1", "artifact_sha256": "a" * 64}


def test_minimal_card_loads_with_defaults_and_keeps_unknown_fields():
    card = ModelCard.from_json({**MINIMAL, "site_note": "kept"})
    assert card.created_at is None and card.n is None and card.covariates == ()
    assert card.reference_model is False and card.synthetic is False and card.legacy
    assert card["site_note"] == "kept" and card.to_json() == {**MINIMAL, "site_note": "kept"}
    assert card == {**MINIMAL, "site_note": "kept"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("version", None),
        ("version", 5),
        ("artifact_sha256", "XYZ"),
        ("created_at", 5),
        ("created_at", "yesterday"),
        ("n", -1),
        ("n", True),
        ("events", 1.5),
        ("synthetic", "no"),
        ("covariates", [1, 2]),
        ("data_source", "ward 7"),
        ("coefficients", {}),
    ],
)
def test_each_bad_field_is_named(field, value):
    with pytest.raises(CardError) as info:
        ModelCard.from_json({**MINIMAL, field: value})
    assert info.value.field == field and str(info.value).startswith(f"field {field}:")


def test_card_is_frozen():
    card = ModelCard.from_json(MINIMAL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        card.version = "v2"  # type: ignore[misc]


def test_risk_estimate_is_frozen_and_gives_the_contract_object():
    model = ModelStore(REFERENCE_DIR).load_active_strict()
    estimate = patient_risk(model, age_years=40, grade="IV", hemoglobin_g_l=80)
    with pytest.raises(dataclasses.FrozenInstanceError):
        estimate.hazard_ratio = 1.0  # type: ignore[misc]
    risk = estimate.to_json()
    assert {
        "model_version",
        "reference_model",
        "covariates",
        "hazard_ratio",
        "hazard_ratio_ci",
        "survival",
    } <= set(risk)
    assert set(risk["survival"]) == {"180", "365"}
    assert set(risk["survival"]["180"]) == {"estimate", "lower", "upper"}
    assert risk["model_version"] == model.card.version and risk["reference_model"] is True
    assert risk["synthetic"] is True
    assert risk["model_card_sha256"] == model.card_sha256
