"""Centre and period declared at upload (srgvhd.risk.provenance): checked by
srgvhd.risk.provenance.declared_source, given on the Model page's retrain form (AppTest) and by
`srgvhd train --centre --period`; they reach the saved card and the banner."""

from __future__ import annotations

import pytest

from srgvhd.errors import InputError
from srgvhd.identity import os_user
from srgvhd.risk.provenance import MAX_DECLARED_CHARS, DataSource, declared_source
from srgvhd.risk.store import ModelStore
from tests.streamlit_text import as_read
from tests.test_app_pages import COHORT, _app, _texts, _training, fit_and_wait
from tests.test_risk_cli import run

CENTRE = "Hôpital Saint-Louis, Paris"
PERIOD = "2019–2024"


def test_blank_is_not_declared_and_spaces_are_trimmed() -> None:
    assert declared_source("  ", "", declared_by="dm") == DataSource(None, None, "dm")
    assert declared_source(None, None, declared_by=None) == DataSource()
    assert declared_source(f"  {CENTRE} ", PERIOD, declared_by="dm") == DataSource(
        CENTRE, PERIOD, "dm"
    )


def test_eighty_characters_are_accepted_and_eighty_one_refused() -> None:
    assert MAX_DECLARED_CHARS == 80
    assert declared_source("x" * 80, "y" * 80, declared_by=None).centre == "x" * 80
    assert declared_source(" " + "x" * 80 + " ", None, declared_by=None).centre == "x" * 80
    with pytest.raises(InputError) as refused:
        declared_source("x" * 81, "y" * 81, declared_by=None, fields=("Centre", "Period"))
    assert [str(p) for p in refused.value.problems] == [
        "Centre: is 81 characters long; at most 80 are allowed",
        "Period: is 81 characters long; at most 80 are allowed",
    ]


@pytest.mark.parametrize(
    "bad", ["Ward\t7", "Ward 7\n", "Ward\x007", "Ward\x1b[31m7", "Ward\u20287", "Ward\x857"]
)
def test_control_characters_are_refused_naming_the_field(bad: str) -> None:
    with pytest.raises(InputError) as refused:
        declared_source("Ward 7", bad, declared_by=None)
    (problem,) = refused.value.problems
    assert problem.where == "period" and "control characters (U+" in problem.what
    assert bad not in str(problem)  # the text itself is not echoed


def test_cli_refuses_a_long_centre_before_training(tmp_path, capsys) -> None:
    cohort = tmp_path / "c.csv"
    cohort.write_bytes(COHORT)
    models = tmp_path / "models"
    code, out, err = run(
        ["train", str(cohort), "--centre", "x" * 81, "--models-dir", str(models)], capsys
    )
    assert (code, out) == (2, "") and err == (
        "--centre: is 81 characters long; at most 80 are allowed\n"
    )
    assert ModelStore(models).list_versions() == []


def _fill(at, centre: str, period: str):
    at.file_uploader(key="model_cohort_csv").set_value(("ward.csv", COHORT, "text/csv")).run()
    at.text_input(key="model_centre").input(centre)
    at.text_input(key="model_period").input(period)
    return at.run()


def test_centre_and_period_typed_on_the_page_reach_the_saved_card_and_banner(
    tmp_path, monkeypatch
) -> None:
    root = tmp_path / "models"
    at = _app(root, monkeypatch, "views/model.py")
    assert at.text_input(key="model_centre").label == "Centre"
    assert at.text_input(key="model_period").label == "Period the cohort covers, e.g. 2019–2024"
    fit_and_wait(_fill(at, f" {CENTRE} ", PERIOD))
    assert not at.error
    (saved,) = ModelStore(root).list_versions()
    who = f"{os_user()} (OS user)"
    assert saved["data_source"] == {"centre": CENTRE, "period": PERIOD, "declared_by": who}
    shown = [as_read(t) for t in _texts(at.markdown)]
    assert any(f"data: centre data: {CENTRE}, {PERIOD}" in t for t in shown), shown
    assert any(c.value.startswith(f"Source declared by {who}.") for c in at.caption)
    assert at.download_button(key="model_card_pdf_new").label == "Model card (PDF)"
    at.button(key="model_promote").click().run()
    banner = [as_read(t) for t in _texts(_app(root, monkeypatch).info)]
    assert f"centre data: {CENTRE}, {PERIOD}; trained on ward.csv" in " ".join(banner)


@pytest.mark.parametrize(
    ("centre", "period", "field"),
    [
        ("x" * 81, "", "Centre: is 81 characters long"),
        ("Ward 7", "2019\t2024", "Period: contains control characters (U+0009)"),
    ],
)
def test_a_refused_declaration_names_the_field_and_fits_nothing(
    tmp_path, monkeypatch, centre, period, field
) -> None:
    root = tmp_path / "models"
    at = _app(root, monkeypatch, "views/model.py")
    _fill(at, centre, period).button(key="model_fit").click().run()
    (error,) = [as_read(e.value) for e in at.error]
    assert error.startswith("Nothing was fitted and the active model is unchanged:")
    assert f"- {field}" in error
    assert not _training(at)
    assert ModelStore(root).list_versions() == []
    assert at.text_input(key="model_centre").value == centre  # what was typed stays


def test_the_active_card_has_its_pdf_download(tmp_path, monkeypatch) -> None:
    at = _app(tmp_path / "models", monkeypatch, "views/model.py")
    assert at.download_button(key="model_card_pdf_active").label == "Model card (PDF)"
