"""The model card: what a saved model version is, where its data came from, how good it is.

A card is a JSON object (``<version>.json`` in the model store). :class:`ModelCard` reads it
tolerantly — unknown fields are kept, optional ones may be absent (older cards) — but validated:
a field the app relies on with the wrong type (e.g. ``"created_at": 5``) is refused with a
:class:`CardError` naming the field, never a TypeError later on a page.

Renderers (the Model page, the card PDF, the CLI) read the typed fields: the figures of the fit
(:class:`Coefficient`), the metrics (:class:`CardMetrics` — concordance, proportional-hazards
test, calibration thirds and decision-curve points as the dataclasses of
:mod:`srgvhd.risk.calibration`) and the complete-rows report (:class:`Exclusions`). A figure
that was not finite when the card was written is None. The card also behaves as a read-only
mapping of its JSON fields (``card["n"]``) for fields no renderer needs typed;
:meth:`ModelCard.to_json` gives the dict.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from srgvhd.i18n.message import N_, Msg
from srgvhd.risk.calibration import CalibrationGroup, NetBenefit
from srgvhd.risk.provenance import REFERENCE_COHORT_SHA256, DataSource

CARD_FORMAT = "srgvhd-model-card/2"
LEGACY_CARD_FORMAT = "srgvhd-model-card/1"
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class CardError(ValueError):
    """A model card field is missing or has the wrong type; ``field`` names it."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"field {field_name}: {message}")
        self.field = field_name


def _text(data: Mapping, name: str, *, required: bool = False) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise CardError(name, f"must be a non-empty text, not {value!r}")
    return value


def _flag(data: Mapping, name: str, default: bool) -> bool:
    value = data.get(name, default)
    if not isinstance(value, bool):
        raise CardError(name, f"must be true or false, not {value!r}")
    return value


def _count(data: Mapping, name: str) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CardError(name, f"must be a whole number ≥ 0, not {value!r}")
    return value


def _digest(data: Mapping, name: str, *, required: bool = False) -> str | None:
    value = _text(data, name, required=required)
    if value is not None and not _SHA256.match(value):
        raise CardError(name, "must be a SHA-256 (64 lower-case hexadecimal characters)")
    return value


def _timestamp(data: Mapping, name: str) -> str | None:
    value = _text(data, name)
    if value is not None:
        try:
            datetime.fromisoformat(value)
        except ValueError:
            raise CardError(name, f"must be an ISO 8601 date-time, not {value!r}") from None
    return value


def _names(data: Mapping, name: str) -> tuple[str, ...]:
    value = data.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CardError(name, f"must be a list of texts, not {value!r}")
    return tuple(value)


def _source(data: Mapping) -> DataSource | None:
    value = data.get("data_source")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise CardError("data_source", f"must be an object, not {value!r}")
    return DataSource(
        **{k: _text(value, k) for k in ("centre", "period", "declared_by")}  # type: ignore[arg-type]
    )


def _structure(data: Mapping, name: str, kind: type) -> None:
    value = data.get(name)
    if value is not None and not isinstance(value, kind):
        raise CardError(name, f"must be a JSON {kind.__name__}, not {type(value).__name__}")


def _number(data: Mapping, name: str, where: str = "") -> float | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CardError(where + name, f"must be a number, not {value!r}")
    return float(value)


def _object(data: Mapping, name: str, where: str = "") -> Mapping:
    value = data.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CardError(where + name, f"must be a JSON object, not {type(value).__name__}")
    return value


def _records(value: object, where: str) -> list[Mapping]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise CardError(where, "must be a list of JSON objects")
    return value


@dataclass(frozen=True)
class Coefficient:
    """One covariate's fitted coefficient, its hazard ratio with the 95% CI and the Wald p."""

    name: str
    label: str
    coef: float | None
    se: float | None
    hazard_ratio: float | None
    hr_lower: float | None
    hr_upper: float | None
    p: float | None


@dataclass(frozen=True)
class DayConcordance:
    """Harrell's C for deaths up to one day: apparent and cross-validated (mean over folds)."""

    apparent: float | None
    cross_validated: float | None


@dataclass(frozen=True)
class PHSummary:
    """The proportional-hazards test as the card states it: method, verdict, global p."""

    method: str | None
    verdict: str | None
    global_p: float | None


@dataclass(frozen=True)
class CardMetrics:
    """How good the model is (srgvhd.risk.fit.evaluate); days are the card's text keys."""

    concordance_apparent: float | None
    concordance_cv_mean: float | None
    concordance_cv_folds: int
    concordance_by_day: dict[str, DayConcordance]
    ph_test: PHSummary
    calibration: dict[str, tuple[CalibrationGroup, ...]]
    calibration_cv: dict[str, tuple[CalibrationGroup, ...]]
    calibration_cv_n: int | None
    decision_curve_cv: dict[str, tuple[NetBenefit, ...]]

    @property
    def calibration_days(self) -> list[str]:
        """Every day with apparent or cross-validated calibration, in day order."""
        return sorted({*self.calibration, *self.calibration_cv}, key=int)


@dataclass(frozen=True)
class ExcludedEntry:
    """One row a complete-rows fit left out: spreadsheet row, its id, the empty columns."""

    row: int | None
    patient_id: str | None
    empty: tuple[str, ...]


@dataclass(frozen=True)
class Exclusions:
    """What a complete-rows fit left out: how many, and the first ``listed`` of them."""

    excluded: int
    listed: int
    rows: tuple[ExcludedEntry, ...]


def _typed_rows(value: object, kind: type, where: str) -> tuple:
    """Card rows (dicts) as ``kind`` dataclasses; numbers checked, absent ones None."""
    out = []
    for i, row in enumerate(_records(value, where)):
        at = f"{where}[{i}]."
        values = {}
        for name in kind.__dataclass_fields__:
            if name == "group":
                values[name] = _text(row, name) or ""
            elif name in ("n", "events", "at_risk", "high_risk"):
                values[name] = _count(row, name)
            else:
                values[name] = _number(row, name, at)
        out.append(kind(**values))
    return tuple(out)


def _by_day(value: Mapping, kind: type, where: str) -> dict[str, tuple]:
    return {
        day: _typed_rows(rows, kind, f"{where}.{day}")
        for day, rows in value.items()
        if day.isdigit()
    }


def _metrics(data: Mapping) -> CardMetrics:
    metrics = _object(data, "metrics")
    cv = _object(metrics, "concordance_cv", "metrics.")
    by_day = _object(metrics, "concordance_by_day", "metrics.")
    ph = _object(metrics, "ph_test", "metrics.")
    calibration_cv = _object(metrics, "calibration_cv", "metrics.")
    return CardMetrics(
        concordance_apparent=_number(metrics, "concordance_apparent", "metrics."),
        concordance_cv_mean=_number(cv, "mean", "metrics.concordance_cv."),
        concordance_cv_folds=len(_records(cv.get("folds"), "metrics.concordance_cv.folds")),
        concordance_by_day={
            day: DayConcordance(
                _number(_object(by_day, day), "apparent", f"metrics.concordance_by_day.{day}."),
                _number(
                    _object(by_day, day), "cross_validated", f"metrics.concordance_by_day.{day}."
                ),
            )
            for day in by_day
        },
        ph_test=PHSummary(
            method=_text(ph, "method"),
            verdict=_text(ph, "verdict"),
            global_p=_number(_object(ph, "global"), "p", "metrics.ph_test.global."),
        ),
        calibration=_by_day(
            _object(metrics, "calibration", "metrics."), CalibrationGroup, "metrics.calibration"
        ),
        calibration_cv=_by_day(calibration_cv, CalibrationGroup, "metrics.calibration_cv"),
        calibration_cv_n=_count(calibration_cv, "n"),
        decision_curve_cv=_by_day(
            _object(metrics, "decision_curve_cv", "metrics."),
            NetBenefit,
            "metrics.decision_curve_cv",
        ),
    )


def _coefficients(data: Mapping) -> tuple[Coefficient, ...]:
    out = []
    for i, row in enumerate(_records(data.get("coefficients"), "coefficients")):
        at = f"coefficients[{i}]."
        name = _text(row, "name", required=True)
        out.append(
            Coefficient(
                name=name,  # type: ignore[arg-type]
                label=_text(row, "label") or name,  # type: ignore[arg-type]
                **{
                    key: _number(row, key, at)
                    for key in ("coef", "se", "hazard_ratio", "hr_lower", "hr_upper", "p")
                },
            )
        )
    return tuple(out)


def _exclusions(data: Mapping) -> Exclusions | None:
    report = data.get("complete_rows")
    if report is None:
        return None
    if not isinstance(report, dict):
        raise CardError("complete_rows", f"must be an object, not {report!r}")
    excluded = _count(report, "excluded") or 0
    rows = tuple(
        ExcludedEntry(
            row=_count(r, "row"),
            patient_id=_text(r, "patient_id"),
            empty=_names(r, "empty"),
        )
        for r in _records(report.get("rows"), "complete_rows.rows")
    )
    listed = _count(report, "listed")
    return Exclusions(excluded, excluded if listed is None else listed, rows)


@dataclass(frozen=True, eq=False)
class ModelCard(Mapping):
    """A validated model card (see module docstring). Equality compares the JSON fields.

    ``synthetic`` is true when the model was fitted on the bundled synthetic cohort: the
    reference model, or any training file whose SHA-256 or content matches it (recorded at
    training; for cards older than that field, decided from ``training_file_sha256``).
    """

    version: str
    artifact_sha256: str
    created_at: str | None
    format: str
    reference_model: bool
    synthetic: bool
    training_file_sha256: str | None
    training_file_name: str | None
    n: int | None
    events: int | None
    covariates: tuple[str, ...]
    data_source: DataSource | None
    metrics: CardMetrics = field(repr=False)
    data: dict[str, Any] = field(repr=False)
    events_per_coefficient: float | None = None
    low_epv_allowed: bool = False
    statement: str | None = None
    assumptions: tuple[str, ...] = ()
    dialect_description: str | None = None
    coefficients: tuple[Coefficient, ...] = ()
    exclusions: Exclusions | None = None
    baseline_estimator: str | None = None
    max_follow_up_days: float | None = None
    lifelines_version: str | None = None

    @classmethod
    def from_json(cls, data: object) -> ModelCard:
        """Validate a parsed card; raise CardError naming the first bad field."""
        if not isinstance(data, dict):
            raise CardError("(card)", f"must be a JSON object, not {type(data).__name__}")
        reference = _flag(data, "reference_model", False)
        training_sha = _digest(data, "training_file_sha256")
        legacy_synthetic = reference or training_sha == REFERENCE_COHORT_SHA256
        for name, kind in (("metrics", dict), ("coefficients", list), ("assumptions", list)):
            _structure(data, name, kind)
        return cls(
            version=_text(data, "version", required=True),  # type: ignore[arg-type]
            artifact_sha256=_digest(data, "artifact_sha256", required=True),  # type: ignore[arg-type]
            created_at=_timestamp(data, "created_at"),
            format=_text(data, "format") or LEGACY_CARD_FORMAT,
            reference_model=reference,
            synthetic=_flag(data, "synthetic", legacy_synthetic) or reference,
            training_file_sha256=training_sha,
            training_file_name=_text(data, "training_file_name"),
            n=_count(data, "n"),
            events=_count(data, "events"),
            covariates=_names(data, "covariates"),
            data_source=_source(data),
            data=dict(data),
            events_per_coefficient=_number(data, "events_per_coefficient"),
            low_epv_allowed=_flag(data, "low_epv_allowed", False),
            statement=_text(data, "statement"),
            assumptions=_names(data, "assumptions"),
            dialect_description=_text(_object(data, "dialect"), "description"),
            coefficients=_coefficients(data),
            metrics=_metrics(data),
            exclusions=_exclusions(data),
            baseline_estimator=_text(data, "baseline_estimator"),
            max_follow_up_days=_number(data, "max_follow_up_days"),
            lifelines_version=_text(data, "lifelines_version"),
        )

    @property
    def legacy(self) -> bool:
        """True for a card of the joblib era (its artifact is a pickle, never loaded now)."""
        return self.format == LEGACY_CARD_FORMAT

    def source_sentence(self) -> str:
        """Where the training data came from, in the banner's words."""
        if self.synthetic:
            return N_("synthetic reference data")
        source = self.data_source or DataSource()
        declared = ", ".join(v for v in (source.centre, source.period) if v)
        return Msg("centre data: {declared}", declared=declared or N_("source not declared"))

    def to_json(self) -> dict[str, Any]:
        """The card as saved (a copy)."""
        return dict(self.data)

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ModelCard):
            return self.data == other.data
        return isinstance(other, Mapping) and self.data == dict(other)

    __hash__ = None  # type: ignore[assignment]
