"""The second line in words, for the CLI table, the Assess page and the PDF.

docs/clinical-rules.md §8: therapy and start, MSC infusions, the responses against the
second-line baseline, the week-4 response (the study's endpoint, Niu et al. 2026), progression,
the study's week-4 CR rates beside it, and survival for a patient alive on day d of second line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from srgvhd.clinical.policy import DAY28_WINDOW_DAYS
from srgvhd.clinical.results import (
    WEEK4_ASSESSED,
    WEEK4_DUE,
    WEEK4_MISSED,
    Benchmark,
    SecondLineResult,
)
from srgvhd.clinical.second_line import NO_BASELINE, therapy_label
from srgvhd.report.text import horizon_text, number, survival_text

HEADING = "Second line"
CONDITIONAL_HEADING = "Survival from the second-line start"
ARM_WORDS = {"uc-msc": "UC-MSC + standard", "standard": "standard alone"}
WINDOW = f"days {DAY28_WINDOW_DAYS[0]}–{DAY28_WINDOW_DAYS[1]}"


def therapy_text(second: SecondLineResult) -> str:
    """``UC-MSC + standard second-line therapy``; ``other`` by its name."""
    return therapy_label(second.therapy, second.therapy_name)


def infusions_text(second: SecondLineResult) -> str | None:
    """``2026-10-10 1.5, 2026-10-17 1.5 × 10^6 cells/kg`` in date order, or None."""
    if not second.infusions:
        return None
    items = sorted(second.infusions, key=lambda i: i.date)
    listed = ", ".join(f"{i.date.isoformat()} {number(i.dose_10e6_cells_per_kg)}" for i in items)
    return f"{len(items)} infusion{'s' if len(items) > 1 else ''}: {listed} × 10^6 cells/kg"


def week4_text(second: SecondLineResult) -> str:
    """The week-4 response in one sentence."""
    w = second.week4
    due = w.due_date.isoformat()
    if w.status == WEEK4_ASSESSED:
        assert w.response is not None and w.date is not None
        orr = "an overall response" if w.overall_response else "not an overall response"
        return f"Week-4 response: {w.response} on day {w.day} ({w.date.isoformat()}), {orr}."
    if w.status == WEEK4_DUE:
        return f"Week-4 response: due on {due} ({WINDOW} of second line)."
    if w.status == WEEK4_MISSED:
        return f"Week-4 response: missed — no assessable assessment on {WINDOW} (from {due})."
    if second.baseline_date is None:
        return f"Week-4 response: not assessable ({NO_BASELINE})."
    return (
        f"Week-4 response: not assessable — the assessments on {WINDOW} could not be judged "
        "against the second-line baseline."
    )


def progression_text(second: SecondLineResult) -> str:
    """Progression on second line (an organ worse than at the second-line baseline), or none."""
    p = second.progression
    if p is None and second.baseline_date is None:
        return f"Progression on second line: cannot be judged ({NO_BASELINE})."
    if p is None:
        return "Progression on second line: none found."
    return f"Progression on second line: {p.response} on day {p.day} ({p.date.isoformat()})."


def benchmark_lines(benchmarks: Sequence[Benchmark]) -> list[str]:
    """One line per subgroup: both arms' week-4 CR (or day-28 CR/ORR) with n and source."""
    lines: list[str] = []
    groups: dict[tuple[str, str], list[Benchmark]] = {}
    for b in benchmarks:
        groups.setdefault((b.source, b.subgroup), []).append(b)
    for (source, subgroup), rows in groups.items():
        arms = "; ".join(_arm_text(b) for b in rows)
        lines.append(f"{source}, {subgroup}: {arms}.")
    return lines


def _arm_text(b: Benchmark) -> str:
    rate = f"CR {_pct(b.cr_rate)}"
    if b.orr_rate is not None:
        rate += f", ORR {_pct(b.orr_rate)}"
    return f"{ARM_WORDS.get(b.arm, b.arm)} {rate} (n = {b.n})"


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%".replace(".0%", "%")


def second_line_lines(second: SecondLineResult) -> list[str]:
    """The second-line block of the CLI table (and the PDF's lines)."""
    lines = [
        f"{HEADING}: {therapy_text(second)} from {second.start_date.isoformat()} "
        f"(day {second.day} of second line at the last assessment)."
    ]
    infusions = infusions_text(second)
    if infusions:
        lines.append(f"  {infusions}")
    base = second.baseline_date
    lines.append(
        f"  Baseline: {base.isoformat()}." if base else f"  Baseline: none ({NO_BASELINE})."
    )
    lines += [
        f"  day {a.day} ({a.date.isoformat()}): {a.response}"
        + (f" — {a.reason}" if a.reason else "")
        for a in second.assessments
    ]
    lines += [f"  {week4_text(second)}", f"  {progression_text(second)}"]
    if second.benchmarks:
        lines.append("  Published response rates (the study: week-4 CR, whole arm as denominator):")
        lines += [f"    {line}" for line in benchmark_lines(second.benchmarks)]
    return lines


def conditional_lines(conditional: Mapping) -> list[str]:
    """The ``risk.conditional`` object in sentences (horizons already passed are skipped)."""
    d = conditional["alive_on_day"]
    lines = [f"{CONDITIONAL_HEADING}, alive on day {d} of second line:"]
    for horizon, band in conditional["survival"].items():
        if band is None:
            continue
        text = survival_text(band["estimate"], band["lower"], band["upper"])
        lines.append(f"  Survival at {horizon_text(horizon)}: {text}.")
    if len(lines) == 1:
        lines.append("  every horizon is already passed or beyond the model's follow-up.")
    return lines
