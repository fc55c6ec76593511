"""The Assess page's store panel in the clinician's words (AppTest, real SQLite store): the line
above Save follows a save at once, "1 version" is singular, and the history names fields by
their labels on the page, not by case-file paths (srgvhd.app.diff_words.field_label)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from srgvhd.app.diff_words import field_label
from srgvhd.casestore.store import CaseStore
from tests.cases import course

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "app.py")
START = (date.today() - timedelta(days=2)).isoformat()


@pytest.fixture
def at(tmp_path: Path, monkeypatch) -> AppTest:
    """The Assess page with the one-version course W1 opened from the Ward page."""
    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    monkeypatch.setenv("SRGVHD_DATABASE_URL", url)
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(REPO / "models"))
    store = CaseStore(url)
    store.save("W1", course((0, 2, 0, 0, 1), start=START), "alice")
    store.close()
    app = AppTest.from_file(APP, default_timeout=30).run()
    app.selectbox(key="ward_pick").set_value("W1")
    app.button(key="ward_open").click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def _captions(at: AppTest) -> str:
    return " ".join(c.value for c in at.caption)


def test_after_a_save_the_line_names_the_new_version_and_history_uses_labels(at) -> None:
    assert "based on version 1 of W1" in _captions(at)
    assert [e.label for e in at.expander if e.label.startswith("Version history")] == [
        "Version history of W1 (1 version)"
    ]
    at.text_input(key="assess_age").input("42.5").run()  # same whole years: the same patient
    at.button(key="store_save").click().run()
    assert any("Saved W1 as version 2" in s.value for s in at.success)
    assert "based on version 2 of W1" in _captions(at)
    assert "based on version 1" not in _captions(at)
    assert [e.label for e in at.expander if e.label.startswith("Version history")] == [
        "Version history of W1 (2 versions)"
    ]
    fields = list(at.dataframe[-1].value["field"])
    assert "Age (years)" in fields and "patient.age_years" not in fields
    assert not [f for f in fields if "." in f or "[" in f], fields  # no case-file paths


@pytest.mark.parametrize(
    ("path", "label"),
    [
        ("patient.age_years", "Age (years)"),
        ("steroids.start_date", "Steroid start date"),
        (
            "assessments[2026-11-01].measurements.bilirubin.value",
            "Assessment 2026-11-01: Total bilirubin",
        ),
        (
            "assessments[2026-11-01].measurements.bilirubin.unit",
            "Assessment 2026-11-01: Total bilirubin unit",
        ),
        ("assessments[2026-11-01].stages.lower_gi", "Assessment 2026-11-01: Lower-GI stage"),
        (
            "assessments[2026-11-08].measurements.skin_rash_bsa_percent",
            "Assessment 2026-11-08: Rash (% BSA)",
        ),
        (
            "assessments[2026-11-08].measurements.upper_gi_persistent_symptoms",
            "Assessment 2026-11-08: Persistent nausea, vomiting or anorexia",
        ),
        ("assessments[2026-11-15]", "Assessment 2026-11-15"),
        (
            "steroids.dose_changes[2026-11-05].methylprednisolone_mg_per_kg_day",
            "Dose change 2026-11-05: methylprednisolone (mg/kg/day)",
        ),
        ("labs[2026-11-08].ldh_u_l", "Labs 2026-11-08: LDH (U/L)"),
        ("labs[2026-11-08].platelets_10e9_l", "Labs 2026-11-08: Platelets (10⁹/L)"),
        (
            "something.unknown",
            "Something · unknown",
        ),  # an extra field by its own name, never hidden
    ],
)
def test_stored_field_paths_read_as_page_labels(path: str, label: str) -> None:
    assert field_label(path) == label
