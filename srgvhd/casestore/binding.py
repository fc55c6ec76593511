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
from typing import Any

NOT_SET = "—"


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


def binding_words(binding: dict[str, Any]) -> str:
    """``EHR patient 123 at https://…/fhir`` or ``steroid start 2026-11-01, age 42``."""
    ehr = binding.get("ehr")
    if ehr:
        return f"EHR patient {ehr['patient_id']} at {ehr['fhir_server']}"
    return f"steroid start {binding['steroid_start']}, age {binding['age_years']}"


def patient_card(document: dict[str, Any]) -> dict[str, str]:
    """What the app shows of a course's patient beside another's: age, steroid start, EHR id."""
    patient = document["patient"]
    ehr = patient.get("ehr")
    age = patient["age_years"]
    return {
        "Age (years)": str(int(age)) if float(age).is_integer() else str(age),
        "Steroid start (day 0)": str(document["steroids"]["start_date"]),
        "EHR patient": f"{ehr['patient_id']} at {ehr['fhir_server']}" if ehr else NOT_SET,
    }
