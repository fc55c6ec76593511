"""Train a model version from a cohort CSV: validate → EPV check → fit → evaluate → save → promote.

Every refusal (bad file, too few events per coefficient) happens before anything is written, so
the store is left exactly as it was (interfaces.md §3). The card records the dialect the file was
read in and, for a complete-rows fit, which rows were left out and why.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import lifelines
import sklearn

from srgvhd.i18n.message import N_, Msg
from srgvhd.risk.cohort import load_cohort, read_bytes
from srgvhd.risk.design import design_matrix
from srgvhd.risk.fit import check_events_per_coefficient, evaluate, fit_cox, prepare
from srgvhd.risk.model import build_model
from srgvhd.risk.predict import BAND_METHOD
from srgvhd.risk.progress import Progress, no_progress
from srgvhd.risk.provenance import DataSource, provenance_fields
from srgvhd.risk.store import ModelStore, sha256

REFERENCE_STATEMENT = N_(
    "Fitted on a synthetic cohort built to match the published aggregates of Niu et al. 2026; "
    "no real patient data; absolute survival figures rest on the stated assumptions; retrain on "
    "your centre's data before clinical use."
)
BASELINE_ESTIMATOR = N_(
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
    complete_rows: bool = False,
    separator: str | None = None,
    decimal_mark: str | None = None,
    epv_override: str = "rerun with --allow-low-epv",
    progress: Progress = no_progress,
) -> dict:
    """Fit, evaluate and save a new model version; activate it when ``promote``.

    Returns the new model card. Raises InputError (store untouched) for a bad cohort or too few
    events per coefficient (unless ``allow_low_epv``, which the card then records; the refusal
    names ``epv_override``). ``complete_rows``, ``separator`` and ``decimal_mark``: see
    :func:`srgvhd.risk.cohort.load_cohort`. ``progress(step, fraction)`` is called as work
    advances.
    ``data_source``: centre, period and who, as declared at upload (recorded on the card).
    """
    progress(N_("reading the cohort file"), 0.0)
    data = read_bytes(source)  # read once: the card's digest is of exactly these bytes
    loaded = load_cohort(
        data, complete_rows=complete_rows, separator=separator, decimal_mark=decimal_mark
    )
    cohort = loaded.frame
    check_events_per_coefficient(cohort, allow_low_epv=allow_low_epv, override=epv_override)
    progress(Msg("fitting the Cox model on {n} patients", n=len(cohort)), 0.1)
    prepared = prepare(cohort)
    cph = fit_cox(cohort, prepared)
    metrics = evaluate(cohort, cph, prepared=prepared, progress=progress)
    covariates = prepared.columns
    design = design_matrix(cohort["age_years"], cohort["grade"], cohort["hemoglobin_g_l"])
    model = build_model(cph, design[covariates], cohort["os_days"], cohort["death"])
    training_sha = sha256(data)
    events = int(cohort["death"].sum())
    name = source_name or (Path(source).name if not isinstance(source, bytes) else None)
    card = {
        "version": store.new_version(training_sha),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "training_file_sha256": training_sha,
        "training_file_name": name,
        "dialect": loaded.dialect.as_card(),
        "complete_rows": loaded.exclusion_report() if complete_rows else None,
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
    progress(N_("saving the model"), 0.95)
    card = store.save(model, card)
    if promote:
        store.activate(card["version"], who=who, action="promote")
    return card
