"""The problems the engine finds in typed input and in case files, in the clinician's language.

``parse_case`` says every problem as an engine ``Msg``: its English text is the contract of the
CLI's stderr and of ``--json`` (docs/interfaces.md §2) and stays as it was; the Assess page says
it in zh/de/fr beside the field, with the field named in words, and a refused case file's
problems name the field's path in words too. Expected words are typed by hand from
docs/glossary.md (Steroidbeginn, 激素开始日期, date de début des corticoïdes; Untersuchung /
评估 / évaluation; Exanthem / 皮疹).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from srgvhd.app.form_words import file_problem_words
from srgvhd.app.language import WIDGET_KEY
from srgvhd.clinical.case import parse_case
from srgvhd.errors import InputError
from srgvhd.i18n import Msg, current, using
from tests.streamlit_text import as_read
from tests.support.language_page import page_in_language

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"
TRANSLATED = ("zh", "de", "fr")


def _example(name: str = "responsive.json") -> dict[str, Any]:
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def _problems(doc: Any) -> list:
    with pytest.raises(InputError) as caught:
        parse_case(doc)
    return caught.value.problems


def spaced(text: str) -> str:
    """No-break spaces (French before ":" and "%") as plain spaces."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


# ---------------------------------------------------------------- bad documents, by hand


def _bad_documents() -> dict[str, Any]:
    """One document per kind of problem ``parse_case`` reports (the cross-field rules too)."""
    docs: dict[str, Any] = {"not an object": [1, 2]}

    def changed(name: str, edit: Any, source: str = "responsive.json") -> None:
        doc = _example(source)
        edit(doc)
        docs[name] = doc

    changed("format", lambda d: d.update(format="srgvhd-case/9"))
    changed("case code", lambda d: d.update(case_code="Jane Doe"))
    changed("age missing", lambda d: d["patient"].pop("age_years"))
    changed("age text", lambda d: d["patient"].update(age_years="forty"))
    changed("age out of range", lambda d: d["patient"].update(age_years=130))
    changed("weight zero", lambda d: d["patient"].update(weight_kg=0))
    changed("weight infinite", lambda d: d["patient"].update(weight_kg=float("inf")))
    changed("hemoglobin unit", lambda d: d["patient"].update(hemoglobin={"value": 9, "unit": "x"}))
    changed("ehr", lambda d: d["patient"].update(ehr={"fhir_server": "ftp://x", "patient_id": ""}))
    changed("start date text", lambda d: d["steroids"].update(start_date="01.09.2026"))
    changed("start date invalid", lambda d: d["steroids"].update(start_date="2026-02-30"))
    changed("start date far", lambda d: d["steroids"].update(start_date="1800-01-01"))
    changed("start date missing", lambda d: d["steroids"].pop("start_date"))
    changed("intolerant", lambda d: d["steroids"].update(intolerant="yes"))
    changed("dose changes not a list", lambda d: d["steroids"].update(dose_changes=3))
    changed(
        "dose change before start",
        lambda d: d["steroids"].update(
            dose_changes=[{"date": "2026-08-01", "methylprednisolone_mg_per_kg_day": 1}]
        ),
    )
    changed(
        "dose changes same date",
        lambda d: d["steroids"].update(
            dose_changes=[
                {"date": "2026-09-10", "methylprednisolone_mg_per_kg_day": 1},
                {"date": "2026-09-10", "methylprednisolone_mg_per_kg_day": 0.5},
            ]
        ),
    )
    changed("too many dose changes", lambda d: d["steroids"].update(dose_changes=[{}] * 101))
    changed("assessments missing", lambda d: d.pop("assessments"))
    changed("assessments empty", lambda d: d.update(assessments=[]))
    changed("too many assessments", lambda d: d.update(assessments=[{}] * 101))
    changed("assessment before start", lambda d: d["assessments"][1].update(date="2026-08-08"))
    changed("assessments same date", lambda d: d["assessments"][2].update(date="2026-09-08"))
    changed("no baseline", lambda d: d["assessments"].pop(0))
    changed("both kinds", lambda d: d["assessments"][0].update(stages={"skin": 1}))
    changed("unknown finding", lambda d: d["assessments"][0]["measurements"].update(rash_percent=3))
    changed(
        "stage not whole",
        lambda d: d["assessments"][0].update(measurements=None, stages={"skin": 1.5}),
    )
    changed("grade override", lambda d: d.update(grade_override="V"))
    changed("labs not a list", lambda d: d.update(labs={"date": "2026-09-01"}))
    changed("labs same date", lambda d: d.update(labs=[{"date": "2026-09-01"}] * 2))
    changed("too many labs", lambda d: d.update(labs=[{}] * 101))
    changed("child without weight", lambda d: d["patient"].update(age_years=12, weight_kg=None))

    def second(**fields: Any) -> Any:
        return lambda d: d.update(second_line=fields)

    changed("second line unknown key", second(therapy="standard", start_date="2026-09-20", x=1))
    changed("second line therapy", second(therapy="magic", start_date="2026-09-20"))
    changed("second line other unnamed", second(therapy="other", start_date="2026-09-20"))
    changed(
        "second line name blank", second(therapy="other", therapy_name=" ", start_date="2026-09-20")
    )
    changed(
        "second line note long", second(therapy="standard", note="x" * 300, start_date="2026-09-20")
    )
    changed("second line before steroids", second(therapy="standard", start_date="2026-08-01"))
    changed("uc-msc without infusions", second(therapy="uc-msc", start_date="2026-09-20"))
    changed(
        "uc-msc start not first infusion",
        second(
            therapy="uc-msc",
            start_date="2026-09-20",
            infusions=[{"date": "2026-09-22", "dose_10e6_cells_per_kg": 1}],
        ),
    )
    changed("infusions not a list", second(therapy="uc-msc", start_date="2026-09-20", infusions=2))
    changed(
        "infusions for a drug",
        second(
            therapy="ruxolitinib",
            start_date="2026-09-20",
            infusions=[{"date": "2026-09-20", "dose_10e6_cells_per_kg": 1}],
        ),
    )
    changed(
        "infusion before start",
        second(
            therapy="bm-msc",
            start_date="2026-09-20",
            infusions=[{"date": "2026-09-19", "dose_10e6_cells_per_kg": 1}],
        ),
    )
    changed(
        "infusions same date",
        second(
            therapy="bm-msc",
            start_date="2026-09-20",
            infusions=[{"date": "2026-09-21", "dose_10e6_cells_per_kg": 1}] * 2,
        ),
    )
    changed(
        "too many infusions",
        second(therapy="bm-msc", start_date="2026-09-20", infusions=[{}] * 101),
    )
    return docs


BAD = _bad_documents()


def _placeholders(text: str) -> list[str]:
    return re.findall(r"\{\w+\}", text)


def _check_said(what: str) -> None:
    """``what`` is a Msg whose every translation is in that language (not the English text)
    with every placeholder filled in."""
    assert isinstance(what, Msg), f"not marked for translation: {what!r}"
    for lang in TRANSLATED:
        with using(lang):
            said = current().text(what)
        assert said != str(what), (lang, what)
        assert set(_placeholders(said)) <= set(_placeholders(str(what))), (lang, said)


@pytest.mark.parametrize("name", sorted(BAD))
def test_every_problem_is_said_in_each_language(name: str) -> None:
    problems = _problems(BAD[name])
    assert problems
    for problem in problems:
        _check_said(problem.what)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**12), max_value=10**12)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)
PLACES = [
    ("patient", "age_years"),
    ("patient", "weight_kg"),
    ("patient", "hemoglobin"),
    ("patient", "ehr"),
    ("steroids", "start_date"),
    ("steroids", "methylprednisolone_mg_per_kg_day"),
    ("steroids", "dose_changes"),
    ("steroids", "intolerant"),
    (None, "assessments"),
    (None, "labs"),
    (None, "grade_override"),
    (None, "rule_set"),
    (None, "second_line"),
    (None, "format"),
    (None, "case_code"),
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(place=st.sampled_from(PLACES), value=JSON_VALUES, finding=JSON_VALUES)
def test_any_bad_value_anywhere_is_said_in_each_language(
    place: tuple[str | None, str], value: Any, finding: Any
) -> None:
    doc = _example()
    parent, key = place
    (doc[parent] if parent else doc)[key] = value
    if isinstance(doc.get("assessments"), list) and doc["assessments"]:
        first = doc["assessments"][0]
        if isinstance(first, dict) and isinstance(first.get("measurements"), dict):
            first["measurements"]["stool_ml_per_day"] = finding
    try:
        parse_case(doc)
    except InputError as exc:
        for problem in exc.problems:
            _check_said(problem.what)


# ---------------------------------------------------------------- English stays the contract


def test_the_english_text_is_the_files_own_words() -> None:
    """What the CLI prints on stderr (and what ``--json`` refusals say) is unchanged: field
    paths, ISO dates, rows counted from 0."""
    doc = _example()
    doc["assessments"][1]["date"] = "2026-08-08"
    doc["labs"] = [{"date": "2026-09-01"}, {"date": "2026-09-01"}]
    doc["patient"]["weight_kg"] = 0
    assert str(InputError(_problems(doc))) == (
        "patient.weight_kg: 0 is out of range (0, 300]; "
        "assessments[1].date: before steroids.start_date (2026-09-01); "
        "labs[1].date: same date as labs[0]"
    )
    assert [str(p) for p in _problems(BAD["dose changes not a list"])] == [
        "steroids.dose_changes: expected a list of {date, methylprednisolone_mg_per_kg_day}"
    ]
    assert [str(p) for p in _problems(BAD["uc-msc start not first infusion"])] == [
        "second_line.start_date: must equal the first UC-MSC infusion's date (2026-09-22) "
        "for uc-msc"
    ]


# ---------------------------------------------------------------- file problems


def test_a_case_files_problem_names_the_field_in_french() -> None:
    doc = _example()
    doc["assessments"][1]["date"] = "2026-08-08"
    doc["assessments"][0]["measurements"]["bilirubin"] = {"value": -1, "unit": "mg/dL"}
    with using("fr"):
        said = [spaced(file_problem_words(p.where, p.what)) for p in _problems(doc)]
    assert said == [
        "l’évaluation 1, mesures, bilirubine, valeur : -1 est hors de l’intervalle [0, 100] "
        "(champ du fichier assessments[0].measurements.bilirubin.value)",
        "l’évaluation 2, date : avant la date de début des corticoïdes (01/09/2026) "
        "(champ du fichier assessments[1].date)",
    ]


def test_a_case_files_problem_in_english_is_as_before() -> None:
    doc = _example()
    doc["steroids"]["dose_changes"] = [
        {"date": "2026-09-10", "methylprednisolone_mg_per_kg_day": 1},
        {"date": "2026-09-10", "methylprednisolone_mg_per_kg_day": 0.5},
    ]
    (problem,) = _problems(doc)
    assert file_problem_words(problem.where, problem.what) == (
        "dose change 2, date: same date as dose change 1 (file field steroids.dose_changes[1].date)"
    )


# ---------------------------------------------------------------- the Assess page (AppTest)


def _assess(lang: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    monkeypatch.setenv("SRGVHD_MODELS_DIR", str(REPO / "models"))
    at = page_in_language("assess.py", lang)
    with using(lang):  # AppTest calls format functions again in the test's thread
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        yield at


@pytest.fixture
def assess_de(monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    yield from _assess("de", monkeypatch)


@pytest.fixture
def assess_zh(monkeypatch: pytest.MonkeyPatch) -> Iterator[AppTest]:
    yield from _assess("zh", monkeypatch)


def _type_early_assessment(at: AppTest) -> str:
    """Steroid start 2026-11-01; an assessment dated 2026-10-20 with rash 150% BSA. Returns
    the red messages of the page, joined."""
    at.text_input(key="assess_age").input("42")
    at.text_input(key="assess_steroid_start").input("2026-11-01")
    at.button(key="assess_add_assessment").click().run()
    at.text_input(key="assess_assessments_0_date").input("2026-10-20")
    at.text_input(key="assess_assessments_0_rash_bsa").input("150")
    at.button(key="assess_assessments_0_apply").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return spaced(" | ".join(as_read(e.value) for e in at.error))


ENGLISH_LEFT = ("before the steroid start date", "is outside the allowed range", "before steroids")


def test_the_assess_page_says_the_problems_in_german(assess_de: AppTest) -> None:
    errors = _type_early_assessment(assess_de)
    assert "Datum: vor dem Steroidbeginn (01.11.2026)" in errors, errors
    assert "Exanthem: 150 % BSA liegt außerhalb des zulässigen Bereichs (0–100 % BSA)." in errors
    assert not any(words in errors for words in ENGLISH_LEFT), errors


def test_the_assess_page_says_the_problems_in_chinese(assess_zh: AppTest) -> None:
    errors = _type_early_assessment(assess_zh)
    assert "日期：早于激素开始日期（2026/11/1）" in errors, errors
    assert "皮疹：150 % BSA 超出允许范围（0–100 % BSA）。" in errors, errors
    assert not any(words in errors for words in ENGLISH_LEFT), errors


def test_an_opened_files_problem_follows_a_change_of_language(assess_de: AppTest) -> None:
    at = assess_de
    doc = _example()
    doc["assessments"][1]["date"] = "2026-08-08"
    at.sidebar.file_uploader(key="assess_open_case").set_value(
        ("bad.json", json.dumps(doc).encode(), "application/json")
    ).run()
    refusals = " ".join(spaced(as_read(e.value)) for e in at.sidebar.error)
    assert "Untersuchung 2, Datum: vor dem Steroidbeginn (01.09.2026)" in refusals, refusals
    with using("fr"):
        at.sidebar.selectbox(key=WIDGET_KEY).set_value("fr").run()
        refusals = " ".join(spaced(as_read(e.value)) for e in at.sidebar.error)
    assert "l’évaluation 2, date : avant la date de début des corticoïdes (01/09/2026)" in refusals


def test_the_second_line_box_changes_language_with_the_page(assess_de: AppTest) -> None:
    at = assess_de
    at.sidebar.file_uploader(key="assess_open_case").set_value(
        (
            "sl.json",
            (EXAMPLES / "second_line_uc_msc.json").read_bytes(),
            "application/json",
        )
    ).run()
    box = at.selectbox(key="assess_sl_therapy")
    assert box.value == "uc-msc"
    assert "UC-MSC + Standard-Zweitlinientherapie" in box.options
    with using("zh"):
        at.sidebar.selectbox(key=WIDGET_KEY).set_value("zh").run()
        assert not at.exception, [e.value for e in at.exception]
        box = at.selectbox(key="assess_sl_therapy")
        # the browser is given the value again, so it shows the choice in Chinese
        assert box.proto.set_value
        assert box.value == "uc-msc"
        assert "UC-MSC + 标准二线治疗" in box.options
        assert not any("Zweitlinie" in option for option in box.options)
        at.run()  # no change of language: the browser's choice is left alone
        assert not at.selectbox(key="assess_sl_therapy").proto.set_value


# ---------------------------------------------------------------- second line (no Streamlit)


def _second_line_form(**entries: str) -> dict[str, Any]:
    from srgvhd.app import form as F

    form = F.case_dict_to_form(_example("second_line_uc_msc.json"))
    form["second_line"].update(entries)
    return form


def test_a_second_line_problem_names_its_field_in_chinese() -> None:
    from srgvhd.app import form as F

    # the steroid course starts on 2026-10-01: a second line from 2026-09-20 is before it
    form = _second_line_form(therapy="standard", start_date="2026-09-20")
    with using("zh"):
        reading = F.read_form(form)
    assert reading.problems["second_line"] == [
        "二线治疗开始日期：必须晚于激素开始日期（2026/10/1）"
    ]


def test_an_unnamed_other_therapy_is_listed_as_missing_in_german() -> None:
    from srgvhd.app import form as F

    form = _second_line_form(therapy="other", therapy_name="", start_date="2026-10-10")
    with using("de"):
        reading = F.read_form(form)
    assert reading.missing == ["Name der Therapie"]
