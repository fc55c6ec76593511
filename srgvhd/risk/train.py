"""Train a model version from a cohort CSV: validate → EPV check → fit → evaluate → save → promote.

Every refusal (bad file, too few events per coefficient) happens before anything is written, so
the store is left exactly as it was (interfaces.md §3).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import lifelines
import sklearn

from srgvhd.risk.cohort import read_bytes, read_cohort
from srgvhd.risk.covariates import design_matrix
from srgvhd.risk.fit import check_events_per_coefficient, evaluate, fit_cox, present_covariates
from srgvhd.risk.model import build_model
from srgvhd.risk.predict import BAND_METHOD
from srgvhd.risk.provenance import DataSource, provenance_fields
from srgvhd.risk.store import ModelStore, pause_for_test, sha256

REFERENCE_STATEMENT = (
    "Fitted on a synthetic cohort built to match the published aggregates of Niu et al. 2026; "
    "no real patient data; absolute survival figures rest on the stated assumptions; retrain on "
    "your centre's data before clinical use."
)
BASELINE_ESTIMATOR = (
    "Efron partial likelihood for the coefficients; Breslow (Nelson–Aalen type) baseline "
    "cumulative hazard, as R survfit.coxph(ctype = 1)."
)
def train_from_csv(
    source: str | os.PathLike | bytes,
    *,
    store: ModelStore,
    promote: bool = False,
    allow_low_epv: bool = False,
    who: str | None = None,
    reference_model: bool = False,
    assumptions: list[str] | None = None,
    source_name: str | None = None,
    data_source: DataSource | None = None,
) -> dict:
    """Fit, evaluate and save a new model version; activate it when ``promote``.

    Returns the new model card. Raises InputError (store untouched) for a bad cohort or too few
    events per coefficient (unless ``allow_low_epv``, which the card then records).
    ``data_source``: centre, period and who, as declared at upload (recorded on the card).
    """
    data = read_bytes(source)  # read once: the card's digest is of exactly these bytes
    cohort = read_cohort(data)
    check_events_per_coefficient(cohort, allow_low_epv=allow_low_epv)
    cph = fit_cox(cohort)
    metrics = evaluate(cohort, cph)
    covariates = present_covariates(cohort)
    design = design_matrix(cohort["age_years"], cohort["grade"], cohort["hemoglobin_g_l"])
    model = build_model(cph, design[covariates], cohort["os_days"], cohort["death"])
    pause_for_test("fitted")
    training_sha = sha256(data)
    events = int(cohort["death"].sum())
    name = source_name or (Path(source).name if not isinstance(source, bytes) else None)
    card = {
        "version": store.new_version(training_sha),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "training_file_sha256": training_sha,
        "training_file_name": name,
        "n": len(cohort),
        "events": events,
        "covariates": covariates,
        "events_per_coefficient": round(events / len(covariates), 2),
        "low_epv_allowed": allow_low_epv,
        "coefficients": metrics.pop("coefficients"),
        "metrics": metrics,
        "max_follow_up_days": model.baseline.max_follow_up_days,
        "baseline_estimator": BASELINE_ESTIMATOR,
        "band_method": BAND_METHOD,
        "reference_model": reference_model,
        "statement": REFERENCE_STATEMENT if reference_model else None,
        "assumptions": list(assumptions or []),
        "lifelines_version": lifelines.__version__,
        "sklearn_version": sklearn.__version__,
        **provenance_fields(training_sha, cohort, data_source),
    }
    card = store.save(model, card)
    if promote:
        store.activate(card["version"], who=who, action="promote")
    return card
