"""The model card: what a saved model version is, where its data came from, how good it is.

A card is a JSON object (``<version>.json`` in the model store). :class:`ModelCard` reads it
tolerantly — unknown fields are kept, optional ones may be absent (older cards) — but validated:
a field the app relies on with the wrong type (e.g. ``"created_at": 5``) is refused with a
:class:`CardError` naming the field, never a TypeError later on a page.

The card also behaves as a read-only mapping of its JSON fields (``card["n"]``,
``card.get("metrics")``), so pages can show any field; :meth:`ModelCard.to_json` gives the dict.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from srgvhd.i18n.message import N_, Msg
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
    data: dict[str, Any] = field(repr=False)

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
        )

    @property
    def legacy(self) -> bool:
        """True for a card of the joblib era (its artifact is a pickle, never loaded now)."""
        return self.format == LEGACY_CARD_FORMAT

    def source_sentence(self) -> str:
        """Where the training data came from, in the banner's words (issue 11 Deliver 1)."""
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
