"""The app's language (srgvhd.app.language): the sidebar selector, else ``?lang=`` in the
address, else the browser's locale, else English; the navigation, the banner and the Ward page
in that language (AppTest on a real SQLite store). Expected words from docs/glossary.md."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from srgvhd.app.language import QUERY_KEY, WIDGET_KEY, pick_language
from srgvhd.casestore.store import CaseStore
from srgvhd.i18n import using
from tests.cases import course
from tests.support.language_page import page_in_language

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "app.py")


@pytest.mark.parametrize(
    ("chosen", "in_address", "browser", "expected"),
    [
        (None, None, None, "en"),
        (None, None, "de-DE", "de"),
        (None, None, "zh-CN", "zh"),
        (None, None, "ja-JP", "en"),
        (None, "fr", "de-DE", "fr"),
        ("zh", "fr", "de-DE", "zh"),
        (None, "xx", "fr-CA", "fr"),  # an unknown ?lang= is passed over
        ("xx", None, None, "en"),
    ],
)
def test_the_choice_then_the_address_then_the_browser(
    chosen: str | None, in_address: str | None, browser: str | None, expected: str
) -> None:
    assert pick_language(chosen, in_address, browser) == expected


def _start(days_ago: int) -> str:
    return (date.today() - timedelta(days=days_ago)).isoformat()


@pytest.fixture
def store_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    monkeypatch.setenv("SRGVHD_DATABASE_URL", url)
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(REPO / "models"))
    store = CaseStore(url)
    store.save("LATE", course((0, 2, 0, 0, 1), start=_start(10)), "bob")
    store.close()
    return url


def _run(lang: str | None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    if lang:
        at.query_params[QUERY_KEY] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize(
    ("lang", "title", "due", "status", "banner"),
    [
        (
            "en",
            "Ward: steroid courses",
            "▲ OVERDUE",
            "not refractory so far",
            "Synthetic reference",
        ),
        (
            "de",
            "Station: Steroidverläufe",
            "▲ ÜBERFÄLLIG",
            "bisher nicht refraktär",
            "Synthetisches Referenzmodell",
        ),
        ("zh", "病房：激素治疗病程", "▲ 已逾期", "目前尚未耐药", "合成参考模型"),
        (
            "fr",
            "Service : corticothérapies en cours",
            "▲ EN RETARD",
            "pas cortico-résistante à ce jour",
            "Modèle de référence synthétique",
        ),
    ],
)
def test_the_ward_page_and_banner_in_the_language_of_the_address(
    store_url: str, lang: str, title: str, due: str, status: str, banner: str
) -> None:
    at = _run(lang)
    assert at.title[0].value == title
    table = at.dataframe[0].value.to_dict("records")
    assert table[0]["due"] == due and table[0]["status"] == status
    assert table[0]["code"] == "LATE"  # the patient's code is never translated
    assert any(banner in w.value for w in at.warning)
    assert at.sidebar.selectbox(key=WIDGET_KEY).value == lang


def _chooser() -> None:
    """A script that only chooses the language and says which (the selector without any
    page)."""
    import streamlit as st

    from srgvhd.app.language import choose_language
    from srgvhd.i18n import _

    choose_language()
    st.title(_("Ward: steroid courses"))


def test_the_selector_changes_the_language_and_keeps_it_in_the_address() -> None:
    at = AppTest.from_function(_chooser, default_timeout=30).run()
    assert at.title[0].value == "Ward: steroid courses"
    assert at.query_params[QUERY_KEY] in ("en", ["en"])
    at.sidebar.selectbox(key=WIDGET_KEY).set_value("de").run()
    assert at.title[0].value == "Station: Steroidverläufe"
    assert at.query_params[QUERY_KEY] in ("de", ["de"])
    assert set(at.query_params) == {QUERY_KEY}  # nothing else, never patient data
    at.sidebar.selectbox(key=WIDGET_KEY).set_value("zh").run()
    assert at.title[0].value == "病房：激素治疗病程"


def test_a_new_session_with_the_address_keeps_the_choice() -> None:
    at = AppTest.from_function(_chooser, default_timeout=30)
    at.query_params[QUERY_KEY] = "fr"
    at.run()
    assert at.title[0].value == "Service : corticothérapies en cours"
    assert at.sidebar.selectbox(key=WIDGET_KEY).value == "fr"


# ---------------------------------------------------------------- the Assess page


@pytest.fixture
def assess_de(monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(REPO / "models"))
    at = page_in_language("assess.py", "de", timeout=30)
    # AppTest calls a select box's format function again in the test's own thread: it speaks
    # the page's language there too
    with using("de"):
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        yield at


def _label(at: AppTest, key: str) -> str:
    return at.text_input(key=key).label


def test_the_assess_page_in_german_labels_its_fields_in_german(assess_de: AppTest) -> None:
    at = assess_de
    assert at.title[0].value == "Steroidverlauf beurteilen"
    assert _label(at, "assess_age") == "Alter (Jahre)"
    assert _label(at, "assess_weight") == "Gewicht (kg)"
    assert _label(at, "assess_hb") == "Hämoglobin"
    assert _label(at, "assess_steroid_start") == "Steroidbeginn (Tag 0)"
    assert at.selectbox(key="assess_bilirubin_unit").label == "Bilirubin-Einheit"
    at.button(key="assess_add_assessment").click().run()
    assert _label(at, "assess_assessments_0_rash_bsa") == "Exanthem (% BSA)"
    assert _label(at, "assess_assessments_0_stool_ml") == "Stuhlvolumen (mL/day)"
    assert _label(at, "assess_assessments_0_bilirubin") == "Gesamtbilirubin (mg/dL)"
    choice = at.selectbox(key="assess_assessments_0_bloody_stool")
    assert choice.label == "Makroskopisch blutiger Stuhl"
    # the shown choice is German, the stored value stays the form's English key
    assert choice.format_func(choice.value) == "nicht gemessen"
    assert choice.value == "not measured"


def test_a_german_range_error_names_the_field_and_range_in_german(assess_de: AppTest) -> None:
    at = assess_de
    at.text_input(key="assess_weight").input("400").run()
    errors = [e.value for e in at.error]
    assert (
        "Gewicht: 400 kg liegt außerhalb des zulässigen Bereichs (mehr als 0, höchstens 300 kg)."
        in (errors)
    ), errors
    at.text_input(key="assess_age").input("vierzig").run()
    errors = [e.value for e in at.error]
    assert any(
        e.startswith("Alter (Jahre): „vierzig“ ist keine Zahl;") and "Zulässig: 0–120 Jahre." in e
        for e in errors
    ), errors


def test_a_decimal_comma_in_german_is_read_and_shown_back_in_german(assess_de: AppTest) -> None:
    at = assess_de
    at.text_input(key="assess_steroid_start").input("2026-11-01").run()
    at.button(key="assess_add_assessment").click().run()
    at.text_input(key="assess_assessments_0_date").input("Tag 0")
    at.text_input(key="assess_assessments_0_bilirubin").input("1,5")
    at.button(key="assess_assessments_0_apply").click().run()
    captions = [c.value for c in at.caption]
    assert any(c.startswith("Gelesen als: Gesamtbilirubin 1,5 mg/dL.") for c in captions), captions
    assert any("Nicht gemessen: Exanthem · Blasen/Desquamation" in c for c in captions), captions
    assert "**Untersuchung 1** — Tag 0 · 2026-11-01 (Ausgangsbefund)" in [
        m.value for m in at.markdown
    ]


def test_the_risk_methods_note_is_german(assess_de: AppTest) -> None:
    """The Statistical method expander of a refractory course: the grade's source, the Wald
    interval and the band's method in German (no English sentence left)."""
    at = assess_de
    at.sidebar.file_uploader(key="assess_open_case").set_value(
        (
            "r1.json",
            (REPO / "examples" / "refractory_r1.json").read_bytes(),
            "application/json",
        )
    ).run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Statistische Methode" in [e.label for e in at.expander]
    notes = " ".join(c.value for c in at.caption)
    assert "Verwendeter Grad:" in notes, notes
    assert "Wald-95%-KI" in notes
    assert "Punktweises 95%-Band" in notes
    for english in ("Grade used", "Hazard ratio: Wald", "Pointwise 95% band"):
        assert english not in notes


def test_a_malformed_case_file_is_refused_in_german(assess_de: AppTest) -> None:
    at = assess_de
    at.sidebar.file_uploader(key="assess_open_case").set_value(
        ("broken.json", b'{"schema": "srgvhd-case/2", ', "application/json")
    ).run()
    assert not at.exception, [e.value for e in at.exception]
    refusals = " ".join(e.value for e in at.sidebar.error)
    assert "kein gültiges JSON" in refusals, refusals
    assert "not valid JSON" not in refusals
    at.sidebar.file_uploader(key="assess_open_case").set_value(
        ("twice.json", b'{"age_years": 40, "age_years": 41}', "application/json")
    ).run()
    refusals = " ".join(e.value for e in at.sidebar.error)
    assert "kommt in einem Objekt zweimal vor" in refusals, refusals


def test_a_language_from_the_address_outlives_a_page_change(store_url: str) -> None:
    """Streamlit's navigation opens the next page without the query: the address's language
    stays the session's, and is put back into the address."""
    at = _run("de")
    assert at.title[0].value == "Station: Steroidverläufe"
    at.query_params.clear()  # what a click in the page navigation does to the address
    at.run()
    assert at.title[0].value == "Station: Steroidverläufe"
    assert at.query_params[QUERY_KEY] in ("de", ["de"])
