"""The one-page summary filed to the record as a FHIR R4 DocumentReference (docs/interfaces.md
§9): status current, the patient as subject, the PDF as base64 ``data``, the date it was filed
and the verdict line as description."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from srgvhd.ehr.client import EhrError, FhirServer, check_patient_id
from srgvhd.i18n.message import Msg

LOINC = "http://loinc.org"
# LOINC 11506-3 "Progress note" (a clinician's note on the course of treatment).
DOCUMENT_TYPE = {"system": LOINC, "code": "11506-3", "display": "Progress note"}
TITLE = "SR-aGVHD steroid-course summary"


def check_binding(ehr: Any, server_url: str, patient_id: str) -> None:
    """Refuse to file a case bound to another patient (docs/interfaces.md §8): the case's
    ``patient.ehr`` (when present) must name this server and this patient."""
    if ehr is None:
        return
    if not isinstance(ehr, dict):
        raise EhrError("patient.ehr: expected {fhir_server, patient_id}")
    bound_id, bound_server = ehr.get("patient_id"), ehr.get("fhir_server")
    if bound_id is not None and bound_id != patient_id:
        raise EhrError(
            Msg(
                "wrong patient: the case belongs to {bound}, not {patient}; nothing filed",
                bound=f"Patient/{bound_id}",
                patient=f"Patient/{patient_id}",
            )
        )
    if isinstance(bound_server, str) and bound_server.rstrip("/") != server_url.rstrip("/"):
        raise EhrError(
            Msg(
                "wrong record: the case comes from {bound}, not {server}; nothing filed",
                bound=bound_server,
                server=server_url,
            )
        )


def document_reference(
    pdf: bytes, patient_id: str, description: str, *, now: datetime | None = None
) -> dict[str, Any]:
    """The DocumentReference resource for ``pdf`` about ``Patient/patient_id``."""
    when = (now or datetime.now(UTC)).astimezone(UTC)
    stamp = when.isoformat(timespec="seconds").replace("+00:00", "Z")
    return {
        "resourceType": "DocumentReference",
        "status": "current",
        "type": {"coding": [DOCUMENT_TYPE]},
        "subject": {"reference": f"Patient/{patient_id}"},
        "date": stamp,
        "description": description,
        "content": [
            {
                "attachment": {
                    "contentType": "application/pdf",
                    "data": base64.b64encode(pdf).decode("ascii"),
                    "title": TITLE,
                    "creation": stamp,
                }
            }
        ],
    }


def file_summary(
    server: FhirServer, patient_id: str, pdf: bytes, description: str
) -> dict[str, Any]:
    """Check the patient exists on ``server``, then POST the summary; the created resource."""
    check_patient_id(patient_id)
    server.read("Patient", patient_id)
    return server.create(document_reference(pdf, patient_id, description))
