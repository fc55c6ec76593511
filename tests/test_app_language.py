"""The app's language (srgvhd.app.language): the sidebar selector, else ``?lang=`` in the
address, else the browser's locale, else English; the navigation, the banner and the Ward page
in that language (AppTest on a real SQLite store). Expected words from docs/glossary.md."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from srgvhd.app.language import QUERY_KEY, WIDGET_KEY, pick_language
from srgvhd.casestore.store import CaseStore
from tests.cases import course

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
    """A script that only chooses the language and says which (AppTest's rerun of app.py runs
    the page file of ``pages/`` on its own, without app.py's selector)."""
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
