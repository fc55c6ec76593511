"""Plausibility questions about values the form can read but that look like a unit slip.

Pure functions, no Streamlit. A value here is inside its allowed range (``parse_case`` accepts
it) but is far more likely a value in the other unit: total bilirubin of 30 mg/dL or more is
about 513 µmol/L, rarely seen, whereas a µmol/L result typed under mg/dL lands there easily
(40 µmol/L = 2.3 mg/dL, liver stage 1; read as 40 mg/dL it is liver stage 4 — MAGIC liver
staging, Harris et al. 2016; clinical-rules.md §1). The page asks; it never changes the value.
The verdict waits for the answer, so a slip cannot reach it unseen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from srgvhd.app.fields import number_text
from srgvhd.clinical.units import BILIRUBIN_UMOL_PER_MG_DL
from srgvhd.i18n import N_, _, current

BILIRUBIN_ASK_MG_DL = 30.0  # at or above: "did you mean µmol/L?"
BILIRUBIN_QUESTION = N_(
    "Total bilirubin {value} mg/dL is very high: did you mean µmol/L? ({value} µmol/L would be "
    "{mg_dl} mg/dL.) Confirm the value, or correct it: type the value in mg/dL, or clear the "
    "bilirubin values and choose µmol/L as the bilirubin unit."
)
BILIRUBIN_CONFIRM = N_("{value} mg/dL is right")


@dataclass(frozen=True)
class Question:
    """One value to confirm: the slot it is shown under, the ``token`` that its confirmation
    is remembered by (row and value: a changed value is asked about again), the question and
    the confirm button's label."""

    slot: str
    token: str
    question: str
    confirm: str


def bilirubin_questions(form: dict[str, Any], case: dict[str, Any]) -> list[Question]:
    """A question for each assessment whose bilirubin, as read into ``case`` (the form's case
    dict, srgvhd.app.form.read_form), is at least ``BILIRUBIN_ASK_MG_DL`` in mg/dL."""
    questions = []
    rows = form.get("assessments") or []
    for row, assessment in zip(rows, case.get("assessments") or [], strict=False):
        bilirubin = (assessment.get("measurements") or {}).get("bilirubin")
        if not bilirubin or bilirubin.get("unit") != "mg/dL":
            continue
        value = bilirubin.get("value")
        if value is None or value < BILIRUBIN_ASK_MG_DL:
            continue
        shown = number_text(value)
        questions.append(
            Question(
                slot=f"assessments:{row['id']}",
                token=f"bilirubin:{row['id']}:{shown}",
                question=_(BILIRUBIN_QUESTION).format(
                    value=shown, mg_dl=current().number(value / BILIRUBIN_UMOL_PER_MG_DL, ".1f")
                ),
                confirm=_(BILIRUBIN_CONFIRM).format(value=shown),
            )
        )
    return questions
