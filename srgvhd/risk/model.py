"""What a saved risk model holds: plain arrays, no per-patient rows, no code.

A model is the Cox coefficients β, their covariance matrix V, the covariate design (indicator
column names, srgvhd.risk.covariates) and, per distinct death time t_i, the number of deaths d_i
and the risk-set sums S0_i = Σ exp(x_j'β) and S1_i = Σ x_j exp(x_j'β) over patients still at risk
(T_j ≥ t_i) — the quantities of the Breslow (1972) baseline cumulative hazard and of the
Tsiatis (1981) / Link (1984) variance, as computed by R's ``survfit.coxph``. Censoring times,
per-patient durations, events, weights and linear predictors are not stored.

On disk it is an ``.npz`` archive of those arrays (numpy's format: a zip of ``.npy`` files),
read with ``allow_pickle=False``: loading can never run code, and prediction needs neither
lifelines nor scipy (tests/test_import_cost.py). lifelines is needed only to fit.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # lifelines and pandas are only needed to build a model from a fit
    import pandas as pd
    from lifelines import CoxPHFitter

    from srgvhd.risk.card import ModelCard

ARTIFACT_FORMAT = "srgvhd-risk-model/2"
ARTIFACT_SUFFIX = ".npz"
ARRAY_NAMES = (
    "format",
    "covariates",
    "beta",
    "variance",
    "times",
    "deaths",
    "s0",
    "s1",
    "max_follow_up_days",
)
_ZIP_MAGIC = b"PK\x03\x04"
# Most bytes an artifact's arrays may unpack to. A fit has at most one event time per day of
# follow-up (cohort.MAX_DAYS = 36,500) and 5 covariates: s1 is 36,501 × 5 float64 (1.5 MB), with
# times, deaths and s0 about 2.4 MB in all; 16 MB leaves room for more covariates.
MAX_ARTIFACT_BYTES = 16_000_000
MAX_ARTIFACT_MEMBERS = 16
# Fixed zip member timestamp: the same fit gives byte-identical artifacts.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class ArtifactError(ValueError):
    """The bytes are not a plain-data model artifact of this format."""


@dataclass(frozen=True, eq=False)
class BaselineAggregates:
    """Per-event-time sums of the training cohort (uncentred covariates: reference patient x = 0).

    ``times`` are the distinct death times in days (increasing), ``deaths`` the deaths at each,
    ``s0`` Σ exp(x'β) and ``s1`` (one column per covariate) Σ x·exp(x'β) over the risk set.
    ``max_follow_up_days`` is the longest follow-up; predictions stop there.
    """

    times: np.ndarray
    deaths: np.ndarray
    s0: np.ndarray
    s1: np.ndarray
    max_follow_up_days: float


@dataclass(frozen=True, eq=False)
class RiskModel:
    """A fitted Cox model ready for prediction (srgvhd.risk.predict): no per-patient data.

    ``beta`` and ``variance`` are in ``covariates`` order. ``card`` is the model card and
    ``card_sha256`` the SHA-256 of the card file's bytes; the store attaches both when it loads
    a version (the artifact itself does not contain the card).
    """

    covariates: tuple[str, ...]
    beta: np.ndarray
    variance: np.ndarray
    baseline: BaselineAggregates
    card: ModelCard | None = field(default=None)
    card_sha256: str | None = None


def baseline_aggregates(
    design: pd.DataFrame, durations: pd.Series, events: pd.Series, beta: np.ndarray
) -> BaselineAggregates:
    """Breslow risk-set sums at each distinct death time (Breslow 1972; Tsiatis 1981)."""
    x = design.to_numpy(dtype=float)
    t = durations.to_numpy(dtype=float)
    e = events.to_numpy(dtype=bool)
    order = np.argsort(t, kind="stable")
    t_sorted, x_sorted = t[order], x[order]
    risk = np.exp(x_sorted @ beta)
    # Suffix sums: entry k sums the patients sorted at position >= k (T >= t_sorted[k]).
    s0_suffix = np.cumsum(risk[::-1])[::-1]
    s1_suffix = np.cumsum((x_sorted * risk[:, None])[::-1], axis=0)[::-1]
    times, deaths = np.unique(t[e], return_counts=True)
    first_at_risk = np.searchsorted(t_sorted, times, side="left")
    return BaselineAggregates(
        times=times,
        deaths=deaths.astype(float),
        s0=s0_suffix[first_at_risk],
        s1=s1_suffix[first_at_risk],
        max_follow_up_days=float(t.max()),
    )


def build_model(
    cph: CoxPHFitter, design: pd.DataFrame, durations: pd.Series, events: pd.Series
) -> RiskModel:
    """The saved form of a lifelines fit on ``design`` (the model's covariate columns only)."""
    covariates = tuple(str(c) for c in design.columns)
    beta = cph.params_.loc[list(covariates)].to_numpy(dtype=float)
    variance = cph.variance_matrix_.loc[list(covariates), list(covariates)].to_numpy(dtype=float)
    baseline = baseline_aggregates(design, durations, events, beta)
    return RiskModel(covariates=covariates, beta=beta, variance=variance, baseline=baseline)


def _arrays(model: RiskModel) -> dict[str, np.ndarray]:
    b = model.baseline
    return {
        "format": np.array(ARTIFACT_FORMAT),
        "covariates": np.array(model.covariates, dtype=str),
        "beta": np.asarray(model.beta, dtype=float),
        "variance": np.asarray(model.variance, dtype=float),
        "times": np.asarray(b.times, dtype=float),
        "deaths": np.asarray(b.deaths, dtype=float),
        "s0": np.asarray(b.s0, dtype=float),
        "s1": np.asarray(b.s1, dtype=float).reshape(len(b.times), len(model.covariates)),
        "max_follow_up_days": np.array(float(b.max_follow_up_days)),
    }


def to_npz_bytes(model: RiskModel) -> bytes:
    """The model as an ``.npz`` archive (what ``np.savez`` writes, with fixed timestamps)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, array in _arrays(model).items():
            member = io.BytesIO()
            np.lib.format.write_array(member, array, allow_pickle=False)
            archive.writestr(zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE), member.getvalue())
    return buffer.getvalue()


def _check_members(data: bytes) -> None:
    """Refuse, from the zip directory alone, an archive whose arrays would unpack to more than
    ``MAX_ARTIFACT_BYTES`` (a zip bomb: 2 MB of zeros compress to a few kB). zipfile never
    inflates a member past its declared size, so the declared sizes bound the work."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ArtifactError(f"cannot be read as a plain-data model artifact ({exc})") from None
    if len(members) > MAX_ARTIFACT_MEMBERS:
        raise ArtifactError(
            f"holds {len(members)} files; a model artifact holds {len(ARRAY_NAMES)}"
        )
    total = sum(member.file_size for member in members)
    if total > MAX_ARTIFACT_BYTES:
        raise ArtifactError(
            f"would unpack to {total:,} bytes, more than a model artifact may hold "
            f"({MAX_ARTIFACT_BYTES:,}); refusing to load it"
        )


def _read_arrays(data: bytes) -> dict[str, np.ndarray]:
    if not data.startswith(_ZIP_MAGIC):
        raise ArtifactError("is not a plain-data model artifact (.npz); refusing to load it")
    _check_members(data)
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as archive:
            return {name: archive[name] for name in archive.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise ArtifactError(f"cannot be read as a plain-data model artifact ({exc})") from None


def _checked(arrays: dict[str, np.ndarray]) -> RiskModel:
    missing = sorted(set(ARRAY_NAMES) - set(arrays))
    if missing:
        raise ArtifactError(f"lacks the array(s) {', '.join(missing)}")
    if arrays["format"].dtype.kind != "U" or str(arrays["format"]) != ARTIFACT_FORMAT:
        raise ArtifactError(f"is not in the format {ARTIFACT_FORMAT!r}")
    covariates = arrays["covariates"]
    k, m = len(covariates), len(arrays["times"])
    shapes = {
        "covariates": (k,),
        "beta": (k,),
        "variance": (k, k),
        "times": (m,),
        "deaths": (m,),
        "s0": (m,),
        "s1": (m, k),
        "max_follow_up_days": (),
    }
    for name, shape in shapes.items():
        array = arrays[name]
        if array.shape != shape:
            raise ArtifactError(f"array {name} has shape {array.shape}, expected {shape}")
        if name != "covariates" and (array.dtype.kind != "f" or not np.isfinite(array).all()):
            raise ArtifactError(f"array {name} must hold finite floating-point numbers")
    if covariates.dtype.kind != "U":
        raise ArtifactError("array covariates must hold texts")
    return RiskModel(
        covariates=tuple(str(c) for c in covariates),
        beta=arrays["beta"],
        variance=arrays["variance"],
        baseline=BaselineAggregates(
            times=arrays["times"],
            deaths=arrays["deaths"],
            s0=arrays["s0"],
            s1=arrays["s1"],
            max_follow_up_days=float(arrays["max_follow_up_days"]),
        ),
    )


def from_npz_bytes(data: bytes) -> RiskModel:
    """Read an artifact written by :func:`to_npz_bytes`; never unpickles (ArtifactError if bad)."""
    return _checked(_read_arrays(data))
