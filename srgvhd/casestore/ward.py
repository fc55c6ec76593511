"""The Ward page's list: one row per course from the store's list (docs/interfaces.md §5, §7),
who needs a decision first, the urgency of the next action in words, and the next scheduled
assessment of a course still on steroids.

Each course's phase and next action come from the store (``srgvhd.casestore.summary``,
docs/clinical-rules.md §8): a steroid-refractory course with no second line is "second-line
choice pending", due on the verdict's date and listed first; the store sorts the list. Urgency
is written out and marked with a symbol, never by colour alone: "OVERDUE" (due before today),
"DUE TODAY", then the later ones; closed courses say so. A course on steroids also shows its next
scheduled assessment: day 0, days 3–5, day 7, day 14 (the study schedule of Niu et al. 2026).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from srgvhd.casestore.summary import CLOSED, PENDING, SECOND_LINE, STEROIDS
from srgvhd.clinical.results import GRADE_INCOMPLETE_MARK
from srgvhd.i18n import N_, _, current

# The study's assessment schedule (Niu et al. 2026): day 0, days 3–5, day 7, day 14.
ASSESSMENT_DAYS = (0, 3, 7, 14)
URGENCY = {
    "overdue": N_("▲ OVERDUE"),
    "today": N_("● DUE TODAY"),
    "later": N_("○ later"),
    "open": N_("○ no date"),
    None: N_("— closed"),
}
# The phases of a course (clinical-rules.md §8.9) as the page says them.
PHASE_WORDS = {
    STEROIDS: N_("steroids"),
    PENDING: N_("second-line choice pending"),
    SECOND_LINE: N_("second line"),
    CLOSED: N_("closed"),
}
# The table's columns (the row keys) as the page heads them, in the current language.
COLUMN_WORDS = {
    "due": N_("due"),
    "code": N_("code"),
    "phase": N_("phase"),
    "next action": N_("next action"),
    "due date": N_("due date"),
    "day of course": N_("day of course"),
    "status": N_("status"),
    "rule": N_("rule"),
    "max grade": N_("max grade"),
    "next assessment": N_("next assessment"),
    "last assessed": N_("last assessed"),
    "version": N_("version"),
    "updated": N_("updated"),
}


def column_labels() -> dict[str, str]:
    """Each column of ``ward_rows`` with its heading in the current language."""
    return {key: _(words) for key, words in COLUMN_WORDS.items()}


def urgency(due: str | None, today: date, phase: str | None = None) -> str | None:
    """``"overdue"``, ``"today"``, ``"later"``; ``"open"`` for an open course without a due
    date; None for a closed course (or, without a phase, a course with nothing due)."""
    if due is None:
        return None if phase in (None, CLOSED) else "open"
    when = date.fromisoformat(due)
    return "overdue" if when < today else "today" if when == today else "later"


def next_assessment_day(last_assessed_day: int) -> int | None:
    """The next scheduled assessment after the latest one (days 3–5 open on day 3)."""
    return next((d for d in ASSESSMENT_DAYS if d > last_assessed_day), None)


def is_open(case: dict[str, Any]) -> bool:
    """Whether a listed course still needs something from the ward (not closed)."""
    return case.get("phase") != CLOSED


def ward_rows(cases: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """The table's rows (the store's list is already in the ward's order)."""
    rows = []
    for c in cases:
        start = date.fromisoformat(c["steroid_start"])
        due = c.get("due_date")
        rows.append(
            {
                "due": _(URGENCY[urgency(due, today, c.get("phase"))]),
                "code": c["code"],
                "phase": _(PHASE_WORDS[c["phase"]]) if c.get("phase") in PHASE_WORDS else "—",
                # a Msg from the store: said in the current language (English text otherwise)
                "next action": current().text(c["next_action"]) if c.get("next_action") else "—",
                "due date": _due_words(c, start),
                "day of course": (today - start).days,
                "status": current().text(c["status"]),
                "rule": c["rule"] or "—",
                "max grade": _max_grade(c),
                "next assessment": _scheduled(c, start),
                "last assessed": _("day {day}", day=c["day"]),
                "version": c["version"],
                "updated": updated_text(c["updated_at"], c["updated_by"], today),
            }
        )
    return rows


def updated_text(updated_at: str, who: str, today: date) -> str:
    """``11-28 10:00 · alice`` from the store's ``2026-11-28T10:00:00Z`` (UTC, to the minute;
    the year only when it is not ``today``'s): short enough for the list's last column to show
    whole on a 1400-px screen."""
    day = updated_at[:10] if updated_at[:4] != str(today.year) else updated_at[5:10]
    return f"{day} {updated_at[11:16]} · {who}"


def _max_grade(case: dict[str, Any]) -> str:
    """The course's highest grade, marked when it is a lower bound (an assessment left an organ
    unmeasured, docs/clinical-rules.md §7.5), as the Assess page marks it."""
    grade = case["max_grade"]
    if grade is None:
        return "—"
    return f"{grade}{GRADE_INCOMPLETE_MARK}" if case.get("max_grade_incomplete") else grade


def _due_words(case: dict[str, Any], start: date) -> str:
    """``day 7 · 2026-11-08`` (day of the steroid course); on second line the date alone, as
    the steroid day would be misread as the day of second line."""
    due = case.get("due_date")
    if due is None:
        return "—"
    when = date.fromisoformat(due)
    if case.get("phase") == SECOND_LINE:
        return current().date(when)
    return _day_date((when - start).days, when)


def _scheduled(case: dict[str, Any], start: date) -> str:
    """``day 3 · 2026-11-04`` for the next scheduled steroid-phase assessment, else a dash."""
    day = next_assessment_day(case["day"])
    if case.get("phase") != STEROIDS or case["next_decision_date"] is None or day is None:
        return "—"
    return _day_date(day, start + timedelta(days=day))


def _day_date(day: int, when: date) -> str:
    """``day 3 · 2026-11-04`` (the date as the current language writes it)."""
    return _("day {day} · {date}", day=day, date=when)
