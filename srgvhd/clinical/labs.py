"""Lab values of a case (``labs``, docs/interfaces.md §6) for the bedside scores.

Each entry has a date and any of: LDH (U/L), creatinine (mg/dL or µmol/L), platelets (10⁹/L) and
the MAGIC algorithm probability (MAP, 0–1, as the lab reports it). Every value is optional and
null means not measured; a value outside its plausible range is refused with its field path
(e.g. ``labs[0].creatinine.value``), never clamped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from srgvhd.clinical.units import (
    CREATININE_UNITS,
    Quantity,
    canonical_creatinine_unit,
    creatinine_to_mg_dl,
)
from srgvhd.clinical.validate import MISSING, Collector, row_path
from srgvhd.i18n.message import Msg

MAX_LABS = 100  # dated lab entries per case (docs/interfaces.md §1 "Limits")
LAB_FIELDS = ("date", "ldh_u_l", "creatinine", "platelets_10e9_l", "map_probability")
# Plausible ranges, inclusive. The lows are the smallest value a laboratory reports (LDH 1 U/L,
# creatinine 0.01 mg/dL or 1 µmol/L, platelets 1 × 10⁹/L): EASIX divides and takes log2, so a
# value that rounds to 0 or a near-zero platelet count must be refused, not computed.
LDH_U_L = (1.0, 20000.0)
CREATININE_LIMITS = dict(zip(CREATININE_UNITS, ((0.01, 30.0), (1.0, 2652.0)), strict=True))
PLATELETS_10E9_L = (1.0, 5000.0)
MAP_PROBABILITY = (0.0, 1.0)


@dataclass(frozen=True)
class Lab:
    """Lab values drawn on one date; None = not measured."""

    date: date
    ldh_u_l: float | None = None
    creatinine: Quantity | None = None
    platelets_10e9_l: float | None = None
    map_probability: float | None = None

    @property
    def creatinine_mg_dl(self) -> float | None:
        """Creatinine in mg/dL (µmol/L ÷ 88.4), or None when not measured."""
        c = self.creatinine
        return None if c is None else creatinine_to_mg_dl(c.value, c.unit)

    def to_json(self) -> dict[str, Any]:
        """The case file's form of this entry (values in the units entered)."""
        c = self.creatinine
        return {
            "date": self.date.isoformat(),
            "ldh_u_l": self.ldh_u_l,
            "creatinine": None if c is None else {"value": c.value, "unit": c.unit},
            "platelets_10e9_l": self.platelets_10e9_l,
            "map_probability": self.map_probability,
        }


def parse_labs(c: Collector, value: Any) -> tuple[Lab, ...]:
    """The case's ``labs`` list (absent or null: none), problems recorded by field path."""
    if value is MISSING or value is None:
        return ()
    if not isinstance(value, list):
        c.add(
            "labs",
            Msg(
                "expected a list of lab entries {fields}", fields="{date, ldh_u_l, creatinine, ...}"
            ),
        )
        return ()
    if len(value) > MAX_LABS:
        c.add("labs", Msg("more than {count} lab entries", count=MAX_LABS))
        return ()
    labs: list[Lab] = []
    seen: dict[date, int] = {}
    for i, item in enumerate(value):
        lab = _lab(c, item, f"labs[{i}]")
        if lab is None:
            continue
        if lab.date in seen:
            c.add(
                f"labs[{i}].date",
                Msg("same date as {other}", other=row_path("labs", seen[lab.date])),
            )
            continue
        seen[lab.date] = i
        labs.append(lab)
    return tuple(sorted(labs, key=lambda lab: lab.date))


def _lab(c: Collector, value: Any, where: str) -> Lab | None:
    obj = c.obj(value, where)
    if obj is None:
        return None
    n = len(c.problems)
    c.known_keys(obj, where, LAB_FIELDS)
    when = c.iso_date(obj.get("date", MISSING), f"{where}.date")

    def within(key: str, limits: tuple[float, float]) -> float | None:
        low, high = limits
        return c.number(obj.get(key), f"{where}.{key}", low=low, high=high)

    ldh = within("ldh_u_l", LDH_U_L)
    creatinine = c.quantity(
        obj.get("creatinine"), f"{where}.creatinine", canonical_creatinine_unit, CREATININE_LIMITS
    )
    platelets = within("platelets_10e9_l", PLATELETS_10E9_L)
    low, high = MAP_PROBABILITY
    map_p = c.number(obj.get("map_probability"), f"{where}.map_probability", low=low, high=high)
    if len(c.problems) > n or when is None:
        return None
    return Lab(when, ldh, None if creatinine is None else Quantity(*creatinine), platelets, map_p)
