"""Properties of the clinical engine (hypothesis), and a fuzz of the case-file reader.

- Staging is monotone in each finding (clinical-rules.md §1 tables only ever rise).
- The MAGIC grade is never below what a single organ forces (§2) and never falls when a stage
  rises; Minnesota risk is None exactly at grade 0 (§3).
- Response (§4): same stages ⇒ "no response" unless all zero (CR); progression one way is an
  improvement the other way; mixed both ways.
- Any JSON document either assesses to the interfaces.md §2 contract or is refused with an
  ``InputError`` whose every problem names a field — never another exception.
"""

from __future__ import annotations

import json
import math
import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from srgvhd.clinical.case import loads_case, parse_case
from srgvhd.clinical.course import assess_case
from srgvhd.clinical.grading import grade_rank, magic_grade, minnesota_risk
from srgvhd.clinical.response import judge_response
from srgvhd.clinical.staging import OrganStages, stage_liver, stage_skin
from srgvhd.clinical.units import bilirubin_to_mg_dl
from srgvhd.errors import InputError
from tests.cases import check_contract, lower_gi

FAST = settings(max_examples=300, deadline=None)

percent = st.floats(min_value=0, max_value=100, allow_nan=False)
positive = st.floats(min_value=0, max_value=50_000, allow_nan=False)
stages = st.builds(
    OrganStages,
    skin=st.integers(0, 4),
    liver=st.integers(0, 4),
    upper_gi=st.integers(0, 1),
    lower_gi=st.integers(0, 4),
)


def ordered(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.tuples(strategy, strategy).map(sorted)


# ---------------------------------------------------------------- staging monotone


@FAST
@given(ordered(percent), percent)
def test_skin_monotone_in_rash(rashes, bullae):
    low, high = rashes
    assert stage_skin(low, bullae) <= stage_skin(high, bullae)


@FAST
@given(percent, ordered(percent))
def test_skin_monotone_in_bullae(rash, bullae):
    low, high = bullae
    assert stage_skin(rash, low) <= stage_skin(rash, high)


@FAST
@given(ordered(st.floats(min_value=0, max_value=100, allow_nan=False)))
def test_liver_monotone_in_bilirubin(values):
    low, high = values
    assert stage_liver(low) <= stage_liver(high)


def test_bilirubin_typed_in_umol_stages_like_mg_dl():
    # Every x in 0.00–60.00 mg/dL typed as x × 17.1 µmol/L (exact decimal) stages the same.
    wrong = []
    for hundredths in range(6001):
        mg_dl = Decimal(hundredths) / 100
        umol_l = float(mg_dl * Decimal("17.1"))
        if stage_liver(bilirubin_to_mg_dl(umol_l, "umol/L")) != stage_liver(float(mg_dl)):
            wrong.append(float(mg_dl))
    assert wrong == []


def _gi(ml, episodes, child, weight, pain=False, bloody=False) -> int:
    return lower_gi(ml, episodes, pain=pain, bloody=bloody, child=child, weight=weight)[0]


@FAST
@given(
    ordered(positive),
    st.one_of(st.none(), st.floats(0, 100)),
    st.booleans(),
    st.floats(min_value=1, max_value=50),
)
def test_lower_gi_monotone_in_volume(volumes, episodes, child, weight):
    low, high = volumes
    assert _gi(low, episodes, child, weight) <= _gi(high, episodes, child, weight)


@FAST
@given(
    ordered(st.floats(0, 100)),
    st.one_of(st.none(), positive),
    st.booleans(),
    st.floats(min_value=1, max_value=50),
)
def test_lower_gi_monotone_in_episodes(episodes, volume, child, weight):
    low, high = episodes
    assert _gi(volume, low, child, weight) <= _gi(volume, high, child, weight)


@FAST
@given(
    st.one_of(st.none(), positive),
    st.one_of(st.none(), st.floats(0, 100)),
    st.booleans(),
    st.floats(min_value=1, max_value=50),
    st.sampled_from([(True, False), (False, True), (True, True)]),
)
def test_lower_gi_stage_4_findings_dominate(volume, episodes, child, weight, findings):
    pain, bloody = findings
    assert _gi(volume, episodes, child, weight, pain, bloody) == 4
    assert _gi(volume, episodes, child, weight) <= 3


@FAST
@given(ordered(st.floats(0, 100)), st.floats(min_value=1, max_value=300))
def test_more_stool_per_kg_never_lowers_the_stage(volumes, weight):
    low, high = volumes
    for child in (False, True):
        assert _gi(low * weight, None, child, weight) <= _gi(high * weight, None, child, weight)


# ---------------------------------------------------------------- grade


def forced_minimum(s: OrganStages) -> str:
    """The least grade any single organ forces (clinical-rules.md §2, organ by organ)."""
    floors = ["0"]
    if s.skin == 4 or s.liver == 4 or s.lower_gi == 4:
        floors.append("IV")
    if s.liver in (2, 3) or s.lower_gi in (2, 3):
        floors.append("III")
    if s.skin == 3 or s.liver == 1 or s.upper_gi == 1 or s.lower_gi == 1:
        floors.append("II")
    if s.skin in (1, 2):
        floors.append("I")
    return max(floors, key=grade_rank)


@FAST
@given(stages)
def test_grade_never_below_any_single_organ(s):
    assert grade_rank(magic_grade(s)) >= grade_rank(forced_minimum(s))


@FAST
@given(stages, st.sampled_from(["skin", "liver", "upper_gi", "lower_gi"]))
def test_grade_never_falls_when_a_stage_rises(s, organ):
    top = {"upper_gi": 1}.get(organ, 4)
    assume(getattr(s, organ) < top)
    higher = OrganStages(**{**s.as_dict(), organ: getattr(s, organ) + 1})
    assert grade_rank(magic_grade(higher)) >= grade_rank(magic_grade(s))


@FAST
@given(stages)
def test_any_organ_at_4_is_grade_iv(s):
    if 4 in (s.skin, s.liver, s.lower_gi):
        assert magic_grade(s) == "IV"


@FAST
@given(stages)
def test_minnesota_none_exactly_at_grade_0(s):
    assert (minnesota_risk(s) is None) == (magic_grade(s) == "0")


# ---------------------------------------------------------------- response


@FAST
@given(stages)
def test_no_organ_changed_is_no_response_unless_all_zero(s):
    expected = "CR" if s == OrganStages() else "no response"
    assert judge_response(s, s) == expected


@FAST
@given(stages, stages)
def test_progression_reversed_is_an_improvement(baseline, current):
    forward = judge_response(baseline, current)
    backward = judge_response(current, baseline)
    if forward == "progression":
        assert backward in ("CR", "VGPR", "PR")
    if forward == "mixed":
        assert backward == "mixed"
    if forward in ("VGPR", "PR"):
        assert backward == "progression"


@FAST
@given(stages, stages)
def test_cr_exactly_when_every_organ_is_0(baseline, current):
    assert (judge_response(baseline, current) == "CR") == (current == OrganStages())


# ---------------------------------------------------------------- fuzz of the case reader
# Documents are built from a hypothesis-seeded ``random.Random`` (cheap: ~0.1 ms a document, so
# 10,000 fit in the normal suite); a failure prints the seed, which reproduces the document.

START = date(2026, 11, 1)
TEXTS = [
    "",
    "2026-11-01",
    "2026-13-40",
    "mg/dL",
    "umol/L",
    "g/dL",
    "II",
    "NaN",
    "ü",
    "[",
    "0",
    "two\nlines",
    "tab\t",
]
NUMBERS = [0, 1, -1, 0.5, 2, 2.0, 25, 50, 50.1, 100, 1e308, -1e308, 10**30, 10**400, -(10**400)]
MEASUREMENT_LIMITS = {
    "skin_rash_bsa_percent": 100,
    "skin_bullae_desquamation_bsa_percent": 100,
    "stool_ml_per_day": 5000,
    "stool_episodes_per_day": 20,
}
FLAGS = ("upper_gi_persistent_symptoms", "severe_abdominal_pain_or_ileus", "grossly_bloody_stool")


def random_json(rng: random.Random, depth: int = 2) -> Any:
    """Any JSON value (NaN and ±Infinity included, as json.loads accepts them)."""
    kind = rng.randrange(8 if depth > 0 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.random() < 0.5
    if kind == 2:
        return rng.choice(NUMBERS + [math.nan, math.inf, -math.inf])
    if kind == 3:
        return rng.uniform(-1000, 1000)
    if kind == 4:
        return rng.choice(TEXTS)
    if kind == 5:
        return "".join(rng.choice('aZ0-:.{}\\"\n µ') for _ in range(rng.randrange(6)))
    if kind == 6:
        return [random_json(rng, depth - 1) for _ in range(rng.randrange(4))]
    return {rng.choice(TEXTS + ["skin", "date"]): random_json(rng, depth - 1) for _ in range(3)}


def _maybe(rng: random.Random, value: Any) -> Any:
    return value if rng.random() < 0.8 else None


def random_measurements(rng: random.Random) -> dict[str, Any]:
    """Raw findings: each field present or not, values inside and at the edges of the range."""
    out: dict[str, Any] = {}
    for key, high in MEASUREMENT_LIMITS.items():
        if rng.random() < 0.6:
            out[key] = _maybe(rng, rng.choice([0, high, rng.uniform(0, high), rng.randint(0, 9)]))
    for key in FLAGS:
        if rng.random() < 0.5:
            out[key] = _maybe(rng, rng.random() < 0.3)
    if rng.random() < 0.6:
        unit = rng.choice(["mg/dL", "umol/L", "µmol/L", "mg/dl"])
        out["bilirubin"] = {"value": rng.uniform(0, 60), "unit": unit}
    return out


def random_stages(rng: random.Random) -> dict[str, int | None]:
    """Directly entered stages within their ranges; sometimes one not measured (null: valid in
    srgvhd-case/2, refused in /1)."""
    stages: dict[str, int | None] = {
        "skin": rng.randint(0, 4),
        "liver": rng.randint(0, 4),
        "upper_gi": rng.randint(0, 1),
        "lower_gi": rng.randint(0, 4),
    }
    if rng.random() < 0.2:
        stages[rng.choice(list(stages))] = None
    return stages


def _iso_after(start: date, days: int) -> str:
    try:
        return (start + timedelta(days=days)).isoformat()
    except OverflowError:
        return date.max.isoformat()


def random_case_document(rng: random.Random) -> dict[str, Any]:
    """A mostly valid case: a day-0 baseline (usually) and up to 5 later assessments."""
    start = rng.choice(
        [START] * 18
        + [
            date.fromordinal(rng.randint(1, date.max.toordinal())),  # any calendar date
            date.max - timedelta(days=rng.randint(0, 40)),  # decision dates past year 9999
        ]
    )
    days = sorted(rng.sample(range(1, 41), rng.randrange(6)))
    if rng.random() < 0.9:
        days = [0, *days]
    assessments = [
        {"date": _iso_after(start, day)}
        | (
            {"measurements": random_measurements(rng)}
            if rng.random() < 0.6
            else {"stages": random_stages(rng)}
        )
        for day in days or [1]
    ]
    steroids: dict[str, Any] = {
        "start_date": start.isoformat(),
        "methylprednisolone_mg_per_kg_day": rng.choice([2.0, 2, 1.0, 0.5, 5]),
    }
    if rng.random() < 0.3:
        steroids["dose_changes"] = [
            {"date": _iso_after(start, day), "methylprednisolone_mg_per_kg_day": dose}
            for day, dose in zip(
                rng.sample(range(1, 41), 3), rng.choices([0, 0.5, 1.0, 2.0], k=3), strict=True
            )
        ]
    if rng.random() < 0.3:
        steroids["intolerant"] = rng.random() < 0.5
    labs = [
        {"date": _iso_after(start, rng.randint(-2, 40)), "ldh_u_l": rng.choice([None, 250, 900]),
         "creatinine": rng.choice([None, {"value": 1.2, "unit": "mg/dL"},
                                   {"value": 88.4, "unit": "umol/L"}]),
         "platelets_10e9_l": rng.choice([None, 20, 150]),
         "map_probability": rng.choice([None, 0.1, 0.29, 0.6])}
        for _ in range(rng.randrange(3))
    ]  # fmt: skip
    return {
        "format": rng.choice(["srgvhd-case/1", "srgvhd-case/2"]),
        "rule_set": rng.choice([None, "study", "ebmt2018"]),
        "labs": labs,
        "patient": {
            "age_years": rng.choice([rng.randint(0, 120), rng.uniform(0, 120), 17.9, 18]),
            "weight_kg": rng.choice([None, rng.uniform(0.5, 300), 50, 50.1]),
            "hemoglobin": {"value": rng.uniform(20, 250), "unit": "g/L"},
        },
        "steroids": steroids,
        "assessments": assessments,
        "grade_override": rng.choice([None, "II", "III", "IV"]),
    }


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _paths(value, (*prefix, i))
    return found


def corrupt(doc: dict[str, Any], rng: random.Random, times: int) -> dict[str, Any]:
    """Replace a random node, delete a key or add an unknown key, ``times`` times."""
    for _ in range(times):
        path = rng.choice([p for p in _paths(doc) if p])
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        action = rng.choice(["replace", "replace", "delete", "add"])
        if action == "replace":
            parent[path[-1]] = random_json(rng)
        elif action == "delete" and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[rng.choice(TEXTS + ["gut"])] = random_json(rng)
    return doc


def any_document(rng: random.Random) -> Any:
    """A quarter valid case files, half corrupted ones, a quarter arbitrary JSON values."""
    roll = rng.random()
    if roll < 0.25:
        return random_case_document(rng)
    if roll < 0.75:
        return corrupt(random_case_document(rng), rng, rng.randint(1, 3))
    return random_json(rng, depth=3)


def _assess_or_refuse(doc: Any, as_text: bool) -> bool:
    """Assess ``doc`` (through the text reader or the dict parser); False if it was refused."""
    try:
        case = loads_case(json.dumps(doc)) if as_text else parse_case(doc)
    except InputError as exc:
        assert exc.problems
        assert all(isinstance(p.where, str) and p.where.strip() for p in exc.problems)
        assert all(isinstance(p.what, str) and p.what.strip() for p in exc.problems)
        assert "\n" not in str(exc)  # the CLI prints the refusal as one stderr line
        return False
    for rule_set in ("study", "ebmt2018"):
        result = assess_case(case, rule_set).to_json()
        check_contract(result, rule_set)
        json.dumps(result, allow_nan=False)  # the CLI prints it as strict JSON
    return True


@pytest.mark.slow  # many examples; still part of the default `pytest` run
@settings(max_examples=10_000, deadline=None)
@given(st.randoms(use_true_random=True), st.booleans())
def test_any_json_assesses_or_is_refused_with_field_paths(rng, as_text):
    _assess_or_refuse(any_document(rng), as_text)


def test_fuzz_reaches_valid_and_refused_cases():
    """Guard against a fuzz that only exercises one branch: both outcomes are common."""
    rng = random.Random(20261101)
    outcomes = [_assess_or_refuse(any_document(rng), rng.random() < 0.5) for _ in range(400)]
    assert outcomes.count(True) >= 40
    assert outcomes.count(False) >= 100


def test_nan_and_infinity_never_reach_the_engine():
    doc = {"format": "srgvhd-case/1", "patient": {"age_years": math.nan}}
    for text in (json.dumps(doc), json.dumps(doc).replace("NaN", "Infinity")):
        try:
            loads_case(text)
        except InputError as exc:
            assert all(p.where for p in exc.problems)
        else:
            raise AssertionError("a NaN/Infinity case file was accepted")
