"""The main flows, driven through Debian Chromium: the bedside app as a clinician uses it.

Expected values are derived from the published rules, not from the app's code:

- the case is examples/refractory_r1.json typed into the form. MAGIC skin staging (Harris et al.
  2016; docs/clinical-rules.md §1): rash 30% BSA = skin stage 2, 60% = stage 3; stool 600 and
  650 mL/day = lower-GI stage 1 (adult). Day 4 (2026-11-05 - 2026-11-01) is therefore
  "progression" (skin worse, nothing better, §4), which fires the study rule R1 (3 <= d <= 5,
  Niu et al. 2026; §5a): "Steroid-refractory by rule R1 ... on day 4 (2026-11-05)";
- the risk covariates (§6): age 42 -> ">=35", the course maximum grade (skin 3 + lower GI 1 ->
  grade II, §2), Hb 85 g/L <= 90; the hazard ratio vs the reference patient is then the product
  of the three published-category hazard ratios on the active model's card (a Cox model's HR is
  exp of the summed coefficients), computed here from the card, not by the app's predict code.

Screenshots for the docs are written to docs/screenshots/ (assess.png, model.png, benchmarks.png,
and summary-pdf.png / model-card-pdf.png: the downloaded PDFs rendered with pdftoppm).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from pypdf import PdfReader

from srgvhd.clinical.case import FORMAT
from tests.browser import conftest as browser_fixtures
from tests.browser.conftest import (
    VIEWPORT,
    add_assessment,
    open_assess,
    rerun,
    textbox,
    type_into,
)
from tests.support import local_server

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "screenshots"
COHORT = REPO / "training" / "reference_cohort.csv"

PATIENT = {"Age (years)": 42, "Weight (kg)": 70, "Hemoglobin": 85}
START = "2026-11-01"
ROWS = [("2026-11-01", 30, 600), ("2026-11-05", 60, 650)]  # date, rash % BSA, stool mL/day
VERDICT = re.compile(r"Steroid-refractory by rule R1 .*on day 4 \(2026-11-05\)")
DISCLAIMER = "not a substitute for clinical judgement"
# Card covariates for this patient: age >=35, grade II (vs III), Hb <=90 g/L.
PATIENT_COVARIATES = ("age_ge35", "grade_II", "hb_le_90")


# ---------------------------------------------------------------- helpers


def enter_case(page: Page) -> None:
    """Type the refractory R1 case into the Assess form with the keyboard, field by field."""
    page.get_by_label("Age (years)", exact=True).wait_for()
    for label, value in PATIENT.items():
        type_into(page, textbox(page, label), str(value))
    type_into(page, textbox(page, "Steroid start date (day 0)"), START)
    for day, rash, stool in ROWS:
        block = add_assessment(page)
        type_into(page, textbox(block, "Date"), day)
        type_into(page, textbox(block, "Skin rash (% BSA)"), str(rash))
        type_into(page, textbox(block, "Stool volume (mL/day)"), str(stool))


def active_card(models_dir: Path) -> dict:
    """The active model card of the app's (copied) model store."""
    pointer = json.loads((models_dir / "active.json").read_text())
    return json.loads((models_dir / f"{pointer['version']}.json").read_text())


def screenshot_main(page: Page, name: str) -> Path:
    """Screenshot the whole main column into docs/screenshots/<name>.

    Streamlit scrolls an inner container, so the viewport is first made as tall as the content.
    """
    main = page.get_by_test_id("stMainBlockContainer")
    height = main.evaluate("element => element.scrollHeight")
    page.mouse.move(0, 0)  # no hover toolbars over the content
    page.set_viewport_size({"width": VIEWPORT["width"], "height": int(height) + 200})
    browser_fixtures.wait_for_layout(page)  # charts re-lay out after the resize
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    main.screenshot(path=path)
    page.set_viewport_size(VIEWPORT)
    return path


def download(page: Page, button: str) -> bytes:
    """Click the download button named ``button`` and return the downloaded file's bytes."""
    with page.expect_download() as info:
        page.get_by_role("button", name=button).click()
    return Path(info.value.path()).read_bytes()


def open_case_file(page: Page, name: str, data: bytes) -> None:
    """Open a case file through the sidebar's "Open case" uploader."""
    uploader = page.get_by_test_id("stSidebar").get_by_test_id("stFileUploader")
    uploader.locator("input[type=file]").set_input_files(
        {"name": name, "mimeType": "application/json", "buffer": data}
    )


def metric_value(page: Page, label: str) -> str:
    """The value shown by the ``st.metric`` labelled ``label``."""
    metric = page.get_by_test_id("stMetric").filter(has_text=label)
    return metric.get_by_test_id("stMetricValue").inner_text().strip()


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def assessed(browser: Browser, app_url: str, models_dir: Path) -> Iterator[tuple[Page, dict]]:
    """A session in which the refractory case was typed into the form (shared, not modified),
    with the model card that was active when it was assessed."""
    card = active_card(models_dir)
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    context.set_default_timeout(30_000)
    page = context.new_page()
    open_assess(page, app_url)
    enter_case(page)
    page.get_by_text(VERDICT).wait_for()
    yield page, card
    context.close()


# ---------------------------------------------------------------- Assess page


def render_pdf_page(data: bytes, name: str) -> Path:
    """Render the PDF's first page with pdftoppm (poppler-utils) into docs/screenshots/<name>."""
    path = SCREENSHOTS / name
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "summary.pdf"
        source.write_bytes(data)
        subprocess.run(
            ["pdftoppm", "-r", "100", "-png", "-singlefile", str(source), str(Path(tmp) / "page")],
            check=True,
        )
        shutil.copyfile(Path(tmp) / "page.png", path)
    return path


def render_pdf_pages(data: bytes, name: str) -> Path:
    """Render every page of the PDF at 80 dpi (pdftoppm) side by side into
    docs/screenshots/<name>."""
    from PIL import Image

    path = SCREENSHOTS / name
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "card.pdf"
        source.write_bytes(data)
        subprocess.run(
            ["pdftoppm", "-r", "80", "-png", str(source), str(Path(tmp) / "page")], check=True
        )
        images = [Image.open(p) for p in sorted(Path(tmp).glob("page-*.png"))]
        sheet = Image.new(
            "RGB",
            (sum(i.width for i in images) + 8 * (len(images) - 1), max(i.height for i in images)),
            "#9a9a9a",
        )
        x = 0
        for image in images:
            sheet.paste(image, (x, 0))
            x += image.width + 8
        sheet.save(path)
    return path


def test_typed_case_shows_r1_verdict_and_risk(assessed: tuple[Page, dict]) -> None:
    page, card = assessed
    assert page.get_by_text(VERDICT).is_visible()
    log_hr = {c["name"]: c["coef"] for c in card["coefficients"]}
    expected_hr = math.exp(sum(log_hr[name] for name in PATIENT_COVARIATES))
    # three significant figures (the summary's and the page's one format for hazard ratios)
    shown_hr = f"{expected_hr:.0f}" if expected_hr >= 100 else f"{expected_hr:.3g}"
    assert metric_value(page, "Hazard ratio vs reference patient") == shown_hr
    half_year = metric_value(page, "Survival at 180 days")
    year = metric_value(page, "Survival at 365 days")
    percents = [int(re.fullmatch(r"(\d+)%", text).group(1)) for text in (half_year, year)]
    assert 0 <= percents[1] <= percents[0] <= 100  # survival cannot rise with time
    page.get_by_text("Statistical method").click()  # method notes sit in a collapsed expander
    page.get_by_text(f"Grade used: II (course maximum). Model {card['version']}.").wait_for()
    screenshot_main(page, "assess.png")


def test_summary_pdf_names_verdict_rule_model_and_disclaimer(assessed: tuple[Page, dict]) -> None:
    page, card = assessed
    data = download(page, "Download summary (PDF)")
    assert data.startswith(b"%PDF-")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    flat = re.sub(r"\s+", " ", text)
    assert re.search(r"Steroid-refractory by rule R1", flat), flat[:500]
    assert "2026-11-05" in flat
    assert card["version"] in flat
    assert DISCLAIMER in flat
    render_pdf_page(data, "summary-pdf.png")


def test_saved_case_holds_the_typed_values_and_reopens(
    assessed: tuple[Page, dict], browser: Browser, app_url: str
) -> None:
    saved = download(assessed[0], "Save case")
    case = json.loads(saved)
    assert case["format"] == FORMAT
    assert case["patient"]["age_years"] == 42
    assert case["patient"]["weight_kg"] == 70
    assert case["patient"]["hemoglobin"] == {"value": 85, "unit": "g/L"}
    assert case["steroids"]["start_date"] == START
    assert case["steroids"]["methylprednisolone_mg_per_kg_day"] == 2
    found = [
        (
            a["date"],
            a["measurements"]["skin_rash_bsa_percent"],
            a["measurements"]["stool_ml_per_day"],
        )
        for a in case["assessments"]
    ]
    assert found == ROWS

    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        open_assess(page, app_url)
        page.get_by_label("Age (years)", exact=True).wait_for()
        assert page.get_by_text(VERDICT).count() == 0  # a new session starts blank
        open_case_file(page, "srgvhd-case.json", saved)
        page.get_by_text(VERDICT).wait_for()
        assert textbox(page, "Age (years)").input_value() == "42"
    finally:
        context.close()


def test_refused_case_file_keeps_the_form(page: Page) -> None:
    page.get_by_label("Age (years)", exact=True).wait_for()
    type_into(page, textbox(page, "Age (years)"), "42")
    open_case_file(page, "broken.json", b'{"format": "srgvhd-case/1", "patient": ')
    error = page.get_by_test_id("stSidebar").get_by_text("Case file not opened")
    error.wait_for()
    assert textbox(page, "Age (years)").input_value() == "42"


# ---------------------------------------------------------------- Model and Benchmarks pages


def test_retrain_and_promote_changes_the_active_model(page: Page, models_dir: Path) -> None:
    before = active_card(models_dir)["version"]
    page.get_by_test_id("stSidebarNav").get_by_text("Model", exact=True).click()
    page.get_by_text("Retrain on a cohort").wait_for()
    page.get_by_text(f"Risk model {before}").first.wait_for()
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="Cohort CSV")
    with rerun(page):
        uploader.locator("input[type=file]").set_input_files(str(COHORT))
    with rerun(page):
        page.get_by_text("Allow fewer than the recommended events per coefficient").click()
    type_into(page, textbox(page, "Centre"), "Ward 7, Example Hospital")
    type_into(page, textbox(page, "Period the cohort covers, e.g. 2019–2024"), "2019–2024")
    page.get_by_role("button", name="Validate and fit").click()
    page.get_by_text("New (not active)", exact=True).wait_for(timeout=90_000)
    new_versions = {p.stem for p in models_dir.glob("*.json")} - {"active", before}
    assert len(new_versions) == 1, new_versions
    (new,) = new_versions
    assert active_card(models_dir)["version"] == before  # fitted, not yet active
    with COHORT.open(newline="") as f:
        deaths = [int(row["death"]) for row in csv.DictReader(f)]
    card = page.get_by_test_id("stColumn").filter(has_text="New (not active)")
    card.get_by_text(
        re.compile(rf"Version {re.escape(new)} .*n = {len(deaths)}, deaths = {sum(deaths)}")
    ).wait_for()
    for part in ("Concordance: apparent", "Proportional hazards", "Calibration at day 180"):
        card.get_by_text(part).first.wait_for()  # the validation report of the new version
    screenshot_main(page, "model.png")
    saved = json.loads((models_dir / f"{new}.json").read_text())
    assert saved["data_source"]["centre"] == "Ward 7, Example Hospital"
    assert saved["synthetic"]  # the bundled cohort stays synthetic whatever is declared
    with page.expect_download() as info:  # the new version's, beside Promote (the last one)
        page.get_by_role("button", name="Model card (PDF)").last.click()
    card_pdf = Path(info.value.path()).read_bytes()
    reader = PdfReader(io.BytesIO(card_pdf))
    text = "".join(p.extract_text() for p in reader.pages)
    assert len(reader.pages) == 2 and f"version {new}" in text
    assert "centre Ward 7, Example Hospital  ·  period 2019–2024" in text
    assert "SYNTHETIC DATA" in text and "Calibration at 180 and 365 days" in text
    render_pdf_pages(card_pdf, "model-card-pdf.png")

    page.get_by_role("button", name="Promote").click()
    page.get_by_text(f"Risk model {new}").first.wait_for(timeout=60_000)
    assert active_card(models_dir)["version"] == new
    # both were fitted on the bundled synthetic cohort, and the version list says so
    page.get_by_text(re.compile(rf"^{re.escape(new)} \(.*\) — synthetic data — active$")).wait_for()
    assert page.get_by_text(
        re.compile(rf"^{re.escape(before)} \(.*\) — synthetic data$")
    ).is_visible()


def test_benchmarks_page_shows_published_tables(page: Page) -> None:
    page.get_by_test_id("stSidebarNav").get_by_text("Benchmarks", exact=True).click()
    page.get_by_text("Other published benchmarks for SR-aGVHD").wait_for()
    # Figures as published (docs/published-figures.md): the Cox table and week-4 CR.
    cox = page.get_by_test_id("stTable").filter(has_text="IV vs III")
    for hazard_ratio, interval in (
        ("5.02", "1.01–24.93"),
        ("5.63", "1.09–29.09"),
        ("5.13", "1.57–16.77"),
    ):
        cox.get_by_text(hazard_ratio, exact=True).wait_for()
        cox.get_by_text(interval, exact=True).wait_for()
    page.get_by_test_id("stTable").get_by_text("84.1% (37/44)").first.wait_for()
    chart = page.get_by_test_id("stVegaLiteChart").first  # the week-4 CR figure (Vega-Lite)
    chart.wait_for()
    chart.locator("canvas, svg").first.wait_for()
    screenshot_main(page, "benchmarks.png")


# ---------------------------------------------------------------- the fixtures' own failure paths


def test_missing_chromium_fails_with_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(browser_fixtures, "CHROMIUM", Path("/nonexistent/chromium"))
    with pytest.raises(pytest.fail.Exception, match="run make test"):
        browser_fixtures.launch_chromium(None)


def test_dead_server_reports_its_output(tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with pytest.raises(RuntimeError, match="no_such_app.py"):
        local_server.start(tmp_path / "no_such_app.py", local_server.free_port(), log, timeout_s=30)
