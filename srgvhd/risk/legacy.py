"""Read a joblib-era model artifact once, to convert it (``srgvhd models --upgrade``).

Until the plain-data format (srgvhd.risk.model), an artifact was a joblib pickle of a RiskModel
holding a stripped lifelines ``CoxPHFitter``. Unpickling can run code, so the store never loads
these any more; the upgrade reads each one with an unpickler that admits only the exact classes
such an artifact holds (numpy arrays, pandas frames, lifelines' fitter, the old RiskModel) and
refuses any other global — e.g. ``os.system`` in a crafted file — before it is called. Needs
joblib, pandas and lifelines (installed for training anyway).
"""

from __future__ import annotations

import io

import numpy as np

from srgvhd.risk.model import ArtifactError, BaselineAggregates, RiskModel

# Every global a joblib-era artifact refers to (measured on the shipped reference artifact).
_ALLOWED = {
    ("builtins", "slice"),
    ("joblib.numpy_pickle", "NumpyArrayWrapper"),
    ("lifelines.fitters.coxph_fitter", "CoxPHFitter"),
    ("lifelines.fitters.coxph_fitter", "SemiParametricPHFitter"),
    ("lifelines.utils", "CensoringType"),
    ("lifelines.utils", "CovariateParameterMappings"),
    ("numpy", "dtype"),
    ("numpy", "ndarray"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("pandas._libs.internals", "_unpickle_block"),
    ("pandas.core.frame", "DataFrame"),
    ("pandas.core.indexes.base", "Index"),
    ("pandas.core.indexes.base", "_new_Index"),
    ("pandas.core.indexes.range", "RangeIndex"),
    ("pandas.core.internals.managers", "BlockManager"),
    ("pandas.core.internals.managers", "SingleBlockManager"),
    ("pandas.core.series", "Series"),
    ("srgvhd.risk.model", "BaselineAggregates"),
}


class _LegacyRiskModel:
    """Stand-in for the old ``srgvhd.risk.model.RiskModel`` (attributes cph, covariates,
    baseline, card, card_sha256 are restored into its ``__dict__``)."""


def read_joblib_model(data: bytes, where: str) -> RiskModel:
    """The plain-data RiskModel held by a joblib-era artifact (ArtifactError if it is not one)."""
    from joblib.numpy_pickle import NumpyUnpickler

    class RestrictedUnpickler(NumpyUnpickler):
        def find_class(self, module: str, name: str):  # noqa: ANN202 (pickle protocol)
            if (module, name) == ("srgvhd.risk.model", "RiskModel"):
                return _LegacyRiskModel
            if (module, name) not in _ALLOWED:
                raise ArtifactError(
                    f"refers to {module}.{name}, which a model artifact never holds; not converted"
                )
            return super().find_class(module, name)

    try:
        old = RestrictedUnpickler(where, io.BytesIO(data), ensure_native_byte_order=True).load()
    except ArtifactError:
        raise
    except Exception as exc:  # a damaged pickle can raise almost anything
        raise ArtifactError(f"cannot be read as a joblib model ({exc})") from None
    if not isinstance(old, _LegacyRiskModel):
        raise ArtifactError("does not hold a risk model")
    covariates = [str(c) for c in old.covariates]
    baseline = old.baseline
    return RiskModel(
        covariates=tuple(covariates),
        beta=old.cph.params_.loc[covariates].to_numpy(dtype=float),
        variance=old.cph.variance_matrix_.loc[covariates, covariates].to_numpy(dtype=float),
        baseline=BaselineAggregates(
            times=np.asarray(baseline.times, dtype=float),
            deaths=np.asarray(baseline.deaths, dtype=float),
            s0=np.asarray(baseline.s0, dtype=float),
            s1=np.asarray(baseline.s1, dtype=float),
            max_follow_up_days=float(baseline.max_follow_up_days),
        ),
    )
