"""The second line in Chinese, German and French (docs/glossary.md "Risk and second line";
docs/clinical-rules.md §8): the CLI block, the PDF section, the engine's dose and baseline
warnings, the Assess page's section and its charts, while ``--json`` stays English.

Expected words are typed by hand from the glossary's terms and the worked example
(examples/second_line_uc_msc.json, worked in tests/test_second_line.py): UC-MSC from
2026-10-10 (1.5, 1.5, 0.8 × 10^6/kg), baseline the same day, PR on day 10, CR on days 28 and 35,
week 4 = day 28 CR, no progression, read on day 35.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from srgvhd.i18n import using
from tests.cases import bilirubin, measured

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "second_line_uc_msc.json"
needs_pdftotext = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (make test installs it)"
)


def run(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, str, str]:
    from srgvhd.cli.main import main

    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


def spaced(text: str) -> str:
    """Whitespace as plain single spaces (French and German put no-break spaces before % and
    French before ; and :), so expected words can be typed with ordinary spaces."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


# English sentences and words of the second line that must not be left in another language.
ENGLISH = (
    "Second line",
    "second-line",
    "second line",
    "Week-4 response",
    "Progression on",
    "Baseline",
    " infusion",  # not the case-file path second_line.infusions[i]
    "cells/kg",
    "Published response rates",
    "Survival",
    "alive on day",
    "overall response",
    "outside the study's range",
    "standard alone",
    "none found",
    "horizon",
)

CLI_WORDS = {
    "de": [
        "Zweitlinie: UC-MSC + Standard-Zweitlinientherapie ab 10.10.2026 (Tag 35 der "
        "Zweitlinie bei der letzten Untersuchung).",
        "3 Infusionen: 10.10.2026 1,5, 17.10.2026 1,5, 24.10.2026 0,8 × 10^6 Zellen/kg",
        "Zweitlinien-Ausgangsbefund: 10.10.2026.",
        "Tag 10 (20.10.2026): partielles Ansprechen (PR)",
        "Tag 28 (07.11.2026): komplettes Ansprechen (CR)",
        "Ansprechen in Woche 4: komplettes Ansprechen (CR) an Tag 28 (07.11.2026), ein "
        "Gesamtansprechen.",
        "Progression unter Zweitlinientherapie: keine festgestellt.",
        "Niu et al. 2026, Grad III–IV: UC-MSC + Standard CR 54,5 % (n = 44); nur Standard "
        "CR 31,4 % (n = 51).",
        "Überleben ab Beginn der Zweitlinie, lebend an Tag 35 der Zweitlinie:",
        "Überleben nach 180 Tagen: 63 %",
        "0,8 × 10^6 Zellen/kg am 24.10.2026 liegt außerhalb des Studienbereichs von 1–3 × 10^6 "
        "Zellen/kg pro Infusion",
    ],
    "fr": [
        "Deuxième ligne : UC-MSC + traitement standard de deuxième ligne depuis le 10/10/2026 "
        "(J35 de la deuxième ligne à la dernière évaluation).",
        "3 perfusions : 10/10/2026 1,5, 17/10/2026 1,5, 24/10/2026 0,8 × 10^6 cellules/kg",
        "État initial de deuxième ligne : 10/10/2026.",
        "J10 (20/10/2026) : réponse partielle (RP)",
        "Réponse à la semaine 4 : réponse complète (RC) à J28 (07/11/2026), une réponse globale.",
        "Progression sous traitement de deuxième ligne : aucune constatée.",
        "Niu et al. 2026, grade III–IV : UC-MSC + standard RC 54,5 % (n = 44) ; standard seul "
        "RC 31,4 % (n = 51).",
        "Survie depuis le début de la deuxième ligne, vivant à J35 de la deuxième ligne :",
        "Survie à 180 jours : 63 %",
        "0,8 × 10^6 cellules/kg le 24/10/2026 est en dehors de l'intervalle de l'étude de 1–3",
    ],
    "zh": [
        "二线治疗：UC-MSC + 标准二线治疗，自 2026/10/10 起（末次评估时为二线治疗第35天）。",
        "3 次输注：2026/10/10 1.5、2026/10/17 1.5、2026/10/24 0.8 × 10^6 细胞/kg",
        "二线治疗基线：2026/10/10。",
        "第10天（2026/10/20）：部分缓解 (PR)",
        "第4周疗效：第28天（2026/11/7）完全缓解 (CR)，属于总体有效。",
        "二线治疗期间进展：未发现。",
        "Niu et al. 2026，III–IV度：UC-MSC + 标准治疗 CR 54.5%（n = 44）；"
        "仅标准治疗 CR 31.4%（n = 51）。",
        "自二线治疗开始的生存率（二线治疗第35天仍存活）：",
        "180 天生存率：63%",
        "2026/10/24 的 0.8 × 10^6 细胞/kg 超出研究的每次输注 1–3 × 10^6 细胞/kg 范围",
    ],
}


@pytest.mark.parametrize("lang", ["de", "fr", "zh"])
def test_the_cli_second_line_block_speaks_the_language(
    lang: str, capsys: pytest.CaptureFixture
) -> None:
    rc, out, err = run(capsys, "assess", str(EXAMPLE), "--lang", lang)
    assert rc == 0, err
    text = spaced(out)
    for words in CLI_WORDS[lang]:
        assert spaced(words) in text, words
    for english in ENGLISH:
        assert english not in out, english


def test_json_stays_english_whatever_the_language(capsys: pytest.CaptureFixture) -> None:
    _rc, english, _err = run(capsys, "assess", str(EXAMPLE), "--json", "--lang", "en")
    for lang in ("zh", "de", "fr"):
        rc, out, _err = run(capsys, "assess", str(EXAMPLE), "--json", "--lang", lang)
        assert rc == 0 and out == english
    warnings = json.loads(english)["warnings"]
    assert warnings == [
        "second_line.infusions[2].dose_10e6_cells_per_kg: 0.8 × 10^6 cells/kg on 2026-10-24 is "
        "outside the study's range of 1–3 × 10^6 cells/kg per infusion (Niu et al. 2026)"
    ]


# --- the statuses the worked example does not reach ------------------------------------------
def _doc(later: list[dict[str, Any]], start: str = "2026-11-11") -> dict[str, Any]:
    """Steroids from 2026-11-01, liver involved (bilirubin 2.5 mg/dL → stage 1) and lower GI
    stage 2 at day 0 and day 7 (no response → R2), UC-MSC from ``start`` with one dose of 1.5."""
    base = {
        "skin_rash_bsa_percent": 0,
        "skin_bullae_desquamation_bsa_percent": 0,
        "bilirubin": bilirubin(2.5),
        "upper_gi_persistent_symptoms": False,
        "stool_ml_per_day": 1100,
        "stool_episodes_per_day": 5,
        "severe_abdominal_pain_or_ileus": False,
        "grossly_bloody_stool": False,
    }
    return {
        "format": "srgvhd-case/2",
        "patient": {"age_years": 40, "weight_kg": 70, "hemoglobin": {"value": 85, "unit": "g/L"}},
        "steroids": {"start_date": "2026-11-01", "methylprednisolone_mg_per_kg_day": 2},
        "assessments": [measured(0, **base), measured(7, **base), *later],
        "second_line": {
            "therapy": "uc-msc",
            "start_date": start,
            "infusions": [{"date": start, "dose_10e6_cells_per_kg": 1.5}],
        },
    }


def _block(doc: dict[str, Any], lang: str) -> str:
    from srgvhd.cli.main import format_table
    from srgvhd.clinical.case import parse_case
    from srgvhd.clinical.course import assess_case
    from srgvhd.literature.second_line import with_benchmarks

    result = with_benchmarks(assess_case(parse_case(doc)))
    with using(lang):
        return spaced(format_table(result))


def _no_bilirubin(day: int) -> dict[str, Any]:
    """Second-line day ``day`` (start 2026-11-08 = steroid day 7) with the liver not measured."""
    findings = {
        "skin_rash_bsa_percent": 0,
        "skin_bullae_desquamation_bsa_percent": 0,
        "upper_gi_persistent_symptoms": False,
        "stool_ml_per_day": 1100,
        "stool_episodes_per_day": 5,
        "severe_abdominal_pain_or_ileus": False,
        "grossly_bloody_stool": False,
    }
    return measured(7 + day, **findings)


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "de",
            [
                "Tag 28 (06.12.2026): nicht beurteilbar — Leber an Tag 28 nicht gemessen",
                "Ansprechen in Woche 4: nicht beurteilbar — die Untersuchungen an Tag 28–35 "
                "ließen sich nicht mit dem Zweitlinien-Ausgangsbefund vergleichen.",
            ],
        ),
        (
            "fr",
            [
                "J28 (06/12/2026) : non évaluable — foie non mesuré(s) à J28",
                "Réponse à la semaine 4 : non évaluable — les évaluations entre J28 et J35 n'ont "
                "pas pu être comparées à l'état initial de deuxième ligne.",
            ],
        ),
        (
            "zh",
            [
                "第28天（2026/12/6）：无法评估——第28天未测量肝脏",
                "第4周疗效：无法评估——第28–35天的评估无法与二线治疗基线比较。",
            ],
        ),
    ],
)
def test_a_not_assessable_response_says_why_in_the_language(lang: str, words: list[str]) -> None:
    # second line from steroid day 7 (2026-11-08, the baseline); day 28 (2026-12-06) without
    # bilirubin: the liver, involved at the second-line baseline, is not measured
    block = _block(_doc([_no_bilirubin(28)], start="2026-11-08"), lang)
    for w in words:
        assert spaced(w) in block, w
    for english in ENGLISH:
        assert english not in block, english


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        (
            "de",
            [
                "Ausgangsbefund: keiner (kein Zweitlinien-Ausgangsbefund).",
                "Ansprechen in Woche 4: nicht beurteilbar (kein Zweitlinien-Ausgangsbefund).",
                "Progression unter Zweitlinientherapie: nicht beurteilbar "
                "(kein Zweitlinien-Ausgangsbefund).",
                "Warnung: kein Zweitlinien-Ausgangsbefund: keine Untersuchung vom 11.11.2026 bis "
                "zum Beginn der Zweitlinie (18.11.2026)",
            ],
        ),
        (
            "fr",
            [
                "État initial : aucun (pas d'état initial de deuxième ligne).",
                "Réponse à la semaine 4 : non évaluable (pas d'état initial de deuxième ligne).",
                "aucune évaluation du 11/11/2026 au début de la deuxième ligne (18/11/2026)",
            ],
        ),
        (
            "zh",
            [
                "基线：无（无二线治疗基线）。",
                "二线治疗期间进展：无法判断（无二线治疗基线）。",
                "2026/11/11 至二线治疗开始（2026/11/18）期间无评估",
            ],
        ),
    ],
)
def test_no_second_line_baseline_in_the_language(lang: str, words: list[str]) -> None:
    # the last steroid assessment is day 7 (2026-11-08), 10 days before the start (2026-11-18)
    block = _block(_doc([], start="2026-11-18"), lang)
    for w in words:
        assert spaced(w) in block, w
    for english in ENGLISH:
        assert english not in block, english


@pytest.mark.parametrize(
    ("lang", "due", "missed"),
    [
        (
            "de",
            "Ansprechen in Woche 4: fällig am 05.12.2026 (Tag 28–35 der Zweitlinie).",
            "Ansprechen in Woche 4: verpasst — keine beurteilbare Untersuchung an Tag 28–35 "
            "(ab 05.12.2026).",
        ),
        (
            "fr",
            "Réponse à la semaine 4 : attendue le 05/12/2026 (J28–J35 de la deuxième ligne).",
            "Réponse à la semaine 4 : manquée — aucune évaluation évaluable entre J28 et J35 "
            "(à partir du 05/12/2026).",
        ),
        (
            "zh",
            "第4周疗效：应于 2026/12/5 评估（二线治疗第28–35天）。",
            "第4周疗效：已错过——第28–35天（自 2026/12/5 起）无可评估的评估。",
        ),
    ],
)
def test_week4_due_and_missed_in_the_language(lang: str, due: str, missed: str) -> None:
    # start 2026-11-07 (steroid day 6, baseline: day 0 is 6 days before): due 2026-12-05;
    # read on day 10 it is due, on day 40 (nothing on days 28–35) it is missed
    base = _doc([], start="2026-11-07")
    base["assessments"] = base["assessments"][:1]
    later = measured(6 + 10, **base["assessments"][0]["measurements"])
    assert spaced(due) in _block({**base, "assessments": [*base["assessments"], later]}, lang)
    late = measured(6 + 40, **base["assessments"][0]["measurements"])
    assert spaced(missed) in _block({**base, "assessments": [*base["assessments"], late]}, lang)


# --- any course with a second line ---------------------------------------------------------------
_stage = st.integers(0, 4)


@settings(max_examples=25, deadline=None)
@given(
    start_day=st.integers(1, 20),
    later_days=st.sets(st.integers(0, 50), max_size=8),
    therapy=st.sampled_from(["uc-msc", "standard", "ruxolitinib", "bm-msc"]),
    doses=st.lists(st.sampled_from([0.5, 1.5, 4.0]), min_size=1, max_size=3),
    stages=st.lists(st.tuples(_stage, _stage, _stage), min_size=1, max_size=8),
    lang=st.sampled_from(["zh", "de", "fr"]),
)
def test_any_second_line_is_said_without_english_and_json_unchanged(
    start_day: int,
    later_days: set[int],
    therapy: str,
    doses: list[float],
    stages: list[tuple[int, int, int]],
    lang: str,
) -> None:
    from datetime import date, timedelta

    from srgvhd.cli.main import format_table
    from srgvhd.clinical.case import parse_case
    from srgvhd.clinical.course import assess_case
    from srgvhd.literature.second_line import with_benchmarks

    steroid_start = date(2026, 11, 1)
    start = steroid_start + timedelta(days=start_day)
    days = sorted({*(start + timedelta(days=d) for d in later_days), steroid_start})
    rows = [stages[i % len(stages)] for i in range(len(days))]
    doc: dict[str, Any] = {
        "format": "srgvhd-case/2",
        "patient": {"age_years": 40, "weight_kg": 70, "hemoglobin": {"value": 85, "unit": "g/L"}},
        "steroids": {
            "start_date": steroid_start.isoformat(),
            "methylprednisolone_mg_per_kg_day": 2,
        },
        "assessments": [
            {
                "date": when.isoformat(),
                "stages": {"skin": s, "liver": li, "upper_gi": 1, "lower_gi": lo},
            }
            for when, (s, li, lo) in zip(days, rows, strict=True)
        ],
        "second_line": {"therapy": therapy, "start_date": start.isoformat()},
    }
    if therapy in ("uc-msc", "bm-msc"):
        doc["second_line"]["infusions"] = [
            {"date": (start + timedelta(days=7 * i)).isoformat(), "dose_10e6_cells_per_kg": d}
            for i, d in enumerate(doses)
        ]
    result = with_benchmarks(assess_case(parse_case(doc)))
    english = json.dumps(result.to_json())
    with using(lang):
        table = format_table(result)
    for words in ENGLISH:
        assert words not in table, words
    assert json.dumps(result.to_json()) == english


# --- the PDF -------------------------------------------------------------------------------------
PDF_WORDS = {
    "zh": [
        "二线治疗：UC-MSC + 标准治疗，自 2026/10/10 起（第35天）",
        "3 次输注：2026/10/10 1.5、2026/10/17 1.5、2026/10/24 0.8 × 10^6 细胞/kg。",
        "相对二线治疗基线（2026/10/10）的疗效：第10天 部分缓解 (PR)",
        "第4周疗效：第28天（2026/11/7）完全缓解 (CR)，属于总体有效。",
        "二线治疗期间进展：未发现。",
        "自二线治疗开始的生存率（第35天仍存活）：180 天 63%",
        "超出研究的每次输注 1–3 × 10^6 细胞/kg 范围",
    ],
    "de": [
        "Zweitlinie: UC-MSC + Standardtherapie ab 10.10.2026 (Tag 35)",
        "3 Infusionen: 10.10.2026 1,5, 17.10.2026 1,5, 24.10.2026 0,8 × 10^6 Zellen/kg.",
        "Ansprechen gegenüber dem Zweitlinien-Ausgangsbefund (10.10.2026): Tag 10 partielles "
        "Ansprechen (PR)",
        "Ansprechen in Woche 4: komplettes Ansprechen (CR) an Tag 28 (07.11.2026), ein "
        "Gesamtansprechen.",
        "Progression unter Zweitlinientherapie: keine festgestellt.",
        "Überleben ab Beginn der Zweitlinie, lebend an Tag 35: nach 180 Tagen 63 %",
        "0,8 × 10^6 Zellen/kg am 24.10.2026 liegt außerhalb des Studienbereichs",
    ],
}


def _pdf_text(path: Path) -> str:
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return spaced(text)


@needs_pdftotext
@pytest.mark.parametrize("lang", ["zh", "de"])
def test_the_pdf_second_line_section_speaks_the_language_on_one_page(
    lang: str, tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pypdf import PdfReader

    monkeypatch.setenv("SRGVHD_TIMEZONE", "UTC")
    out_pdf = tmp_path / f"second-line-{lang}.pdf"
    rc, _out, err = run(capsys, "assess", str(EXAMPLE), "--pdf", str(out_pdf), "--lang", lang)
    assert rc == 0, err
    text = _pdf_text(out_pdf)
    for words in PDF_WORDS[lang]:
        assert spaced(words) in text, words
    for english in ENGLISH:
        assert english not in text, english
    assert len(PdfReader(out_pdf).pages) == 1


# --- the Assess page -----------------------------------------------------------------------------
def test_the_charts_speak_the_language_and_keep_the_arm_colours() -> None:
    from srgvhd.clinical.case import parse_case
    from srgvhd.clinical.course import assess_case
    from srgvhd.literature.second_line import with_benchmarks
    from srgvhd.report.second_line_charts import survival_from_start_spec, week4_chart_spec

    second = with_benchmarks(assess_case(parse_case(json.loads(EXAMPLE.read_text()))))
    second = second.second_line
    assert second is not None
    with using("de"):
        spec = week4_chart_spec(second)
        curve = survival_from_start_spec(
            {"days": [0, 100], "estimate": [1, 0.8], "lower": [1, 0.7], "upper": [1, 0.9]},
            [180],
            35,
        )
    assert spec["title"] == (
        "Komplettes Ansprechen in Woche 4: die Arme der Studie und dieser Patient: komplettes "
        "Ansprechen (CR) in Woche 4 (◆)"
    )
    bars = spec["layer"][0]["encoding"]
    assert bars["color"]["scale"] == {
        "domain": ["UC-MSC + Standard", "nur Standard"],
        "range": ["#0072B2", "#E69F00"],
    }
    assert bars["y"]["title"] == "komplettes Ansprechen"
    assert [v["subgroup"] for v in spec["data"]["values"]][::2] == [
        "Grad II–IV",
        "Grad III–IV",
        "Leberbeteiligung",
        "GI-Beteiligung",
        "≥2 Organe befallen",
    ]
    x = curve["layer"][0]["encoding"]["x"]
    assert x["title"] == "Tage ab Beginn der Zweitlinientherapie"
    assert curve["layer"][-1]["data"]["values"] == [{"days": 35, "label": "heute (Tag 35)"}]


def _section() -> None:
    """The Assess page's second-line section for the worked example, in German (AppTest runs a
    page file without app.py's language selector, so the script sets the language itself)."""
    import json
    from datetime import date
    from pathlib import Path

    import srgvhd
    from srgvhd.app import form as F
    from srgvhd.app import second_line as section
    from srgvhd.clinical.case import case_to_dict, parse_case
    from srgvhd.i18n import set_language
    from srgvhd.risk.patient import assess_patient
    from srgvhd.risk.store import ModelStore

    set_language("de")
    root = Path(srgvhd.__file__).resolve().parent
    doc = json.loads((root.parent / "examples" / "second_line_uc_msc.json").read_text())
    case = parse_case(doc)
    model = ModelStore(root / "risk" / "reference").load_active()[0]
    section.draw_entry(F.case_dict_to_form(case_to_dict(case)), {})
    section.draw_result(assess_patient(case, model), on=date(2026, 11, 14))


def test_the_assess_page_second_line_in_german() -> None:
    from streamlit.testing.v1 import AppTest

    from tests.streamlit_text import as_read

    at = AppTest.from_function(_section, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [h.value for h in at.subheader] == ["Zweitlinie"]
    assert at.expander[0].label == "Zweitlinientherapie"
    assert at.selectbox(key="assess_sl_therapy").label == "Therapie"
    assert at.selectbox(key="assess_sl_therapy").options == [
        "keine erfasst",
        "UC-MSC + Standard-Zweitlinientherapie",
        "Standard-Zweitlinientherapie",
        "Ruxolitinib",
        "BM-MSC",
        "andere (Namen angeben)",
    ]
    assert at.text_input(key="assess_sl_start_date").label == (
        "Beginn der Zweitlinientherapie (Tag 0 der Zweitlinie)"
    )
    assert at.text_input(key="assess_sl_infusion_1_dose").label == "Dosis (× 10^6 Zellen/kg)"
    assert at.button(key="assess_sl_add_infusion").label == "Infusion hinzufügen"
    success = [as_read(e.value) for e in at.success]
    assert success == [
        "Ansprechen in Woche 4: komplettes Ansprechen (CR) an Tag 28 (07.11.2026), ein "
        "Gesamtansprechen."
    ]
    warnings = " ".join(as_read(e.value) for e in at.warning)
    assert "0,8 × 10^6 Zellen/kg am 24.10.2026 liegt außerhalb des Studienbereichs" in warnings
    table = at.table[0].value
    assert list(table.columns) == [
        "Tag der Zweitlinie",
        "Datum",
        "Ansprechen gegenüber dem Zweitlinien-Ausgangsbefund",
        "warum nicht beurteilbar",
    ]
    assert list(table["Datum"]) == ["20.10.2026", "07.11.2026", "14.11.2026"]
    captions = " ".join(as_read(e.value) for e in at.caption)
    assert "Die Subgruppenraten der Studie haben den ganzen Arm als Nenner." in captions
    assert "Überleben nach 180 Tagen: 63 %" in spaced(captions)
    shown = " ".join([warnings, *success, captions])
    for english in ENGLISH:
        assert english not in shown, english
