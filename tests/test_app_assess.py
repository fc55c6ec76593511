"""The Assess page driven through its widgets with Streamlit's AppTest.

Verdicts are the ones the example files were written for (refractory by R1, by R2, responsive;
clinical-rules.md §5a); the rule-set case is built by hand from §5a/§5b.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from srgvhd.risk.store import ModelStore
from srgvhd.risk.train import train_from_csv
from tests.streamlit_text import as_read
from tests.test_predict import cohort_csv, synthetic_cohort

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
EXAMPLES = ROOT / "examples"
EDITOR = "assess_assessments_0"  # the assessments table of a fresh session
# Width left for the assessments table at a 1400 px screen: Streamlit's sidebar (300 px), the
# main column's side padding (2 x 2 rem = 64 px) and the editor's row-marker column (33 px).
TABLE_ROOM_PX = 1400 - 300 - 64 - 33
# Case-file measurement field -> column of the assessments table (the page's contract).
COLUMN_OF = {
    "skin_rash_bsa_percent": "rash_bsa",
    "skin_bullae_desquamation_bsa_percent": "bullae_bsa",
    "upper_gi_persistent_symptoms": "upper_gi",
    "stool_ml_per_day": "stool_ml",
    "stool_episodes_per_day": "stool_episodes",
    "severe_abdominal_pain_or_ileus": "pain_ileus",
    "grossly_bloody_stool": "bloody_stool",
}


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory) -> Path:
    """A model store with one promoted centre model (not the reference model)."""
    root = tmp_path_factory.mktemp("models")
    train_from_csv(
        cohort_csv(synthetic_cohort(150, seed=1)),
        store=ModelStore(root),
        promote=True,
        source_name="centre.csv",
    )
    return root


@pytest.fixture
def at(models_dir, monkeypatch) -> AppTest:
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(models_dir))
    app = AppTest.from_file(APP, default_timeout=30)
    app.run()
    app.switch_page("pages/assess.py").run()  # the Ward page is the default
    assert not app.exception
    return app


def _example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def _table_row(assessment: dict) -> dict:
    """One assessment as a row the user adds to the table."""
    if "stages" in assessment:
        stages = assessment["stages"]
        return {
            "date": assessment["date"],
            "mode": "stages",
            **{f"{organ}_stage": stage for organ, stage in stages.items()},
        }
    row = {"date": assessment["date"], "mode": "findings"}
    for field, value in assessment["measurements"].items():
        if field == "bilirubin":
            row["bilirubin"] = value["value"] if value else None
        elif value is not None:
            row[COLUMN_OF[field]] = value
    return row


def _bilirubin_unit(case: dict) -> str | None:
    units = {
        a["measurements"]["bilirubin"]["unit"]
        for a in case["assessments"]
        if (a.get("measurements") or {}).get("bilirubin")
    }
    assert len(units) <= 1, "the page uses one bilirubin unit for the whole table"
    return units.pop() if units else None


def _fill(at: AppTest, case: dict) -> AppTest:
    """Type a case into the page's widgets and run."""
    patient, steroids = case["patient"], case["steroids"]
    at.number_input(key="assess_age").set_value(patient["age_years"])
    if patient.get("weight_kg") is not None:
        at.number_input(key="assess_weight").set_value(patient["weight_kg"])
    if patient.get("hemoglobin"):
        at.selectbox(key="assess_hb_unit").set_value(patient["hemoglobin"]["unit"])
        at.number_input(key="assess_hb").set_value(patient["hemoglobin"]["value"])
    at.date_input(key="assess_steroid_start").set_value(date.fromisoformat(steroids["start_date"]))
    at.number_input(key="assess_mp_dose").set_value(steroids["methylprednisolone_mg_per_kg_day"])
    unit = _bilirubin_unit(case)
    if unit:
        at.selectbox(key="assess_bilirubin_unit").set_value(unit)
    at.session_state[EDITOR] = {
        "edited_rows": {},
        "deleted_rows": [],
        "added_rows": [_table_row(a) for a in case["assessments"]],
    }
    at.run()
    assert not at.exception
    return at


def _texts(elements) -> list[str]:
    return [as_read(e.value) for e in elements]


def test_blank_page_asks_for_input_without_problems(at) -> None:
    assert any("open a saved case" in t for t in _texts(at.info))
    assert not at.error


def test_refractory_by_r1(at) -> None:
    _fill(at, _example("refractory_r1.json"))
    # baseline 2026-11-01, worse skin on 2026-11-05 = day 4 (R1: progression on days 3-5)
    assert _texts(at.error) == [
        "**Steroid-refractory by rule R1 (progression (any organ worse) on days 3–5) on day 4 "
        "(2026-11-05).**  \nRule set: Study definition (Niu et al. 2026)."
    ]


def test_refractory_by_r2(at) -> None:
    _fill(at, _example("refractory_r2.json"))
    verdicts = _texts(at.error)
    assert len(verdicts) == 1
    assert verdicts[0].startswith("**Steroid-refractory by rule R2")


def test_responsive(at) -> None:
    _fill(at, _example("responsive.json"))
    assert len(at.success) == 1
    assert at.success[0].value.startswith("**Steroid-responsive")
    assert not at.error


def test_risk_and_benchmarks_are_shown_for_a_grade_ii_iv_patient(at) -> None:
    _fill(at, _example("refractory_r1.json"))
    labels = [m.label for m in at.metric]
    assert "Hazard ratio vs reference patient" in labels
    assert {"Survival at 6 months", "Survival at 12 months"} <= set(labels)
    # age 42 (≥35) and Hb 85 g/L (≤90): the paper's two adverse categories
    factors = [t for t in _texts(at.markdown) if t.startswith("**Driving factors:**")]
    assert len(factors) == 1
    assert "age ≥35 (HR" in factors[0] and "Hb ≤ 90 g/L (HR" in factors[0]
    assert len(at.table) == 4  # course table + three benchmark tables
    assert at.download_button(key="assess_download_pdf").label == "Download summary (PDF)"
    assert not at.sidebar.download_button(key="assess_save_case").disabled


def test_invalid_date_shows_the_problem_and_keeps_the_inputs(at) -> None:
    case = _example("refractory_r1.json")
    case["assessments"][1]["date"] = "2026-10-30"  # before the steroid start
    _fill(at, case)
    assert "row 2, date: before steroids.start_date" in _texts(at.error)
    assert not any("Steroid-refractory" in t for t in _texts(at.error))
    assert at.sidebar.download_button(key="assess_save_case").disabled
    assert at.number_input(key="assess_age").value == 42
    assert at.number_input(key="assess_hb").value == 85
    # the user corrects the cell of the row they added; the other rows and inputs were kept
    state = at.session_state[EDITOR]
    state["added_rows"][1]["date"] = "2026-11-05"
    at.session_state[EDITOR] = state
    at.run()
    assert any("rule R1" in t for t in _texts(at.error))


def test_out_of_range_hemoglobin_is_named_next_to_the_field(at) -> None:
    case = _example("refractory_r1.json")
    case["patient"]["hemoglobin"]["value"] = 900  # g/L: a slip, not a patient
    _fill(at, case)
    assert "900 is out of range [20, 250]" in _texts(at.error)
    assert at.number_input(key="assess_age").value == 42


def test_inputs_survive_a_page_switch(at) -> None:
    _fill(at, _example("refractory_r1.json"))
    at.switch_page("pages/about.py").run()
    assert not at.exception
    at.switch_page("pages/assess.py").run()
    assert at.number_input(key="assess_age").value == 42
    assert any("rule R1" in t for t in _texts(at.error))


def test_rule_set_switch_changes_the_verdict(at) -> None:
    # Grade III at baseline; partial response on day 7 and still only partial on day 14.
    # Study rule R3 (no CR/VGPR by day 14) fires on day 14; EBMT 2018 sees improvement by
    # day 7 and no progression, so it waits for "incomplete response after > 28 days".
    case = _example("refractory_r1.json")
    case["assessments"] = [
        {"date": "2026-11-01", "stages": {"skin": 3, "liver": 0, "upper_gi": 0, "lower_gi": 2}},
        {"date": "2026-11-08", "stages": {"skin": 2, "liver": 0, "upper_gi": 0, "lower_gi": 1}},
        {"date": "2026-11-15", "stages": {"skin": 1, "liver": 0, "upper_gi": 0, "lower_gi": 1}},
    ]
    _fill(at, case)
    assert _texts(at.error)[0].startswith("**Steroid-refractory by rule R3")
    at.selectbox(key="assess_rule_set").set_value("ebmt2018").run()
    assert not any("Steroid-refractory" in t for t in _texts(at.error))
    # day 29 after 2026-11-01
    assert any(
        t.startswith("**Not refractory so far; next decision point day 29 (2026-11-30)")
        for t in _texts(at.info)
    )


def test_open_case_fills_the_form_and_a_bad_file_changes_nothing(at) -> None:
    data = (EXAMPLES / "responsive.json").read_bytes()
    at.sidebar.file_uploader(key="assess_open_case").set_value(
        ("responsive.json", data, "application/json")
    ).run()
    assert at.number_input(key="assess_age").value == 15
    assert at.success[0].value.startswith("**Steroid-responsive")
    bad = data.replace(b'"2026-09-08"', b'"2026-08-08"')
    at.sidebar.file_uploader(key="assess_open_case").set_value(
        ("bad.json", bad, "application/json")
    ).run()
    refusals = _texts(at.sidebar.error)
    assert refusals == [
        "Case file not opened, the form is unchanged: "
        "assessments[1].date: before steroids.start_date"
    ]
    assert at.number_input(key="assess_age").value == 15
    assert at.success[0].value.startswith("**Steroid-responsive")


def test_the_form_paints_before_heavy_imports() -> None:
    """What the Assess page imports at its top does not pull in pandas, the risk model, charts or
    PDF (they are imported after the patient inputs are drawn)."""
    page = (ROOT / "pages" / "assess.py").read_text(encoding="utf-8")
    top = [line for line in page.splitlines() if line.startswith(("import ", "from "))]
    heavy = (
        "lifelines",
        "scipy",
        "matplotlib",
        "sklearn",
        "fpdf",
        "pandas",
        "altair",
        "srgvhd.risk.store",
        "srgvhd.report.summary",
        "srgvhd.report.charts",
    )
    probe = "\n".join(
        [*top, "import sys", f"print(','.join(m for m in {heavy!r} if m in sys.modules))"]
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == ""


# ---------------------------------------------------------------- presentation


def _elements(at: AppTest, kind: str) -> list:
    return [node for node in at.main if getattr(node, "type", None) == kind]


def _contrast_on_white(colour: str) -> float:
    """WCAG 2.1 contrast ratio of an sRGB hex colour against white (relative luminance)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def test_number_inputs_show_values_without_padded_decimals(at) -> None:
    _fill(at, _example("refractory_r1.json"))
    shown = {
        key: at.number_input(key=key).proto.format % at.number_input(key=key).value
        for key in ("assess_age", "assess_weight", "assess_hb", "assess_mp_dose")
    }
    assert shown == {"assess_age": "42", "assess_weight": "70", "assess_hb": "85",
                     "assess_mp_dose": "2"}
    # a small child's age and a hemoglobin in g/dL keep their one decimal
    assert at.number_input(key="assess_age").proto.format % 1.5 == "1.5"
    assert at.number_input(key="assess_hb").proto.format % 8.5 == "8.5"


def test_assessment_table_fits_a_1400_px_screen_and_blank_cells_stay_blank(at) -> None:
    (table,) = [e.proto for e in _elements(at, "dataframe") if "Rash % BSA" in e.proto.columns]
    columns = {k: v for k, v in json.loads(table.columns).items() if k != "_index"}
    assert len(columns) == 14
    widths = [c.get("width") for c in columns.values()]
    assert all(isinstance(w, int) for w in widths), widths
    assert sum(widths) <= TABLE_ROOM_PX
    assert columns["date"]["width"] >= 90  # "2026-11-05" was clipped at "small" (75 px)
    assert table.HasField("placeholder") and table.placeholder == ""  # blank, not "None"


def test_risk_intervals_are_as_prominent_as_the_estimates(at) -> None:
    _fill(at, _example("refractory_r1.json"))
    metrics = {m.label: m.value for m in at.metric}
    pairs = {
        "Hazard ratio vs reference patient": "95% CI of the hazard ratio",
        "Survival at 6 months": "95% band at 6 months",
        "Survival at 12 months": "95% band at 12 months",
    }
    for estimate_label, interval_label in pairs.items():
        estimate = float(metrics[estimate_label].rstrip("%"))
        low, high = (float(x) for x in re.fullmatch(r"([\d.]+)%?–([\d.]+)%?",
                                                     metrics[interval_label]).groups())
        assert low <= estimate <= high, (estimate_label, metrics[interval_label])


def test_timeline_legend_is_below_and_markers_contrast_with_the_background(at) -> None:
    _fill(at, _example("refractory_r1.json"))
    charts = [json.loads(e.proto.spec) for e in _elements(at, "vega_lite_chart")]
    (color,) = [
        layer["encoding"]["color"]
        for chart in charts
        for layer in chart.get("layer", [])
        if "color" in layer.get("encoding", {}) and layer["encoding"]["color"].get("field")
        == "response"
    ]
    assert color["legend"]["orient"] == "bottom"
    # day 0 is the baseline, day 4 a progression (skin 2 -> 3, clinical-rules.md §4)
    assert color["scale"]["domain"] == ["baseline", "progression"]
    assert len(set(color["scale"]["range"])) == 2
    for colour in color["scale"]["range"]:
        assert _contrast_on_white(colour) >= 3.0, colour  # WCAG 2.1 SC 1.4.11


def test_open_case_sits_above_save_case_in_the_sidebar(at) -> None:
    kinds = [type(node).__name__ for node in at.sidebar]
    assert kinds.index("FileUploader") < kinds.index("DownloadButton")
