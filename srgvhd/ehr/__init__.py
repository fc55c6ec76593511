"""The EHR over FHIR R4 (docs/ehr.md, docs/interfaces.md §9): read a patient's record into a
draft case file, and file the one-page summary back as a DocumentReference."""
