"""The second line in words, for the CLI table, the Assess page and the PDF.

docs/clinical-rules.md §8: therapy and start, MSC infusions, the responses against the
second-line baseline, the week-4 response (the study's endpoint, Niu et al. 2026), progression,
the study's week-4 CR rates beside it, and survival for a patient alive on day d of second line.

Every sentence is a whole message with named placeholders, said in the current language
(``srgvhd.i18n.using``; terms from docs/glossary.md); responses, dates and numbers come from
``srgvhd.report.text`` so that they read as in the rest of the report. English is the text the
CLI printed before the app spoke other languages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from srgvhd.clinical.policy import DAY28_WINDOW_DAYS
from srgvhd.clinical.results import (
    WEEK4_ASSESSED,
    WEEK4_DUE,
    WEEK4_MISSED,
    Benchmark,
    SecondLineResult,
)
from srgvhd.clinical.second_line import NO_BASELINE, THERAPY_LABELS
from srgvhd.i18n import DEFAULT_LANGUAGE, N_, _, current, ngettext
from srgvhd.literature.published import MSC_ARM_LABEL, STANDARD_ARM_LABEL
from srgvhd.literature.second_line import REACH2_POPULATION, SUBGROUPS
from srgvhd.report.text import day_date, engine_text, horizon_text, number, response_text
from srgvhd.report.text import survival_text as survival_band_text

if TYPE_CHECKING:
    from srgvhd.risk.predict import ConditionalSurvival

HEADING = N_("Second line")
CONDITIONAL_HEADING = N_("Survival from the second-line start")
# Study arms (the contract's ``arm`` values) in words.
ARM_WORDS = {
    "uc-msc": MSC_ARM_LABEL,
    "standard": STANDARD_ARM_LABEL,
    "ruxolitinib": N_("ruxolitinib"),
    "best available therapy": N_("best available therapy"),
}
# The contract's subgroup names (docs/interfaces.md §7) by the catalogue's words for them (the
# benchmark table's, with an en dash); English keeps the contract's own spelling.
SUBGROUP_WORDS = {
    SUBGROUPS["cr_grade_2_4"]: N_("grade II–IV"),
    SUBGROUPS["cr_grade_3_4"]: N_("grade III–IV"),
    SUBGROUPS["cr_liver"]: N_("liver involvement"),
    SUBGROUPS["cr_gi"]: N_("GI involvement"),
    SUBGROUPS["cr_multi_organ"]: N_("≥2 organs involved"),
    REACH2_POPULATION: N_("SR-aGVHD, age ≥ 12 (all randomized)"),
}
FIRST_DAY, LAST_DAY = DAY28_WINDOW_DAYS
NONE_YET = N_("none yet")


def semicolons(items: Iterable[str]) -> str:
    """Items one after another, separated the language's way (``a; b``; ``a；b`` in Chinese)."""
    items = list(items)
    if len(items) <= 1:
        return items[0] if items else ""
    return _("{first}; {rest}", first=items[0], rest=semicolons(items[1:]))


def therapy_word(therapy: str) -> str:
    """A therapy (the contract's value) in words, without its name."""
    return _(THERAPY_LABELS[therapy]) if therapy in THERAPY_LABELS else therapy


def therapy_text(second: SecondLineResult) -> str:
    """``UC-MSC + standard second-line therapy``; ``other`` by its name, any other therapy
    with its name beside (as ``srgvhd.clinical.second_line.therapy_label``)."""
    label, name = therapy_word(second.therapy), second.therapy_name
    if name is None:
        return label
    if second.therapy == "other":
        return name
    # the name as typed: filled in after translating, so it is never looked up in a catalogue
    return current()(N_("{therapy} ({name})")).format(therapy=label, name=name)


def arm_word(arm: str) -> str:
    return _(ARM_WORDS[arm]) if arm in ARM_WORDS else arm


def subgroup_word(subgroup: str) -> str:
    """A benchmark's subgroup in words (English: the contract's name as it is)."""
    if current().lang == DEFAULT_LANGUAGE or subgroup not in SUBGROUP_WORDS:
        return subgroup
    return _(SUBGROUP_WORDS[subgroup])


def infusions_text(second: SecondLineResult, *, sentence: bool = False) -> str | None:
    """``3 infusions: 2026-10-10 1.5, 2026-10-17 1.5 × 10^6 cells/kg`` in date order (ending
    as a sentence when ``sentence``), or None."""
    if not second.infusions:
        return None
    items = sorted(second.infusions, key=lambda i: i.date)
    doses = [f"{day_date(i.date)} {number(i.dose_10e6_cells_per_kg)}" for i in items]
    listed = current().listed(doses, "unit")
    if sentence:
        return ngettext(
            "{n} infusion: {doses} × 10^6 cells/kg.",
            "{n} infusions: {doses} × 10^6 cells/kg.",
            len(items),
            doses=listed,
        )
    return ngettext(
        "{n} infusion: {doses} × 10^6 cells/kg",
        "{n} infusions: {doses} × 10^6 cells/kg",
        len(items),
        doses=listed,
    )


def week4_text(second: SecondLineResult) -> str:
    """The week-4 response in one sentence."""
    w = second.week4
    window: dict[str, Any] = {"first": FIRST_DAY, "last": LAST_DAY}
    if w.status == WEEK4_ASSESSED:
        assert w.response is not None and w.date is not None
        values = {"response": response_text(w.response), "day": w.day, "date": day_date(w.date)}
        if w.overall_response:
            return _(
                "Week-4 response: {response} on day {day} ({date}), an overall response.", **values
            )
        return _(
            "Week-4 response: {response} on day {day} ({date}), not an overall response.",
            **values,
        )
    due = day_date(w.due_date)
    if w.status == WEEK4_DUE:
        return _(
            "Week-4 response: due on {date} (days {first}–{last} of second line).",
            date=due,
            **window,
        )
    if w.status == WEEK4_MISSED:
        return _(
            "Week-4 response: missed — no assessable assessment on days {first}–{last} "
            "(from {date}).",
            date=due,
            **window,
        )
    if second.baseline_date is None:
        return _("Week-4 response: not assessable ({reason}).", reason=_(NO_BASELINE))
    return _(
        "Week-4 response: not assessable — the assessments on days {first}–{last} could not be "
        "judged against the second-line baseline.",
        **window,
    )


def progression_text(second: SecondLineResult) -> str:
    """Progression on second line (an organ worse than at the second-line baseline), or none."""
    p = second.progression
    if p is None and second.baseline_date is None:
        return _("Progression on second line: cannot be judged ({reason}).", reason=_(NO_BASELINE))
    if p is None:
        return _("Progression on second line: none found.")
    return _(
        "Progression on second line: {response} on day {day} ({date}).",
        response=response_text(p.response),
        day=p.day,
        date=day_date(p.date),
    )


def percent_text(value: float) -> str:
    """A published rate as printed: one decimal unless it is a whole percentage (``84.1%``,
    ``34%``; ``84,1 %`` in German and French)."""
    tenths = round(1000 * value)
    return current().percent(value, 0 if tenths % 10 == 0 else 1)


def benchmark_lines(benchmarks: Sequence[Benchmark]) -> list[str]:
    """One line per subgroup: both arms' week-4 CR (or day-28 CR/ORR) with n and source."""
    groups: dict[tuple[str, str], list[Benchmark]] = {}
    for b in benchmarks:
        groups.setdefault((b.source, b.subgroup), []).append(b)
    return [
        _(
            "{source}, {subgroup}: {arms}.",
            source=source,
            subgroup=subgroup_word(subgroup),
            arms=semicolons(_arm_text(b) for b in rows),
        )
        for (source, subgroup), rows in groups.items()
    ]


def _arm_text(b: Benchmark) -> str:
    values = {"arm": arm_word(b.arm), "cr": percent_text(b.cr_rate), "n": b.n}
    if b.orr_rate is None:
        return _("{arm} CR {cr} (n = {n})", **values)
    return _("{arm} CR {cr}, ORR {orr} (n = {n})", orr=percent_text(b.orr_rate), **values)


def assessment_line(day: int, when: Any, response: str, reason: str | None) -> str:
    """``day 10 (2026-10-20): PR``, with why it is not assessable when it is not."""
    values = {"day": day, "date": day_date(when), "response": response_text(response)}
    if reason:
        return _("day {day} ({date}): {response} — {reason}", reason=engine_text(reason), **values)
    return _("day {day} ({date}): {response}", **values)


def heading_line(second: SecondLineResult) -> str:
    """``Second line: UC-MSC + standard second-line therapy from 2026-10-10 (day 35 of second
    line at the last assessment).``"""
    return _(
        "Second line: {therapy} from {date} (day {day} of second line at the last assessment).",
        therapy=therapy_text(second),
        date=day_date(second.start_date),
        day=second.day,
    )


def baseline_line(second: SecondLineResult) -> str:
    """The second-line baseline's date, or that there is none."""
    if second.baseline_date is None:
        return _("Baseline: none ({reason}).", reason=_(NO_BASELINE))
    return _("Baseline: {date}.", date=day_date(second.baseline_date))


def second_line_lines(second: SecondLineResult) -> list[str]:
    """The second-line block of the CLI table (and the PDF's lines)."""
    lines = [heading_line(second)]
    infusions = infusions_text(second)
    if infusions:
        lines.append(f"  {infusions}")
    lines.append(f"  {baseline_line(second)}")
    lines += [
        f"  {assessment_line(a.day, a.date, a.response, a.reason)}" for a in second.assessments
    ]
    lines += [f"  {week4_text(second)}", f"  {progression_text(second)}"]
    if second.benchmarks:
        lines.append(
            "  " + _("Published response rates (the study: week-4 CR, whole arm as denominator):")
        )
        lines += [f"    {line}" for line in benchmark_lines(second.benchmarks)]
    return lines


def conditional_lines(conditional: ConditionalSurvival) -> list[str]:
    """The survival of a patient alive on the last assessment's day of second line
    (srgvhd.risk.predict.ConditionalSurvival) in sentences (horizons already passed are
    skipped)."""
    lines = [
        _(
            "Survival from the second-line start, alive on day {day} of second line:",
            day=conditional.alive_on_day,
        )
    ]
    for horizon, band in conditional.survival.items():
        if band is None:
            continue
        text = survival_band_text(band.estimate, band.lower, band.upper)
        lines.append(
            "  "
            + _("Survival at {horizon}: {survival}.", horizon=horizon_text(horizon), survival=text)
        )
    if len(lines) == 1:
        lines.append("  " + _("every horizon is already passed or beyond the model's follow-up."))
    return lines
