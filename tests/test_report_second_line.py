"""The one-page summary's second-line section (docs/clinical-rules.md §8): what it prints for
the worked example (expected words typed from that example's hand-worked result,
tests/test_second_line.py), and that any course with a second line still fits one page above
the footer."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fpdf import FPDF
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from srgvhd.clinical.case import parse_case
from srgvhd.report import pdfkit
from srgvhd.report.summary import build_summary_pdf, render
from srgvhd.risk.patient import assess_patient
from srgvhd.risk.store import ModelStore

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "second_line_uc_msc.json"
WHEN = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SRGVHD_TIMEZONE", "UTC")


@pytest.fixture(scope="module")
def model():
    return ModelStore(REPO / "srgvhd" / "risk" / "reference").load_active()[0]


def _text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _pdf(doc: dict, model) -> bytes:
    case = parse_case(doc)
    return build_summary_pdf(case, assess_patient(case, model), model, generated_at=WHEN)


def test_example_prints_the_second_line_on_one_page(model):
    data = _pdf(json.loads(EXAMPLE.read_text()), model)
    assert len(PdfReader(io.BytesIO(data)).pages) == 1
    text = _text(data)
    for expected in (
        "Second line: UC-MSC + standard therapy from 2026-10-10 (day 35)",
        "3 infusions: 2026-10-10 1.5, 2026-10-17 1.5, 2026-10-24 0.8 × 10^6 cells/kg.",
        "Responses against the second-line baseline (2026-10-10): day 10 PR; day 28 CR; day 35 CR.",
        "Week-4 response: CR on day 28 (2026-11-07), an overall response.",
        "Progression on second line: none found.",
        "Survival from the second-line start, alive on day 35:",
        "0.8 × 10^6 cells/kg on 2026-10-24 is outside the study's range of 1–3",
        # the study's rates for the patient's subgroups, in the benchmark table
        "grade III–IV 54.5% (24/44) 31.4% (16/51) p = 0.034",
    ):
        assert expected in text, expected
    # the table is the steroid course only: the assessments from the start on are second line's
    assert "2026-10-20" not in text.split("Survival risk")[0]


def test_ruxolitinib_prints_reach2_beside_the_response(model):
    doc = json.loads(EXAMPLE.read_text())
    doc["second_line"] = {"therapy": "ruxolitinib", "start_date": "2026-10-10"}
    text = _text(_pdf(doc, model))
    assert "Second line: ruxolitinib from 2026-10-10 (day 35)" in text
    assert "ruxolitinib CR 34%, ORR 62% (n = 309)" in text


def test_without_a_second_line_there_is_no_such_section(model):
    doc = json.loads(EXAMPLE.read_text())
    del doc["second_line"]
    assert "Second line" not in _text(_pdf(doc, model))


_stage = st.integers(0, 4)


@settings(max_examples=20, deadline=None)
@given(
    steroid_days=st.sets(st.integers(1, 40), max_size=25),
    start_day=st.integers(1, 45),
    later_days=st.sets(st.integers(0, 60), max_size=25),
    therapy=st.sampled_from(["uc-msc", "ruxolitinib", "other"]),
    infusions=st.lists(st.floats(0.1, 10), min_size=1, max_size=8),
    stages=st.tuples(_stage, _stage, _stage),
)
def test_any_course_with_a_second_line_fits_one_page(
    model, steroid_days, start_day, later_days, therapy, infusions, stages
):
    steroid_start = date(2026, 11, 1)
    start = steroid_start + timedelta(days=start_day)
    days = {0, *(d for d in steroid_days if d < start_day)}
    dates = {steroid_start + timedelta(days=d) for d in days}
    dates |= {start + timedelta(days=d) for d in later_days}
    skin, liver, lower = stages
    doc = {
        "format": "srgvhd-case/2",
        "patient": {"age_years": 40, "weight_kg": 70, "hemoglobin": {"value": 85, "unit": "g/L"}},
        "steroids": {
            "start_date": steroid_start.isoformat(),
            "methylprednisolone_mg_per_kg_day": 2,
        },
        "assessments": [
            {
                "date": when.isoformat(),
                "stages": {"skin": skin, "liver": liver, "upper_gi": 1, "lower_gi": lower},
            }
            for when in sorted(dates)
        ],
        "second_line": {"therapy": therapy, "start_date": start.isoformat()},
    }
    if therapy == "other":
        doc["second_line"]["therapy_name"] = "a therapy with a long name " * 5
    if therapy == "uc-msc":
        doc["second_line"]["infusions"] = [
            {"date": (start + timedelta(days=7 * i)).isoformat(), "dose_10e6_cells_per_kg": dose}
            for i, dose in enumerate(infusions)
        ]
    case = parse_case(doc)
    result = assess_patient(case, model)
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdfkit.add_fonts(pdf)
    pdf.add_page()
    assert render(pdf, case, result, model, WHEN) >= 0
    assert pdf.page == 1
