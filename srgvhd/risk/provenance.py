"""Provenance of a training cohort: is it the bundled synthetic reference cohort?

The shipped model is fitted on ``training/reference_cohort.csv``, a synthetic cohort. A model
retrained on that same data must stay marked synthetic wherever it is shown, whatever
the file is called, however its rows are ordered and whichever spreadsheet dialect wrote it. Two
checks, either is enough:

- the training file's SHA-256 equals the bundled file's (the exact bytes), or
- the cohort's content fingerprint equals the bundled cohort's: the SHA-256 of its rows as the
  model sees them (age, grade, hemoglobin, follow-up days, death), each row written in one
  canonical text form and the rows sorted. It is computed on the cohort *after* parsing, so the
  separator, decimal mark, BOM, line endings, column order, row order, patient ids and the
  optional columns do not change it.

Both constants are checked against the bundled file by tests/test_provenance.py.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from srgvhd.errors import InputError, Problem
from srgvhd.i18n.message import Msg

if TYPE_CHECKING:
    import pandas as pd

# The model's own inputs (interfaces.md §3): what makes two cohorts give the same fit.
FINGERPRINT_COLUMNS = ("age_years", "grade", "hemoglobin_g_l", "os_days", "death")
REFERENCE_COHORT_SHA256 = "f2ef9d5a4107375aac3d3bb2e2e282a4d92e20beed4c3efc30aa5c1ff00d60f0"
REFERENCE_COHORT_FINGERPRINT = "dc29970dbf5e7216c2b6a615481151eb42e463396b0c7d7809322cdba363522b"
MAX_DECLARED_CHARS = 80  # centre and period as declared at upload (one line on the card)
_LINE_BREAKING = {"Cc", "Zl", "Zp"}  # control characters, line and paragraph separators


@dataclass(frozen=True)
class DataSource:
    """Where the training data came from, as declared at upload (centre, period, who)."""

    centre: str | None = None
    period: str | None = None
    declared_by: str | None = None

    def to_json(self) -> dict[str, str | None]:
        return {"centre": self.centre, "period": self.period, "declared_by": self.declared_by}


def _declared(value: str | None, field: str, problems: list[Problem]) -> str | None:
    """One declared text: blank is None; control characters or more than
    ``MAX_DECLARED_CHARS`` characters are refused (a problem naming ``field``)."""
    if value is None:
        return None
    bad = sorted({c for c in value if unicodedata.category(c) in _LINE_BREAKING})
    if bad:
        codes = ", ".join(f"U+{ord(c):04X}" for c in bad)
        problems.append(
            Problem(
                field,
                Msg(
                    "contains control characters ({codes}); type it as one line of plain text",
                    codes=codes,
                ),
            )
        )
        return None
    text = value.strip()
    if len(text) > MAX_DECLARED_CHARS:
        problems.append(
            Problem(
                field,
                Msg(
                    "is {n} characters long; at most {maximum} are allowed",
                    n=len(text),
                    maximum=MAX_DECLARED_CHARS,
                ),
            )
        )
    return text or None


def declared_source(
    centre: str | None,
    period: str | None,
    *,
    declared_by: str | None,
    fields: tuple[str, str] = ("centre", "period"),
) -> DataSource:
    """The data source as declared at upload, checked: InputError naming ``fields`` (centre's,
    period's) for a text with control characters or over ``MAX_DECLARED_CHARS`` characters;
    blank texts become None (not declared)."""
    problems: list[Problem] = []
    source = DataSource(
        _declared(centre, fields[0], problems), _declared(period, fields[1], problems), declared_by
    )
    if problems:
        raise InputError(problems)
    return source


def cohort_fingerprint(frame: pd.DataFrame) -> str:
    """SHA-256 of the sorted canonical rows of a cohort from ``srgvhd.risk.cohort.read_cohort``.

    Numbers are written as Python floats (``repr``) for age and hemoglobin and as integers for
    days and death, so ``42``, ``42.0`` and ``42,0`` (decimal comma) give the same row.
    """
    rows = sorted(
        "\t".join(
            (
                repr(float(age)),
                str(grade),
                repr(float(hemoglobin)),
                str(int(days)),
                str(int(death)),
            )
        )
        for age, grade, hemoglobin, days, death in frame[list(FINGERPRINT_COLUMNS)].itertuples(
            index=False, name=None
        )
    )
    return hashlib.sha256("\n".join(rows).encode("utf-8")).hexdigest()


def is_reference_cohort(*, file_sha256: str | None = None, fingerprint: str | None = None) -> bool:
    """True when the file's bytes or the cohort's content are the bundled synthetic cohort's."""
    return file_sha256 == REFERENCE_COHORT_SHA256 or fingerprint == REFERENCE_COHORT_FINGERPRINT


def provenance_fields(
    file_sha256: str, frame: pd.DataFrame, source: DataSource | None = None
) -> dict[str, Any]:
    """The card fields recording where a training cohort came from (README, "The risk model")."""
    fingerprint = cohort_fingerprint(frame)
    return {
        "training_cohort_fingerprint": fingerprint,
        "synthetic": is_reference_cohort(file_sha256=file_sha256, fingerprint=fingerprint),
        "data_source": (source or DataSource()).to_json(),
    }
