"""One-page PDF summary: content, one page whatever the course length, reproducible bytes.

Inputs are the hand-written samples of tests/sample_results.py; expected texts are typed from
those samples and from the references (Niu 2026 figures, units), not from srgvhd/report/summary.py.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import shutil
import struct
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from matplotlib.collections import PolyCollection
from pypdf import PdfReader

from srgvhd.errors import InputError
from srgvhd.report.charts import survival_curve_figure
from srgvhd.report.summary import build_summary_pdf
from tests.sample_results import (
    BASELINE_CASE,
    BASELINE_RESULT,
    LONG_CASE,
    LONG_RESULT,
    REFRACTORY_CASE,
    REFRACTORY_RESULT,
    SAMPLES,
    case_for,
    risk_block,
    row,
    with_risk,
)

GENERATED = datetime(2026, 11, 25, 14, 30, tzinfo=UTC)
CARD = {"version": "ref-2026.11-a", "reference_model": True, "n": 95, "events": 33}
A4_POINTS = (595.28, 841.89)


def build(case: dict[str, Any], result: dict[str, Any], **kwargs: Any) -> bytes:
    kwargs.setdefault("model_card", CARD)
    kwargs.setdefault("generated_at", GENERATED)
    return build_summary_pdf(case, result, **kwargs)


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
        "(2026-11-04).",
        "Maximum MAGIC grade over the course: IV",
        "Study definition (Niu et al. 2026)",
        # inputs with units: 8.5 g/dL = 85 g/L; bilirubin 4.1 mg/dL = 70 µmol/L (× 17.1)
        "Age 42 years",
        "weight 70 kg",
        "hemoglobin 8.5 g/dL (= 85 g/L)",
        "Methylprednisolone 2 mg/kg/day from 2026-11-01 (day 0)",
        "Bilirubin mg/dL (µmol/L)",
        "4.1 (70)",
        "9.8 (168)",
        "2026-11-15 14 4 3 0 4",
        # risk: HR with CI vs reference, survival with band, synthetic model
        "Hazard ratio 12.3 (95% CI 2.1–71)",
        "age 18-34 years, grade III, Hb > 90 g/L",
        "age ≥35, grade IV (course maximum), Hb ≤ 90 g/L",
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
    assert sorted(len(r["assessments"]) for _, r in SAMPLES.values()) == [1, 5, 30]


def test_long_course_shows_first_last_and_verdict_rows() -> None:
    text = pdf_text(build(LONG_CASE, LONG_RESULT))
    # 30 rows: days 0-5 shown, 6-13 hidden (8), day 14 (verdict) shown, 15-24 hidden (10),
    # days 25-29 shown.
    assert "… 8 more assessments in the app" in text
    assert "… 10 more assessments in the app" in text
    for shown in ("2026-11-01", "2026-11-06", "2026-11-15", "2026-11-26", "2026-11-30"):
        assert shown in text
    for hidden in ("2026-11-07", "2026-11-14", "2026-11-16", "2026-11-24"):
        assert hidden not in text


def test_overlong_content_still_fits_one_page() -> None:
    rows = [row(d, 1, 0, 0, 0, "I", "standard", "no response") for d in range(200)]
    result = {
        **copy.deepcopy(LONG_RESULT),
        "assessments": rows,
        "warnings": [f"warning {i}: " + "a long explanation " * 12 for i in range(20)],
    }
    result["status"]["sentence"] = "Steroid-refractory " + "because of many reasons " * 30
    data = build(case_for(rows), with_risk(result))
    assert page_count(data) == 1
    text = pdf_text(data)
    assert "… 188 more assessments in the app" not in text  # the verdict row splits the gap
    assert "more assessments in the app" in text
    assert "Decision support, not a substitute for clinical judgement." in text


@pytest.mark.parametrize(("count", "shown", "more"), [(5, 5, None), (6, 4, 2)])
def test_warnings_each_on_a_line_within_five_lines(
    count: int, shown: int, more: int | None
) -> None:
    result = {**REFRACTORY_RESULT, "warnings": [f"short warning number {i}" for i in range(count)]}
    text = pdf_text(build(REFRACTORY_CASE, result))
    assert [i for i in range(count) if f"short warning number {i}" in text] == list(range(shown))
    assert (f"… {more} more warnings in the app" in text) == (more is not None)
    assert ("more warnings in the app" in text) == (more is not None)


def test_same_inputs_same_bytes_and_time_changes_them() -> None:
    result = with_risk(REFRACTORY_RESULT)
    first = build(REFRACTORY_CASE, result)
    assert build(REFRACTORY_CASE, copy.deepcopy(result)) == first
    later = build(REFRACTORY_CASE, result, generated_at=datetime(2026, 11, 26, 9, 0, tzinfo=UTC))
    assert later != first


def test_naive_time_is_read_as_utc() -> None:
    naive = build(BASELINE_CASE, BASELINE_RESULT, generated_at=datetime(2026, 11, 25, 14, 30))
    assert naive == build(BASELINE_CASE, BASELINE_RESULT)


def test_no_active_model_says_so() -> None:
    text = pdf_text(build(BASELINE_CASE, BASELINE_RESULT, model_card=None))
    assert "No survival estimate: no risk model is active." in text
    assert "Risk model: none active." in text


def test_without_risk_the_card_identifies_the_model() -> None:
    result = {
        **BASELINE_RESULT,
        "warnings": ["the risk model covers grades II–IV; this course's grade is I"],
    }
    text = pdf_text(build(BASELINE_CASE, result))
    assert "the warnings above say why" in text
    assert "this course's grade is I" in text
    # the store's card digest: SHA-256 of the card saved as indented, key-sorted UTF-8 JSON
    saved = (json.dumps(CARD, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    assert f"card SHA-256 {hashlib.sha256(saved).hexdigest()[:12]}" in text
    assert "Hazard ratio" not in text


def test_fitted_model_is_not_called_synthetic() -> None:
    result = with_risk(REFRACTORY_RESULT)
    result["risk"]["reference_model"] = False
    text = pdf_text(build(REFRACTORY_CASE, result))
    assert "fitted model (not the synthetic reference)" in text
    assert "SYNTHETIC" not in text


def test_large_hazard_ratios_print_without_exponent() -> None:
    result = {**copy.deepcopy(REFRACTORY_RESULT), "risk": risk_block(155.3, (12.94, 1878.2))}
    text = pdf_text(build(REFRACTORY_CASE, result))
    assert "Hazard ratio 155 (95% CI 12.9–1878)" in text
    assert "e+0" not in text


def test_survival_beyond_follow_up_is_not_invented() -> None:
    result = with_risk(REFRACTORY_RESULT)
    result["risk"]["survival"]["365"] = {"estimate": None, "lower": None, "upper": None}
    curve = result["risk"]["curve"]
    for key in ("estimate", "lower", "upper"):
        curve[key][-10:] = [None] * 10
    text = pdf_text(build(REFRACTORY_CASE, result))
    assert "Survival at 365 days: not estimated" in text


def test_case_text_is_printed_literally() -> None:
    odd = "<b>bold?</b> **not markdown** {age} %s \\n ${x} --"
    result = {**REFRACTORY_RESULT, "warnings": [odd]}
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


def test_bad_input_names_every_field() -> None:
    case = copy.deepcopy(REFRACTORY_CASE)
    del case["patient"]["age_years"]
    case["patient"]["hemoglobin"]["unit"] = "mmol/L"
    result = with_risk(REFRACTORY_RESULT)
    del result["status"]["sentence"]
    del result["assessments"][2]["stages"]["liver"]
    del result["risk"]["hazard_ratio_ci"]
    with pytest.raises(InputError) as caught:
        build(case, result)
    where = [p.where for p in caught.value.problems]
    assert where == [
        "case.patient.age_years",
        "case.patient.hemoglobin.unit",
        "result.assessments[2].stages.liver",
        "result.status.sentence",
        "result.risk.hazard_ratio_ci",
    ]
    assert "'mmol/L'" in str(caught.value)


def test_survival_curve_figure_draws_estimate_and_band() -> None:
    curve = risk_block()["curve"]
    ax = survival_curve_figure(curve).axes[0]
    line = ax.lines[0]
    assert list(line.get_ydata()) == curve["estimate"]
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 1
    ys = bands[0].get_paths()[0].vertices[:, 1]
    assert min(ys) == pytest.approx(min(curve["lower"]))
    assert max(ys) == pytest.approx(max(curve["upper"]))


def test_warm_build_is_fast() -> None:
    # CPU time of this process, so other work on the shared machine does not count
    result = with_risk(REFRACTORY_RESULT)
    build(REFRACTORY_CASE, result)  # warm imports and font files
    timings = []
    for _ in range(3):
        start = time.process_time()
        build(REFRACTORY_CASE, result)
        timings.append(time.process_time() - start)
    assert min(timings) < 0.3


def test_engine_result_builds(tmp_path: Path) -> None:
    from srgvhd.clinical.case import parse_case
    from srgvhd.clinical.course import assess_case

    result = assess_case(parse_case(REFRACTORY_CASE), "study").to_json()
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
