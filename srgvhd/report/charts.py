"""Matplotlib figures of the app (the PDF draws its survival curve as vector lines).

Figures are built on :class:`matplotlib.figure.Figure` directly (no pyplot global state), so
they are safe in Streamlit's threads and render with the Agg backend when saved to PNG.
"""

from __future__ import annotations

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


def _bar_label(value: ArmValue) -> str:
    """Published % over n/N for a bar."""
    if value.percent is None:
        return ""
    counts = f"\n{value.count}/{value.denominator}" if value.count is not None else ""
    return format_percent(value.percent) + counts


def cr_by_subgroup_figure(
    rows: Sequence[ComparisonRow] = WEEK4_CR, *, size_in: tuple[float, float] = (7.0, 3.4)
) -> Figure:
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
        bars = ax.bar(
            [p + offset for p in positions],
            [v.percent or 0 for v in values],
            width,
            label=label,
            color=colour,
        )
        ax.bar_label(bars, labels=[_bar_label(v) for v in values], fontsize=7, padding=2)
    ax.set_xticks(list(positions))
    ax.set_xticklabels(
        [
            f"{r.outcome.removeprefix('CR, ')}\np = {r.p:.3f}"
            if r.p is not None
            else r.outcome.removeprefix("CR, ")
            for r in rows
        ],
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
