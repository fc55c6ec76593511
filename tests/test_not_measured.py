"""Not measured is not "not involved" (docs/clinical-rules.md §7, case format ``srgvhd-case/2``).

Every expected stage, response and verdict is written by hand from clinical-rules.md §1–5 and
§7 (points 1–7); the cases are built in stages mode (organ ``None`` = not measured) unless the
test is about findings.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from srgvhd.clinical.case import case_to_dict, parse_case
from srgvhd.clinical.course import BULLAE_NOTE, GI_FLAGS_NOTE, assess_case
from tests.cases import bilirubin, case_doc, day_date

V2 = "srgvhd-case/2"
ORGANS = ("skin", "liver", "upper_gi", "lower_gi")
RESPONDING = {"CR", "VGPR", "PR"}


def row(day: int, skin: Any = 0, liver: Any = 0, upper_gi: Any = 0, lower_gi: Any = 0) -> dict:
    """A /2 assessment with entered stages; None = not measured."""
    stages = {"skin": skin, "liver": liver, "upper_gi": upper_gi, "lower_gi": lower_gi}
    return {"date": day_date(day), "stages": stages}


def doc2(*assessments: dict, **kwargs: Any) -> dict:
    doc = case_doc(list(assessments), **kwargs)
    doc["format"] = V2
    return doc


def result(doc: dict, rule_set: str | None = None) -> dict:
    return assess_case(parse_case(doc), rule_set).to_json()


def full(day: int, **findings: Any) -> dict:
    """A /2 assessment with every finding measured (not involved unless given)."""
    m = {
        "skin_rash_bsa_percent": 0,
        "skin_bullae_desquamation_bsa_percent": 0,
        "bilirubin": bilirubin(1.0),
        "upper_gi_persistent_symptoms": False,
        "stool_ml_per_day": 0,
        "stool_episodes_per_day": 0,
        "severe_abdominal_pain_or_ileus": False,
        "grossly_bloody_stool": False,
    }
    m.update(findings)
    return {"date": day_date(day), "measurements": m}


# ---------------------------------------------------------------- §7.3 baseline-involved organ


def test_issue_scenario_blank_day_14_bilirubin_is_never_cr_or_responsive() -> None:
    """Liver stage 3 at baseline (bilirubin 8 mg/dL), day-14 bilirubin left blank."""
    base = full(0, skin_rash_bsa_percent=30, bilirubin=bilirubin(8.0))
    day7 = full(7, skin_rash_bsa_percent=10, bilirubin=bilirubin(4.0))  # skin 1, liver 2: PR
    blank = full(14, bilirubin=None)
    r = result(doc2(base, day7, blank))
    day14 = r["assessments"][2]
    assert day14["stages"] == {"skin": 0, "liver": None, "upper_gi": 0, "lower_gi": 0}
    assert day14["response"] == "not assessable"
    assert (day14["grade_incomplete"], day14["not_measured"]) == (True, ["liver"])
    assert "response not assessable: liver not measured on day 14" in day14["notes"]
    assert r["status"]["value"] == "not refractory so far"
    assert r["status"]["waiting"] == {
        "rule": "R3", "day": 14, "reason": "liver not measured on day 14"
    }  # fmt: skip
    assert (r["status"]["next_decision_day"], r["status"]["next_decision_date"]) == (
        14, "2026-11-15"
    )  # fmt: skip
    assert "overdue and needs an assessable assessment" in r["status"]["sentence"]
    # the same course with the bilirubin measured normal: CR and steroid-responsive
    measured = result(doc2(base, day7, full(14)))
    assert measured["assessments"][2]["response"] == "CR"
    assert measured["status"]["value"] == "steroid-responsive"
    assert measured["status"]["waiting"] is None


@pytest.mark.parametrize(
    ("day", "rule", "decision_day"),
    [(3, "R1", 3), (4, "R1", 3), (5, "R1", 3), (7, "R2", 7), (10, "R2", 7), (14, "R3", 14),
     (21, "R3", 14)],
)  # fmt: skip
def test_involved_organ_missing_at_each_study_rule_day(day, rule, decision_day) -> None:
    r = result(doc2(row(0, skin=1, liver=2), row(day, skin=1, liver=None)))
    assert r["assessments"][1]["response"] == "not assessable"
    status = r["status"]
    assert (status["value"], status["rule"]) == ("not refractory so far", None)
    reason = f"liver not measured on day {day}"
    assert status["waiting"] == {"rule": rule, "day": decision_day, "reason": reason}
    assert status["next_decision_day"] == decision_day


@pytest.mark.parametrize(
    ("day", "rule", "decision_day"), [(4, "E1", 3), (7, "E2", 7), (29, "E3", 29), (40, "E3", 29)]
)
def test_involved_organ_missing_at_each_ebmt_rule_day(day, rule, decision_day) -> None:
    r = result(doc2(row(0, lower_gi=2), row(day, lower_gi=None)), "ebmt2018")
    assert r["status"]["value"] == "not refractory so far"
    assert r["status"]["waiting"] == {
        "rule": rule, "day": decision_day, "reason": f"lower GI not measured on day {day}"
    }  # fmt: skip


def test_not_assessable_outside_every_rule_window_leaves_nothing_waiting() -> None:
    r = result(doc2(row(0, liver=2), row(6, liver=None)))
    assert r["assessments"][1]["response"] == "not assessable"
    assert r["status"]["waiting"] is None
    assert r["status"]["next_decision_day"] == 7


def test_a_later_assessable_day_does_not_close_a_gap_in_the_rule_window() -> None:
    """R3 applies to every assessment from day 14 (§5a): a day-14 gap stays open after day 21."""
    r = result(doc2(row(0, liver=2), row(7, liver=1), row(14, liver=None), row(21, liver=0)))
    assert [a["response"] for a in r["assessments"][1:]] == ["PR", "not assessable", "CR"]
    assert r["status"]["value"] == "not refractory so far"
    assert r["status"]["waiting"]["rule"] == "R3"


# ---------------------------------------------------------------- §7.3 progression elsewhere


def test_progression_in_a_measured_organ_is_definitive() -> None:
    r = result(doc2(row(0, skin=1, liver=2), row(4, skin=3, liver=None)))
    assert r["assessments"][1]["response"] == "progression"
    assert (r["status"]["value"], r["status"]["rule"], r["status"]["day"]) == (
        "steroid-refractory", "R1", 4
    )  # fmt: skip
    assert r["status"]["waiting"] is None


def test_mixed_when_another_measured_organ_improved() -> None:
    r = result(doc2(row(0, skin=1, liver=2, lower_gi=2), row(4, skin=3, liver=None, lower_gi=1)))
    assert r["assessments"][1]["response"] == "mixed"
    assert r["status"]["rule"] == "R1"


def test_gi_progressing_patient_with_blank_day_4_stool_is_not_pr() -> None:
    """Lower GI 2 at baseline, day-4 stool left blank, skin better: never PR."""
    base = full(0, skin_rash_bsa_percent=30, stool_ml_per_day=1200)
    day4 = full(4, stool_ml_per_day=None, stool_episodes_per_day=None)
    day4["measurements"].update(
        severe_abdominal_pain_or_ileus=None, grossly_bloody_stool=None, skin_rash_bsa_percent=10
    )
    r = result(doc2(base, day4))
    assert r["assessments"][1]["stages"]["lower_gi"] is None
    assert r["assessments"][1]["response"] == "not assessable"
    assert r["status"]["waiting"]["rule"] == "R1"


def test_verdict_after_an_unjudged_assessment_says_it_may_have_come_earlier() -> None:
    r = result(doc2(row(0, skin=1, liver=2), row(4, skin=1, liver=None), row(7, skin=1, liver=2)))
    assert (r["status"]["value"], r["status"]["rule"], r["status"]["day"]) == (
        "steroid-refractory", "R2", 7
    )  # fmt: skip
    assert any("day 4 could not be judged" in w and "before day 7" in w for w in r["warnings"])


# ---------------------------------------------------------------- §7.2 uninvolved organ missing


def test_uninvolved_organ_missing_is_taken_as_not_involved() -> None:
    r = result(doc2(row(0, skin=2), row(7, skin=0, liver=None), row(14, skin=0, liver=None)))
    day7 = r["assessments"][1]
    assert day7["response"] == "CR"
    assert day7["stages"]["liver"] is None and day7["not_measured"] == ["liver"]
    assert "liver not measured: taken as not involved (not involved at baseline)" in day7["notes"]
    assert r["status"]["value"] == "steroid-responsive"


# ---------------------------------------------------------------- §7.4 missing at baseline


@pytest.mark.parametrize(
    ("skin", "liver", "expected"),
    [
        (1, 0, "VGPR"),  # liver 0 now cannot be worse; skin improved
        (2, 0, "not assessable"),  # no measured change: PR or no response?
        (1, 1, "not assessable"),  # liver involved now: worse only if baseline showed 0
        (0, 0, "CR"),  # CR needs every organ known and 0, not the baseline
        (3, 1, "progression"),  # skin worse: definitive
        (1, None, "not assessable"),  # unknown at both
    ],
)
def test_organ_not_measured_at_baseline(skin, liver, expected) -> None:
    r = result(doc2(row(0, skin=2, liver=None), row(7, skin=skin, liver=liver)))
    assert r["assessments"][1]["response"] == expected
    if expected == "not assessable":
        assert "liver not measured at baseline (day 0)" in r["status"]["waiting"]["reason"]


# ---------------------------------------------------------------- §7.5 grades


def test_grade_from_known_stages_flagged_incomplete_and_maximum_a_lower_bound() -> None:
    r = result(doc2(row(0, skin=2, liver=None), row(7, skin=1, liver=0)))
    base = r["assessments"][0]
    assert (base["grade"], base["grade_incomplete"], base["not_measured"]) == ("I", True, ["liver"])
    assert "grade_incomplete" not in r["assessments"][1]
    assert r["max_grade"] == "I"
    assert any("day 0: liver" in w and "grade I is a lower bound" in w for w in r["warnings"])


# ---------------------------------------------------------------- findings with blanks


def test_primary_findings_decide_whether_an_organ_was_measured() -> None:
    base = {"date": day_date(0), "measurements": {
        "skin_rash_bsa_percent": 60,  # > 50% with bullae blank: stage 3, noted
        "stool_episodes_per_day": 5,  # episodes alone stage lower GI (2), flags blank: noted
    }}  # fmt: skip
    r = result(doc2(base, full(7)))
    first = r["assessments"][0]
    assert first["stages"] == {"skin": 3, "liver": None, "upper_gi": None, "lower_gi": 2}
    assert BULLAE_NOTE in first["notes"] and GI_FLAGS_NOTE in first["notes"]


@pytest.mark.parametrize(
    ("findings", "lower_gi"),
    [
        ({"severe_abdominal_pain_or_ileus": True}, 4),  # a stage-4 finding alone is measured
        ({"grossly_bloody_stool": True, "stool_ml_per_day": None}, 4),
        ({"severe_abdominal_pain_or_ileus": False, "grossly_bloody_stool": False}, None),
        ({"stool_ml_per_day": 1000}, 2),
        ({}, None),
    ],
)
def test_lower_gi_measured_only_with_volume_episodes_or_a_stage_4_finding(findings, lower_gi):
    a = {"date": day_date(0), "measurements": findings}
    assert result(doc2(a))["assessments"][0]["stages"]["lower_gi"] == lower_gi


def test_legacy_file_reads_blanks_as_not_involved_and_warns() -> None:
    doc = case_doc([{"date": day_date(0), "measurements": {"skin_rash_bsa_percent": 30}}])
    r = result(doc)
    assert r["assessments"][0]["stages"] == {"skin": 2, "liver": 0, "upper_gi": 0, "lower_gi": 0}
    assert any(w.startswith("srgvhd-case/1 file: its blank findings") for w in r["warnings"])
    doc["format"] = V2
    assert result(doc)["assessments"][0]["stages"]["liver"] is None


# ---------------------------------------------------------------- the case file /2


def _normalised(doc: dict) -> str:
    return json.dumps(doc, sort_keys=True)


def test_case_file_v2_round_trips_every_field() -> None:
    doc = doc2(row(0, skin=2, liver=None), full(7, bilirubin=None, stool_episodes_per_day=None))
    doc.update(rule_set="ebmt2018", case_code="W3-017", grade_override="III")
    again = case_to_dict(parse_case(doc))
    assert again["format"] == V2
    assert (again["rule_set"], again["case_code"], again["grade_override"]) == (
        "ebmt2018", "W3-017", "III"
    )  # fmt: skip
    assert again["assessments"][0]["stages"]["liver"] is None
    assert again["assessments"][1]["measurements"]["bilirubin"] is None
    assert _normalised(case_to_dict(parse_case(again))) == _normalised(again)
    assert result(again)["rule_set"] == "ebmt2018"  # the stored rule set is used


def test_legacy_case_is_written_back_as_v1() -> None:
    doc = case_doc([{"date": day_date(0), "measurements": {"skin_rash_bsa_percent": 30}}])
    assert case_to_dict(parse_case(doc))["format"] == "srgvhd-case/1"


def test_explicit_rule_set_overrides_the_case_with_a_warning() -> None:
    doc = {**doc2(row(0, skin=1)), "rule_set": "ebmt2018"}
    r = result(doc, "study")
    assert r["rule_set"] == "study"
    assert "not by the case's own (ebmt2018)" in " ".join(r["warnings"])


@pytest.mark.parametrize(
    ("key", "value", "where"),
    [("case_code", "has space", "case_code"), ("case_code", "x" * 33, "case_code"),
     ("rule_set", "fda", "rule_set"), ("format", "srgvhd-case/3", "format")],
)  # fmt: skip
def test_bad_case_fields_are_named(key, value, where) -> None:
    doc = doc2(row(0, skin=1))
    doc[key] = value
    with pytest.raises(Exception) as info:
        parse_case(doc)
    assert [p.where for p in info.value.problems] == [where]


def test_v1_stages_still_need_every_organ() -> None:
    doc = case_doc([{"date": day_date(0), "stages": {"skin": 1}}])
    with pytest.raises(Exception) as info:
        parse_case(doc)
    assert {p.where for p in info.value.problems} == {
        f"assessments[0].stages.{o}" for o in ("liver", "upper_gi", "lower_gi")
    }


# ------------------------------------------- blank findings inside an organ involved at baseline


def _later(day: int, **findings: Any) -> dict:
    """A fully measured later assessment with some findings changed (None = left blank)."""
    return full(day, **findings)


@pytest.mark.parametrize(
    ("baseline", "later", "organ", "filled"),
    [
        # lower GI 4 at baseline from bloody stool; bloody stool left blank at day 14
        ({"grossly_bloody_stool": True}, {"grossly_bloody_stool": None}, "lower_gi",
         {"grossly_bloody_stool": True}),
        # lower GI 4 from pain/ileus; pain left blank
        ({"severe_abdominal_pain_or_ileus": True}, {"severe_abdominal_pain_or_ileus": None},
         "lower_gi", {"severe_abdominal_pain_or_ileus": True}),
        # lower GI 3 from 8 episodes (volume 400 = stage 0); episodes left blank
        ({"stool_ml_per_day": 400, "stool_episodes_per_day": 8},
         {"stool_ml_per_day": 400, "stool_episodes_per_day": None}, "lower_gi",
         {"stool_ml_per_day": 400, "stool_episodes_per_day": 8}),
        # lower GI 2 from 1200 mL; volume left blank, 2 episodes (stage 0) entered
        ({"stool_ml_per_day": 1200, "stool_episodes_per_day": 2},
         {"stool_ml_per_day": None, "stool_episodes_per_day": 2}, "lower_gi",
         {"stool_ml_per_day": 1200, "stool_episodes_per_day": 2}),
        # skin 4 (rash 60% + bullae 10%); bullae left blank under a 60% rash
        ({"skin_rash_bsa_percent": 60, "skin_bullae_desquamation_bsa_percent": 10},
         {"skin_rash_bsa_percent": 60, "skin_bullae_desquamation_bsa_percent": None}, "skin",
         {"skin_rash_bsa_percent": 60, "skin_bullae_desquamation_bsa_percent": 10}),
        # skin 3 (rash 60%, bullae 0 entered); bullae blank could hide stage 4 (worse)
        ({"skin_rash_bsa_percent": 60}, {"skin_rash_bsa_percent": 60,
         "skin_bullae_desquamation_bsa_percent": None}, "skin",
         {"skin_rash_bsa_percent": 60, "skin_bullae_desquamation_bsa_percent": 10}),
    ],
)  # fmt: skip
def test_blank_finding_the_baseline_entered_makes_the_organ_not_measured(
    baseline, later, organ, filled
) -> None:
    """§7.3/§7.7 inside one organ: the blank finding could give the baseline's stage (or a worse
    one), so the organ is not compared, and the course is never called responsive for it."""
    doc = doc2(full(0, **baseline), _later(14, **later))
    r = result(doc)
    day14 = r["assessments"][1]
    assert day14["stages"][organ] is None
    assert day14["not_measured"] == [organ] and day14["grade_incomplete"] is True
    assert day14["response"] == "not assessable"
    assert r["status"]["value"] == "not refractory so far"
    assert r["status"]["waiting"]["rule"] == "R3"
    assert any("not compared with baseline" in n for n in day14["notes"])
    measured = result(doc2(full(0, **baseline), _later(14, **filled)))
    assert measured["assessments"][1]["response"] not in RESPONDING
    assert measured["status"]["value"] == "steroid-refractory"


@pytest.mark.parametrize(
    ("baseline", "later", "organ", "stage", "response"),
    [
        # worse on what was entered: 1600 mL (stage 3) vs baseline 600 mL (stage 1)
        ({"stool_ml_per_day": 600}, {"stool_ml_per_day": 1600, "stool_episodes_per_day": None},
         "lower_gi", 3, "progression"),
        # baseline never counted episodes: compared on volume, as MAGIC allows either
        ({"stool_ml_per_day": 1200, "stool_episodes_per_day": None},
         {"stool_ml_per_day": 300, "stool_episodes_per_day": None}, "lower_gi", 0, "CR"),
        # rash <= 50%: bullae cannot give stage 4, so a blank bullae changes nothing
        ({"skin_rash_bsa_percent": 60, "skin_bullae_desquamation_bsa_percent": 10},
         {"skin_rash_bsa_percent": 30, "skin_bullae_desquamation_bsa_percent": None}, "skin", 2,
         "PR"),
        # volume already stage 3: a blank episode count cannot raise it above 3
        ({"stool_ml_per_day": 1600, "stool_episodes_per_day": 8},
         {"stool_ml_per_day": 1600, "stool_episodes_per_day": None}, "lower_gi", 3,
         "no response"),
    ],
)  # fmt: skip
def test_blank_finding_that_cannot_hide_the_change_is_taken_as_absent(
    baseline, later, organ, stage, response
) -> None:
    r = result(doc2(full(0, **baseline), _later(7, **later)))
    day7 = r["assessments"][1]
    assert day7["stages"][organ] == stage
    assert day7["response"] == response


def test_blank_stage_4_finding_after_a_directly_entered_stage_4() -> None:
    """A baseline lower GI 4 entered as a stage can only have come from a stage-4 finding: a
    later assessment leaving both blank is not compared."""
    later = _later(7, severe_abdominal_pain_or_ileus=None, grossly_bloody_stool=None)
    r = result(doc2(row(0, skin=1, lower_gi=4), later))
    assert r["assessments"][1]["stages"]["lower_gi"] is None
    assert r["assessments"][1]["response"] == "not assessable"
    answered = result(doc2(row(0, skin=1, lower_gi=4), _later(7)))
    assert answered["assessments"][1]["response"] == "CR"


def test_the_verdict_names_the_blank_finding_and_the_grade_keeps_what_was_entered() -> None:
    """The waiting reason says which finding to enter; the grade of that assessment uses the
    stage the entered findings give (a lower bound, flagged), not a grade without the organ."""
    base = full(0, skin_rash_bsa_percent=60, skin_bullae_desquamation_bsa_percent=10)
    r = result(doc2(base, _later(7, skin_rash_bsa_percent=55,
                                 skin_bullae_desquamation_bsa_percent=None)))  # fmt: skip
    day7 = r["assessments"][1]
    assert day7["stages"]["skin"] is None and day7["grade_incomplete"] is True
    assert day7["grade"] == "II"  # skin 3 from the 55% rash alone: grade II at least
    assert r["status"]["waiting"]["reason"] == (
        "skin not comparable on day 7 (bullae/desquamation not entered; the baseline had it)"
    )


def test_after_a_staged_baseline_stool_volume_alone_is_compared() -> None:
    """A baseline entered as stages does not say which stool measure it came from: a later
    volume alone is compared (MAGIC allows either); only a stage 4 needs its stage-4 findings."""
    later = _later(7, stool_ml_per_day=300, stool_episodes_per_day=None,
                   severe_abdominal_pain_or_ileus=None, grossly_bloody_stool=None)  # fmt: skip
    r = result(doc2(row(0, skin=1, lower_gi=2), later))
    assert r["assessments"][1]["stages"]["lower_gi"] == 0
    assert r["assessments"][1]["response"] == "CR"


def test_blank_findings_of_an_organ_not_involved_at_baseline_stay_absent() -> None:
    """§7.2 inside an organ: lower GI 0 at baseline, flags blank later: read as absent, noted."""
    later = _later(7, severe_abdominal_pain_or_ileus=None, grossly_bloody_stool=None)
    r = result(doc2(full(0, skin_rash_bsa_percent=30), later))
    assert r["assessments"][1]["stages"]["lower_gi"] == 0
    assert GI_FLAGS_NOTE in r["assessments"][1]["notes"]
    assert r["assessments"][1]["response"] == "CR"


# ---------------------------------------------------------------- §7.7 property


DAYS = (2, 3, 4, 5, 6, 7, 10, 14, 21, 29, 35)


def assert_never_better(doc: dict, blanked: dict) -> None:
    """§7.7: under both rule sets, no assessment that was not CR/VGPR/PR becomes one, and a course
    that was not steroid-responsive does not become so, once values are blanked."""
    for rule_set in ("study", "ebmt2018"):
        before, after = result(doc, rule_set), result(blanked, rule_set)
        for was, now in zip(before["assessments"], after["assessments"], strict=True):
            if was["response"] not in RESPONDING:
                assert now["response"] not in RESPONDING, (rule_set, was, now)
        if before["status"]["value"] != "steroid-responsive":
            assert after["status"]["value"] != "steroid-responsive", rule_set


@st.composite
def courses(draw: st.DrawFn) -> dict:
    """A /2 stages-mode course with every organ measured, sometimes tapered (for EBMT D1/D2)."""

    def stages() -> dict:
        return {
            "skin": draw(st.integers(0, 4)),
            "liver": draw(st.integers(0, 4)),
            "upper_gi": draw(st.integers(0, 1)),
            "lower_gi": draw(st.integers(0, 4)),
        }

    days = draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=5, unique=True))
    doc = doc2(*({"date": day_date(d), "stages": stages()} for d in [0, *sorted(days)]))
    if draw(st.booleans()):
        taper = draw(st.sampled_from((8, 15, 22)))
        doses = [(taper, 1.0)] + ([(taper + 4, 2.0)] if draw(st.booleans()) else [])
        doc["steroids"]["dose_changes"] = [
            {"date": day_date(d), "methylprednisolone_mg_per_kg_day": v} for d, v in doses
        ]
    return doc


@settings(max_examples=300, deadline=None)
@given(courses(), st.data())
def test_not_measuring_never_makes_a_response_or_a_responsive_course(doc, data) -> None:
    """§7.7 for every organ blanked at any assessment, except the one §7.2 reads as not
    involved (an organ not involved at baseline, blank later): there a blank is a 0 by rule."""
    k = data.draw(st.integers(0, len(doc["assessments"]) - 1))
    organ = data.draw(st.sampled_from(ORGANS))
    if k > 0 and doc["assessments"][0]["stages"][organ] == 0:
        return
    blanked = copy.deepcopy(doc)
    blanked["assessments"][k]["stages"][organ] = None
    assert_never_better(doc, blanked)


ORGAN_FINDINGS = {
    "skin": ("skin_rash_bsa_percent", "skin_bullae_desquamation_bsa_percent"),
    "liver": ("bilirubin",),
    "upper_gi": ("upper_gi_persistent_symptoms",),
    "lower_gi": (
        "stool_ml_per_day",
        "stool_episodes_per_day",
        "severe_abdominal_pain_or_ileus",
        "grossly_bloody_stool",
    ),
}


@st.composite
def measured_courses(draw: st.DrawFn) -> dict:
    """A /2 course of raw findings, every finding entered, values around the MAGIC thresholds."""

    def findings(day: int) -> dict:
        return full(
            day,
            skin_rash_bsa_percent=draw(st.sampled_from((0, 10, 25, 50, 60))),
            skin_bullae_desquamation_bsa_percent=draw(st.sampled_from((0, 5, 6))),
            bilirubin=bilirubin(draw(st.sampled_from((1.0, 2.0, 3.5, 7.0, 16.0)))),
            upper_gi_persistent_symptoms=draw(st.booleans()),
            stool_ml_per_day=draw(st.sampled_from((0, 500, 1000, 1600))),
            stool_episodes_per_day=draw(st.sampled_from((0, 3, 5, 8))),
            severe_abdominal_pain_or_ileus=draw(st.booleans()) and draw(st.booleans()),
        )

    days = draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=4, unique=True))
    return doc2(*(findings(d) for d in [0, *sorted(days)]))


@settings(max_examples=150, deadline=None)
@given(measured_courses(), st.data())
def test_not_measuring_findings_never_makes_a_response(doc, data) -> None:
    """§7.7 with raw findings: blanking all of an organ's findings at any assessment (except the
    §7.2 case) never turns a non-response into CR/VGPR/PR or a course into steroid-responsive."""
    k = data.draw(st.integers(0, len(doc["assessments"]) - 1))
    organ = data.draw(st.sampled_from(ORGANS))
    baseline = result(doc)["assessments"][0]["stages"]
    if k > 0 and baseline[organ] == 0:
        return
    blanked = copy.deepcopy(doc)
    for key in ORGAN_FINDINGS[organ]:
        blanked["assessments"][k]["measurements"][key] = None
    assert result(blanked)["assessments"][k]["stages"][organ] is None
    assert_never_better(doc, blanked)


def test_a_gap_outside_every_rule_window_does_not_question_a_later_verdict() -> None:
    r = result(doc2(row(0, skin=1, liver=2), row(6, skin=1, liver=None), row(7, skin=1, liver=2)))
    assert (r["status"]["rule"], r["status"]["day"]) == ("R2", 7)
    assert not any("could not be judged" in w for w in r["warnings"])


INVOLVED_VALUES = {
    "skin_rash_bsa_percent": (0, 10, 30, 60),
    "skin_bullae_desquamation_bsa_percent": (0, 6),
    "bilirubin": tuple(bilirubin(v) for v in (1.0, 2.5, 7.0)),
    "upper_gi_persistent_symptoms": (False, True),
    "stool_ml_per_day": (0, 600, 1200, 1600),
    "stool_episodes_per_day": (0, 3, 5, 8),
    "severe_abdominal_pain_or_ileus": (False, True),
    "grossly_bloody_stool": (False, True),
}


@st.composite
def involved_courses(draw: st.DrawFn) -> dict:
    """A /2 course of raw findings, every finding entered, stage-4 findings included; a later
    assessment repeats each baseline finding or changes it (so "no response" and single-organ
    changes are common, where one blank could tip the response)."""
    base = {key: draw(st.sampled_from(values)) for key, values in INVOLVED_VALUES.items()}

    def later(day: int) -> dict:
        changed = draw(st.sets(st.sampled_from(tuple(INVOLVED_VALUES)), max_size=2))
        values = {k: draw(st.sampled_from(INVOLVED_VALUES[k])) for k in sorted(changed)}
        return full(day, **{**base, **values})

    days = draw(st.lists(st.sampled_from(DAYS), min_size=1, max_size=3, unique=True))
    return doc2(full(0, **base), *(later(d) for d in sorted(days)))


MEASUREMENT_KEYS = tuple(key for keys in ORGAN_FINDINGS.values() for key in keys)
ORGAN_OF = {key: organ for organ, keys in ORGAN_FINDINGS.items() for key in keys}


@settings(max_examples=300, deadline=None)
@given(involved_courses(), st.data())
def test_blanking_any_single_finding_never_makes_a_response(doc, data) -> None:
    """§7.7 finding by finding: blanking any one finding, at any assessment, of an organ involved
    at baseline never turns a non-response into CR/VGPR/PR or a course into steroid-responsive
    (an organ not involved at baseline is the §7.2 exception)."""
    k = data.draw(st.integers(0, len(doc["assessments"]) - 1))
    key = data.draw(st.sampled_from(MEASUREMENT_KEYS))
    if k > 0 and result(doc)["assessments"][0]["stages"][ORGAN_OF[key]] == 0:
        return
    blanked = copy.deepcopy(doc)
    blanked["assessments"][k]["measurements"][key] = None
    assert_never_better(doc, blanked)
