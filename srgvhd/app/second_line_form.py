"""The Assess page's second-line entries as text, and their place in the case file (no Streamlit).

The form keeps, under ``form["second_line"]``, what was typed: the therapy (``"none"`` until one
is chosen), its name, the start date, a note and the infusion rows (date, dose in 10^6 cells/kg,
each with a stable id). ``case_entry`` turns them into the case file's ``second_line``
(docs/interfaces.md §7); ``parse_case`` then checks it like any other field. ``form_part`` goes
the other way, for an opened case.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from srgvhd.app.fields import FieldError, number_text, parse_date, parse_number
from srgvhd.clinical.case import MSC_THERAPIES, SECOND_LINE_THERAPIES
from srgvhd.clinical.policy import MSC_DOSE_LIMITS
from srgvhd.i18n import _, current

NONE = "none"
CHOICES = (NONE, *SECOND_LINE_THERAPIES)
SLOT = "second_line"
MAX_INFUSION_ROWS = 20


def blank() -> dict[str, Any]:
    """No second line recorded."""
    return {
        "therapy": NONE,
        "therapy_name": "",
        "start_date": "",
        "note": "",
        "infusions": [],
        "next_id": 1,
    }


def part(form: dict[str, Any]) -> dict[str, Any]:
    """The form's second-line entries, created blank on first use."""
    return form.setdefault(SLOT, blank())


def add_infusion(form: dict[str, Any]) -> dict[str, Any] | None:
    """A new blank infusion row (None once the table is full)."""
    entries = part(form)
    if len(entries["infusions"]) >= MAX_INFUSION_ROWS:
        return None
    row = {"id": entries["next_id"], "date": "", "dose": ""}
    entries["next_id"] += 1
    entries["infusions"].append(row)
    return row


def delete_infusion(form: dict[str, Any], row_id: int) -> None:
    """Remove one infusion row."""
    entries = part(form)
    entries["infusions"] = [r for r in entries["infusions"] if r["id"] != row_id]


def form_part(second: dict[str, Any] | None) -> dict[str, Any]:
    """A case file's ``second_line`` as the form's text entries (blank when there is none)."""
    entries = blank()
    if not second:
        return entries
    entries.update(
        therapy=second["therapy"],
        therapy_name=second.get("therapy_name") or "",
        start_date=second["start_date"],
        note=second.get("note") or "",
    )
    for infusion in second.get("infusions") or []:
        row = {
            "id": entries["next_id"],
            "date": infusion["date"],
            "dose": number_text(infusion["dose_10e6_cells_per_kg"]),
        }
        entries["next_id"] += 1
        entries["infusions"].append(row)
    return entries


def read(
    form: dict[str, Any], steroid_start: date | None
) -> tuple[dict[str, Any] | None, list[tuple[str, str]]]:
    """(the case file's ``second_line`` or None when no therapy is chosen, (case-file path,
    message) for each text that could not be read). Dates may be typed as "day N" of the
    steroid course. A field that could not be read is left out of the case."""
    entries = form.get(SLOT) or blank()
    if entries["therapy"] == NONE:
        return None, []
    messages: list[tuple[str, str]] = []

    def when(text: str, label: str, path: str) -> str | None:
        try:
            found = parse_date(text, label, steroid_start)
        except FieldError as exc:
            messages.append((path, str(exc)))
            return None
        return None if found is None else found.isoformat()

    second: dict[str, Any] = {
        "therapy": entries["therapy"],
        "therapy_name": entries["therapy_name"].strip() or None,
        "start_date": when(
            entries["start_date"], _("Second-line start date"), "second_line.start_date"
        ),
    }
    if entries["note"].strip():
        second["note"] = entries["note"].strip()
    if entries["therapy"] in MSC_THERAPIES:
        infusions = []
        low, high = MSC_DOSE_LIMITS
        allowed = _("{low}–{high} × 10^6 cells/kg", low=float(low), high=float(high))
        for number, row in enumerate(entries["infusions"], start=1):
            path = f"second_line.infusions[{number - 1}]"
            dose = None
            try:
                dose = parse_number(
                    row["dose"],
                    _("Infusion {number}: dose", number=number),
                    allowed,
                    high,
                    lang=current().lang,
                )
            except FieldError as exc:
                messages.append((f"{path}.dose_10e6_cells_per_kg", str(exc)))
            infusions.append(
                {
                    "date": when(
                        row["date"], _("Infusion {number}: date", number=number), f"{path}.date"
                    ),
                    "dose_10e6_cells_per_kg": dose,
                }
            )
        second["infusions"] = infusions
    return second, messages


def case_entry(form: dict[str, Any], case: dict[str, Any], reading: Any) -> None:
    """Put the form's second line into the case dict ``case`` being read (``form._case_dict``),
    and what could not be read beside the second-line section (``reading.add``)."""
    start = None
    try:
        start = parse_date(form.get("steroid_start"), "Steroid start date", is_start=True)
    except FieldError:
        pass  # reported beside the steroid start itself
    second, messages = read(form, start)
    if second is None:
        return
    case["second_line"] = second
    for path, message in messages:
        reading.unreadable.add(path)  # so parse_case's "is required" is not said again
        reading.add(SLOT, message)
