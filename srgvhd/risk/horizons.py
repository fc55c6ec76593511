"""The days at which the risk model's survival is reported, calibrated and judged — one table.

Survival is shown at 180 and 365 days (interfaces.md §2 ``risk.survival`` keys; the horizons of
Niu et al. 2026); the model card's calibration and concordance-by-day use the same days, and the
decision curve is drawn at the later one. Standard library only.
"""

from __future__ import annotations

HORIZONS_DAYS: tuple[int, ...] = (180, 365)
DECISION_CURVE_DAY: int = HORIZONS_DAYS[-1]
