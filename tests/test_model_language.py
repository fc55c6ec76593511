"""The Model page and the model card PDF in the reader's language (srgvhd.i18n): German and
Chinese page words, the cohort CSV's refusals said in German while they stay English for the
CLI, and the card PDF in Chinese and French read back with pdftotext. Expected words are
written here by hand from docs/glossary.md, never taken from the catalogues."""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from streamlit.testing.v1 import AppTest

from srgvhd.errors import InputError
from srgvhd.i18n import translator, using
from srgvhd.i18n.catalogues import template
from srgvhd.report import card_text as words
from srgvhd.report.card_pdf import build_card_pdf
from srgvhd.risk.card import ModelCard
from srgvhd.risk.cohort import load_cohort
from srgvhd.risk.provenance import DataSource
from srgvhd.risk.store import ModelStore
from srgvhd.risk.train import train_from_csv
from tests.streamlit_text import as_read
from tests.support.language_page import page_in_language
from tests.test_predict import cohort_csv, synthetic_cohort

REPO = Path(__file__).resolve().parents[1]
COHORT = cohort_csv(synthetic_cohort(150, seed=1))
SOURCE = DataSource("Hôpital Saint-Louis, Paris", "2019–2024", "dm@example.org")
# The files whose messages the Model page and the card PDF show.
OWN_FILES = (
    "views/model.py",
    "srgvhd/report/card_text.py",
    "srgvhd/report/card_pdf.py",
    "srgvhd/risk/cohort.py",
    "srgvhd/risk/dialect.py",
    "srgvhd/risk/fit.py",
    "srgvhd/risk/phtest.py",
    "srgvhd/risk/train.py",
    "srgvhd/risk/audit.py",
    "srgvhd/risk/calibration.py",
    "srgvhd/risk/covariates.py",
)


# ------------------------------------------------------------------ the page in a language


@pytest.fixture(scope="module")
def store_dir(tmp_path_factory) -> Path:
    """A model store with an active centre version (declared source) and a newer one, so the
    page shows a card, a version with Activate and an audit line."""
    root = tmp_path_factory.mktemp("models")
    store = ModelStore(root)
    for promote in (True, False):
        train_from_csv(
            COHORT, store=store, promote=promote, source_name="centre.csv", data_source=SOURCE
        )
    return root


def _page(lang: str, root: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(root))
    monkeypatch.delenv("SRGVHD_ADMIN_SECRET", raising=False)
    at = page_in_language("model.py", lang)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def page_de(store_dir, monkeypatch) -> Iterator[AppTest]:
    # AppTest calls a select box's format function again in the test's own thread
    with using("de"):
        yield _page("de", store_dir, monkeypatch)


@pytest.fixture
def page_zh(store_dir, monkeypatch) -> Iterator[AppTest]:
    with using("zh"):
        yield _page("zh", store_dir, monkeypatch)


def _shown(at: AppTest) -> list[str]:
    """Every text the page shows: headings, paragraphs, captions, messages, widget labels
    and options, expander titles, table headings and cells."""
    texts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "error", "warning"):
        texts += [as_read(e.value) for e in getattr(at, kind)]
    texts += [as_read(str(e.value)) for e in at.info]
    for kind in ("button", "checkbox", "text_input", "selectbox"):
        texts += [e.label for e in getattr(at, kind)]
    for box in at.selectbox:
        texts += [str(o) for o in box.options]
    texts += [e.label for e in at.expander]
    texts += [e.label for e in at.get("download_button")]
    texts += [e.proto.label for e in at.get("file_uploader")]
    for table in [*at.table, *at.dataframe]:
        frame = table.value
        texts += [str(c) for c in frame.columns]
        texts += [str(v) for v in frame.astype(str).to_numpy().ravel()]
    for frame in at.dataframe:
        texts += _column_labels(frame)
    return texts


def _column_labels(frame) -> list[str]:
    """The headings a dataframe's column configuration gives its columns."""
    config = json.loads(frame.proto.columns or "{}")
    return [c["label"] for c in config.values() if "label" in c]


def _english_fragments(lang: str) -> list[str]:
    """The fixed English text (between placeholders) of every message the Model page's files
    mark, at least 12 characters long, except where the language's own words contain it (a
    reference or a unit kept as is)."""
    catalog: Catalog = template(REPO)
    said = translator(lang)
    fragments = set()
    for message in catalog:
        if not message.id or not any(where in OWN_FILES for where, _line in message.locations):
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for english in ids:
            if message.context:
                translated = said.pgettext(message.context, english)
            else:
                translated = said._catalogue.gettext(english)
            for part in re.split(r"\{\w+\}", english):
                part = part.strip(" .,:;()*“”—")
                if len(part) >= 12 and re.search("[a-z]{4}", part) and part not in translated:
                    fragments.add(part)
    return sorted(fragments)


def _english_left(at: AppTest, lang: str) -> list[tuple[str, str]]:
    shown = _shown(at)
    return [
        (fragment, text)
        for fragment in _english_fragments(lang)
        for text in shown
        if fragment in text
    ]


def test_the_model_page_in_german(page_de: AppTest) -> None:
    at = page_de
    assert [t.value for t in at.title] == ["Risikomodell"]
    headers = [h.value for h in at.header]
    assert headers == [
        "Aktives Modell",
        "Versionen",
        "Prüfprotokoll",
        "An einer Kohorte neu trainieren",
    ]
    first = at.table[0].value
    assert list(first.columns) == [
        "Kovariate",
        "HR (95%-KI), dieses Modell",
        "p",
        "HR (95%-KI), publiziert",
    ]
    # covariate labels of the card (saved in English) and numbers with a decimal comma
    assert "Alter ≥35 vs. 18–34 Jahre" in list(first["Kovariate"])
    assert re.fullmatch(r"\d+,\d\d \(\d+,\d\d–\d+,\d\d\)", first["HR (95%-KI), dieses Modell"][0])
    markdown = " ".join(as_read(m.value) for m in at.markdown)
    assert "Todesfälle = " in markdown and "Ereignisse pro Koeffizient = 14,2" in markdown
    assert re.search(r"Konkordanz: apparent 0,\d\d, kreuzvalidiert 0,\d\d \(5 Folds\)", markdown)
    assert "Zentrumsdaten: Hôpital Saint-Louis, Paris, 2019–2024" in markdown
    assert [b.label for b in at.button if b.key.startswith("model_activate_")] == ["Aktivieren"]
    assert at.button(key="model_fit").label == "Prüfen und anpassen"
    assert at.get("download_button")[0].label == "Modellkarte (PDF)"
    assert [e.label for e in at.expander][-1] == "Dateiformat (automatisch erkannt)"
    assert at.selectbox(key="model_separator").label == "Trennzeichen"
    assert at.selectbox(key="model_separator").options == [
        "erkennen",
        "Komma",
        "Semikolon",
        "Tabulator",
    ]
    assert _column_labels(at.dataframe[-1]) == [
        "Zeitpunkt (UTC)",
        "Aktion",
        "Ergebnis",
        "von Version",
        "zu Version",
        "wer",
        "Trainingsdatei SHA-256",
    ]
    audit = at.dataframe[-1].value
    assert list(audit["action"]) == ["freigeben"] and list(audit["outcome"]) == ["abgeschlossen"]
    captions = " ".join(as_read(c.value) for c in at.caption)
    assert "Kalibrierung an Tag 365, kreuzvalidiert" in captions
    assert "Entscheidungskurve an Tag 365 (kreuzvalidiert)" in captions
    assert "Trainingsdatei: centre.csv, gelesen als kommagetrennt, Dezimalpunkt" in captions
    assert _english_left(at, "de") == []


def test_the_model_page_in_chinese(page_zh: AppTest) -> None:
    at = page_zh
    assert [t.value for t in at.title] == ["风险模型"]
    assert [h.value for h in at.header][:3] == ["当前模型", "版本", "审计日志"]
    assert list(at.table[0].value.columns)[0] == "协变量"
    markdown = " ".join(as_read(m.value) for m in at.markdown)
    assert "一致性指数：表观 0." in markdown and "交叉验证" in markdown
    assert [b.label for b in at.button if b.key.startswith("model_activate_")] == ["激活"]
    assert at.button(key="model_fit").label == "验证并拟合"
    calibration = [t.value for t in at.table if "风险组" in t.value.columns][0]
    assert list(calibration["风险组"]) == [
        "最低风险三分位组",
        "中间风险三分位组",
        "最高风险三分位组",
    ]
    assert _english_left(at, "zh") == []


def _fit(at: AppTest, name: str, data: bytes, timeout: float = 90.0) -> AppTest:
    at.file_uploader(key="model_cohort_csv").set_value((name, data, "text/csv")).run()
    at.button(key="model_fit").click().run()
    deadline = time.monotonic() + timeout
    while _training(at):
        assert time.monotonic() < deadline, "training did not finish"
        time.sleep(0.2)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _training(at: AppTest) -> bool:
    try:
        return at.session_state["model_training_job"] is not None
    except KeyError:
        return False


def _without_column(data: bytes, column: str) -> bytes:
    rows = [line.split(",") for line in data.decode().splitlines()]
    at = rows[0].index(column)
    return ("\n".join(",".join(r[:at] + r[at + 1 :]) for r in rows) + "\n").encode()


def test_a_missing_column_of_the_cohort_is_named_in_german(page_de: AppTest) -> None:
    at = _fit(page_de, "ohne-hb.csv", _without_column(COHORT, "hemoglobin_g_l"))
    report = [as_read(line) for line in at.error[0].value.splitlines()]
    assert report[0] == (
        "Die Datei wurde abgelehnt (1 Problem); nichts wurde gespeichert, das aktive Modell ist "
        "unverändert."
    )
    assert report[1] == "- Spalte hemoglobin_g_l: fehlt (Pflichtspalte)"
    assert _english_left(at, "de") == []


def test_bad_cells_of_the_cohort_are_said_in_german(page_de: AppTest) -> None:
    lines = COHORT.decode().splitlines()
    cells = lines[4].split(",")
    cells[1] = "abc"  # age_years of spreadsheet row 5
    lines[4] = ",".join(cells)
    at = _fit(page_de, "falsch.csv", ("\n".join(lines) + "\n").encode())
    report = [as_read(line) for line in at.error[0].value.splitlines()]
    assert "- Zeile 5, Spalte age_years: 'abc' ist keine Zahl" in report


def test_a_refusal_stays_english_for_the_cli_and_json() -> None:
    with using("de"), pytest.raises(InputError) as refused:
        load_cohort(_without_column(COHORT, "death"))
    assert str(refused.value) == "column death: is missing (required column)"
    with using("de"):
        assert translator("de").text(refused.value.problems[0].what) == "fehlt (Pflichtspalte)"


def test_a_saved_proportional_hazards_verdict_is_said_again_in_german() -> None:
    saved = (
        "The proportional-hazards assumption looks violated for age ≥35 vs 18–34 years; "
        "grade IV vs III (p < 0.05): the hazard ratio shown is an average over follow-up."
    )
    with using("de"):
        assert words.ph_verdict(saved) == (
            "Die Annahme proportionaler Hazards scheint für Alter ≥35 vs. 18–34 Jahre; "
            "Grad IV vs. III verletzt (p < 0,05): Die gezeigte Hazard Ratio ist ein Mittel über "
            "die Nachbeobachtung."
        )
        assert words.ph_verdict("something an older card said") == "something an older card said"


# ------------------------------------------------------------------ the card PDF
@pytest.fixture(scope="module")
def centre_card(store_dir) -> ModelCard:
    store = ModelStore(store_dir)
    return store.load_active_strict().card


def _pdftotext(pdf: bytes, tmp_path: Path, name: str) -> tuple[str, int]:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))
    return text, pages


def test_the_card_pdf_in_chinese(centre_card, tmp_path) -> None:
    text, pages = _pdftotext(build_card_pdf(centre_card, lang="zh"), tmp_path, "zh")
    assert pages == 2  # as in English
    flat = re.sub(r"\s+", "", text)
    for expected in (
        "风险模型卡",
        "数据来源",
        "队列与拟合",
        "风险比(95%CI)",
        "协变量",
        "一致性指数",
        "比例风险",
        "第365天决策曲线（交叉验证）",
        "净获益",
        "校准",
        "最低风险三分位组",
        "第1页，共2页",
        "决策支持，不能替代临床判断",
    ):
        assert expected in flat, expected
    for english in ("Cohort and fit", "Where the data came from", "Decision curve", "page 1 of"):
        assert english not in text


def test_the_card_pdf_in_french(centre_card, tmp_path) -> None:
    text, pages = _pdftotext(build_card_pdf(centre_card, lang="fr"), tmp_path, "fr")
    assert pages == 2
    flat = " ".join(text.split())
    for expected in (
        "Fiche du modèle de risque",
        "Origine des données",
        "Cohorte et ajustement",
        "hazard ratio",
        "IC 95 %",
        "Courbe de décision à J365 (validation croisée)",
        "Calibration à J180 et J365",
        "bénéfice net",
        "page 1 sur 2",
        "ne remplace pas le jugement clinique",
    ):
        assert expected.lower() in flat.lower(), expected
    assert re.search(r"\d,\d\d \(\d,\d\d–\d+,\d\d\)", flat)  # HR (IC 95 %) with decimal commas
    for english in ("Cohort and fit", "Where the data came from", "Decision curve", "page 1 of"):
        assert english not in text


def test_the_card_pdf_speaks_the_current_language_by_default(centre_card) -> None:
    with using("fr"):
        assert build_card_pdf(centre_card) == build_card_pdf(centre_card, lang="fr")
    assert build_card_pdf(centre_card) != build_card_pdf(centre_card, lang="fr")


def test_a_header_that_reads_two_ways_is_said_in_french() -> None:
    with pytest.raises(InputError) as refused:
        load_cohort(b"patient_id;age_years;x,grade,os_days\np1;40;1,III,10\n")
    (problem,) = refused.value.problems
    assert problem.what.startswith("the header row reads as comma-separated (2 required")
    with using("fr"):
        assert words.said(problem.what) == (
            "la ligne d'en-tête se lit comme séparé par des virgules (2 colonnes obligatoires) "
            "ou séparé par des points-virgules (2 colonnes obligatoires) ; choisissez "
            "explicitement le séparateur"
        )
