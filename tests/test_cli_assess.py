"""``srgvhd assess CASE.json [--json] [--rules study|ebmt2018]`` (interfaces.md §2).

Run in-process through ``srgvhd.cli.main`` (plus one real subprocess of the console script). The
expected values of the interfaces.md §1 example course are the ones interfaces.md §2 prints,
re-derived by hand from clinical-rules.md §1–5.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from srgvhd.clinical.course import LEGACY_WARNING
from tests.cases import case_doc, check_contract, staged, valid_doc

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"


def write(tmp_path: Path, doc: Any, name: str = "case.json") -> Path:
    path = tmp_path / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    from srgvhd.cli.main import main

    try:
        rc = main(list(argv))
    except SystemExit as exc:  # argparse usage errors
        rc = exc.code
    out, err = capsys.readouterr()
    return rc, out, err


# ---------------------------------------------------------------- the JSON contract


@pytest.mark.parametrize("fmt", ["srgvhd-case/1", "srgvhd-case/2"])
def test_interfaces_example_course(tmp_path, capsys, fmt):
    """The interfaces.md §1 example gives the §2 result in both formats: every organ's primary
    finding is entered (the null episode count is a secondary finding: the volume stages lower
    GI), so only the /1 file warns that its blanks were read as not involved."""
    doc = {**valid_doc(), "format": fmt}
    rc, out, err = run(capsys, "assess", str(write(tmp_path, doc)), "--json", "--no-risk")
    assert rc == 0, err
    result = json.loads(out)
    check_contract(result)
    rows = [
        {k: r[k] for k in ("date", "day", "stages", "grade", "minnesota_risk", "response")}
        for r in result["assessments"]
    ]
    assert rows == [
        {"date": "2026-11-01", "day": 0,
         "stages": {"skin": 2, "liver": 1, "upper_gi": 1, "lower_gi": 1},
         "grade": "II", "minnesota_risk": "high", "response": None},
        {"date": "2026-11-08", "day": 7,
         "stages": {"skin": 1, "liver": 0, "upper_gi": 0, "lower_gi": 1},
         "grade": "II", "minnesota_risk": "standard", "response": "PR"},
    ]  # fmt: skip
    assert result["max_grade"] == "II"
    assert {k: result["status"][k] for k in ("value", "rule", "day", "date")} == {
        "value": "not refractory so far", "rule": None, "day": None, "date": None,
    }  # fmt: skip
    assert result["status"]["next_decision_day"] == 14
    assert result["status"]["next_decision_date"] == "2026-11-15"
    assert result["status"]["waiting"] is None
    assert result["warnings"] == ([LEGACY_WARNING] if fmt.endswith("/1") else [])
    assert all("grade_incomplete" not in r for r in result["assessments"])
    assert "risk" not in result


@pytest.mark.parametrize(
    ("name", "value", "rule", "day"),
    [
        ("refractory_r1.json", "steroid-refractory", "R1", 4),
        ("refractory_r2.json", "steroid-refractory", "R2", 7),
        ("responsive.json", "steroid-responsive", None, None),
    ],
)
def test_examples_through_the_cli(capsys, name, value, rule, day):
    rc, out, err = run(capsys, "assess", str(EXAMPLES / name), "--json", "--no-risk")
    assert rc == 0, err
    result = json.loads(out)
    check_contract(result)
    assert (result["status"]["value"], result["status"]["rule"], result["status"]["day"]) == (
        value,
        rule,
        day,
    )


def test_rules_option_selects_the_rule_set(tmp_path, capsys):
    # PR on days 7 and 14: study rule R3 fires on day 14; EBMT 2018 waits for day 29.
    doc = valid_doc()
    doc["assessments"].append(
        {"date": "2026-11-15", "stages": {"skin": 1, "liver": 0, "upper_gi": 0, "lower_gi": 1}}
    )
    path = str(write(tmp_path, doc))
    _, study_out, _ = run(capsys, "assess", path, "--json", "--no-risk", "--rules", "study")
    _, ebmt_out, _ = run(capsys, "assess", path, "--json", "--no-risk", "--rules", "ebmt2018")
    _, default_out, _ = run(capsys, "assess", path, "--json", "--no-risk")
    study, ebmt = json.loads(study_out), json.loads(ebmt_out)
    assert (study["status"]["value"], study["status"]["rule"]) == ("steroid-refractory", "R3")
    assert ebmt["status"]["value"] == "not refractory so far"
    assert ebmt["status"]["next_decision_day"] == 29
    assert json.loads(default_out)["status"] == study["status"]


def test_table_output_names_the_verdict(capsys):
    rc, out, err = run(capsys, "assess", str(EXAMPLES / "refractory_r1.json"), "--no-risk")
    assert rc == 0, err
    assert "R1" in out and "day 4" in out and "2026-11-05" in out
    assert err == ""


@pytest.mark.parametrize("risk", [(), ("--no-risk",)])
def test_table_output_prints_each_warning_once(tmp_path, capsys, risk):
    """A /1 file warns that its blanks were read as not involved: once, with or without risk."""
    doc = {**valid_doc(), "format": "srgvhd-case/1"}
    rc, out, err = run(capsys, "assess", str(write(tmp_path, doc)), *risk)
    assert rc == 0, err
    assert out.count(f"warning: {LEGACY_WARNING}") == 1


def test_grade_override_of_a_grade_i_course_is_estimated_with_a_warning(tmp_path, capsys):
    """§6: the clinician may override the grade; when the course's own grade is outside II–IV
    the estimate is given for the override and the result says so."""
    doc = case_doc([staged(0, skin=1)], hemoglobin={"value": 85, "unit": "g/L"})
    rc, out, err = run(capsys, "assess", str(write(tmp_path, doc)), "--json")
    result = json.loads(out)
    assert rc == 0 and "risk" not in result
    assert any("covers grades II–IV; this course's grade is I" in w for w in result["warnings"])
    doc["grade_override"] = "III"
    rc, out, err = run(capsys, "assess", str(write(tmp_path, doc)), "--json")
    result = json.loads(out)
    assert rc == 0 and result["risk"]["covariates"]["grade"] == "III"
    assert result["risk"]["grade_source"] == "clinician override"
    assert any("override" in w and "own highest MAGIC grade is I" in w for w in result["warnings"])
    doc["assessments"] = [staged(0, skin=3)]  # grade II: an override to IV needs no warning
    doc["grade_override"] = "IV"
    rc, out, err = run(capsys, "assess", str(write(tmp_path, doc)), "--json")
    assert not any("override" in w for w in json.loads(out)["warnings"])


def test_with_risk_model_the_contract_still_holds(capsys):
    rc, out, err = run(capsys, "assess", str(EXAMPLES / "refractory_r2.json"), "--json")
    assert rc == 0, err
    result = json.loads(out)
    check_contract(result)
    if "risk" in result:
        risk = result["risk"]
        assert {"model_version", "reference_model", "covariates", "hazard_ratio",
                "hazard_ratio_ci", "survival"} <= set(risk)  # fmt: skip
        assert set(risk["covariates"]) >= {"age_group", "grade", "hemoglobin_le_90"}
        assert risk["covariates"]["age_group"] == "18-34"  # age 28
        assert risk["covariates"]["hemoglobin_le_90"] is False  # 10.2 g/dL = 102 g/L
        assert risk["covariates"]["grade"] == "III"  # highest MAGIC grade of the course
        assert set(risk["survival"]) == {"180", "365"}
    else:
        assert result["warnings"], "no risk object and no warning saying why"


# ---------------------------------------------------------------- bad input


def _bad(path: str, value: Any) -> dict:
    doc = valid_doc()
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    target = doc
    for key in parents:
        target = target[key]
    target[last] = value
    return doc


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (
            _bad("assessments.1.date", "2026-10-31"),
            "assessments[1].date: before steroids.start_date",
        ),  # noqa: E501
        (_bad("assessments.1.stages.skin", 7), "assessments[1].stages.skin"),
        (_bad("patient.age_years", "forty"), "patient.age_years"),
        (
            _bad("assessments.0.measurements.bilirubin.unit", "mmol/L"),
            "assessments[0].measurements.bilirubin.unit",
        ),  # noqa: E501
        (_bad("format", None), "format"),
        (_bad("assessments.0.date", "2026-11-02"), "assessments"),
        (json.dumps(valid_doc()).replace('"age_years": 42', '"age_years": NaN'), None),
        ("", "file"),
        ("{not json", "file"),
        ("[]", "case"),
    ],
)
def test_bad_input_exit_2_one_stderr_line(tmp_path, capsys, content, field):
    rc, out, err = run(capsys, "assess", str(write(tmp_path, content)), "--json", "--no-risk")
    assert rc == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and err.endswith("\n")
    if field is None:  # NaN: refused as a JSON constant or as a non-finite age
        assert lines[0].startswith(("file:", "patient.age_years:"))
    else:
        assert lines[0].startswith(field)


def test_unknown_key_with_line_break_still_one_line(tmp_path, capsys):
    doc = _bad("assessments.1.stages.gut\nstage", 1)
    rc, out, err = run(capsys, "assess", str(write(tmp_path, doc)), "--json", "--no-risk")
    assert (rc, out) == (2, "")
    assert len(err.splitlines()) == 1 and err.startswith("assessments[1].stages.")


def test_directory_instead_of_file_exit_2(tmp_path, capsys):
    rc, out, err = run(capsys, "assess", str(tmp_path), "--json", "--no-risk")
    assert (rc, out) == (2, "")
    assert len(err.splitlines()) == 1 and err.startswith("file:")


def test_several_problems_still_one_line(tmp_path, capsys):
    doc = _bad("patient.age_years", -3)
    doc["grade_override"] = "V"
    rc, out, err = run(capsys, "assess", str(write(tmp_path, doc)), "--no-risk")
    assert (rc, out) == (2, "")
    assert len(err.splitlines()) == 1
    assert err.startswith("patient.age_years") and "grade_override" in err


def test_missing_file_exit_2(tmp_path, capsys):
    rc, out, err = run(capsys, "assess", str(tmp_path / "absent.json"), "--json", "--no-risk")
    assert (rc, out) == (2, "")
    assert len(err.splitlines()) == 1 and err.startswith("file:")


def test_unknown_rule_set_exit_2(capsys):
    path = str(EXAMPLES / "responsive.json")
    rc, out, err = run(capsys, "assess", path, "--rules", "fda", "--no-risk")
    assert (rc, out) == (2, "")
    assert len(err.splitlines()) == 1


def test_bad_input_leaves_the_file_untouched(tmp_path, capsys):
    doc = _bad("assessments.1.stages.skin", 7)
    path = write(tmp_path, doc)
    before = path.read_bytes()
    run(capsys, "assess", str(path), "--json", "--no-risk")
    assert path.read_bytes() == before


# ---------------------------------------------------------------- the console script


def _console_script() -> str:
    return str(Path(sys.executable).with_name("srgvhd"))


def test_console_script_subprocess(tmp_path):
    good = subprocess.run(
        [_console_script(), "assess", str(EXAMPLES / "refractory_r2.json"), "--json", "--no-risk"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert good.returncode == 0, good.stderr
    result = json.loads(good.stdout)
    check_contract(result)
    assert (result["status"]["rule"], result["status"]["date"]) == ("R2", "2026-10-27")

    bad_file = write(tmp_path, _bad("assessments.1.date", "2026-10-31"))
    bad = subprocess.run(
        [_console_script(), "assess", str(bad_file), "--json", "--no-risk"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.splitlines() == [
        "assessments[1].date: before steroids.start_date (2026-11-01)"
    ]


def test_table_mode_when_the_model_cannot_reach_365_days(tmp_path, capsys):
    """A model whose cohort's follow-up ends before day 365 has no 365-day estimate;
    the table says so instead of crashing (the JSON gives nulls)."""
    from tests.test_predict import cohort_csv, synthetic_cohort

    df = synthetic_cohort(120, seed=3, censor_high=300.0)
    df["os_days"] = df["os_days"].clip(upper=300)
    cohort = tmp_path / "cohort.csv"
    cohort.write_bytes(cohort_csv(df))
    models = str(tmp_path / "models")
    rc, _, err = run(
        capsys, "train", str(cohort), "--promote", "--allow-low-epv", "--models-dir", models
    )
    assert rc == 0, err
    case = str(EXAMPLES / "refractory_r2.json")
    rc, out, err = run(capsys, "assess", case, "--json", "--models-dir", models)
    assert rc == 0, err
    survival = json.loads(out)["risk"]["survival"]
    assert survival["365"] == {"estimate": None, "lower": None, "upper": None}
    assert survival["180"]["estimate"] is not None
    rc, out, err = run(capsys, "assess", case, "--models-dir", models)
    assert (rc, err) == (0, "")
    assert "Survival at 365 days: not estimated (beyond the model's follow-up)." in out
    assert "Survival at 180 days: " in out and "(95% band " in out


def test_not_measured_through_the_cli(tmp_path, capsys):
    """docs/interfaces.md §2: a /2 case with a blank day-14 bilirubin on a liver-involved course."""
    doc = valid_doc()
    doc["format"] = "srgvhd-case/2"
    doc["assessments"][0]["measurements"]["bilirubin"] = {"value": 8.0, "unit": "mg/dL"}
    doc["assessments"].append(
        {"date": "2026-11-15", "stages": {"skin": 0, "liver": None, "upper_gi": 0, "lower_gi": 0}}
    )
    rc, out, err = run(capsys, "assess", str(write(tmp_path, doc)), "--json", "--no-risk")
    assert (rc, err) == (0, "")
    result = json.loads(out)
    day14 = result["assessments"][2]
    assert day14["stages"]["liver"] is None and day14["not_measured"] == ["liver"]
    assert (day14["response"], day14["grade_incomplete"]) == ("not assessable", True)
    assert result["status"]["value"] == "not refractory so far"
    assert result["status"]["waiting"] == {
        "rule": "R3", "day": 14, "reason": "liver not measured on day 14"
    }  # fmt: skip
    rc, out, err = run(capsys, "assess", str(write(tmp_path, doc)), "--no-risk")
    assert rc == 0 and "not assessable" in out
    assert "Cannot decide yet: liver not measured on day 14 — enter it. Rule R3 cannot" in out
    assert "Day 14 (2026-11-15): skin, upper GI and lower GI measured; not measured: liver." in out


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        ("assessments.1.stages.liver", 7, "assessments[1].stages.liver"),
        ("assessments.1.stages.liver", "n/a", "assessments[1].stages.liver"),
        ("grade_override", "V", "grade_override"),
    ],
)
def test_bad_v2_input_exit_2_one_line_naming_the_field(tmp_path, capsys, path, value, field):
    doc = _bad(path, value)
    doc["format"] = "srgvhd-case/2"
    rc, out, err = run(capsys, "assess", str(write(tmp_path, doc)), "--json", "--no-risk")
    assert (rc, out) == (2, "")
    assert len(err.splitlines()) == 1 and err.startswith(field)


def test_rule_set_stored_in_the_case_and_the_flag_overrides_it(tmp_path, capsys):
    doc = {**valid_doc(), "format": "srgvhd-case/2", "rule_set": "ebmt2018"}
    path = str(write(tmp_path, doc))
    rc, out, _ = run(capsys, "assess", path, "--json", "--no-risk")
    assert json.loads(out)["status"]["rule_set"] == "ebmt2018"
    rc, out, _ = run(capsys, "assess", path, "--json", "--no-risk", "--rules", "study")
    result = json.loads(out)
    assert result["status"]["rule_set"] == "study"
    assert result["warnings"] == [
        "judged by the study rule set as asked, not by the case's own (ebmt2018)"
    ]


def test_the_table_says_first_that_a_decision_is_overdue(tmp_path, capsys, monkeypatch) -> None:
    from srgvhd.report import text as report_text

    doc = json.loads((EXAMPLES / "refractory_r1.json").read_text(encoding="utf-8"))
    doc["assessments"] = doc["assessments"][:1]  # baseline 2026-11-01 only: next decision day 7
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    monkeypatch.setattr(report_text, "report_today", lambda: date(2026, 11, 9))
    rc, out, err = run(capsys, "assess", str(path), "--no-risk")
    assert (rc, err) == (0, "")
    assert (
        "Decision overdue: the day-7 decision point (2026-11-08) has passed — enter the day-7 "
        "assessment. Not refractory so far."
    ) in out.splitlines()
    monkeypatch.setattr(report_text, "report_today", lambda: date(2026, 11, 7))
    rc, out, err = run(capsys, "assess", str(path), "--no-risk")
    assert "Not refractory so far; next decision point day 7 (2026-11-08)." in out.splitlines()
