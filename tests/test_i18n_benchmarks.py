"""The Benchmarks page and the Vega charts of the Assess, Model and Benchmarks pages in the
reader's language (srgvhd.literature.published, srgvhd.report.vega, srgvhd.report.charts).

Expected words are typed by hand from docs/glossary.md and the published figures
(docs/published-figures.md), never copied from the catalogues. The English words that must be
gone are read from the code's own data (the published outcomes, notes, design facts) and from
the English chart specifications: a word left untranslated in any of them fails.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from srgvhd.i18n import current, using
from srgvhd.literature import published
from srgvhd.report import vega
from srgvhd.report.charts import cr_by_subgroup_spec
from srgvhd.risk.calibration import RISK_THIRDS, CalibrationGroup, NetBenefit
from tests.sample_results import REFRACTORY_RESULT
from tests.support.language_page import page_in_language

REPO = Path(__file__).resolve().parents[1]
NBSP = "\u00a0"
CURVE = {
    "days": [0, 100, 200],
    "estimate": [1.0, 0.8, 0.6],
    "lower": [1.0, 0.7, 0.5],
    "upper": [1.0, 0.9, 0.7],
}

# The page's own English (headings, captions, column headings), typed here.
PAGE_ENGLISH = (
    "Published benchmarks",
    "Figures as published, counts beside them",
    "UC-MSC added to standard second-line therapy",
    "Study design and cohort",
    "Week-4 complete response by subgroup",
    "Prognostic factors for survival",
    "The app's risk model uses the same three factors",
    "Later outcomes: survival, relapse",
    "An asterisk marks a published percentage",
    "Other published benchmarks for SR-aGVHD",
    "Day-28 response unless stated",
    "Source:",
    "outcome",
    "therapy / study",
    "other outcomes",
    "population",
    "comparison",
    "factor",
    "day-28 ORR",
    "week-4 complete response",
    "study arm",
    "standard alone",
)


def _published_english() -> set[str]:
    """Every English word of the published data that the page shows (citations excluded)."""
    rows = published.WEEK4_CR + published.LATER_OUTCOMES
    words: set[str] = {published.WHOLE_ARM_NOTE, published.ORR_STATEMENT}
    for row in rows:
        words |= {row.outcome, row.note or "", row.p_text or ""}
        for arm in (row.msc, row.standard):
            words |= {arm.detail or "", arm.discrepancy or ""}
    for f in published.DESIGN:
        words |= {f.label, f.value}
    for c in published.COX_FACTORS:
        words |= {c.factor, c.comparison}
    for b in published.EXTERNAL_BENCHMARKS:
        words |= {b.therapy, b.population, b.other, b.orr or "", b.cr or ""}
    return {w for w in words if w}


def _left_in_english(texts: list[str], lang: str, english: set[str]) -> list[str]:
    """The English words (of those a translation changes) still found in ``texts``: short ones
    as a whole cell, sentences anywhere."""
    with using(lang):
        changed = {w for w in english if current()(w) != w}
    cells = set(texts)
    joined = "\n".join(texts)
    return sorted(w for w in changed if w in cells or (len(w) > 14 and w in joined))


# --- the Benchmarks page in German and Chinese (AppTest) ---------------------------------------


def _run_page(lang: str) -> AppTest:
    at = page_in_language("published.py", lang)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> list[str]:
    """Every text the page shows: headings, captions, expander labels, table headings and
    cells, and the chart's titles and labels."""
    texts = [e.value for e in (*at.title, *at.header, *at.subheader, *at.caption)]
    texts += [e.label for e in at.expander]
    for table in at.table:
        frame = table.value
        texts += [str(c) for c in frame.columns]
        texts += [str(v) for v in frame.to_numpy().ravel()]
    for node in at.main:
        if getattr(node, "type", None) == "vega_lite_chart":
            texts += list(_spec_words(json.loads(node.proto.spec)))
    return texts


def _spec_words(node: Any) -> Iterator[str]:
    """Every string a chart shows: titles (chart, axis, legend, tooltip), label expressions,
    and the data's category values."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("title", "labelExpr", "subtitle") and isinstance(value, str):
                yield value
            elif key == "values" and isinstance(value, list):
                for row in value:
                    if isinstance(row, dict):
                        yield from (v for v in row.values() if isinstance(v, str))
            else:
                yield from _spec_words(value)
    elif isinstance(node, list):
        for item in node:
            yield from _spec_words(item)


@pytest.fixture(scope="module")
def page_de() -> AppTest:
    return _run_page("de")


@pytest.fixture(scope="module")
def page_zh() -> AppTest:
    return _run_page("zh")


def test_the_benchmarks_page_in_german(page_de: AppTest) -> None:
    at = page_de
    assert at.title[0].value == "Publizierte Vergleichswerte"
    texts = _texts(at)
    joined = "\n".join(texts)
    for expected in (
        "Studiendesign und Kohorte",
        "Endpunkt",
        "Rezidiv",
        "CMV-Infektion",
        "Hämoglobin",
        "Ruxolitinib",
        "Kinder",
        "95%-KI",
        f"84,1{NBSP}% (37/44)",  # Niu 2026, CR grade II–IV, UC-MSC arm
        f"20,1{NBSP}% (9/44)*",  # the count does not reproduce the published percentage
        "HR 0,90 (0,47–1,74)",  # PFS
        "p = 0,007",
        "5,02",  # Cox: age ≥ 35
        "nur Standard",
        "Gesamtüberleben am Ende der Nachbeobachtung",
        "komplettes Ansprechen in Woche 4",  # the chart's y axis
        "Leberbeteiligung",
        "Niu et al., Leuk Lymphoma 2026",  # citations stay as published
    ):
        assert expected in joined, expected
    assert "84.1%" not in joined and "0.007" not in joined  # no English decimal point
    english = _published_english() | set(PAGE_ENGLISH)
    assert _left_in_english(texts, "de", english) == []


def test_the_benchmarks_page_in_chinese(page_zh: AppTest) -> None:
    at = page_zh
    assert at.title[0].value == "已发表的参考数据"
    texts = _texts(at)
    joined = "\n".join(texts)
    for expected in (
        "复发",
        "芦可替尼",
        "儿童",
        "血红蛋白",
        "84.1% (37/44)",
        "肝脏受累",
        "仅标准治疗",
        "第4周完全缓解",
    ):
        assert expected in joined, expected
    english = _published_english() | set(PAGE_ENGLISH)
    assert _left_in_english(texts, "zh", english) == []


def test_the_page_chart_shows_german_numbers() -> None:
    with using("de"):
        spec = cr_by_subgroup_spec()
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert spec["config"]["locale"]["number"]["percent"] == f"{NBSP}%"
    values = spec["data"]["values"]
    assert (values[0]["arm"], values[0]["percent"]) == ("UC-MSC + Standard", f"84,1{NBSP}%")
    assert "p = 0,034" in spec["encoding"]["x"]["axis"]["labelExpr"]


# --- every chart spec in French -------------------------------------------------------------
def _calibration() -> list[CalibrationGroup]:
    return [
        CalibrationGroup(name, 30, 10, 12, 0.7 - 0.1 * i, 0.65 - 0.1 * i, 0.5, 0.8)
        for i, name in enumerate(RISK_THIRDS)
    ]


def _decision() -> list[NetBenefit]:
    return [NetBenefit(t, 10, 0.2 - t / 5, 0.15 - t / 2) for t in (0.1, 0.2, 0.3)]


def _specs() -> dict[str, dict[str, Any]]:
    return {
        "timeline": vega.timeline_spec(REFRACTORY_RESULT),
        "survival": vega.survival_spec(CURVE, [180, 365]),
        "calibration": vega.calibration_spec(_calibration()),
        "decision": vega.decision_curve_spec(_decision()),
        "benchmarks": cr_by_subgroup_spec(),
    }


def _titles(node: Any) -> Iterator[str]:
    """Every "title" string in a Vega-Lite dict (chart, axis, legend, tooltip)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "title" and isinstance(value, str):
                yield value
            else:
                yield from _titles(value)
    elif isinstance(node, list):
        for item in node:
            yield from _titles(item)


# Each chart's titles in French, typed from docs/glossary.md.
FRENCH_TITLES = {
    "timeline": {"jour de corticothérapie", "Grade MAGIC", "réponse", "jour"},
    "survival": {"survie globale", "jour"},
    "calibration": {"survie prédite", "observée (Kaplan–Meier)"},
    "decision": {"probabilité seuil de décès à J"},
    "benchmarks": {"réponse complète à la semaine 4", "bras de l'étude", "réponse complète"},
}


@pytest.mark.parametrize("name", sorted(FRENCH_TITLES))
def test_each_chart_in_french_has_french_titles_and_none_english(name: str) -> None:
    english_titles = set(_titles(_specs()[name]))
    with using("fr"):
        spec = _specs()[name]
    titles = set(_titles(spec))
    for expected in FRENCH_TITLES[name]:
        assert any(t.startswith(expected) for t in titles), (expected, titles)
    assert not titles & english_titles, titles & english_titles
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    json.dumps(spec)  # plain data


def test_the_charts_categories_are_french_and_keep_their_colours() -> None:
    with using("fr"):
        timeline = vega.timeline_spec(REFRACTORY_RESULT)
        decision = vega.decision_curve_spec(_decision())
        calibration = vega.calibration_spec(_calibration())
    (points,) = [layer for layer in timeline["layer"] if layer["mark"]["type"] == "point"]
    scale = points["encoding"]["color"]["scale"]
    # days 0, 3, 7–14 of the sample course: baseline, progression, mixed (glossary: French)
    assert scale["domain"] == ["état initial", "réponse mixte", "progression"]
    assert scale["range"] == [
        vega.RESPONSE_COLOURS[k] for k in ("baseline", "mixed", "progression")
    ]
    assert {v["response"] for v in timeline["data"]["values"]} == set(scale["domain"])
    strategies = decision["encoding"]["color"]["scale"]
    assert strategies["domain"] == [
        "modèle : risque élevé",
        "traiter tout le monde",
        "ne traiter personne",
    ]
    assert {v["strategy"] for v in decision["data"]["values"]} <= set(strategies["domain"])
    groups = {
        v["group"]
        for layer in calibration["layer"]
        for v in layer["data"]["values"]
        if "group" in v
    }
    assert groups == {
        "tiers inférieur",
        "tiers médian",
        "tiers supérieur",
    }


def test_an_incomplete_grade_says_the_missing_organ_in_french() -> None:
    from srgvhd.clinical.case import parse_case
    from srgvhd.clinical.course import assess_case
    from tests.cases import case_doc, staged

    doc = case_doc([staged(0, liver=3), staged(14, liver=0)])
    doc["format"] = "srgvhd-case/2"
    doc["assessments"][1]["stages"]["liver"] = None
    with using("fr"):
        values = vega.timeline_spec(assess_case(parse_case(doc)))["data"]["values"]
    assert values[1]["MAGIC grade"] == "0 ou plus (foie : non mesuré)"


def test_english_and_chinese_charts_keep_d3_default_numbers() -> None:
    for lang in ("en", "zh"):
        with using(lang):
            assert all("config" not in spec for spec in _specs().values()), lang


def test_the_assess_pages_cached_tables_follow_the_language() -> None:
    """The Assess page's benchmark tables are cached per process: one reader's language must
    not become the next reader's (the cache is keyed by language)."""
    from srgvhd.app.ui import arrow_table

    with using("de"):
        german = arrow_table(published.external_table).column_names
    with using("zh"):
        chinese = arrow_table(published.external_table).column_names
    with using("de"):
        again = arrow_table(published.external_table).column_names
    assert german != chinese
    assert german == again
    assert any("Quelle" in name for name in german), german
