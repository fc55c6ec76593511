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

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MISSING = object()


class Collector:
    """Accumulates problems while a document is read."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, where: str, what: str) -> None:
        """Record one problem."""
        self.problems.append(Problem(where, what))

    def obj(self, value: Any, where: str, *, required: bool = True) -> dict | None:
        """A JSON object, or None (recording a problem if it was required or of the wrong type)."""
        if value is MISSING or value is None:
            if required:
                self.add(where, "is required")
            return None
        if not isinstance(value, dict):
            self.add(where, f"expected an object, got {_kind(value)}")
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
                self.add(where, "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.add(where, f"expected a number, got {_kind(value)}")
            return None
        if isinstance(value, float) and not math.isfinite(value):  # ints are exact, any size
            self.add(where, "must be a finite number")
            return None
        if integer and value != int(value):
            self.add(where, f"must be a whole number, got {value}")
            return None
        below = value < low if low_inclusive else value <= low
        if below or value > high:
            bracket = "[" if low_inclusive else "("
            self.add(where, f"{value} is out of range {bracket}{_fmt(low)}, {_fmt(high)}]")
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
            self.add(f"{where}.unit", f"expected one of {', '.join(limits)}, got {got}")
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
            self.add(where, f"expected true or false, got {_kind(value)}")
            return None
        return value

    def iso_date(self, value: Any, where: str) -> date | None:
        """A required calendar date written YYYY-MM-DD."""
        if value is MISSING or value is None:
            self.add(where, "is required (YYYY-MM-DD)")
            return None
        if not isinstance(value, str) or not _ISO_DATE.match(value):
            self.add(where, f"expected a date YYYY-MM-DD, got {_short(value)}")
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.add(where, f"{value!r} is not a valid calendar date")
            return None

    def choice(self, value: Any, where: str, options: tuple[str, ...]) -> str | None:
        """One of ``options`` (exact string), or None."""
        if value not in options or not isinstance(value, str):
            self.add(where, f"expected one of {', '.join(options)}, got {_short(value)}")
            return None
        return value

    def known_keys(self, data: dict, where: str, allowed: tuple[str, ...]) -> None:
        """Refuse keys outside ``allowed`` (used where a typo would silently drop a finding)."""
        for key in data:
            if key not in allowed:
                name = key if isinstance(key, str) and key.isprintable() else _short(key)
                self.add(f"{where}.{name}", f"unknown field; expected one of {', '.join(allowed)}")


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return f"text {_short(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
