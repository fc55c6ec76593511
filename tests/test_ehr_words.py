"""The EHR panel's words in French (srgvhd.app.ehr_form, srgvhd.ehr): each pre-filled value's
label and source with the record's date in the reader's order and a decimal comma, the record's
units (UCUM) and references as the record holds them, and the FHIR server's errors said in
French while they stay English for the command line. Expected words written by hand from
docs/glossary.md."""

from __future__ import annotations

import copy
import socket

import pytest

from srgvhd.app.ehr_form import (
    bilirubin_lines,
    draft_to_form,
    result_source,
    skipped_lines,
    source_lines,
)
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
    assert (
        line
        == "Observation/x (patient.hemoglobin · 02/11/2026 · 5,1 mmol/L) : unité inconnue 'mmol/L'"
    )
    with using("de"):
        (line,) = skipped_lines(FULL)
    assert line == (
        "Observation/x (patient.hemoglobin · 02.11.2026 · 5,1 mmol/L): unbekannte Einheit 'mmol/L'"
    )


@pytest.mark.parametrize(
    ("observation", "fr"),
    [
        (
            {"status": "preliminary"},
            "le statut 'preliminary' n'est pas un résultat définitif",
        ),
        (
            {
                "valueQuantity": {
                    "value": 9000,
                    "unit": "g/L",
                    "system": "http://unitsofmeasure.org",
                    "code": "g/L",
                }
            },
            "9000 g/L est hors de l'intervalle plausible",
        ),
        ({"effectiveDateTime": "2026-12"}, "la date '2026-12' n'a pas de jour"),
        ({"effectiveDateTime": "2026-11-20"}, "après la date de référence 10/11/2026"),
    ],
)
def test_why_a_result_was_not_used_in_french(observation: dict, fr: str) -> None:
    from tests.test_ehr_draft import obs
    from tests.test_ehr_form import _draft

    base = obs("q", "718-7", "2026-11-01T08:00:00+01:00", 8.2, "g/dL")
    draft = _draft([{**base, **observation}])
    (line,) = skipped_lines(draft)
    assert ": " in line  # English, as the case file keeps it
    with using("fr"):
        (said,) = skipped_lines(draft)
    assert fr in said, said


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


def test_a_bilirubin_filled_from_the_record_names_its_result_in_german() -> None:
    (result,) = FULL["source"]["fhir"]["bilirubin"]
    assert result_source(result) == "2.5 mg/dL · 2026-11-01T08:00:00+01:00 · Observation/b"
    with using("de"):
        assert result_source(result) == "2,5 mg/dL · 01.11.2026 08:00 · Observation/b"


# ---------------------------------------------------------------- the panel as the page draws it


def _panel(lang: str, url: str) -> None:
    """The EHR panel under the form and under the result, in ``lang``, for a form the record
    filled (AppTest has no launch cookie: the test hands the panel its launch)."""
    import copy

    from srgvhd.app import ehr_panel, entry
    from srgvhd.app.ehr_form import draft_to_form
    from srgvhd.ehr.client import FhirServer
    from srgvhd.i18n import set_language
    from tests.test_ehr_form import FULL

    set_language(lang)
    ss = ehr_panel.ss
    if ehr_panel.DRAFT not in ss:
        form = draft_to_form(FULL)
        entry.replace_form(form)
        ss[ehr_panel.DRAFT], ss[ehr_panel.FILLED] = FULL, copy.deepcopy(form)
    ehr_panel._server = lambda settings, launch: FhirServer(url, timeout_s=5)
    ehr_panel.draw_sources()
    ehr_panel.draw_file_to_chart(lambda: b"%PDF-1.4", "verdict")


@pytest.fixture
def launched(monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    from srgvhd.app import ehr_panel

    launch = SimpleNamespace(iss="http://ehr.test/fhir", patient_id="p1")
    monkeypatch.setattr(ehr_panel, "current", lambda: (None, launch))
    monkeypatch.setattr(ehr_panel, "_bound", lambda launch: True)
    monkeypatch.setattr(ehr_panel, "_server", ehr_panel._server)  # restored after the test


@pytest.mark.parametrize(
    ("lang", "values", "record", "button", "not_filed"),
    [
        (
            "fr",
            "Valeurs du dossier",
            "dossier : 154 [lb_av] · 01/11/2026 08:00 · Observation/w",
            "Classer dans le dossier",
            "Non classé : lecture de Patient/p1 : le serveur FHIR à {url} est injoignable",
        ),
        (
            "zh",
            "来自病历的数值",
            "病历：154 [lb_av] · 2026/11/1 08:00 · Observation/w",
            "归档到病历",
            "未归档：读取 Patient/p1：无法连接位于 {url} 的 FHIR 服务器",
        ),
    ],
)
def test_the_panel_and_file_to_chart_in_french_and_chinese(
    launched: None, lang: str, values: str, record: str, button: str, not_filed: str
) -> None:
    from streamlit.testing.v1 import AppTest

    url = f"http://127.0.0.1:{_closed_port()}/fhir"
    at = AppTest.from_function(_panel, args=(lang, url), default_timeout=30).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.expander[0].label == values
    text = " ".join(m.value for m in at.markdown).replace("\\", "")
    assert record in text
    at.button(key="ehr_file_to_chart").click().run()
    assert at.button(key="ehr_file_to_chart").label == button
    errors = [e.value.replace("\\", "") for e in at.error]
    assert errors == [not_filed.format(url=url)], errors
    shown = " ".join([text, *errors, *(x.label for x in at.expander)])
    for english in ("Values from the record", "record:", "File to chart", "Not filed", "reading"):
        assert english not in shown, english


# ---------------------------------------------------------------- the launch's own pages


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("de-DE,de;q=0.9,en;q=0.8", "de"),
        ("ja-JP, zh-TW;q=0.8, fr;q=0.5", "zh"),
        ("fr-CA", "fr"),
        ("ja, ko", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_the_launch_pages_speak_the_browsers_first_language_the_app_has(
    header: str | None, lang: str
) -> None:
    from srgvhd.ehr.launch import page_language

    assert page_language(header) == lang


@pytest.fixture
def launch_client(monkeypatch: pytest.MonkeyPatch):
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from srgvhd.ehr import launch

    dead = f"http://127.0.0.1:{_closed_port()}/fhir"
    monkeypatch.setenv("SRGVHD_SMART_CLIENT_ID", "srgvhd-test")
    monkeypatch.setenv("SRGVHD_SMART_REDIRECT_URI", "http://127.0.0.1:8501/smart/callback")
    monkeypatch.setenv("SRGVHD_SMART_ISS", dead)
    return TestClient(Starlette(routes=launch.routes())), dead


def test_the_launch_pages_in_german_french_and_chinese(launch_client, monkeypatch) -> None:
    client, dead = launch_client
    page = client.get(
        "/smart/launch?iss=https://evil.example/fhir&launch=x",
        headers={"Accept-Language": "fr-FR,fr;q=0.9"},
        follow_redirects=False,
    )
    assert page.status_code == 400
    assert "<html lang='fr'>" in page.text
    assert "La connexion n&#x27;a pas pu commencer" in page.text
    assert (
        "cette application n&#x27;est pas enregistrée auprès du DPI à https://evil.example/fhir"
        in page.text
    )
    assert "page Évaluer</a>" in page.text and "not registered" not in page.text

    page = client.get(
        f"/smart/launch?iss={dead}&launch=x",
        headers={"Accept-Language": "zh-CN"},
        follow_redirects=False,
    )
    assert page.status_code == 502
    assert f"无法连接位于 {dead} 的电子病历系统" in page.text
    assert "评估页面</a>" in page.text and "cannot be reached" not in page.text

    monkeypatch.delenv("SRGVHD_SMART_CLIENT_ID")
    page = client.get("/smart/launch", headers={"Accept-Language": "de"}, follow_redirects=False)
    assert page.status_code == 404
    assert "Start aus der Patientenakte (KIS) ist nicht eingerichtet" in page.text
    assert "not set up" not in page.text
    english = client.get("/smart/launch", follow_redirects=False)
    assert "EHR launch is not set up" in english.text and "<html lang='en'>" in english.text
