"""Which patient a stored course belongs to (docs/interfaces.md §8).

A course is bound to its patient when it is first saved: the EHR's own reference to the patient
(``patient.ehr``: FHIR server and patient id) when the case has one, else the pair (steroid start
date, age in whole years). A later save whose binding differs is another patient unless the
clinician confirms an identity change with a reason. Bindings are plain dicts, compared and
stored as canonical JSON text; the documents they are taken from have passed ``parse_case``.
"""

from __future__ import annotations

import json
import math
from datetime import date
from typing import Any

from srgvhd.i18n import N_, Msg

NOT_SET = "—"
# patient_card's rows, in the current language where shown
AGE, START, EHR = N_("Age (years)"), N_("Steroid start (day 0)"), N_("EHR patient")


def binding_of(document: dict[str, Any]) -> dict[str, Any]:
    """``{"ehr": {"fhir_server", "patient_id"}}`` or ``{"steroid_start", "age_years"}``
    (whole years: the floor of the age entered) for a valid case file document."""
    patient = document["patient"]
    ehr = patient.get("ehr")
    if ehr:
        return {
            "ehr": {
                "fhir_server": str(ehr["fhir_server"]).rstrip("/"),
                "patient_id": str(ehr["patient_id"]),
            }
        }
    return {
        "steroid_start": document["steroids"]["start_date"],
        "age_years": math.floor(patient["age_years"]),
    }


def binding_text(binding: dict[str, Any]) -> str:
    """The canonical text kept in the store (equal bindings give equal text)."""
    return json.dumps(binding, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def binding_words(binding: dict[str, Any]) -> Msg:
    """``EHR patient 123 at https://…/fhir`` or ``steroid start 2026-11-01, age 42`` (a ``Msg``:
    English for the CLI and ``--json``, said in the current language where shown)."""
    ehr = binding.get("ehr")
    if ehr:
        return Msg(
            "EHR patient {patient} at {server}",
            patient=str(ehr["patient_id"]),
            server=str(ehr["fhir_server"]),
        )
    return Msg(
        "steroid start {start}, age {age}",
        start=_date(binding["steroid_start"]),
        age=binding["age_years"],
    )


def _date(text: Any) -> date | str:
    """A stored ISO date as a date (shown the language's way); anything else as it is."""
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        return str(text)


def patient_card(document: dict[str, Any]) -> dict[str, Any]:
    """What the app shows of a course's patient beside another's: age (a number), steroid start
    (a date), EHR reference (a ``Msg``, or ``NOT_SET``), keyed by the row's English label."""
    patient = document["patient"]
    ehr = patient.get("ehr")
    age = patient["age_years"]
    return {
        AGE: int(age) if float(age).is_integer() else float(age),
        START: _date(document["steroids"]["start_date"]),
        EHR: (
            Msg(
                "{patient} at {server}",
                patient=str(ehr["patient_id"]),
                server=str(ehr["fhir_server"]),
            )
            if ehr
            else NOT_SET
        ),
    }
