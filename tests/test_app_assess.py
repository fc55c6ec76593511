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

from srgvhd.app import form as F
from srgvhd.app.fields import number_text
from srgvhd.report import text as report_text
from srgvhd.risk.store import ModelStore
from srgvhd.risk.train import train_from_csv
from tests.streamlit_text import as_read
from tests.test_predict import cohort_csv, synthetic_cohort

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
EXAMPLES = ROOT / "examples"
# Case-file measurement field -> form field of an assessment (srgvhd.app.form).
NUMBER_OF = {name: column for column, (_, _, name, _) in F.NUMBER_FINDINGS.items()}
CHOICE_OF = {name: column for column, (_, name) in F.CHOICE_FINDINGS.items()}


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


WARD_TODAY = date(2026, 11, 20)  # "today" of the headlines (a decision before it is overdue)


@pytest.fixture
def at(models_dir, monkeypatch) -> AppTest:
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(models_dir))
    monkeypatch.setattr(report_text, "report_today", lambda: WARD_TODAY)
    app = AppTest.from_file(APP, default_timeout=30)
    app.run()
    app.switch_page("views/assess.py").run()  # the Ward page is the default
    assert not app.exception
    return app


def _example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def _text(value) -> str:
    return "" if value is None else number_text(value)


def _row_key(row_id: int, field: str) -> str:
    return f"assess_assessments_{row_id}_{field}"


def _apply(at: AppTest, row_id: int) -> AppTest:
    """Press the assessment's "Apply (Enter)": its findings form sends what was typed."""
    return at.button(key=_row_key(row_id, "apply")).click().run()


def _finding(at: AppTest, row_id: int, field: str, text: str) -> AppTest:
    """Type one finding of an assessment and apply it."""
    at.text_input(key=_row_key(row_id, field)).input(text)
    return _apply(at, row_id)


def _type_assessment(at: AppTest, row_id: int, assessment: dict) -> None:
    """Type one assessment into its block (already added), as a clinician would."""
    if "stages" in assessment:
        at.selectbox(key=_row_key(row_id, "mode")).set_value("stages").run()
    at.text_input(key=_row_key(row_id, "date")).input(assessment["date"])
    if "stages" in assessment:
        for organ, stage in assessment["stages"].items():
            choice = F.NOT_MEASURED if stage is None else str(stage)
            at.selectbox(key=_row_key(row_id, f"{organ}_stage")).set_value(choice)
        _apply(at, row_id)
        return
    for name, value in assessment["measurements"].items():
        if name == "bilirubin":
            at.text_input(key=_row_key(row_id, "bilirubin")).input(
                _text(value["value"] if value else None)
            )
        elif name in NUMBER_OF:
            at.text_input(key=_row_key(row_id, NUMBER_OF[name])).input(_text(value))
        else:
            choice = {True: "yes", False: "no"}.get(value, F.NOT_MEASURED)
            at.selectbox(key=_row_key(row_id, CHOICE_OF[name])).set_value(choice)
    _apply(at, row_id)


def _fill(at: AppTest, case: dict) -> AppTest:
    """Type a case into the page's fields (one "Add assessment" per assessment) and run. A
    srgvhd-case/1 example's blanks meant "not involved": they are typed as 0 / "no"."""
    case = F.legacy_blanks_as_not_involved(case) if case["format"].endswith("/1") else case
    patient, steroids = case["patient"], case["steroids"]
    at.text_input(key="assess_age").input(_text(patient["age_years"]))
    at.text_input(key="assess_weight").input(_text(patient.get("weight_kg")))
    if patient.get("hemoglobin"):
        at.selectbox(key="assess_hb_unit").set_value(patient["hemoglobin"]["unit"])
        at.text_input(key="assess_hb").input(_text(patient["hemoglobin"]["value"]))
    at.text_input(key="assess_steroid_start").input(steroids["start_date"])
    at.text_input(key="assess_mp_dose").input(_text(steroids["methylprednisolone_mg_per_kg_day"]))
    units = {
        a["measurements"]["bilirubin"]["unit"]
        for a in case["assessments"]
        if (a.get("measurements") or {}).get("bilirubin")
    }
    assert len(units) <= 1, "the page uses one bilirubin unit for every assessment"
    if units:
        at.selectbox(key="assess_bilirubin_unit").set_value(units.pop())
    for row_id, assessment in enumerate(case["assessments"]):
        at.button(key="assess_add_assessment").click().run()
        _type_assessment(at, row_id, assessment)
    at.run()
    assert not at.exception
    return at


def _texts(elements) -> list[str]:
    return [as_read(e.value) for e in elements]


def _verdicts(elements) -> list[str]:
    """The full verdicts among alerts (the headline, then the rule set)."""
    return [t for t in _texts(elements) if "\nRule set: " in t]


def _bars(elements) -> list[str]:
    """The verdict bar's texts among alerts ("**title** · rule … · max grade …")."""
    return [t for t in _texts(elements) if re.match(r"^\*\*[^*]+\*\* · .* · max grade ", t)]


def test_blank_page_asks_for_input_without_problems(at) -> None:
    assert any("open a saved case" in t for t in _texts(at.info))
    assert not at.error
    # no "fix the problems" on an empty form (the sidebar's other caption is who saves)
    assert not [c.value for c in at.sidebar.caption if "problem" in c.value.lower()]


def test_refractory_by_r1(at) -> None:
    _fill(at, _example("refractory_r1.json"))
    # baseline 2026-11-01, worse skin on 2026-11-05 = day 4 (R1: progression on days 3-5)
    assert _verdicts(at.error) == [
        "**Steroid-refractory by rule R1 (progression (any organ worse) on days 3–5) on day 4 "
        "(2026-11-05) — choose second-line therapy.**  \nRule set: Study definition (Niu et "
        "al. 2026)."
    ]
    # the compact bar above the form: status, rule and day, grade, what to do next
    assert _bars(at.error) == [
        "**Steroid-refractory** · rule R1 · day 4 · max grade II  \nChoose second-line therapy."
    ]


def test_refractory_by_r2(at) -> None:
    _fill(at, _example("refractory_r2.json"))
    verdicts = _verdicts(at.error)
    assert len(verdicts) == 1
    assert verdicts[0].startswith("**Steroid-refractory by rule R2")


def test_responsive(at) -> None:
    _fill(at, _example("responsive.json"))
    assert len(_verdicts(at.success)) == len(_bars(at.success)) == 1
    assert _verdicts(at.success)[0].startswith("**Steroid-responsive")
    assert not at.error


def test_risk_and_benchmarks_are_shown_for_a_grade_ii_iv_patient(at) -> None:
    _fill(at, _example("refractory_r1.json"))
    labels = [m.label for m in at.metric]
    assert "Hazard ratio vs reference patient" in labels
    assert {"Survival at 180 days", "Survival at 365 days"} <= set(labels)
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
    assert "Date: before the steroid start date (2026-11-01)" in _texts(at.error)
    assert not any("Steroid-refractory" in t for t in _texts(at.error))
    assert at.sidebar.download_button(key="assess_save_case").disabled
    assert at.text_input(key="assess_age").value == "42"
    assert at.text_input(key="assess_hb").value == "85"
    # the user corrects the date as a day of the course; everything else was kept
    _finding(at, 1, "date", "day 4")
    assert any("rule R1" in t for t in _texts(at.error))


def test_impossible_start_date_is_refused_not_moved(at) -> None:
    case = _example("refractory_r1.json")
    _fill(at, case)
    at.text_input(key="assess_steroid_start").input("2026-02-31").run()
    assert "Steroid start date: 2026-02-31 is not a real date (February 2026 has 28 days)." in (
        _texts(at.error)
    )
    assert at.text_input(key="assess_steroid_start").value == "2026-02-31"
    assert any(
        "entries with a red message under them are corrected (Steroid start date)" in t
        for t in _texts(at.info)
    )
    assert not any("Steroid-refractory" in t for t in _texts(at.error))


def test_out_of_range_is_named_beside_the_field_and_not_clamped(at) -> None:
    case = _example("refractory_r1.json")
    case["patient"]["hemoglobin"]["value"] = 900  # g/L: a slip, not a patient
    case["assessments"][0]["measurements"]["skin_rash_bsa_percent"] = 150
    _fill(at, case)
    errors = _texts(at.error)
    assert (
        "Hemoglobin: 900 g/L is outside the allowed range (20–250 g/L). Check the unit beside "
        "it: 85 g/L = 8.5 g/dL." in errors
    )
    assert "Rash: 150 % BSA is outside the allowed range (0–100 % BSA)." in errors
    assert at.text_input(key=_row_key(0, "rash_bsa")).value == "150"  # not 100
    assert at.text_input(key="assess_age").value == "42"


def test_decimal_comma_is_a_decimal_point(at) -> None:
    case = _example("refractory_r1.json")
    _fill(at, case)
    _finding(at, 1, "bilirubin", "1,5")  # stage 0, not 15 (stage 3)
    assert any("rule R1" in t for t in _texts(at.error))
    _finding(at, 1, "bilirubin", "1,5,3")
    assert any(
        t.startswith("Total bilirubin (mg/dL): “1,5,3” is not a number")
        and "Allowed: 0–100 mg/dL." in t
        for t in _texts(at.error)
    )


def test_a_cleared_hemoglobin_withholds_only_the_risk_estimate(at) -> None:
    _fill(at, _example("refractory_r1.json"))
    at.text_input(key="assess_hb").input("").run()
    assert any("rule R1" in t for t in _texts(at.error))
    assert "Hazard ratio vs reference patient" not in [m.label for m in at.metric]
    assert not any("out of range" in t or "outside" in t for t in _texts(at.error))


def test_a_blank_day_14_bilirubin_never_reads_as_healed(at) -> None:
    """Liver stage 3 at baseline (bilirubin 8 mg/dL, clinical-rules.md §1), no bilirubin on
    day 14: the course is never called steroid-responsive (§7)."""
    case = _example("responsive.json")
    case["format"] = "srgvhd-case/2"
    every_organ = {
        "skin_rash_bsa_percent": 0,
        "skin_bullae_desquamation_bsa_percent": 0,
        "upper_gi_persistent_symptoms": False,
        "stool_ml_per_day": 0,
        "stool_episodes_per_day": 0,
        "severe_abdominal_pain_or_ileus": False,
        "grossly_bloody_stool": False,
    }
    case["assessments"] = [
        {"date": day, "measurements": {**every_organ, "bilirubin": bilirubin}}
        for day, bilirubin in (
            ("2026-09-01", {"value": 8, "unit": "mg/dL"}),
            ("2026-09-08", {"value": 4, "unit": "mg/dL"}),
            ("2026-09-15", None),
        )
    ]
    _fill(at, case)
    shown = " ".join(_texts(at.error) + _texts(at.success) + _texts(at.info) + _texts(at.warning))
    assert "Steroid-responsive" not in shown
    assert "not assessable" in shown or "liver not measured" in shown


def test_inputs_survive_a_page_switch(at) -> None:
    _fill(at, _example("refractory_r1.json"))
    at.switch_page("views/about.py").run()
    assert not at.exception
    at.switch_page("views/assess.py").run()
    assert at.text_input(key="assess_age").value == "42"
    assert at.text_input(key=_row_key(1, "rash_bsa")).value == "60"
    assert any("rule R1" in t for t in _texts(at.error))


def _dates(at: AppTest) -> list[str]:
    return [t.key for t in at.text_input if t.key.endswith("_date")]


def test_deleting_an_assessment_asks_first_and_keeps_the_others(at) -> None:
    _fill(at, _example("refractory_r1.json"))
    both = [_row_key(0, "date"), _row_key(1, "date")]
    # Delete asks; "Keep" keeps the assessment with everything typed in it
    at.button(key=_row_key(1, "delete")).click().run()
    assert _dates(at) == both
    assert "**Delete assessment 2 and everything typed in it?**" in _texts(at.markdown)
    at.button(key=_row_key(1, "delete_keep")).click().run()
    assert _dates(at) == both and at.text_input(key=_row_key(1, "rash_bsa")).value == "60"
    assert not any(t.startswith("**Delete assessment") for t in _texts(at.markdown))
    # asked again, "Yes, delete" removes only that assessment
    at.button(key=_row_key(1, "delete")).click().run()
    at.button(key=_row_key(1, "delete_yes")).click().run()
    assert _dates(at) == [_row_key(0, "date")]
    assert at.text_input(key=_row_key(0, "rash_bsa")).value == "30"
    assert not any("Steroid-refractory" in t for t in _texts(at.error))


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
    assert _verdicts(at.error)[0].startswith("**Steroid-refractory by rule R3")
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
    assert at.text_input(key="assess_age").value == "15"
    assert at.success[0].value.startswith("**Steroid-responsive")
    bad = data.replace(b'"2026-09-08"', b'"2026-08-08"')
    at.sidebar.file_uploader(key="assess_open_case").set_value(
        ("bad.json", bad, "application/json")
    ).run()
    refusals = _texts(at.sidebar.error)
    assert refusals == [
        "Case file not opened, the form is unchanged: "
        "assessment 2, date: before the steroid start date (2026-09-01) (file field "
        "assessments[1].date)"
    ]
    assert at.text_input(key="assess_age").value == "15"
    assert at.success[0].value.startswith("**Steroid-responsive")


def test_opened_case_keeps_rule_set_and_grade_override(at) -> None:
    case = _example("refractory_r1.json")
    case.update(rule_set="ebmt2018", grade_override="IV")
    at.sidebar.file_uploader(key="assess_open_case").set_value(
        ("c.json", json.dumps(case).encode(), "application/json")
    ).run()
    assert at.selectbox(key="assess_rule_set").value == "ebmt2018"
    assert at.selectbox(key="assess_grade_override").value == "IV"


def test_unload_guard_follows_unsaved_entries(at) -> None:
    def guard() -> str:
        (script,) = [
            e.proto.body
            for e in at.main
            if getattr(e, "type", None) == "html" and "beforeunload" in e.proto.body
        ]
        return script

    assert "window.srgvhdUnsaved = false;" in guard()
    at.text_input(key="assess_age").input("42").run()
    assert "window.srgvhdUnsaved = true;" in guard()


def test_the_form_paints_before_heavy_imports() -> None:
    """What the Assess page imports at its top does not pull in pandas, the risk model, charts or
    PDF (they are imported after the patient inputs are drawn)."""
    page = (ROOT / "views" / "assess.py").read_text(encoding="utf-8")
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


def test_risk_intervals_are_as_prominent_as_the_estimates(at) -> None:
    _fill(at, _example("refractory_r1.json"))
    metrics = {m.label: m.value for m in at.metric}
    pairs = {
        "Hazard ratio vs reference patient": "95% CI of the hazard ratio",
        "Survival at 180 days": "95% band at 180 days",
        "Survival at 365 days": "95% band at 365 days",
    }
    for estimate_label, interval_label in pairs.items():
        estimate = float(metrics[estimate_label].rstrip("%"))
        low, high = (
            float(x)
            for x in re.fullmatch(r"([\d.]+)%?–([\d.]+)%?", metrics[interval_label]).groups()
        )
        assert low <= estimate <= high, (estimate_label, metrics[interval_label])


def test_timeline_legend_is_below_and_markers_contrast_with_the_background(at) -> None:
    _fill(at, _example("refractory_r1.json"))
    charts = [json.loads(e.proto.spec) for e in _elements(at, "vega_lite_chart")]
    (color,) = [
        layer["encoding"]["color"]
        for chart in charts
        for layer in chart.get("layer", [])
        if "color" in layer.get("encoding", {})
        and layer["encoding"]["color"].get("field") == "response"
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


def test_refractory_risk_is_the_patients_own_with_method_notes_apart(at) -> None:
    _fill(at, _example("refractory_r1.json"))
    labels = [e.label for e in at.expander]
    assert "If this course becomes steroid-refractory" not in labels
    assert "Statistical method" in labels
    assert any(h.value == "Survival risk (Cox model)" for h in at.subheader)


def test_risk_of_a_responsive_course_is_collapsed_and_conditional(at) -> None:
    _fill(at, _example("responsive.json"))
    (conditional,) = [
        e for e in at.expander if e.label == "If this course becomes steroid-refractory"
    ]
    assert not conditional.proto.expanded
    inside = [m.label for m in conditional.metric]
    assert "Hazard ratio vs reference patient" in inside
    assert any("not this patient's prognosis now" in c.value for c in conditional.caption)
    outside = [m for m in at.metric if m.label == "Hazard ratio vs reference patient"]
    assert len(outside) == 1  # only the one inside the expander


def test_course_table_shows_the_findings_beside_the_stages(at) -> None:
    _fill(at, _example("refractory_r1.json"))
    course = at.table[0].value
    # day, response and grade first (in sight on a phone), then the stages beside the findings
    assert list(course.columns[:8]) == [
        "day",
        "response",
        "MAGIC grade",
        "date",
        "skin",
        "liver",
        "upper GI",
        "lower GI",
    ]
    # day 0 of examples/refractory_r1.json: rash 30%, bilirubin 1.0 mg/dL, stool 600 mL
    assert course["findings"].iloc[0].startswith("rash 30% · bullae 0% · bilirubin 1 mg/dL")
    # _fill types an srgvhd-case/1 blank as 0 (its old meaning), so the episodes read 0
    assert "stool 600 mL/day, 0 episodes/day" in course["findings"].iloc[0]


def test_course_table_marks_a_finding_not_measured(at) -> None:
    case = _example("refractory_r1.json")
    case["format"] = "srgvhd-case/2"
    case["assessments"][0]["measurements"]["stool_episodes_per_day"] = None
    at.sidebar.file_uploader(key="assess_open_case").set_value(
        ("nm.json", json.dumps(case).encode(), "application/json")
    ).run()
    assert not at.exception
    course = at.table[0].value
    assert "stool 600 mL/day, n/m episodes/day" in course["findings"].iloc[0]
    assert any("n/m = not measured" in c.value for c in at.caption)


def test_day_28_response_is_shown_with_its_published_meaning(at) -> None:
    # examples/responsive.json plus a day-29 assessment, still all stages 0: CR at day 28
    # (window days 28–35; MacMillan et al. 2010, Inamoto et al. 2014)
    case = _example("responsive.json")
    case["assessments"].append(
        {
            "date": "2026-09-30",
            "stages": dict.fromkeys(("skin", "liver", "upper_gi", "lower_gi"), 0),
        }
    )
    at.sidebar.file_uploader(key="assess_open_case").set_value(
        ("day28.json", json.dumps(case).encode(), "application/json")
    ).run()
    assert not at.exception
    assert "Bedside scores" in [h.value for h in at.subheader]
    shown = _texts(at.markdown)
    assert any(
        t.startswith("**Day-28 response: CR (CR/VGPR), assessed day 29 (2026-09-30)") for t in shown
    ), shown
    assert any("Inamoto" in t for t in _texts(at.caption))


def _findings(date_: str, rash: float, bilirubin: float | None, stool: float) -> dict:
    """An srgvhd-case/2 assessment of raw findings (null = not measured)."""
    return {
        "date": date_,
        "measurements": {
            "skin_rash_bsa_percent": rash,
            "skin_bullae_desquamation_bsa_percent": 0,
            "bilirubin": None if bilirubin is None else {"value": bilirubin, "unit": "mg/dL"},
            "upper_gi_persistent_symptoms": date_ == "2026-11-01",
            "stool_ml_per_day": stool,
            "stool_episodes_per_day": 0,
            "severe_abdominal_pain_or_ileus": False,
            "grossly_bloody_stool": False,
        },
    }


def test_opened_case_with_a_missing_day_14_bilirubin_is_never_called_responsive(at) -> None:
    # liver stage 1 at baseline (bilirubin 2.5 mg/dL); day 14 without bilirubin: not assessable,
    # R3 waits (clinical-rules.md §7.3, §7.6)
    case = {
        "format": "srgvhd-case/2",
        "patient": {"age_years": 42, "weight_kg": 70, "hemoglobin": {"value": 85, "unit": "g/L"}},
        "steroids": {"start_date": "2026-11-01", "methylprednisolone_mg_per_kg_day": 2},
        "assessments": [
            _findings("2026-11-01", 30, 2.5, 800),
            _findings("2026-11-06", 30, 2.5, 800),
            _findings("2026-11-08", 20, 2.2, 500),
            _findings("2026-11-15", 0, None, 200),
        ],
    }
    at.sidebar.file_uploader(key="assess_open_case").set_value(
        ("missing.json", json.dumps(case).encode(), "application/json")
    ).run()
    assert not at.exception
    assert not at.success  # never "Steroid-responsive"
    # amber, leading with what to enter (clinical-rules.md §7.6), never "not refractory so far"
    assert _verdicts(at.warning)[0].startswith(
        "**Cannot decide yet: liver not measured on day 14 — enter it. Rule R3 cannot be "
        "judged until then; its decision point, day 14 (2026-11-15), is overdue.**"
    )
    assert not any("Not refractory so far" in t for t in _texts(at.info) + _texts(at.warning))
    course = at.table[0].value
    day14 = course[course["day"] == 14].iloc[0]
    assert (day14["liver"], day14["MAGIC grade"], day14["response"]) == (
        "n/m",
        "0*",
        "not assessable",
    )
    assert "bilirubin n/m" in day14["findings"]
    captions = " ".join(c.value for c in at.caption)
    assert "n/m = not measured" in captions and "* grade from an assessment" in captions
    # the risk estimate is conditional: the course is not steroid-refractory
    assert any(e.label == "If this course becomes steroid-refractory" for e in at.expander)


def test_an_old_format_file_keeps_its_meaning_and_says_so(at) -> None:
    data = (EXAMPLES / "responsive.json").read_bytes()  # srgvhd-case/1: blank = not involved
    at.sidebar.file_uploader(key="assess_open_case").set_value(
        ("old.json", data, "application/json")
    ).run()
    assert any("older format srgvhd-case/1" in t for t in _texts(at.sidebar.warning))
    # day 7 had no stool entry: shown as 0 mL/day (not involved), not as "not measured"
    assert at.text_input(key=_row_key(1, "stool_ml")).value == "0"
    assert at.selectbox(key=_row_key(1, "pain_ileus")).value == "no"
    assert at.success[0].value.startswith("**Steroid-responsive")


def test_a_new_format_file_shows_not_measured_as_blank(at) -> None:
    case = _example("refractory_r1.json")
    case["format"] = "srgvhd-case/2"
    case["assessments"][1]["measurements"].update(stool_ml_per_day=None, grossly_bloody_stool=None)
    at.sidebar.file_uploader(key="assess_open_case").set_value(
        ("new.json", json.dumps(case).encode(), "application/json")
    ).run()
    assert not at.sidebar.warning
    assert at.text_input(key=_row_key(1, "stool_ml")).value == ""
    assert at.selectbox(key=_row_key(1, "bloody_stool")).value == F.NOT_MEASURED


def test_a_case_code_that_could_be_a_name_is_refused_beside_the_field(at) -> None:
    _fill(at, _example("refractory_r1.json"))
    at.text_input(key="assess_case_code").input("Jane Doe").run()
    assert any(t.startswith("Case code: ") for t in _texts(at.error))
    at.text_input(key="assess_case_code").input("W3-017").run()
    assert any("rule R1" in t for t in _texts(at.error))


def test_labs_are_entered_and_go_into_the_case(at) -> None:
    _fill(at, _example("refractory_r1.json"))
    at.button(key="assess_add_labs").click().run()
    lab = "assess_labs_2_"  # rows 0 and 1 are the two assessments
    at.text_input(key=f"{lab}date").input("day 0")
    at.text_input(key=f"{lab}ldh").input("420")
    at.selectbox(key=f"{lab}creatinine_unit").set_value("umol/L")
    at.text_input(key=f"{lab}creatinine").input("97,2")
    at.text_input(key=f"{lab}platelets").input("45").run()
    assert any("rule R1" in t for t in _texts(at.error))
    labs = F.read_form(at.session_state["assess_form"]).case["labs"]
    assert labs == [
        {
            "date": "2026-11-01",
            "ldh_u_l": 420,
            "creatinine": {"value": 97.2, "unit": "umol/L"},
            "platelets_10e9_l": 45,
            "map_probability": None,
        }
    ]
    at.text_input(key=f"{lab}platelets").input("0").run()
    assert "Platelets: 0 10⁹/L is outside the allowed range (1–5000 10⁹/L)." in _texts(at.error)
    # an optional lab never hides the verdict: the case is assessed without it, and says so
    assert any("rule R1" in t for t in _texts(at.error))
    assert any("Labs left out of the bedside scores" in t for t in _texts(at.warning))
    assert at.sidebar.get("download_button")[0].proto.disabled  # not saved without the lab


def test_a_unit_is_fixed_while_a_value_is_entered_in_it(at) -> None:
    """Switching the bilirubin unit under a typed 3.5 would silently read it as 3.5 µmol/L (liver
    0 instead of 2): the choice is disabled until the values are cleared."""
    at.button(key="assess_add_assessment").click().run()
    unit = at.selectbox(key="assess_bilirubin_unit")
    assert not unit.disabled
    _finding(at, 0, "bilirubin", "3,5")
    unit = at.selectbox(key="assess_bilirubin_unit")
    assert unit.disabled and unit.value == "mg/dL"
    assert "clear the bilirubin values first" in unit.help
    _finding(at, 0, "bilirubin", "")
    assert not at.selectbox(key="assess_bilirubin_unit").disabled


def test_add_assessment_stops_at_the_cap(at, monkeypatch) -> None:
    """The page has no editable grid, so a forged message cannot add thousands of rows at once
    (docs/security.md §4); one row per click, and none past what a case file may hold (a forged
    click on the disabled button is refused by ``add_row`` itself, tests/test_form.py)."""
    from srgvhd.app import form_layout

    monkeypatch.setitem(form_layout.MAX_ROWS, "assessments", 2)
    for _ in range(2):
        at.button(key="assess_add_assessment").click().run()
    assert at.button(key="assess_add_assessment").disabled
    assert len([t for t in at.text_input if t.key.endswith("_date")]) == 2
    assert not _elements(at, "dataframe")  # no editable grid on the page


def test_a_rerun_without_a_change_does_not_rerun_the_engine(at, monkeypatch) -> None:
    """The result is kept per session for an unchanged case (srgvhd.app.ui); a changed case is
    assessed again and its verdict follows the change."""
    import srgvhd.risk.patient as patient_module

    calls = []
    real = patient_module.assess_patient

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(patient_module, "assess_patient", counting)
    _fill(at, _example("refractory_r1.json"))
    assert _verdicts(at.error)[0].startswith("**Steroid-refractory by rule R1")
    assessed = len(calls)
    assert assessed >= 1
    at.run()
    at.run()
    assert len(calls) == assessed
    assert _verdicts(at.error)[0].startswith("**Steroid-refractory by rule R1")
    at.text_input(key="assess_age").input("43").run()
    assert len(calls) == assessed + 1


# ---------------------------------------------------------------- headline, bar, small items


def _child_case(nausea_day0: bool | None = None) -> dict:
    """12 years, 38 kg (child thresholds, clinical-rules.md §1), rash 30 % and stool 900 mL/day
    (23.7 mL/kg/day: lower GI stage 2) on day 0 and day 7, nausea not measured on day 7."""

    def assessment(when: str, nausea: bool | None) -> dict:
        return {
            "date": when,
            "measurements": {
                "skin_rash_bsa_percent": 30,
                "skin_bullae_desquamation_bsa_percent": 0,
                "bilirubin": {"value": 1, "unit": "mg/dL"},
                "upper_gi_persistent_symptoms": nausea,
                "stool_ml_per_day": 900,
                "stool_episodes_per_day": None,
                "severe_abdominal_pain_or_ileus": False,
                "grossly_bloody_stool": False,
            },
        }

    return {
        "format": "srgvhd-case/2",
        "patient": {"age_years": 12, "weight_kg": 38},
        "steroids": {"start_date": "2026-11-02", "methylprednisolone_mg_per_kg_day": 2},
        "assessments": [assessment("2026-11-02", nausea_day0), assessment("2026-11-09", None)],
    }


def test_a_rule_that_cannot_be_judged_leads_with_what_to_enter_in_amber(at) -> None:
    _fill(at, _child_case())
    # upper GI never measured: day 7 is not assessable and R2 (day 7) waits (§7.4, §7.6)
    lead = (
        "**Cannot decide yet: upper GI not measured on day 7; upper GI not measured at baseline "
        "(day 0) — enter them. Rule R2 cannot be judged until then; its decision point, day 7 "
        "(2026-11-09), is overdue.**"
    )
    assert [t.split("  \n")[0] for t in _verdicts(at.warning)] == [lead]
    # skin 2, liver 0, lower GI 2 (child) = grade III, marked: upper GI left out (§2, §7.5)
    assert _bars(at.warning) == [
        "**Cannot decide yet** · rule R2 · day 7 · max grade III*  \nEnter what is missing: "
        "upper GI not measured on day 7; upper GI not measured at baseline (day 0)."
    ]
    every_alert = _texts(at.info) + _texts(at.warning) + _texts(at.success) + _texts(at.error)
    assert not any("Not refractory so far" in t for t in every_alert)
    # which organs each assessment measured, before the verdict
    assert (
        "Day 0 (2026-11-02): skin, liver and lower GI measured; not measured: upper GI.  \n"
        "Day 7 (2026-11-09): skin, liver and lower GI measured; not measured: upper GI."
    ) in _texts(at.caption)


def test_a_missing_day_7_finding_alone_says_enter_it(at) -> None:
    # measured "no" at baseline: a blank on day 7 is taken as not involved (§7.2), so day 7 is
    # assessable; a "yes" at baseline (stage 1) left blank on day 7 leaves R2 waiting (§7.3)
    _fill(at, _child_case(nausea_day0=True))
    assert _verdicts(at.warning)[0].startswith(
        "**Cannot decide yet: upper GI not measured on day 7 — enter it. Rule R2"
    )


def test_a_passed_decision_point_is_said_first(at, monkeypatch) -> None:
    case = _example("refractory_r1.json")
    case["assessments"] = case["assessments"][:1]  # baseline only: next decision day 7
    monkeypatch.setattr(report_text, "report_today", lambda: date(2026, 11, 9))
    _fill(at, case)
    assert _verdicts(at.warning)[0].startswith(
        "**Decision overdue: the day-7 decision point (2026-11-08) has passed — enter the day-7 "
        "assessment. Not refractory so far.**"
    )
    assert _bars(at.warning)[0].startswith("**Decision overdue** · next decision day 7")
    monkeypatch.setattr(report_text, "report_today", lambda: date(2026, 11, 8))
    at.run()
    assert _verdicts(at.warning)[0].startswith("**Decision due today: day 7 (2026-11-08)")
    monkeypatch.setattr(report_text, "report_today", lambda: date(2026, 11, 7))
    at.run()
    assert not _verdicts(at.warning)
    assert _verdicts(at.info)[0].startswith(
        "**Not refractory so far; next decision point day 7 (2026-11-08).**"
    )


def test_an_incomplete_form_says_in_the_bar_what_stands_in_the_way(at) -> None:
    at.text_input(key="assess_age").input("42").run()
    bar = [t for t in _texts(at.info) if t.startswith("**No verdict yet.**")]
    assert len(bar) == 1 and "Still to enter: " in bar[0]
    at.text_input(key="assess_weight").input("1,5,3").run()
    bar = [t for t in _texts(at.info) if t.startswith("**No verdict yet.**")]
    assert "Correct the entries marked in red: Weight." in bar[0]


def test_a_bilirubin_of_30_mg_dl_or_more_is_asked_about_not_changed(at) -> None:
    _fill(at, _example("refractory_r1.json"))
    _finding(at, 1, "bilirubin", "29.9")  # below the question's threshold: no question
    assert not [t for t in _texts(at.warning) if "did you mean µmol/L" in t]
    _finding(at, 1, "bilirubin", "40")
    asked = [t for t in _texts(at.warning) if "did you mean µmol/L" in t]
    # 40 µmol/L / 17.1 = 2.3 mg/dL (clinical-rules.md §1)
    assert asked == [
        "Total bilirubin 40 mg/dL is very high: did you mean µmol/L? (40 µmol/L would be "
        "2.3 mg/dL.) Confirm the value, or correct it: type the value in mg/dL, or clear the "
        "bilirubin values and choose µmol/L as the bilirubin unit."
    ]
    assert not _verdicts(at.error)  # no verdict on a value not confirmed
    assert at.sidebar.download_button(key="assess_save_case").disabled
    at.button(key="assess_confirm_bilirubin:1:40").click().run()
    assert not [t for t in _texts(at.warning) if "did you mean µmol/L" in t]
    # confirmed as typed: 40 mg/dL is liver stage 4 (> 15 mg/dL, MAGIC), nothing converted
    course = at.table[0].value
    assert course[course["day"] == 4].iloc[0]["liver"] == "4"
    assert _verdicts(at.error)[0].startswith("**Steroid-refractory by rule R1")
    _finding(at, 1, "bilirubin", "45")  # another value is asked about again
    assert [t for t in _texts(at.warning) if "did you mean µmol/L" in t]


def test_the_baseline_date_is_a_placeholder_not_text_to_type_after(at) -> None:
    at.text_input(key="assess_steroid_start").input("2026-11-02").run()
    at.button(key="assess_add_assessment").click().run()
    field = at.text_input(key=_row_key(0, "date"))
    assert field.value == ""
    assert field.placeholder.startswith("day 0")
    field.input("2026-11-02")
    _apply(at, 0)
    assert at.text_input(key=_row_key(0, "date")).value == "2026-11-02"


def test_the_reference_patient_has_no_interval_and_the_caveat_is_beside_the_figures(
    at, monkeypatch, tmp_path
) -> None:
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(tmp_path / "none"))  # the bundled reference
    from srgvhd.app import ui as app_ui

    app_ui.clear_model_cache()
    case = _example("refractory_r2.json")  # grade III
    case["patient"] = {
        "age_years": 30,
        "weight_kg": 70,
        "hemoglobin": {"value": 120, "unit": "g/L"},
    }
    _fill(at, case)
    app_ui.clear_model_cache()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Hazard ratio vs reference patient"] == "1"
    assert metrics["95% CI of the hazard ratio"] == "— (reference patient)"
    # the synthetic-model caveat in the risk section itself, before the figures
    risk = [
        t
        for t in _texts(at.warning)
        if t.startswith("Synthetic reference model — retrain on your centre's data")
    ]
    assert risk


def test_an_assessment_is_applied_as_one_form(at) -> None:
    """Tab between an assessment's fields sends nothing; its values reach the verdict together,
    with Enter or "Apply (Enter)" (one rerun per assessment, not one per field)."""
    _fill(at, _example("refractory_r1.json"))
    assert _verdicts(at.error)[0].startswith("**Steroid-refractory by rule R1")
    # day 4 rash back to 30 % (skin 2 = baseline): typed, not applied -> the verdict stands
    at.text_input(key=_row_key(1, "rash_bsa")).input("30")
    at.text_input(key="assess_age").input("43").run()  # another field's rerun
    assert _verdicts(at.error)[0].startswith("**Steroid-refractory by rule R1")
    assert at.text_input(key=_row_key(1, "rash_bsa")).value == "60"  # as last applied
    _finding(at, 1, "rash_bsa", "30")
    # skin 2 and lower GI 1 on day 4 as at baseline: no response, not progression — R1 does
    # not fire; the next decision point is day 7 (2026-11-08), before the test's "today"
    assert not _verdicts(at.error)
    assert _verdicts(at.warning)[0].startswith("**Decision overdue: the day-7 decision point")
    # the note the page script shows while an assessment holds typed, unapplied values
    notes = [h for h in at.get("html") if h.proto.body.startswith('<div class="srgvhd-pending')]
    assert len(notes) == 1 and "Typed but not applied yet" in notes[0].proto.body
