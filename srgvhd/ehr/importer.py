"""``srgvhd fhir import``: read one patient's record from a FHIR R4 server and build the draft
case file (srgvhd.ehr.draft; docs/interfaces.md §9)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from srgvhd.ehr.client import EhrError, FhirServer, check_patient_id
from srgvhd.ehr.draft import ALL_CODES, Record, build_draft
from srgvhd.ehr.record import LOINC
from srgvhd.i18n.message import Msg


def read_record(server: FhirServer, patient_id: str) -> Record:
    """The Patient, its coded results and its medications, as the server holds them."""
    check_patient_id(patient_id)
    patient = server.read("Patient", patient_id)
    if patient.get("id") != patient_id:
        raise EhrError(
            Msg(
                "reading {resource}: the server sent another patient",
                resource=f"Patient/{patient_id}",
            )
        )
    codes = ",".join(f"{LOINC}|{code}" for code in ALL_CODES)
    return Record(
        server=server.url,
        patient_id=patient_id,
        patient=patient,
        observations=server.search("Observation", patient=patient_id, code=codes),
        administrations=server.search("MedicationAdministration", patient=patient_id),
        requests=server.search("MedicationRequest", patient=patient_id),
        resolve=server.resolver(),
    )


def import_case(
    server: FhirServer, patient_id: str, as_of: date | None = None, *, now: datetime | None = None
) -> dict[str, Any]:
    """The draft ``srgvhd-case/2`` for ``patient_id`` as of ``as_of`` (default: today)."""
    retrieved = now or datetime.now(UTC)
    record = read_record(server, patient_id)
    return build_draft(record, as_of or date.today(), retrieved)
