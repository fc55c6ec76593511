"""The Ward page's list: one row per course from the store's list (docs/interfaces.md §5), the
urgency of its next decision in words, and its next scheduled assessment.

Besides the next decision date (the rules' day 7 or 14, docs/clinical-rules.md §5a), each open
course shows its next scheduled assessment: day 0, days 3–5, day 7, day 14 (the study schedule of
Niu et al. 2026). Urgency is written out and marked with a symbol, never by colour alone:
"OVERDUE" (next decision date before today), "DUE TODAY", then the later ones.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

# The study's assessment schedule (issue 10; Niu et al. 2026): day 0, days 3–5, day 7, day 14.
ASSESSMENT_DAYS = (0, 3, 7, 14)
URGENCY = {"overdue": "▲ OVERDUE", "today": "● DUE TODAY", "later": "○ later", None: "— closed"}


def urgency(next_decision: str | None, today: date) -> str | None:
    """``"overdue"``, ``"today"``, ``"later"``, or None for a course without a next decision."""
    if next_decision is None:
        return None
    due = date.fromisoformat(next_decision)
    return "overdue" if due < today else "today" if due == today else "later"


def next_assessment_day(last_assessed_day: int) -> int | None:
    """The next scheduled assessment after the latest one (days 3–5 open on day 3)."""
    return next((d for d in ASSESSMENT_DAYS if d > last_assessed_day), None)


def ward_rows(cases: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """The table's rows (the store's list is already sorted by next decision date)."""
    rows = []
    for c in cases:
        start = date.fromisoformat(c["steroid_start"])
        due = c["next_decision_date"]
        rows.append(
            {
                "due": URGENCY[urgency(due, today)],
                "code": c["code"],
                "day of course": (today - start).days,
                "status": c["status"],
                "rule": c["rule"] or "—",
                "max grade": c["max_grade"],
                "next decision": "—"
                if due is None
                else f"day {(date.fromisoformat(due) - start).days} · {due}",
                "next assessment": _scheduled(c, start),
                "last assessed": f"day {c['day']}",
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


def _scheduled(case: dict[str, Any], start: date) -> str:
    """``day 3 · 2026-11-04`` for an open course's next scheduled assessment, else a dash."""
    day = next_assessment_day(case["day"])
    if case["next_decision_date"] is None or day is None:
        return "—"
    return f"day {day} · {(start + timedelta(days=day)).isoformat()}"
