"""The four languages (interfaces.md §10; docs/glossary.md): catalogues complete with the same
placeholders, the language chosen from --lang or the locale, the CLI table and the PDF in
English, Chinese, German and French, engine text said in another language while --json stays
English, and numbers and dates written and read the locale's way (Babel strict, never lenient).

Expected words are the glossary's terms, written here by hand.
"""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from srgvhd.i18n import Listed, Msg, UnknownLanguage, resolve_language, translator, using
from tests.cases import bilirubin, case_doc, course, measured

needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (make test installs it)"
)


def write(tmp_path: Path, doc: Any) -> Path:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    from srgvhd.cli.main import main

    try:
        rc = main(list(argv))
    except SystemExit as exc:
        rc = exc.code
    out, err = capsys.readouterr()
    return rc, out, err


# R2 on day 7 (2026-11-08): lower GI stage 2 unchanged at day 3 and day 7 (no response).
R2_CASE = course((0, 0, 0, 0, 2), (3, 0, 0, 0, 2), (7, 0, 0, 0, 2))
# Not refractory so far at day 3; next decision point day 7 (2026-11-08).
SO_FAR_CASE = course((0, 1, 0, 0, 1), (3, 1, 0, 0, 1))


def waiting_case() -> dict[str, Any]:
    """srgvhd-case/2: the liver (stage 1 at baseline) not measured on day 7, so R2 waits."""
    base = {
        "skin_rash_bsa_percent": 30,
        "skin_bullae_desquamation_bsa_percent": 0,
        "bilirubin": bilirubin(2.5),
        "upper_gi_persistent_symptoms": False,
        "stool_ml_per_day": 0,
        "stool_episodes_per_day": 0,
        "severe_abdominal_pain_or_ileus": False,
        "grossly_bloody_stool": False,
    }
    later = {**base, "skin_rash_bsa_percent": 10}
    del later["bilirubin"]
    doc = case_doc([measured(0, **base), measured(7, **later)])
    doc["format"] = "srgvhd-case/2"
    return doc


# --- catalogues ------------------------------------------------------------------------------
def test_every_message_is_translated_with_the_same_placeholders_and_compiled() -> None:
    from srgvhd.i18n.check import problems

    assert problems() == []


def test_the_check_finds_a_missing_message_and_a_changed_placeholder(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from srgvhd.i18n import catalogues, check

    real = catalogues.read

    def damaged(lang: str) -> Any:
        catalog = real(lang)
        if lang == "de":
            catalog.delete("Highest MAGIC grade: {grade}")
            catalog["Model {version}."].string = "Modell {versoin}."
        return catalog

    monkeypatch.setattr(check, "read", damaged)
    found = check.problems()
    assert "de: missing 'Highest MAGIC grade: {grade}'" in found
    assert any(p.startswith("de: placeholders ['versoin']") for p in found)
    assert not any(p.startswith(("zh:", "fr:")) and "stands" not in p for p in found)


def test_placeholders_are_named_fields_only() -> None:
    from srgvhd.i18n.check import placeholders

    assert placeholders("day {day} ({date})") == {"day", "date"}
    assert placeholders("{value:.2f}") == {"value:.2f"}  # a format spec shows as a difference
    assert placeholders("no fields {{here}}") == set()


# --- which language ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "de"),
        ({"LANG": "fr_FR.UTF-8", "LC_ALL": "zh_CN.UTF-8"}, "zh"),
        ({"LC_MESSAGES": "fr_CA", "LANG": "de_DE"}, "fr"),
        ({"LANGUAGE": "ja:fr", "LANG": "de_DE"}, "fr"),  # the first of the list the app speaks
        ({"LANGUAGE": "ja", "LANG": "de_DE.UTF-8"}, "de"),
        ({"LC_ALL": "C.UTF-8", "LANG": "de_DE"}, "en"),  # a set LC_ALL decides
        ({"LANG": "zh_TW.UTF-8"}, "zh"),
        ({"LANG": "ja_JP.UTF-8"}, "en"),
    ],
)
def test_the_environment_locale_decides_without_lang(environ: dict, expected: str) -> None:
    assert resolve_language(None, environ) == expected


def test_an_explicit_language_wins_and_an_unknown_one_is_refused() -> None:
    assert resolve_language("fr", {"LANG": "de_DE.UTF-8"}) == "fr"
    assert resolve_language("de-DE") == "de" and resolve_language("zh_CN") == "zh"
    for unknown in ("", "C", "english", "ja"):
        with pytest.raises(UnknownLanguage):
            resolve_language(unknown)
    with pytest.raises(UnknownLanguage, match="'es' is not a language"):
        resolve_language("es")


def test_unknown_lang_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    rc, out, err = run(capsys, "assess", str(write(tmp_path, R2_CASE)), "--lang", "xx")
    assert (rc, out) == (2, "")
    assert err.count("\n") == 1 and "--lang" in err and "en, zh, de, fr" in err


# --- the CLI table -------------------------------------------------------------------------------
VERDICTS = {
    "en": [
        "Steroid-refractory by rule R2 (no partial response by day 7) on day 7 (2026-11-08) — "
        "choose second-line therapy."
    ],
    "zh": ["激素耐药", "第7天", "2026/11/8", "R2", "第7天未达部分缓解"],
    "de": [
        "Steroidrefraktär nach Regel R2 (kein partielles Ansprechen bis Tag 7) an Tag 7 "
        "(08.11.2026) – Zweitlinientherapie wählen."
    ],
    "fr": [
        "GVH aiguë cortico-résistante selon la règle R2 (pas de réponse partielle à J7) à "
        "J7 (08/11/2026) — choisir un traitement de deuxième ligne."
    ],
}
TABLE_WORDS = {
    "en": ["date", "skin", "liver", "response", "baseline", "no response", "Highest MAGIC grade"],
    "zh": ["日期", "皮肤", "肝脏", "疗效", "基线", "无反应", "最高 MAGIC 分度"],
    "de": [
        "Datum",
        "Haut",
        "Leber",
        "Ansprechen",
        "Ausgangsbefund",
        "kein Ansprechen",
        "Höchster MAGIC-Grad",
    ],
    "fr": [
        "date",
        "peau",
        "foie",
        "réponse",
        "état initial",
        "absence de réponse",
        "Grade MAGIC maximal",
    ],
}


@pytest.mark.parametrize("lang", ["en", "zh", "de", "fr"])
def test_the_table_speaks_the_language(
    lang: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    rc, out, err = run(capsys, "assess", str(write(tmp_path, R2_CASE)), "--no-risk", "--lang", lang)
    assert rc == 0, err
    for words in (*VERDICTS[lang], *TABLE_WORDS[lang]):
        assert words in out, words
    if lang != "en":
        assert "Steroid-refractory" not in out and "baseline" not in out


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh", ["目前尚未耐药", "下一判定时间点：第7天（2026/11/8）"]),
        (
            "de",
            ["Bisher nicht steroidrefraktär; nächster Entscheidungszeitpunkt Tag 7 (08.11.2026)."],
        ),
        ("fr", ["Pas cortico-résistante à ce jour ; prochain point de décision J7 (08/11/2026)."]),
    ],
)
def test_the_next_decision_point_in_each_language(
    lang: str,
    words: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from srgvhd.report import text as report_text

    # before the decision point: the headline names it (after it, "Decision overdue" leads)
    monkeypatch.setattr(report_text, "report_today", lambda: date(2026, 11, 3))
    rc, out, _err = run(
        capsys, "assess", str(write(tmp_path, SO_FAR_CASE)), "--no-risk", "--lang", lang
    )
    assert rc == 0
    for w in words:
        assert w in out


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", "Cannot decide yet: liver not measured on day 7 — enter it. Rule R2 cannot be"),
        ("zh", "尚无法判定：第7天未测量肝脏——请补充录入。在此之前无法判定规则 R2"),
        (
            "de",
            "Noch keine Entscheidung möglich: Leber an Tag 7 nicht gemessen – bitte nachtragen.",
        ),
        ("fr", "Décision impossible pour l’instant : foie non mesuré(s) à J7 — à saisir."),
    ],
)
def test_a_waiting_rule_names_the_organ_in_each_language(
    lang: str, words: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    rc, out, err = run(
        capsys, "assess", str(write(tmp_path, waiting_case())), "--no-risk", "--lang", lang
    )
    assert rc == 0, err
    assert words in out


def test_the_environment_language_is_used_without_lang(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    rc, out, _err = run(capsys, "assess", str(write(tmp_path, R2_CASE)), "--no-risk")
    assert rc == 0 and "Steroidrefraktär nach Regel R2" in out


@pytest.mark.parametrize("lang", ["zh", "de", "fr"])
def test_json_stays_english_in_every_language(
    lang: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    path = str(write(tmp_path, waiting_case()))
    _rc, english, _ = run(capsys, "assess", path, "--no-risk", "--json", "--lang", "en")
    rc, out, _ = run(capsys, "assess", path, "--no-risk", "--json", "--lang", lang)
    assert rc == 0 and out == english
    status = json.loads(out)["status"]
    assert status["value"] == "not refractory so far"
    assert status["waiting"]["reason"] == "liver not measured on day 7"


# --- the PDF ---------------------------------------------------------------------------------
def pdf_words(path: Path) -> str:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return " ".join(text.split())


def pages(path: Path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(path).pages)


PDF_WORDS = {
    "zh": [
        "SR-aGVHD 激素治疗病程摘要",
        "激素耐药：第7天（2026/11/8）符合规则 R2",
        "评估",
        "基线",
        "决策支持，不能替代临床判断。",
        "UC-MSC + 标准治疗",
    ],
    "de": [
        "Steroidrefraktär nach Regel R2",
        "Untersuchungen",
        "Ausgangsbefund",
        "Entscheidungsunterstützung, kein Ersatz für das ärztliche Urteil.",
    ],
    "fr": [
        "GVH aiguë cortico-résistante selon la règle R2",
        "Évaluations",
        "état initial",
        "Aide à la décision, ne remplace pas le jugement clinique.",
    ],
}


@needs_pdftotext
@pytest.mark.parametrize("lang", ["zh", "de", "fr"])
def test_the_pdf_is_one_page_in_the_language_with_extractable_text(
    lang: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out_pdf = tmp_path / f"summary-{lang}.pdf"
    rc, out, err = run(
        capsys, "assess", str(write(tmp_path, R2_CASE)), "--pdf", str(out_pdf), "--lang", lang
    )
    assert rc == 0, err
    assert out  # the table is still printed
    text = pdf_words(out_pdf)
    for words in PDF_WORDS[lang]:
        assert words in text, words
    assert "Steroid-refractory" not in text
    assert pages(out_pdf) == 1


@needs_pdftotext
def test_the_english_pdf_keeps_its_words(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    out_pdf = tmp_path / "summary.pdf"
    rc, _out, err = run(
        capsys,
        "assess",
        str(write(tmp_path, R2_CASE)),
        "--pdf",
        str(out_pdf),
        "--lang",
        "en",
        "--no-risk",
    )
    assert rc == 0, err
    text = pdf_words(out_pdf)
    assert (
        "Steroid-refractory by rule R2 (no partial response by day 7) on day 7 (2026-11-08) — "
        "choose second-line therapy." in text
    )
    assert "SR-aGVHD steroid-course summary" in text and "No survival estimate" in text


def test_the_chinese_pdf_sets_latin_and_chinese_in_noto_sans_cjk(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    from pypdf import PdfReader

    fonts = {}
    for lang in ("zh", "de"):
        out_pdf = tmp_path / f"{lang}.pdf"
        assert (
            run(
                capsys,
                "assess",
                str(write(tmp_path, R2_CASE)),
                "--pdf",
                str(out_pdf),
                "--lang",
                lang,
            )[0]
            == 0
        )
        resources = PdfReader(out_pdf).pages[0]["/Resources"]["/Font"]
        fonts[lang] = {str(f.get_object()["/BaseFont"]).split("+")[-1] for f in resources.values()}
    assert fonts == {
        "zh": {"NotoSansCJKSC", "NotoSansCJKSCBold"},
        "de": {"DejaVuSansBook", "DejaVuSansBold"},
    }


def test_an_unwritable_pdf_path_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    rc, out, err = run(
        capsys,
        "assess",
        str(write(tmp_path, R2_CASE)),
        "--pdf",
        str(tmp_path / "no" / "such" / "x.pdf"),
        "--no-risk",
    )
    assert (rc, out) == (2, "") and err.count("\n") == 1 and "--pdf" in err


# --- engine text ---------------------------------------------------------------------------------
def test_engine_messages_are_english_strings_that_keep_their_template() -> None:
    inner = Listed(["liver", "lower GI"])
    message = Msg("{organs} not measured on day {day}", organs=inner, day=7)
    assert message == "liver and lower GI not measured on day 7"
    assert json.dumps(message) == '"liver and lower GI not measured on day 7"'
    again = pickle.loads(pickle.dumps(message))
    assert again == message and again.template == message.template
    assert translator("de").text(message) == "Leber und unterer GIT an Tag 7 nicht gemessen"
    assert translator("zh").text(message) == "第7天未测量肝脏和下消化道"
    assert (
        translator("fr")
        .text(
            Msg(
                "methylprednisolone {dose} mg/kg/day is below the {study} "
                "mg/kg/day the refractoriness rules assume; the verdict is "
                "given but read it with care",
                dose=1.5,
                study=2.0,
            )
        )
        .startswith("méthylprednisolone 1,5 mg/kg/j est inférieure aux 2 ")
    )


def test_the_rule_words_are_the_engines_rules() -> None:
    from srgvhd.clinical.refractory import EBMT_RULES, RULE_SET_LABELS, STUDY_RULES
    from srgvhd.report import text as words

    with using("en"):
        for rule_id, rule in {**STUDY_RULES, **EBMT_RULES}.items():
            assert words.rule_text(rule_id) == rule.text
        for key, label in RULE_SET_LABELS.items():
            assert words.rule_set_text(key) == label


# --- numbers and dates ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("lang", "number", "percent", "day"),
    [
        ("en", "2.5", "70%", "2026-11-08"),
        ("zh", "2.5", "70%", "2026/11/8"),
        ("de", "2,5", "70\u00a0%", "08.11.2026"),
        ("fr", "2,5", "70\u00a0%", "08/11/2026"),
    ],
)
def test_numbers_and_dates_are_written_the_locales_way(
    lang: str, number: str, percent: str, day: str
) -> None:
    tr = translator(lang)
    assert tr.number(2.5) == number
    assert tr.number(1600.0) == "1600"  # never grouped: "1.600" would read as 1.6
    assert tr.number(0.2905) == "0" + number[1] + "2905"  # every digit kept
    assert tr.percent(0.7) == percent
    assert tr.date(date(2026, 11, 8)) == day


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("1,5", "de", 1.5),
        ("1.5", "de", 1.5),  # a point before one digit is only ever a decimal point
        ("1.234,5", "de", 1234.5),
        ("1 234,5", "fr", 1234.5),  # a typed space is the French group sign
        ("1\u202f234,5", "fr", 1234.5),
        ("1,234.5", "en", 1234.5),
        ("1.234.567", "de", 1234567),
        ("−1,5", "de", -1.5),
    ],
)
def test_a_locales_grouped_number_is_read_strictly(text: str, lang: str, expected: float) -> None:
    from srgvhd.app.fields import parse_number

    assert parse_number(text, "Bilirubin", lang=lang) == expected


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("1.600", "de"),  # 1600 or 1.6: asked again in every language
        ("1,600", "de"),
        ("1.600", "fr"),
        ("1,600", "en"),
        ("1.234,5", "fr"),  # not French grouping
        ("1,234.5", "de"),  # not German grouping
        ("1.2.3", "de"),  # lenient Babel would read 123
        ("1e5", "de"),  # no exponents
        ("1 23,5", "fr"),  # a group of two digits
    ],
)
def test_an_ambiguous_or_lenient_reading_is_refused(text: str, lang: str) -> None:
    from srgvhd.app.fields import FieldError, parse_number

    with pytest.raises(FieldError, match="Bilirubin"):
        parse_number(text, "Bilirubin", lang=lang)


# --- any course, every language ----------------------------------------------------------------
def _any_course() -> Any:
    from tests.test_report import courses

    return courses()


@settings(max_examples=25, deadline=None)
@given(case=_any_course(), rules=st.sampled_from(["study", "ebmt2018"]))
def test_any_course_is_said_in_every_language(case: dict[str, Any], rules: str) -> None:
    """Whatever the course (blanks, labs, long courses), each language gives the table and the
    verdict without falling back to the English sentence, and --json does not change."""
    from srgvhd.cli.main import format_table
    from srgvhd.clinical.case import parse_case
    from srgvhd.clinical.course import assess_case
    from srgvhd.report.text import headline, report_today

    result = assess_case(parse_case(case), rules)
    english_json = json.dumps(result.to_json())
    english_headline = headline(result.status, report_today()).text
    for lang in ("zh", "de", "fr"):
        with using(lang):
            table = format_table(result)
            verdict = headline(result.status, report_today()).text
        assert verdict in table and verdict != english_headline
        assert result.status.sentence not in table
        assert "not measured" not in table and "baseline" not in table
    assert json.dumps(result.to_json()) == english_json


@pytest.mark.parametrize(
    ("lang", "shown"), [("en", "1.5"), ("zh", "1.5"), ("de", "1,5"), ("fr", "1,5")]
)
def test_the_form_shows_a_decimal_the_languages_way_and_reads_it_back(
    lang: str, shown: str
) -> None:
    from srgvhd.app.fields import number_text, parse_number

    with using(lang):
        assert number_text(1.5) == shown
        assert number_text(2.125) == shown.replace("1", "2").replace("5", "125") + "0"
        for other in ("en", "zh", "de", "fr"):  # a language switch never changes the value
            assert parse_number(number_text(2.125), "Bilirubin", lang=other) == 2.125


@pytest.mark.parametrize("text", ["day 7", "d7", "Tag 7", "J7", "jour 7", "第7天", "第 7 天"])
def test_a_day_of_the_course_is_accepted_in_every_languages_words(text: str) -> None:
    from srgvhd.app.fields import parse_date

    assert parse_date(text, "Date", date(2026, 11, 1)) == date(2026, 11, 8)


@pytest.mark.parametrize("text", ["t7", "Tag", "第7", "7天天", "08.11.2026"])
def test_other_day_words_are_refused(text: str) -> None:
    from srgvhd.app.fields import FieldError, parse_date

    with pytest.raises(FieldError, match="Date"):
        parse_date(text, "Date", date(2026, 11, 1))


@pytest.mark.parametrize(
    ("lang", "arm", "p"),
    [
        ("en", "84.1% (37/44)", "p = 0.007"),
        ("zh", "84.1% (37/44)", "p = 0.007"),
        ("de", "84,1\u00a0% (37/44)", "p = 0,007"),
        ("fr", "84,1\u00a0% (37/44)", "p = 0,007"),
    ],
)
def test_published_figures_take_the_languages_decimal_sign(lang: str, arm: str, p: str) -> None:
    from srgvhd.report.text import figures

    with using(lang):
        assert figures("84.1% (37/44)") == arm
        assert figures("p = 0.007") == p
        assert figures("Blood 2018;131(25):2846") == "Blood 2018;131(25):2846"  # no decimals


def test_a_missing_chinese_font_is_one_line_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from srgvhd.report import pdfkit

    monkeypatch.setattr(pdfkit, "CJK_FONT_DIRS", (tmp_path / "no-fonts",))
    out_pdf = tmp_path / "zh.pdf"
    rc, out, err = run(
        capsys, "assess", str(write(tmp_path, R2_CASE)), "--pdf", str(out_pdf), "--lang", "zh"
    )
    assert (rc, out) == (2, "") and err.count("\n") == 1 and "fonts-noto-cjk" in err
    assert not out_pdf.exists()


def _crowded_german_course() -> dict[str, Any]:
    """A course that once ran 2.4 mm past the footer in German: nine assessments whose findings
    wrap to three lines, labs with all three bedside scores, five matched benchmarks."""
    blank = {
        "skin_rash_bsa_percent": None,
        "skin_bullae_desquamation_bsa_percent": 0,
        "bilirubin": None,
        "upper_gi_persistent_symptoms": False,
        "stool_ml_per_day": None,
        "stool_episodes_per_day": None,
        "severe_abdominal_pain_or_ileus": False,
        "grossly_bloody_stool": False,
    }
    findings = [
        ("2026-11-01", {"skin_rash_bsa_percent": 48, "upper_gi_persistent_symptoms": True}),
        ("2026-11-13", {}),
        ("2026-11-15", {}),
        ("2026-11-28", {}),
        ("2026-12-01", {}),
        ("2026-12-02", {}),
        ("2026-12-17", {"skin_rash_bsa_percent": 57, "stool_episodes_per_day": 8}),
        ("2026-12-26", {"bilirubin": {"value": 14.880855842526984, "unit": "mg/dL"}}),
        ("2026-12-27", {}),
    ]
    return {
        "format": "srgvhd-case/2",
        "patient": {"age_years": 42, "weight_kg": 70.0, "hemoglobin": {"value": 85, "unit": "g/L"}},
        "steroids": {"start_date": "2026-11-01", "methylprednisolone_mg_per_kg_day": 2.0},
        "assessments": [
            {"date": day, "measurements": {**blank, **changed}} for day, changed in findings
        ],
        "grade_override": None,
        "labs": [
            {
                "date": "2026-11-08",
                "ldh_u_l": 420,
                "creatinine": {"value": 97.24, "unit": "umol/L"},
                "platelets_10e9_l": 45,
                "map_probability": 0.35,
            }
        ],
    }


@settings(max_examples=8, deadline=None)
@example(case=_crowded_german_course(), risk=True, warnings=0, lang="de")
@given(
    case=_any_course(),
    risk=st.booleans(),
    warnings=st.integers(0, 8),
    lang=st.sampled_from(["zh", "de", "fr"]),
)
def test_any_course_fits_one_page_in_every_language(
    case: dict[str, Any], risk: bool, warnings: int, lang: str
) -> None:
    """Longer words (German, French) and Chinese glyphs keep the summary on one page with the
    content above the footer, as in English (tests/test_report.py)."""
    from dataclasses import replace

    from fpdf import FPDF

    from srgvhd.clinical.case import parse_case
    from srgvhd.clinical.course import assess_case
    from srgvhd.report import pdfkit
    from srgvhd.report.summary import render
    from tests.sample_results import patient, with_risk
    from tests.test_report import GENERATED, MODEL

    course_result = assess_case(parse_case(case), "study")
    result = with_risk(course_result) if risk else patient(course_result)
    result = replace(result, warnings=("lange Warnung " * 12,) * warnings)
    with using(lang):
        pdf = FPDF(unit="mm", format="A4")
        pdf.set_auto_page_break(False)
        pdfkit.add_fonts(pdf)
        pdf.add_page()
        assert render(pdf, parse_case(case), result, MODEL, GENERATED) >= 0
        assert pdf.page == 1


def test_an_inputs_problems_are_one_text_in_each_languages_punctuation() -> None:
    """``problems_message``: English exactly as ``str(InputError)``; French and Chinese with
    their own colon and clause separator, each problem's ``Msg`` said by its template."""
    from srgvhd.errors import InputError, Problem
    from srgvhd.i18n import current, problems_message

    refusal = InputError(
        [Problem("--reason", Msg("names no version")), Problem("file", Msg("not UTF-8 text"))]
    )
    said = problems_message(refusal.problems)
    assert said == str(refusal) == "--reason: names no version; file: not UTF-8 text"
    with using("fr"):
        assert current().text(said).endswith(" : pas un texte UTF-8")
        assert " ; " in current().text(said)
    with using("zh"):
        assert current().text(said).endswith("：不是 UTF-8 文本")
        assert "；" in current().text(said)
