"""Small readers that check one JSON value each and record a Problem instead of raising.

They let a parser walk a whole document and report every problem with its field path
(``assessments[1].measurements.bilirubin.value``), as interfaces.md asks.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from srgvhd.errors import Problem
from srgvhd.i18n.message import N_, Msg

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MISSING = object()


class FieldPath(Msg):
    """A case-file field named inside a problem: the file's own path as text (``assessments[1]``,
    what ``--json`` and the CLI's stderr say, for whoever edits the file), and the field in
    words where a clinician reads the message (``words``, a marked template such as
    "assessment {number}" with rows counted from 1, said by ``Translator.text``)."""

    path: str

    def __new__(cls, path: str, words: str, **params: Any) -> FieldPath:  # type: ignore[misc]
        self = str.__new__(cls, path)
        self.template = words
        self.params = params
        self.path = path
        return self

    def __getnewargs_ex__(self) -> tuple[tuple[str, str], dict[str, Any]]:  # type: ignore[override]
        return (self.path, self.template), self.params


# TRANSLATORS: a row of a case file named in a problem ("same date as assessment 1").
ROW_WORDS = {
    "assessments": N_("assessment {number}"),
    "steroids.dose_changes": N_("dose change {number}"),
    "labs": N_("lab entry {number}"),
    "second_line.infusions": N_("infusion {number}"),
}
# TRANSLATORS: always after a preposition: "before {field}", "must be after {field}", "on {field}".
STEROID_START = FieldPath("steroids.start_date", N_("the steroid start date"))
SECOND_LINE_START = FieldPath("second_line.start_date", N_("the second-line start date"))

# Problems the app words in its own way (srgvhd.app.form_words), by template.
REQUIRED = N_("is required")
REQUIRED_DATE = N_("is required (YYYY-MM-DD)")
OUT_OF_RANGE = N_("{value} is out of range [{low}, {high}]")
OUT_OF_RANGE_OPEN = N_("{value} is out of range ({low}, {high}]")


def row_path(table: str, index: int) -> FieldPath:
    """Row ``index`` (from 0) of a case file's list ``table`` (a key of ``ROW_WORDS``)."""
    return FieldPath(f"{table}[{index}]", ROW_WORDS[table], number=index + 1)


class Collector:
    """Accumulates problems while a document is read."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, where: str, what: str) -> None:
        """Record one problem (``what`` a ``Msg``, so that the app can say it in the
        clinician's language; its English text is what files and the CLI say)."""
        self.problems.append(Problem(where, what))

    def obj(self, value: Any, where: str, *, required: bool = True) -> dict | None:
        """A JSON object, or None (recording a problem if it was required or of the wrong type)."""
        if value is MISSING or value is None:
            if required:
                self.add(where, Msg(REQUIRED))
            return None
        if not isinstance(value, dict):
            self.add(where, Msg("expected an object, got {kind}", kind=_kind(value)))
            return None
        return value

    def number(
        self,
        value: Any,
        where: str,
        *,
        low: float,
        high: float,
        required: bool = False,
        low_inclusive: bool = True,
        integer: bool = False,
    ) -> float | None:
        """A finite number within [low, high] (or (low, high]), or None."""
        if value is MISSING or value is None:
            if required:
                self.add(where, Msg(REQUIRED))
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(where, Msg("expected a number, got {kind}", kind=_kind(value)))
            return None
        if isinstance(value, float) and not math.isfinite(value):  # ints are exact, any size
            self.add(where, Msg("must be a finite number"))
            return None
        if integer and value != int(value):
            self.add(where, Msg("must be a whole number, got {value}", value=str(value)))
            return None
        below = value < low if low_inclusive else value <= low
        if below or value > high:
            template = OUT_OF_RANGE if low_inclusive else OUT_OF_RANGE_OPEN
            self.add(
                where,
                Msg(template, value=str(value), low=_fmt(low), high=_fmt(high), number=value),
            )
            return None
        return int(value) if integer else float(value)

    def quantity(
        self,
        value: Any,
        where: str,
        canon: Callable[[Any], str | None],
        limits: dict[str, tuple[float, float]],
        *,
        low_inclusive: bool = True,
    ) -> tuple[float, str] | None:
        """An optional ``{"value", "unit"}`` object: (value, canonical unit) within the unit's
        limits, or None (absent, null, or a problem recorded at ``where.value``/``.unit``)."""
        obj = self.obj(value, where, required=False)
        if obj is None:
            return None
        unit = canon(obj.get("unit"))
        if unit is None:
            got = _short(obj.get("unit"))
            self.add(
                f"{where}.unit",
                Msg("expected one of {options}, got {value}", options=", ".join(limits), value=got),
            )
            return None
        low, high = limits[unit]
        number = self.number(
            obj.get("value", MISSING),
            f"{where}.value",
            low=low,
            high=high,
            required=True,
            low_inclusive=low_inclusive,
        )
        return None if number is None else (number, unit)

    def boolean(self, value: Any, where: str) -> bool | None:
        """true, false, or null/missing (None)."""
        if value is MISSING or value is None:
            return None
        if not isinstance(value, bool):
            self.add(where, Msg("expected true or false, got {kind}", kind=_kind(value)))
            return None
        return value

    def iso_date(self, value: Any, where: str) -> date | None:
        """A required calendar date written YYYY-MM-DD."""
        if value is MISSING or value is None:
            self.add(where, Msg(REQUIRED_DATE))
            return None
        if not isinstance(value, str) or not _ISO_DATE.match(value):
            self.add(where, Msg("expected a date YYYY-MM-DD, got {value}", value=_short(value)))
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.add(where, Msg("{value} is not a valid calendar date", value=repr(value)))
            return None

    def choice(self, value: Any, where: str, options: tuple[str, ...]) -> str | None:
        """One of ``options`` (exact string), or None."""
        if value not in options or not isinstance(value, str):
            self.add(
                where,
                Msg(
                    "expected one of {options}, got {value}",
                    options=", ".join(options),
                    value=_short(value),
                ),
            )
            return None
        return value

    def known_keys(self, data: dict, where: str, allowed: tuple[str, ...]) -> None:
        """Refuse keys outside ``allowed`` (used where a typo would silently drop a finding)."""
        for key in data:
            if key not in allowed:
                name = key if isinstance(key, str) and key.isprintable() else _short(key)
                self.add(
                    f"{where}.{name}",
                    Msg("unknown field; expected one of {options}", options=", ".join(allowed)),
                )


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _kind(value: Any) -> str:
    """What a JSON value is, for "expected a number, got ..." (JSON's own words stay as they
    are: null, true/false)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return Msg("text {value}", value=_short(value))
    if isinstance(value, list):
        return Msg("a list")
    if isinstance(value, dict):
        return Msg("an object")
    return type(value).__name__


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
