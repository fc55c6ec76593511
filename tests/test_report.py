"""One-page PDF summary: content, one page whatever the course length, reproducible bytes.

Inputs are the hand-written samples of tests/sample_results.py; expected texts are typed from
those samples and from the references (Niu 2026 figures, units), not from srgvhd/report/summary.py.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import re
import shutil
import struct
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from srgvhd.clinical.case import parse_case
from srgvhd.clinical.results import CourseResult
from srgvhd.report import pdfkit
from srgvhd.report.summary import build_summary_pdf
from srgvhd.risk.card import ModelCard
from srgvhd.risk.patient import PatientResult
from tests.sample_results import (
    BASELINE_CASE,
    BASELINE_RESULT,
    LONG_CASE,
    LONG_RESULT,
    REFRACTORY_CASE,
    REFRACTORY_RESULT,
    SAMPLES,
    case_for,
    day_date,
    patient,
    risk_block,
    row,
    with_risk,
)

GENERATED = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)
# the typed card the summary reads (srgvhd.risk.card.ModelCard), as the model store loads it
CARD = ModelCard.from_json(
    {
        "version": "ref-2026.11-a",
        "artifact_sha256": "ab" * 32,
        "reference_model": True,
        "n": 95,
        "events": 33,
    }
)
CARD_SHA = "c0ffee" + "0" * 58
MODEL = SimpleNamespace(card=CARD, card_sha256=CARD_SHA)  # what the summary reads of a RiskModel
A4_POINTS = (595.28, 841.89)
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _utc_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    """Report times in UTC unless a test sets another zone."""
    monkeypatch.setenv("SRGVHD_TIMEZONE", "UTC")


def build(case: dict[str, Any], result: CourseResult | PatientResult, **kwargs: Any) -> bytes:
    kwargs.setdefault("model", MODEL)
    kwargs.setdefault("generated_at", GENERATED)
    return build_summary_pdf(parse_case(case), patient(result), **kwargs)


def pdf_text(data: bytes) -> str:
    """All text of the PDF with runs of whitespace (line wraps) collapsed to one space."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


@pytest.fixture(scope="module")
def refractory_text() -> str:
    return pdf_text(build(REFRACTORY_CASE, with_risk(REFRACTORY_RESULT)))


@pytest.mark.parametrize(
    "expected",
    [
        # verdict, rule, day and date; maximum grade; rule set
        "Steroid-refractory by rule R1 (progression (any organ worse) on days 3–5) on day 3 "
        "(2026-11-04) — choose second-line therapy.",
        "Maximum MAGIC grade over the course: IV",
        "Study definition (Niu et al. 2026)",
        # inputs with units: 8.5 g/dL = 85 g/L; bilirubin 4.1 mg/dL = 70 µmol/L (× 17.1)
        "Age 42 years",
        "weight 70 kg",
        "hemoglobin 8.5 g/dL (= 85 g/L)",
        "Methylprednisolone 2 mg/kg/day from 2026-11-01 (day 0)",
        "2026-11-15 14 4 3 0 4",
        # risk: HR with CI vs reference, survival with band, synthetic model
        "Hazard ratio 12.3 (95% CI 2.1–71)",
        "vs the reference patient (age 18–34, grade III, Hb > 90 g/L)",
        "Covariates: age ≥35, grade IV, Hb ≤ 90 g/L (grade: course maximum)",
        "Survival at 180 days: 70% (95% band 52%–83%)",
        "Survival at 365 days: 48% (95% band 27%–70%)",
        "SYNTHETIC REFERENCE MODEL",
        # matched benchmarks (Niu 2026, whole-arm denominators)
        "grade III–IV 54.5% (24/44) 31.4% (16/51) p = 0.034",
        "liver involvement 45.5% (20/44) 13.7% (7/51) p = 0.009",
        "≥2 organs involved 59.1% (26/44) 29.4% (15/51) p = 0.017",
        "Niu et al., Leuk Lymphoma 2026",
        # model identity, project rules, time, disclaimer, signature, sticker box
        "Risk model ref-2026.11-a",
        "card SHA-256 3f2a9c0d5be1",
        "synthetic reference model",
        "Rules of this project:",
        "weight ≤ 50 kg",
        "generated 2026-11-25 14:30 UTC",
        # the patient is steroid-refractory: the estimate is the patient's own
        "Survival risk (Cox model: age group, grade, hemoglobin)",
        "Decision support, not a substitute for clinical judgement.",
        "Reviewed by (name, signature):",
        "Patient label / sticker",
    ],
)
def test_key_texts(refractory_text: str, expected: str) -> None:
    assert expected in refractory_text


@pytest.mark.parametrize("name", sorted(SAMPLES))
@pytest.mark.parametrize("risk", [False, True])
def test_exactly_one_a4_page(name: str, risk: bool) -> None:
    case, result = SAMPLES[name]
    data = build(case, with_risk(result) if risk else result)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 2), round(float(box.height), 2)) == A4_POINTS


def test_sample_sizes_are_1_5_and_30() -> None:
    assert sorted(len(r.assessments) for _, r in SAMPLES.values()) == [1, 5, 30]


def hidden_counts(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"… (\d+) more assessments in the app", text)]


def test_long_course_shows_first_last_and_verdict_rows() -> None:
    text = pdf_text(build(LONG_CASE, with_risk(LONG_RESULT)))
    # 30 rows: the first and last rows and the verdict's (day 14), each gap counted
    shown = [d for d in range(30) if f"2026-11-{d + 1:02d} {d} " in text]
    assert shown[0] == 0 and shown[-1] == 29 and 14 in shown
    assert 10 <= len(shown) < 30
    assert sum(hidden_counts(text)) == 30 - len(shown)
    assert len(hidden_counts(text)) == 2  # before and after the verdict's row


def test_overlong_content_still_fits_one_page() -> None:
    # as many assessments as a case may hold (clinical.case.MAX_ASSESSMENTS)
    rows = [row(d, 1, 0, 0, 0, "I", "standard", "no response") for d in range(100)]
    status = replace(LONG_RESULT.status, rule_text="because of many reasons " * 30)
    warnings = tuple(f"warning {i}: " + "a long explanation " * 12 for i in range(20))
    result = replace(LONG_RESULT, assessments=tuple(rows), status=status, warnings=warnings)
    data = build(case_for(rows), with_risk(result))
    assert page_count(data) == 1
    text = pdf_text(data)
    assert "more assessments in the app" in text
    assert sum(hidden_counts(text)) + len(re.findall(r"\d{4}-\d\d-\d\d \d+ 1 0 0 0", text)) == 100
    assert "Decision support, not a substitute for clinical judgement." in text


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_content_ends_above_the_footer(name: str) -> None:
    from fpdf import FPDF

    from srgvhd.report.summary import render

    case, result = SAMPLES[name]
    long_warnings = replace(with_risk(result), warnings=("w " * 80,) * 9)
    for variant in (patient(result), with_risk(result), long_warnings):
        pdf = FPDF(unit="mm", format="A4")
        pdf.set_auto_page_break(False)
        pdfkit.add_fonts(pdf)
        pdf.add_page()
        assert render(pdf, parse_case(case), variant, MODEL, GENERATED) >= 0  # room left


@pytest.mark.parametrize(("count", "shown", "more"), [(5, 5, None), (6, 4, 2)])
def test_warnings_each_on_a_line_within_five_lines(
    count: int, shown: int, more: int | None
) -> None:
    result = replace(
        REFRACTORY_RESULT, warnings=tuple(f"short warning number {i}" for i in range(count))
    )
    text = pdf_text(build(REFRACTORY_CASE, result))
    assert [i for i in range(count) if f"short warning number {i}" in text] == list(range(shown))
    assert (f"… {more} more warnings in the app" in text) == (more is not None)
    assert ("more warnings in the app" in text) == (more is not None)


def test_same_inputs_same_bytes_and_time_changes_them() -> None:
    result = with_risk(REFRACTORY_RESULT)
    first = build(REFRACTORY_CASE, result)
    assert build(REFRACTORY_CASE, with_risk(REFRACTORY_RESULT)) == first
    later = build(REFRACTORY_CASE, result, generated_at=datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    assert later != first


def test_naive_time_is_read_as_utc() -> None:
    naive = build(BASELINE_CASE, BASELINE_RESULT, generated_at=datetime(2026, 11, 25, 14, 30))
    assert naive == build(BASELINE_CASE, BASELINE_RESULT)


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Europe/Berlin", "generated 2026-11-25 15:30 CET (UTC+01:00)"),  # winter time
        ("America/New_York", "generated 2026-11-25 09:30 EST (UTC-05:00)"),
        ("Asia/Kolkata", "generated 2026-11-25 20:00 IST (UTC+05:30)"),
        (
            "Mars/Olympus",
            "generated 2026-11-25 14:30 UTC; SRGVHD_TIMEZONE 'Mars/Olympus' is "
            "not a known time zone",
        ),
    ],
)
def test_time_is_printed_in_the_configured_zone(
    monkeypatch: pytest.MonkeyPatch, zone: str, expected: str
) -> None:
    monkeypatch.setenv("SRGVHD_TIMEZONE", zone)
    assert expected in pdf_text(build(BASELINE_CASE, BASELINE_RESULT))


def test_without_a_configured_zone_the_system_zone_is_used(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SRGVHD_TIMEZONE")
    local = GENERATED.astimezone()
    assert f"generated {local:%Y-%m-%d %H:%M} {local.tzname()}" in pdf_text(
        build(BASELINE_CASE, BASELINE_RESULT)
    )


def test_no_active_model_says_so() -> None:
    text = pdf_text(build(BASELINE_CASE, BASELINE_RESULT, model=None))
    assert "No survival estimate: no risk model is active." in text
    assert "Risk model: none active." in text


def test_without_risk_the_card_identifies_the_model() -> None:
    result = replace(
        BASELINE_RESULT, warnings=("the risk model covers grades II–IV; this course's grade is I",)
    )
    text = pdf_text(build(BASELINE_CASE, result))
    assert "the warnings above say why" in text
    assert "this course's grade is I" in text
    assert "Risk model ref-2026.11-a · card SHA-256 c0ffee000000 · synthetic" in text
    assert "Hazard ratio" not in text


def test_without_risk_a_fitted_cards_own_fields_name_it() -> None:
    # no estimate: the footer reads the active model's typed card, here a fitted one
    card = ModelCard.from_json({"version": "centre-2026.12", "artifact_sha256": "cd" * 32})
    model = SimpleNamespace(card=card, card_sha256="beef" + "0" * 60)
    text = pdf_text(build(BASELINE_CASE, BASELINE_RESULT, model=model))
    assert (
        "Risk model centre-2026.12 · card SHA-256 beef00000000 · fitted model (not the synthetic "
        "reference)"
    ) in text


def test_fitted_model_is_not_called_synthetic() -> None:
    result = with_risk(REFRACTORY_RESULT, reference_model=False)
    text = pdf_text(build(REFRACTORY_CASE, result))
    assert "fitted model (not the synthetic reference)" in text
    assert "SYNTHETIC" not in text


def test_large_hazard_ratios_print_without_exponent() -> None:
    result = with_risk(REFRACTORY_RESULT, hazard_ratio=155.3, hazard_ratio_ci=[12.94, 1878.2])
    text = pdf_text(build(REFRACTORY_CASE, result))
    assert "Hazard ratio 155 (95% CI 12.9–1878)" in text
    assert "e+0" not in text


def test_survival_beyond_follow_up_is_not_invented() -> None:
    block = risk_block()
    block["survival"]["365"] = {"estimate": None, "lower": None, "upper": None}
    for key in ("estimate", "lower", "upper"):
        block["curve"][key][-10:] = [None] * 10
    result = with_risk(REFRACTORY_RESULT, **block)
    text = pdf_text(build(REFRACTORY_CASE, result))
    assert "Survival at 365 days: not estimated" in text


def test_case_text_is_printed_literally() -> None:
    odd = "<b>bold?</b> **not markdown** {age} %s \\n ${x} --"
    result = replace(REFRACTORY_RESULT, warnings=(odd,))
    assert odd in pdf_text(build(REFRACTORY_CASE, result))


def test_missing_hemoglobin_and_weight_are_shown_as_not_entered() -> None:
    case = copy.deepcopy(BASELINE_CASE)
    del case["patient"]["hemoglobin"]
    case["patient"]["weight_kg"] = None
    text = pdf_text(build(case, BASELINE_RESULT))
    assert "weight not entered" in text and "hemoglobin not entered" in text


def test_dose_changes_are_listed() -> None:
    case = copy.deepcopy(REFRACTORY_CASE)
    case["steroids"]["dose_changes"] = [
        {"date": "2026-11-10", "methylprednisolone_mg_per_kg_day": 1.5}
    ]
    text = pdf_text(build(case, REFRACTORY_RESULT))
    assert "from 2026-11-01 (day 0); then 1.5 mg/kg/day from 2026-11-10" in text


def test_engine_result_builds(tmp_path: Path) -> None:
    from srgvhd.clinical.case import parse_case
    from srgvhd.clinical.course import assess_case

    result = assess_case(parse_case(REFRACTORY_CASE), "study")
    text = pdf_text(build(REFRACTORY_CASE, result))
    # stages of REFRACTORY_CASE graded by clinical-rules.md §2: maximum IV (skin 4 on day 14)
    assert "Maximum MAGIC grade over the course: IV" in text
    assert "by rule R1" in text and "on day 3 (2026-11-04)" in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_renders_as_one_a4_image(tmp_path: Path) -> None:
    pdf = tmp_path / "summary.pdf"
    pdf.write_bytes(build(LONG_CASE, with_risk(LONG_RESULT)))
    subprocess.run(
        ["pdftoppm", "-r", "100", "-png", str(pdf), str(tmp_path / "page")], check=True, timeout=60
    )
    pngs = sorted(tmp_path.glob("page*.png"))
    assert len(pngs) == 1
    width, height = struct.unpack(">II", pngs[0].read_bytes()[16:24])
    assert (width, height) == (827, 1170)  # 210 × 297 mm at 100 dpi


# --- raw findings, not measured, scope of the risk estimate -------------------------------------
def measured(
    day: int,
    rash: float | None,
    bilirubin: float | None,
    stool: float | None,
    *,
    unit: str = "mg/dL",
) -> dict[str, Any]:
    """One assessment of raw findings (interfaces.md §1) on steroid day ``day``."""
    return {
        "date": day_date(day),
        "measurements": {
            "skin_rash_bsa_percent": rash,
            "skin_bullae_desquamation_bsa_percent": 0,
            "bilirubin": None if bilirubin is None else {"value": bilirubin, "unit": unit},
            "upper_gi_persistent_symptoms": day == 0,
            "stool_ml_per_day": stool,
            "stool_episodes_per_day": None,
            "severe_abdominal_pain_or_ileus": False,
            "grossly_bloody_stool": day == 3,
        },
    }


# Six assessments: days 0, 3, 5, 7, 10, 14; bilirubin of day 7 entered in µmol/L.
SIX = [
    measured(0, 30, 2.5, 800),
    measured(3, 40, 2.6, 900),
    measured(5, 40, 2.2, 700),
    measured(7, 20, 34.2, 500, unit="umol/L"),
    measured(10, 10, 1.8, 300),
    measured(14, 0, 1.5, 200),
]


def six_case() -> dict[str, Any]:
    """srgvhd-case/2: a null finding is not measured (clinical-rules.md §7)."""
    case = case_for([])
    case["format"] = "srgvhd-case/2"
    case["assessments"] = copy.deepcopy(SIX)
    return case


def engine_result(case: dict[str, Any]) -> PatientResult:
    from srgvhd.clinical.course import assess_case

    return with_risk(assess_case(parse_case(case), "study"))


def test_six_measured_assessments_print_findings_beside_stages_on_one_page() -> None:
    case = six_case()
    data = build(case, engine_result(case))
    assert page_count(data) == 1
    text = pdf_text(data)
    assert "more assessments in the app" not in text
    # day 0 (clinical-rules.md §1, §2): rash 30% -> skin 2 (25–50%); bilirubin 2.5 mg/dL ->
    # liver 1 (2.0–3.0); upper GI yes -> 1; stool 800 mL -> lower GI 1 (500–999) -> grade II
    assert "2026-11-01 0 2 1 1 1 II" in text
    assert (
        "rash 30% · bullae 0% · bilirubin 2.5 mg/dL · upper-GI symptoms yes · stool 800 "
        "mL/day, n/m episodes/day · pain/ileus no · bloody stool no"
    ) in text
    assert "bilirubin 34.2 µmol/L" in text  # as entered, with its unit
    assert "bloody stool yes" in text  # day 3
    assert "n/m = not measured (not the same as 0 / not involved)" in text
    assert "Grey line: the findings the stages were derived from" in text


def test_a_not_measured_finding_prints_n_m_never_zero() -> None:
    case = six_case()
    case["assessments"][2]["measurements"]["skin_rash_bsa_percent"] = None
    text = pdf_text(build(case, engine_result(case)))
    assert "rash n/m · bullae 0%" in text


def test_stage_entered_course_has_no_findings_legend() -> None:
    text = pdf_text(build(REFRACTORY_CASE, REFRACTORY_RESULT))
    assert "Grey line" not in text and "n/m =" not in text


@pytest.mark.parametrize(
    "value", ["not refractory so far", "steroid-responsive", "steroid-dependent"]
)
def test_risk_of_a_course_that_is_not_refractory_is_conditional(value: str) -> None:
    result = with_risk(
        replace(
            BASELINE_RESULT,
            status=replace(
                BASELINE_RESULT.status, value=value, rule="D1", day=3, date=date(2026, 11, 4)
            ),
        )
    )
    text = pdf_text(build(BASELINE_CASE, result))
    assert "If this course becomes steroid-refractory: survival risk" in text
    assert "this course is not steroid-refractory, so these figures are not this patient's" in text
    assert "Survival at 180 days: 70% (95% band 52%–83%)" in text
    assert "Band: log-log transformed pointwise 95% CI" in text  # nothing dropped for the note


def test_risk_of_a_refractory_course_is_the_patients_own(refractory_text: str) -> None:
    assert "If this course becomes steroid-refractory" not in refractory_text
    assert "not this patient's" not in refractory_text


# --- speed-related choices: vector curve, fonts parsed once ------------------------------------
def test_survival_curve_is_vector_not_an_image() -> None:
    data = build(REFRACTORY_CASE, with_risk(REFRACTORY_RESULT))
    assert b"/Subtype /Image" not in data
    assert not PdfReader(io.BytesIO(data)).pages[0].images


def test_steps_are_right_continuous_split_at_nulls_and_cut_at_the_axis_end() -> None:
    days = [0, 10, 20, 30, 500]
    values = [1.0, 0.9, None, 0.7, 0.6]
    runs = list(pdfkit._steps(days, values, x_max=400))
    assert runs == [
        [(0, 1.0), (10, 1.0), (10, 0.9)],  # flat until day 10, then the drop; day 20 unknown
        [(30, 0.7), (400, 0.7)],  # day 30 runs to the axis end; day 500 is beyond it
    ]


def page_stream(data: bytes) -> bytes:
    return PdfReader(io.BytesIO(data)).pages[0].get_contents().get_data()


def test_a_fresh_process_gives_the_bytes_of_a_warm_one() -> None:
    case, result = REFRACTORY_CASE, with_risk(REFRACTORY_RESULT)
    build(case, result)  # warm: fonts parsed, texts wrapped
    warm = hashlib.sha256(build(case, result)).hexdigest()
    script = (
        "import hashlib, json, sys; from datetime import datetime; "
        "from types import SimpleNamespace; "
        "from srgvhd.clinical.case import parse_case; "
        "from srgvhd.report.summary import build_summary_pdf; "
        "from srgvhd.risk.card import ModelCard; "
        "from tests.sample_results import REFRACTORY_RESULT, with_risk; "
        "case, risk, card, sha, when = json.load(sys.stdin); "
        "data = build_summary_pdf(parse_case(case), with_risk(REFRACTORY_RESULT, **risk), "
        "SimpleNamespace(card=ModelCard.from_json(card), card_sha256=sha), "
        "generated_at=datetime.fromisoformat(when)); "
        "print(hashlib.sha256(data).hexdigest())"
    )
    payload = json.dumps([case, risk_block(), CARD.to_json(), CARD_SHA, GENERATED.isoformat()])
    cold = subprocess.run(
        [sys.executable, "-c", script],
        input=payload,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=REPO,
        env={"PYTHONPATH": str(REPO), "SRGVHD_TIMEZONE": "UTC"},
    ).stdout.strip()
    assert cold == warm


# --- clinical-rules.md §7 and the bedside scores (interfaces.md §6) -----------------------------
def test_an_organ_missing_at_a_rule_day_prints_n_m_and_the_waiting_rule() -> None:
    # liver involved at baseline (bilirubin 2.5 mg/dL: stage 1), day-14 bilirubin not measured:
    # day 14 is "not assessable" (§7.3), R3 cannot be judged (§7.6), the grade is incomplete
    case = six_case()
    # days 0, 5, 7, 14 (no day-3 bloody stool): day 7 a PR (upper GI and skin better), so R1 and
    # R2 do not fire; day 14 without bilirubin
    case["assessments"] = [
        measured(0, 30, 2.5, 800),
        measured(5, 30, 2.5, 800),
        measured(7, 20, 2.2, 500),
        measured(14, 0, None, 200),
    ]
    data = build(case, engine_result(case))
    assert page_count(data) == 1
    text = pdf_text(data)
    assert "2026-11-15 14 0 n/m 0 0 0* — not assessable" in text
    assert "bilirubin n/m" in text
    # the verdict box leads with what to enter (clinical-rules.md §7.6), as the page does
    assert "Cannot decide yet: liver not measured on day 14 — enter it. Rule R3 cannot be" in text
    assert "Not refractory so far" not in text
    assert "* grade from an assessment with an organ not measured" in text


LABS = [
    {
        "date": "2026-11-08",
        "ldh_u_l": 420,
        "creatinine": {"value": 97.24, "unit": "umol/L"},
        "platelets_10e9_l": 45,
        "map_probability": 0.35,
    }
]


def test_scores_are_printed_with_their_meaning_and_source() -> None:
    case = six_case()
    case["labs"] = copy.deepcopy(LABS)
    # a day-28 assessment (window 28–35): everything back to 0 -> CR against the baseline
    case["assessments"].append(measured(28, 0, 1.0, 100))
    case["assessments"][-1]["measurements"].update(
        upper_gi_persistent_symptoms=False, grossly_bloody_stool=False
    )
    data = build(case, engine_result(case))
    assert page_count(data) == 1
    text = pdf_text(data)
    assert "more assessments in the app" not in text  # all seven, with risk and scores
    assert "more warnings in the app" not in text
    # EASIX = 420 U/L × (97.24 / 88.4 = 1.1 mg/dL) / 45 ×10⁹/L = 10.27; log2 = 3.36
    assert "EASIX 10.3 (log2 3.36) from labs of 2026-11-08 (day 7)" in text
    assert "creatinine 1.1 mg/dL" in text
    assert "Luft et al., Lancet Haematol 2017" in text
    assert "MAP 0.35: high (threshold 0.290), drawn on day 7 (2026-11-08)" in text
    assert "Day-28 response: CR (CR/VGPR), assessed day 28 (2026-11-29)" in text
    assert "Inamoto et al., Haematologica 2014" in text


def test_scores_risk_warnings_and_a_long_course_stay_above_the_footer() -> None:
    from fpdf import FPDF

    from srgvhd.report.summary import render

    case = six_case()
    case["labs"] = copy.deepcopy(LABS)
    case["assessments"] += [measured(d, 10, 1.5, 200) for d in range(15, 36)]
    result = engine_result(case)
    result = replace(result, warnings=("a long warning " * 20,) * 4)
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdfkit.add_fonts(pdf)
    pdf.add_page()
    assert render(pdf, parse_case(case), result, MODEL, GENERATED) >= 0  # room left
    text = pdf_text(build(case, result))
    # the first, the verdict's (day 3) and the last row at least; every left-out row counted
    assert "2026-11-01 0 " in text and "2026-11-04 3 " in text and "2026-12-06 35 " in text
    shown = len(re.findall(r"\d{4}-\d\d-\d\d \d+ \d", text.split("Assessments")[1]))
    assert sum(hidden_counts(text)) + shown == 27


# --- any course on one page ----------------------------------------------------------------------
_finding = st.one_of(st.none(), st.integers(0, 100))


@st.composite
def courses(draw: st.DrawFn) -> dict[str, Any]:
    """srgvhd-case/2 courses: 1–40 assessments of findings (any of them not measured), labs."""
    days = sorted(draw(st.sets(st.integers(1, 60), max_size=39)))
    assessments = []
    for day in [0, *days]:
        a = measured(
            day,
            draw(_finding),
            draw(st.one_of(st.none(), st.floats(0, 20))),
            draw(_finding.map(lambda v: None if v is None else 20 * v)),
        )
        a["measurements"]["stool_episodes_per_day"] = draw(st.one_of(st.none(), st.integers(0, 9)))
        assessments.append(a)
    case = six_case()
    case["assessments"] = assessments
    if draw(st.booleans()):
        case["labs"] = copy.deepcopy(LABS)
    return case


@settings(max_examples=25, deadline=None)
@given(case=courses(), risk=st.booleans(), warnings=st.integers(0, 8))
def test_any_course_fits_one_page_above_the_footer(
    case: dict[str, Any], risk: bool, warnings: int
) -> None:
    from fpdf import FPDF

    from srgvhd.clinical.course import assess_case
    from srgvhd.report.summary import render

    course = assess_case(parse_case(case), "study")
    result = with_risk(course) if risk else patient(course)
    result = replace(result, warnings=("w " * 70,) * warnings)
    pdf = FPDF(unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdfkit.add_fonts(pdf)
    pdf.add_page()
    assert render(pdf, parse_case(case), result, MODEL, GENERATED) >= 0
    assert pdf.page == 1


def test_the_pseudonymous_case_code_is_printed_when_the_case_has_one() -> None:
    case = six_case()
    assert "case code" not in pdf_text(build(case, engine_result(case)))
    case["case_code"] = "W3-017"
    assert "Patient and steroid course · case code W3-017" in pdf_text(
        build(case, engine_result(case))
    )


def test_the_reference_patient_reads_hazard_ratio_1_without_an_interval() -> None:
    # age 18–34, grade III, Hb > 90 g/L are the paper's reference categories (Niu et al. 2026):
    # their hazard ratio is 1 by definition, not an estimate with a "95% CI 1–1"
    reference = {"age_group": "18-34", "grade": "III", "hemoglobin_le_90": False}
    result = with_risk(
        REFRACTORY_RESULT, covariates=reference, hazard_ratio=1.0, hazard_ratio_ci=[1.0, 1.0]
    )
    text = pdf_text(build(REFRACTORY_CASE, result))
    assert "Hazard ratio 1 (reference patient: age 18–34, grade III, Hb > 90 g/L)." in text
    assert "95% CI 1–1" not in text


def test_a_passed_decision_point_leads_the_verdict_box() -> None:
    # baseline only on 2026-11-01 (day 0); the summary generated on 2026-11-25 is after the
    # day-7 decision point (2026-11-08)
    case = six_case()
    case["assessments"] = case["assessments"][:1]
    text = pdf_text(build(case, engine_result(case)))
    assert "Decision overdue: the day-7 decision point (2026-11-08) has passed" in text
