"""SMART launch in Debian Chromium (docs/ehr.md): the EHR launches the app (``ehr_app.py``:
the Streamlit app with /smart/launch and /smart/callback) through a real authorization server
(npm oauth2-mock-server) and a real gateway (nginx in front of sekmet-fhir); the form is filled
from the record with each value's source; an edit is marked as typed; the result is filed to
the chart and the DocumentReference on the FHIR server holds the summary PDF. A save to the
ward store records the EHR user the launch's signed ID token named (this server grants a launch
user the clinician role with ``SRGVHD_SMART_ROLE``); a launch without an ID token saves
nothing."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Browser, Page
from pypdf import PdfReader

from tests.browser.conftest import (
    REPO,
    VIEWPORT,
    add_assessment,
    rerun,
    textbox,
    type_into,
)
from tests.browser.test_flows import download, open_case_file
from tests.browser.test_ward_flow import StoreUI
from tests.fhir.gateway import Gateway
from tests.support.local_server import free_port, start, stop

pytestmark = [pytest.mark.browser, pytest.mark.fhir]
SCREENSHOTS = REPO / "docs" / "screenshots"


@pytest.fixture(scope="module")
def gateway(tmp_path_factory) -> Iterator[Gateway]:
    running = Gateway(tmp_path_factory.mktemp("gateway"), patient="adult-1")
    try:
        running.fhir.load("adult", "child")
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def ehr_app(gateway: Gateway, models_dir: Path, tmp_path_factory) -> Iterator[str]:
    """``streamlit run ehr_app.py`` registered with the gateway's EHR."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    folder = tmp_path_factory.mktemp("ehr-app")
    log = folder / "streamlit.log"
    env = {
        "SRGVHD_MODELS_DIR": str(models_dir),
        "MPLBACKEND": "Agg",
        "SRGVHD_SMART_CLIENT_ID": "srgvhd-browser-test",
        "SRGVHD_SMART_REDIRECT_URI": f"{url}/smart/callback",
        "SRGVHD_SMART_ISS": gateway.iss,
        "SRGVHD_SMART_ROLE": "clinician",
        "SRGVHD_DATABASE_URL": f"sqlite:///{folder / 'cases.db'}",
    }
    process = start(REPO / "ehr_app.py", port, log, env=env, timeout_s=120)
    try:
        yield url
    finally:
        stop(process)
        # no access or refresh token (the authorization server's are JWTs: "eyJ…") in the log
        assert "eyJ" not in log.read_text(errors="replace")


@pytest.fixture
def tab(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(60_000)
    page = context.new_page()
    yield page
    context.close()


def launched(page: Page, url: str, patient: str) -> None:
    page.goto(url)
    page.get_by_text(f"Opened from the EHR for Patient/{patient}").wait_for()
    # the app's own navigation (app.py ran), on the Assess page
    nav = page.get_by_test_id("stSidebarNav")
    assert nav.get_by_role("link", name="Ward").is_visible()
    address = urlparse(page.url)
    assert address.path.endswith("/assess")
    # nothing of the launch in the address: only the page language may be there
    assert set(parse_qs(address.query)) <= {"lang"}
    assert "code=" not in page.url and "token" not in page.url
    with rerun(page):
        page.get_by_role("button", name="Fill the form from the record").click()
    page.get_by_text("Values from the record").wait_for()


def test_ehr_launch_fill_assess_and_file_to_chart(tab: Page, ehr_app: str, gateway: Gateway):
    gateway.set_context(patient="adult-1")
    launched(tab, f"{ehr_app}/smart/launch?iss={gateway.iss}&launch=enc-42", "adult-1")
    assert textbox(tab, "Age (years)").input_value() == "46"
    assert textbox(tab, "Steroid start date (day 0)").input_value() == "2026-11-01"
    sources = tab.get_by_test_id("stExpander").filter(has_text="Values from the record")
    # as of today, the latest weight is the 60 kg of 2026-11-20 (140 mg / 60 kg)
    sources.get_by_text(
        "record: 60 kg · 2026-11-20T08:00:00+01:00 · Observation/a-wt-future"
    ).wait_for()  # drawn once the page has settled
    assert textbox(tab, "Methylprednisolone (mg/kg/day)").input_value() == "2.333333"
    assert "typed" not in sources.inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sources.scroll_into_view_if_needed()
    tab.screenshot(path=SCREENSHOTS / "ehr_prefilled.png")
    type_into(tab, textbox(tab, "Age (years)"), "47")
    sources.get_by_text("typed").first.wait_for()
    edited = [block for block in sources.inner_text().split("\n\n") if "typed" in block]
    assert len(edited) == 1 and edited[0].startswith("Age: 47 years"), edited
    type_into(tab, textbox(tab, "Age (years)"), "46")

    block = add_assessment(tab)
    type_into(tab, textbox(block, "Date"), "2026-11-01")
    # the record's bilirubin of that date fills the assessment, and the page says so
    assert textbox(block, "Total bilirubin (mg/dL)").input_value() == "2.5"
    assert "Bilirubin, assessment of 2026-11-01: 2.5 (filled from the result of the same date)" in (
        sources.inner_text()
    )
    type_into(tab, textbox(block, "Skin rash (% BSA)"), "60")
    type_into(tab, textbox(block, "Stool volume (mL/day)"), "800")
    tab.get_by_role("heading", name="Result").wait_for()
    with rerun(tab):
        tab.get_by_role("button", name="File to chart").click()
    filed = tab.get_by_text(re.compile(r"^Filed as DocumentReference/")).inner_text()
    doc_id = filed.split("/")[-1].strip()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.get_by_text(re.compile(r"^Filed as DocumentReference/")).scroll_into_view_if_needed()
    tab.screenshot(path=SCREENSHOTS / "ehr_filed.png")

    doc = gateway.fhir.request("GET", f"DocumentReference/{doc_id}")
    assert doc["subject"]["reference"].endswith("Patient/adult-1")
    assert doc["status"] == "current"
    pdf = base64.b64decode(doc["content"][0]["attachment"]["data"])
    printed = download(tab, "Download summary (PDF)")

    def text(data: bytes) -> list[str]:
        lines = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
        return [line for line in lines.splitlines() if not re.search(r"\d\d:\d\d", line)]

    assert text(pdf) == text(printed)  # the same summary, but for the time it was made
    # the description is the verdict line (interfaces.md §9): the status the page shows
    verdict = doc["description"]
    assert verdict.startswith("Not refractory so far; next decision point day 7"), verdict
    assert "Not refractory so far" in tab.get_by_test_id("stMainBlockContainer").inner_text()


def test_another_case_is_never_filed_to_the_launch_patient(
    tab: Page, ehr_app: str, gateway: Gateway
):
    """Opening another patient's case file during a launch for adult-1 is refused (the course
    is bound to its patient, docs/interfaces.md §8): the form keeps adult-1's record, and
    nothing is filed to adult-1's chart."""
    gateway.set_context(patient="adult-1")
    launched(tab, f"{ehr_app}/smart/launch?iss={gateway.iss}&launch=enc-43", "adult-1")
    before = gateway.fhir.request("GET", "DocumentReference?subject=Patient/adult-1")["total"]
    age = textbox(tab, "Age (years)").input_value()  # adult-1's, from the record
    with rerun(tab):
        open_case_file(tab, "other.json", (REPO / "examples" / "refractory_r1.json").read_bytes())
    tab.get_by_text(
        "this EHR launch is for patient adult-1, and that course belongs to no EHR patient"
    ).wait_for()
    assert textbox(tab, "Age (years)").input_value() == age  # the other patient never came in
    after = gateway.fhir.request("GET", "DocumentReference?subject=Patient/adult-1")["total"]
    assert after == before


def test_standalone_launch(tab: Page, ehr_app: str, gateway: Gateway):
    gateway.set_context(patient="child-1")
    launched(tab, f"{ehr_app}/smart/launch", "child-1")
    assert textbox(tab, "Age (years)").input_value() == "7"
    assert textbox(tab, "Weight (kg)").input_value() == "25.3"


def test_unregistered_ehr_page(tab: Page, ehr_app: str):
    tab.goto(f"{ehr_app}/smart/launch?iss=https://other.example/fhir&launch=x")
    assert "not registered with the EHR at https://other.example/fhir" in tab.content()


def test_a_save_in_a_launch_records_the_ehr_user(
    tab: Page, ehr_app: str, gateway: Gateway, tmp_path: Path
):
    """After a launch and a fill, "Save to ward store" records the person the EHR's signed ID
    token named (name and fhirUser) in the version history — not this computer's user."""
    gateway.set_context(
        patient="adult-1", user={"fhirUser": "Practitioner/ana-lee", "name": "Dr Ana Lee"}
    )
    launched(tab, f"{ehr_app}/smart/launch?iss={gateway.iss}&launch=enc-44", "adult-1")
    block = add_assessment(tab)
    type_into(tab, textbox(block, "Date"), "2026-11-01")
    type_into(tab, textbox(block, "Skin rash (% BSA)"), "60")
    type_into(tab, textbox(block, "Stool volume (mL/day)"), "800")
    store = StoreUI(tab)
    store.set_code("EHR-7")
    store.save()
    store.message("Saved EHR-7 as version 1")
    history = store.history("EHR-7", 1)
    assert "Dr Ana Lee (fhirUser Practitioner/ana-lee)" in history, history
    assert "OS user" not in history
    tab.get_by_text("Version history of EHR-7").scroll_into_view_if_needed()
    tab.screenshot(path=tmp_path / "saved_by_launch_user.png")  # looked at in review
    print(tmp_path / "saved_by_launch_user.png")


def test_a_launch_without_an_id_token_fills_but_saves_nothing(
    tab: Page, ehr_app: str, gateway: Gateway
):
    gateway.set_context(patient="adult-1", no_id_token=True)
    launched(tab, f"{ehr_app}/smart/launch?iss={gateway.iss}&launch=enc-45", "adult-1")
    assert textbox(tab, "Age (years)").input_value() == "46"  # the record still fills the form
    refusal = tab.get_by_test_id("stAlert").filter(has_text="this EHR launch did not say who")
    refusal.first.wait_for()
    assert "the EHR sent no ID token" in refusal.first.inner_text()
    assert "saving is refused" in refusal.first.inner_text()
    assert tab.get_by_role("button", name="Save to ward store").count() == 0
