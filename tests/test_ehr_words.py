"""The EHR panel's words in French (srgvhd.app.ehr_form, srgvhd.ehr): each pre-filled value's
label and source with the record's date in the reader's order and a decimal comma, the record's
units (UCUM) and references as the record holds them, and the FHIR server's errors said in
French while they stay English for the command line. Expected words written by hand from
docs/glossary.md."""

from __future__ import annotations

import copy
import socket

import pytest

from srgvhd.app.ehr_form import bilirubin_lines, draft_to_form, skipped_lines, source_lines
from srgvhd.ehr.client import EhrError, FhirServer
from srgvhd.ehr.document import check_binding
from srgvhd.i18n import current, using
from tests.test_ehr_form import FULL


def test_the_sources_of_the_prefilled_values_in_french() -> None:
    filled = draft_to_form(FULL)
    edited = copy.deepcopy(filled)
    edited["weight_kg"] = "70"
    with using("fr"):
        lines = {line.label: line for line in source_lines(FULL, filled, edited)}
    assert set(lines) >= {"Âge", "Poids", "Hémoglobine", "Créatinine 01/11/2026", "LDH 01/11/2026"}
    assert lines["Poids"].source == "154 [lb_av] · 01/11/2026 08:00 · Observation/w"
    assert lines["Poids"].typed and not lines["Hémoglobine"].typed
    assert lines["Âge"].source == "né(e) le 17/05/1980 · 17/05/1980 · Patient/p1"
    assert lines["Âge"].shown == "46 ans"
    assert lines["Hémoglobine"].source == "8,2 g/dL · 01/11/2026 08:00 · Observation/h"
    assert lines["Créatinine 01/11/2026"].source.startswith("97,24 umol/L · 01/11/2026 08:00")


def test_the_sources_in_german_and_chinese_keep_the_records_units() -> None:
    filled = draft_to_form(FULL)
    with using("de"):
        de = {line.label: line for line in source_lines(FULL, filled, filled)}
        bilirubin_de = bilirubin_lines(FULL)
    with using("zh"):
        zh = {line.label: line for line in source_lines(FULL, filled, filled)}
    assert de["Gewicht"].source == "154 [lb_av] · 01.11.2026 08:00 · Observation/w"
    assert de["Alter"].shown == "46 Jahre"
    assert bilirubin_de == ["01.11.2026: 2,5 mg/dL (Observation/b)"]
    assert zh["体重"].source == "154 [lb_av] · 2026/11/1 08:00 · Observation/w"
    assert "血小板 2026/11/1" not in zh  # no platelet count in this record


def test_results_not_used_and_bilirubin_in_french() -> None:
    with using("fr"):
        assert bilirubin_lines(FULL) == ["01/11/2026 : 2,5 mg/dL (Observation/b)"]
        (line,) = skipped_lines(FULL)
    assert line.startswith("Observation/x (patient.hemoglobin · 02/11/2026 · 5,1 mmol/L) : ")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_fhir_server_in_french_and_english() -> None:
    url = f"http://127.0.0.1:{_closed_port()}/fhir"
    with pytest.raises(EhrError) as caught:
        FhirServer(url, timeout_s=5).read("Patient", "p1")
    error = caught.value
    assert str(error) == f"reading Patient/p1: cannot reach the FHIR server at {url}"
    with using("fr"):
        assert (
            current().text(error.message)
            == f"lecture de Patient/p1 : le serveur FHIR à {url} est injoignable"
        )
    with using("de"):
        assert (
            current().text(error.message)
            == f"Lesen von Patient/p1: der FHIR-Server unter {url} ist nicht erreichbar"
        )


def test_another_patients_case_is_refused_in_french() -> None:
    with pytest.raises(EhrError) as caught:
        check_binding({"patient_id": "p2", "fhir_server": "http://ehr.test/fhir"}, "x", "p1")
    assert str(caught.value).startswith("wrong patient: the case belongs to Patient/p2")
    with using("fr"):
        assert current().text(caught.value.message) == (
            "mauvais patient : le dossier appartient à Patient/p2, pas à Patient/p1 ; "
            "rien n'a été classé"
        )
