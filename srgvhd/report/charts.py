"""Matplotlib figures shared by the PDF summary and the app.

Figures are built on :class:`matplotlib.figure.Figure` directly (no pyplot global state), so
they are safe in Streamlit's threads and render with the Agg backend when saved to PNG.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from srgvhd.literature.published import (
    MSC_ARM_LABEL,
    STANDARD_ARM_LABEL,
    WEEK4_CR,
    ArmValue,
    ComparisonRow,
    format_percent,
)

MSC_COLOUR = "#1f6f8b"
STANDARD_COLOUR = "#b0b7bd"
CURVE_COLOUR = "#1f4e79"
SURVIVAL_MARK_DAYS = (180, 365)
CURVE_X_MAX_DAYS = 400


def figure_png(fig: Figure, dpi: int = 200) -> bytes:
    """PNG bytes of ``fig`` (Agg), without the matplotlib version in the metadata so the bytes
    depend only on the drawing."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def survival_curve_figure(curve: dict[str, Sequence[float | None]], *,
                          size_in: tuple[float, float] = (3.6, 2.2),
                          x_max_days: int = CURVE_X_MAX_DAYS) -> Figure:
    """Predicted survival (step curve) with its 95% band and guides at days 180 and 365,
    the horizons of the risk estimate, drawn up to ``x_max_days``.

    ``curve`` is the risk result's ``curve`` (docs/architecture.md): ``days``, ``estimate``,
    ``lower``, ``upper``; the band is whatever the model computed (``band_method``). Null
    values (beyond the model's follow-up) are left out of the drawing.
    """
    fig = Figure(figsize=size_in, layout="constrained")
    ax = fig.add_subplot()
    days = list(curve["days"])
    lower, upper, estimate = (
        [math.nan if v is None else v for v in curve[key]] for key in ("lower", "upper", "estimate")
    )
    ax.fill_between(days, lower, upper, step="post", color=CURVE_COLOUR,
                    alpha=0.18, linewidth=0, label="95% band")
    ax.step(days, estimate, where="post", color=CURVE_COLOUR, linewidth=1.4,
            label="estimate")
    for mark in SURVIVAL_MARK_DAYS:
        ax.axvline(mark, color="#666666", linestyle=":", linewidth=0.8)
    ax.set_ylim(0, 1.02)
    ax.set_xlim(0, x_max_days)
    ax.set_xticks([0, 90, *SURVIVAL_MARK_DAYS])
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    ax.set_xlabel("days from start of second-line therapy", fontsize=7)
    ax.set_ylabel("overall survival", fontsize=7)
    ax.tick_params(labelsize=7)
    ax.grid(axis="y", linewidth=0.4, alpha=0.5)
    ax.legend(fontsize=6.5, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2, frameon=False,
              borderaxespad=0.2)
    return fig


def _bar_label(value: ArmValue) -> str:
    """Published % over n/N for a bar."""
    if value.percent is None:
        return ""
    counts = f"\n{value.count}/{value.denominator}" if value.count is not None else ""
    return format_percent(value.percent) + counts


def cr_by_subgroup_figure(rows: Sequence[ComparisonRow] = WEEK4_CR, *,
                          size_in: tuple[float, float] = (7.0, 3.4)) -> Figure:
    """Grouped bars of published week-4 CR, UC-MSC arm vs standard arm, one group per subgroup,
    with n/N (whole arm as denominator, as in Niu et al. 2026) and the p-value under each."""
    fig = Figure(figsize=size_in, layout="constrained")
    ax = fig.add_subplot()
    positions = range(len(rows))
    width = 0.38
    for offset, label, colour, pick in (
        (-width / 2, MSC_ARM_LABEL, MSC_COLOUR, lambda r: r.msc),
        (width / 2, STANDARD_ARM_LABEL, STANDARD_COLOUR, lambda r: r.standard),
    ):
        values: list[Any] = [pick(r) for r in rows]
        bars = ax.bar([p + offset for p in positions], [v.percent or 0 for v in values], width,
                      label=label, color=colour)
        ax.bar_label(bars, labels=[_bar_label(v) for v in values], fontsize=7, padding=2)
    ax.set_xticks(list(positions))
    ax.set_xticklabels(
        [f"{r.outcome.removeprefix('CR, ')}\np = {r.p:.3f}" if r.p is not None
         else r.outcome.removeprefix("CR, ") for r in rows],
        fontsize=8,
    )
    ax.set_ylim(0, 110)
    ax.yaxis.set_major_formatter(PercentFormatter(xmax=100, decimals=0))
    ax.set_ylabel("week-4 complete response", fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    ax.legend(fontsize=8, loc="upper right", frameon=False)
    ax.set_title(f"{rows[0].source.short}: whole arm as denominator", fontsize=8)
    ax.spines[["top", "right"]].set_visible(False)
    return fig
