"""CLI commands train / models / score (srgvhd.cli.models) on a parser built here."""

from __future__ import annotations

import argparse
import csv
import io
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from srgvhd.cli.models import add_subcommands, csv_text, load_active_model
from srgvhd.risk import store as store_module
from srgvhd.risk.formulas import escape_cell, escape_cells
from srgvhd.risk.store import ModelStore
from tests.test_predict import cohort_csv, synthetic_cohort
from tests.test_store_faults import snapshot


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="srgvhd")
    add_subcommands(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code = args.func(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def files(tmp_path) -> dict[str, Path]:
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_bytes(cohort_csv(synthetic_cohort(150, seed=1)))
    second.write_bytes(cohort_csv(synthetic_cohort(150, seed=2)))
    return {"first": first, "second": second, "models": tmp_path / "models"}


def test_train_promote_then_rollback_with_models_activate(files, capsys):
    models = str(files["models"])
    code, out, err = run(
        ["train", str(files["first"]), "--promote", "--models-dir", models], capsys
    )
    assert code == 0 and "active" in out
    first = ModelStore(files["models"]).active_version()
    code, out, _ = run(["train", str(files["second"]), "--promote", "--models-dir", models], capsys)
    second = ModelStore(files["models"]).active_version()
    assert code == 0 and second != first and out.startswith(second)
    code, out, _ = run(["models", "--models-dir", models], capsys)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2
    assert lines[0].startswith(f"* {second}") and lines[1].startswith(f"  {first}")
    code, out, _ = run(["models", "--activate", first, "--models-dir", models], capsys)
    assert code == 0 and ModelStore(files["models"]).active_version() == first
    assert out.splitlines()[1].startswith(f"* {first}")
    assert [e["action"] for e in ModelStore(files["models"]).audit_log()] == [
        "promote",
        "promote",
        "activate",
    ]


def test_training_and_rollback_record_the_os_user_or_as_name(files, capsys, monkeypatch):
    monkeypatch.setattr("getpass.getuser", lambda: "dm-shell")
    models = str(files["models"])
    run(["train", str(files["first"]), "--promote", "--models-dir", models], capsys)
    first = ModelStore(files["models"]).active_version()
    train = ["train", str(files["second"]), "--promote", "--models-dir", models]
    assert run([*train, "--as", "Dana Registry"], capsys)[0] == 0
    assert run(["models", "--activate", first, "--models-dir", models], capsys)[0] == 0
    store = ModelStore(files["models"])
    assert [e["who"] for e in store.audit_log()] == [
        "dm-shell (OS user)",
        "Dana Registry (--as, OS user dm-shell)",
        "dm-shell (OS user)",
    ]
    newest = next(card for card in store.list_versions() if card["version"] != first)
    assert newest["data_source"]["declared_by"] == "Dana Registry (--as, OS user dm-shell)"


def test_train_without_promote_leaves_active_model(files, capsys):
    models = str(files["models"])
    run(["train", str(files["first"]), "--promote", "--models-dir", models], capsys)
    active = ModelStore(files["models"]).active_version()
    code, out, _ = run(["train", str(files["second"]), "--models-dir", models], capsys)
    assert code == 0 and "not active" in out
    assert ModelStore(files["models"]).active_version() == active


def test_bad_cohort_exits_2_with_one_stderr_line_and_store_unchanged(files, tmp_path, capsys):
    models = str(files["models"])
    run(["train", str(files["first"]), "--promote", "--models-dir", models], capsys)
    before = snapshot(files["models"])
    bad = tmp_path / "bad.csv"
    text = files["first"].read_text().splitlines()
    text[5] = text[5].replace(text[5].split(",")[3], "abc", 1)  # hemoglobin of row 6
    bad.write_text("\n".join(text) + "\n")
    code, out, err = run(["train", str(bad), "--promote", "--models-dir", models], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("row 6, column hemoglobin_g_l:")
    assert snapshot(files["models"]) == before


def test_empty_file_is_refused_without_the_complete_rows_hint(files, tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    code, out, err = run(["train", str(empty), "--models-dir", str(files["models"])], capsys)
    assert (code, out, err) == (2, "", "file: is empty\n")


def test_degenerate_cohort_is_one_stderr_line(files, tmp_path, capsys):
    """Age and hemoglobin rising together (hemoglobin ≤ 90 g/L exactly the patients under 35):
    the fit cannot converge; one stderr line, no numpy warnings, the store unchanged."""
    rows = [f"P{i},{10 + 2 * i},IV,{60 + 3 * i},{100 + 7 * i},{i % 2}" for i in range(40)]
    path = tmp_path / "collinear.csv"
    path.write_text("patient_id,age_years,grade,hemoglobin_g_l,os_days,death\n" + "\n".join(rows))
    models = str(files["models"])
    run(["train", str(files["first"]), "--promote", "--models-dir", models], capsys)
    before = snapshot(files["models"])
    argv = ["train", str(path), "--allow-low-epv", "--promote", "--models-dir", models]
    code, out, err = run(argv, capsys)
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert snapshot(files["models"]) == before


def test_low_epv_needs_the_flag(files, tmp_path, capsys):
    df = synthetic_cohort(80, seed=6)
    df.loc[df.index[30:], "death"] = 0
    path = tmp_path / "small.csv"
    path.write_bytes(cohort_csv(df))
    models = str(files["models"])
    code, out, err = run(["train", str(path), "--models-dir", models], capsys)
    assert code == 2 and out == "" and "--allow-low-epv" in err and err.count("\n") == 1
    code, _, err = run(["train", str(path), "--allow-low-epv", "--models-dir", models], capsys)
    assert code == 0, err


def test_activate_unknown_version_exits_2(files, capsys):
    models = str(files["models"])
    run(["train", str(files["first"]), "--promote", "--models-dir", models], capsys)
    code, out, err = run(["models", "--activate", "nope", "--models-dir", models], capsys)
    assert code == 2 and out == "" and "nope.json: is missing" in err and err.count("\n") == 1


def test_score_writes_hazard_ratio_and_survival_per_patient(files, tmp_path, capsys):
    models = str(files["models"])
    run(["train", str(files["first"]), "--promote", "--models-dir", models], capsys)
    out_file = tmp_path / "scores.csv"
    code, out, err = run(
        ["score", str(files["second"]), "--out", str(out_file), "--models-dir", models], capsys
    )
    assert code == 0 and err == "" and str(out_file) in out
    rows = list(csv.DictReader(io.StringIO(out_file.read_text())))
    df = synthetic_cohort(150, seed=2)
    assert [r["patient_id"] for r in rows] == list(df["patient_id"])
    model, _ = ModelStore(files["models"]).load_active()
    hr = {c["name"]: c["hazard_ratio"] for c in model.card["coefficients"]}
    for row, (_, patient) in zip(rows, df.iterrows(), strict=True):
        expected = 1.0
        if patient["age_years"] < 18:
            expected *= hr["age_lt18"]
        elif patient["age_years"] >= 35:
            expected *= hr["age_ge35"]
        expected *= {"II": hr["grade_II"], "III": 1.0, "IV": hr["grade_IV"]}[patient["grade"]]
        expected *= hr["hb_le_90"] if patient["hemoglobin_g_l"] <= 90 else 1.0
        assert math.isclose(float(row["hazard_ratio"]), expected, rel_tol=1e-5)
        assert 0 < float(row["survival_365"]) <= float(row["survival_180"]) <= 1
        assert row["model_version"] == model.card["version"]


def test_score_needs_no_outcome_columns_for_new_patients(files, tmp_path, capsys):
    """New patients have no follow-up yet: score reads age, grade and hemoglobin only; an
    outcome column present is still checked."""
    models = str(files["models"])
    run(["train", str(files["first"]), "--promote", "--models-dir", models], capsys)
    new = tmp_path / "new.csv"
    new.write_text("patient_id,age_years,grade,hemoglobin_g_l\nn1,40,IV,85\nn2,25,III,120\n")
    code, out, err = run(["score", str(new), "--models-dir", models], capsys)
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["patient_id"] for r in rows] == ["n1", "n2"]
    assert float(rows[1]["hazard_ratio"]) == 1.0  # the reference patient
    bad = tmp_path / "bad.csv"
    bad.write_text("patient_id,age_years,grade,hemoglobin_g_l,os_days\nn1,40,IV,85,-3\n")
    code, out, err = run(["score", str(bad), "--models-dir", models], capsys)
    assert code == 2 and out == "" and err.startswith("row 2, column os_days:")
    header_only = tmp_path / "none.csv"
    header_only.write_text("patient_id,age_years,grade,hemoglobin_g_l\n")
    code, out, err = run(["score", str(header_only), "--models-dir", models], capsys)
    assert (code, out, err) == (2, "", "file: has no patient rows\n")


def test_score_to_stdout_is_csv(files, capsys):
    models = str(files["models"])
    run(["train", str(files["first"]), "--promote", "--models-dir", models], capsys)
    code, out, _ = run(["score", str(files["first"]), "--models-dir", models], capsys)
    header = out.splitlines()[0].split(",")
    assert code == 0 and header[:2] == ["patient_id", "age_group"]
    assert {"hazard_ratio", "survival_180", "survival_365"} <= set(header)
    assert len(out.splitlines()) == 151


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM", "'@SUM"),
        ("\tx", "'\tx"),
        ("  =1", "'  =1"),
        ("P001", "P001"),
        ("a=b", "a=b"),
    ],
)
def test_escape_cell_defuses_spreadsheet_formulas(cell, expected):
    assert escape_cell(cell) == expected


def test_load_active_model_without_any_model_returns_none(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "REFERENCE_DIR", tmp_path / "no-reference")
    model, warnings = load_active_model(tmp_path / "empty")
    assert model is None and len(warnings) == 1 and "no risk model available" in warnings[0]


def test_score_without_any_model_exits_2(files, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(store_module, "REFERENCE_DIR", tmp_path / "no-reference")
    code, out, err = run(
        ["score", str(files["first"]), "--models-dir", str(tmp_path / "e")], capsys
    )
    assert code == 2 and out == "" and err.count("\n") == 1 and err.startswith("models:")


def test_score_with_damaged_active_model_warns_and_uses_reference(
    files, tmp_path, monkeypatch, capsys
):
    models = files["models"]
    run(["train", str(files["first"]), "--promote", "--models-dir", str(tmp_path / "ref")], capsys)
    monkeypatch.setattr(store_module, "REFERENCE_DIR", tmp_path / "ref")
    run(["train", str(files["second"]), "--promote", "--models-dir", str(models)], capsys)
    artifact = next(models.glob("*.npz"))
    artifact.write_bytes(artifact.read_bytes()[:-1])
    code, out, err = run(["score", str(files["first"]), "--models-dir", str(models)], capsys)
    reference = ModelStore(tmp_path / "ref").active_version()
    assert code == 0 and out.splitlines()[1].endswith(reference)
    assert err.count("\n") == 1 and err.startswith("warning: ") and artifact.name in err


def test_score_out_to_missing_directory_exits_2(files, tmp_path, capsys):
    models = str(files["models"])
    run(["train", str(files["first"]), "--promote", "--models-dir", models], capsys)
    target = tmp_path / "no" / "such" / "dir.csv"
    code, out, err = run(
        ["score", str(files["first"]), "--out", str(target), "--models-dir", models], capsys
    )
    assert code == 2 and out == "" and err.startswith("--out: cannot write")
    assert err.count("\n") == 1


def test_empty_cells_refusal_names_the_flag_and_the_flag_fits(files, tmp_path, capsys):
    lines = files["first"].read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[5].split(",")
    cells[header.index("age_years")] = ""
    lines[5] = ",".join(cells)
    path = tmp_path / "gaps.csv"
    path.write_text("\n".join(lines) + "\n")
    models = str(files["models"])
    code, out, err = run(["train", str(path), "--models-dir", models], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("row 6, column age_years: is empty")
    assert "rerun with --complete-rows" in err
    code, out, err = run(["train", str(path), "--complete-rows", "--models-dir", models], capsys)
    assert code == 0 and err == ""
    assert "1 incomplete rows left out" in out and "read as comma-separated" in out


def test_progress_lines_go_to_stderr_on_request(files, capsys):
    code, out, err = run(
        ["train", str(files["first"]), "--progress", "--models-dir", str(files["models"])],
        capsys,
    )
    assert code == 0 and out.count("\n") == 1
    lines = err.splitlines()
    assert lines[0] == "srgvhd train:   0% reading the cohort file"
    assert lines[-1] == "srgvhd train:  95% saving the model"


def test_ambiguous_decimal_mark_is_resolved_with_the_flag(files, tmp_path, capsys):
    text = files["first"].read_text().replace(",", ";")
    lines = text.splitlines()
    header = lines[0].split(";")
    cells = lines[1].split(";")
    cells[header.index("age_years")] = "40,5"
    lines[1] = ";".join(cells)
    cells = lines[2].split(";")
    cells[header.index("hemoglobin_g_l")] = "95.5"
    lines[2] = ";".join(cells)
    path = tmp_path / "mixed.csv"
    path.write_text("\n".join(lines) + "\n")
    models = str(files["models"])
    code, _, err = run(["train", str(path), "--models-dir", models], capsys)
    assert code == 2 and "decimal comma (row 2, column age_years)" in err
    code, _, err = run(["train", str(path), "--decimal", "point", "--models-dir", models], capsys)
    assert code == 2 and err.startswith("row 2, column age_years: '40,5' is not a number")


def test_csv_text_writes_what_pandas_to_csv_writes():
    """The score export's writer: same bytes as DataFrame.to_csv(float_format="%.6g"),
    including quoted separators, quotes, line breaks, NaN as a blank and booleans."""
    columns = {
        "patient_id": ["P1", 'say "hi", ok', "x\ny", "a;b", "名字"],
        "flag": np.array([True, False, True, False, True]),
        "value": np.array([1.0, 0.1234567, np.nan, 1.28098e-07, 134.2351]),
        "label": np.array(["≥35", "18–34", "<18", "≥35", "a,b"], dtype=object),
    }
    expected = pd.DataFrame(columns).to_csv(index=False, float_format="%.6g")
    assert csv_text(columns) == expected


def test_escape_cells_matches_escape_cell_cell_by_cell():
    cells = ["=HYPERLINK(1)", "+1", "-1", "@SUM", "\tx", "  =1", " P", "P001", "a=b", "", "\r1"]
    assert escape_cells(cells) == [escape_cell(c) for c in cells]
