"""Helpers for the engine tests: build ``srgvhd-case/1`` documents (interfaces.md §1) and check
an assess result against the interfaces.md §2 contract.

The builders only assemble JSON-shaped dicts; every expected stage, grade, response and verdict
is written by hand in the tests from clinical-rules.md, never computed here.
"""

from __future__ import annotations

import copy
import re
from datetime import date, timedelta
from typing import Any

from srgvhd.clinical.staging import stage_lower_gi

START = "2026-11-01"


def day_date(day: int, start: str = START) -> str:
    """ISO date of steroid day ``day`` (``start`` is day 0)."""
    return (date.fromisoformat(start) + timedelta(days=day)).isoformat()


def staged(
    day: int,
    skin: int = 0,
    liver: int = 0,
    upper_gi: int = 0,
    lower_gi: int = 0,
    start: str = START,
) -> dict[str, Any]:
    """An assessment on steroid day ``day`` with directly entered MAGIC stages."""
    return {
        "date": day_date(day, start),
        "stages": {"skin": skin, "liver": liver, "upper_gi": upper_gi, "lower_gi": lower_gi},
    }


def measured(day: int, start: str = START, **findings: Any) -> dict[str, Any]:
    """An assessment on steroid day ``day`` with raw findings (missing = not involved)."""
    return {"date": day_date(day, start), "measurements": dict(findings)}


def bilirubin(value: float, unit: str = "mg/dL") -> dict[str, Any]:
    """A bilirubin quantity as the case file writes it."""
    return {"value": value, "unit": unit}


def case_doc(
    assessments: list[dict[str, Any]],
    *,
    start: str = START,
    age: float = 42,
    weight: float | None = 70.0,
    dose: float = 2.0,
    hemoglobin: dict[str, Any] | None = None,
    **steroid_extras: Any,
) -> dict[str, Any]:
    """A whole case document; ``steroid_extras`` adds e.g. ``dose_changes`` or ``intolerant``."""
    patient: dict[str, Any] = {"age_years": age, "weight_kg": weight}
    if hemoglobin is not None:
        patient["hemoglobin"] = hemoglobin
    return {
        "format": "srgvhd-case/1",
        "patient": patient,
        "steroids": {
            "start_date": start,
            "methylprednisolone_mg_per_kg_day": dose,
            **steroid_extras,
        },
        "assessments": copy.deepcopy(assessments),
        "grade_override": None,
    }


def course(*stage_rows: tuple[int, int, int, int, int], **kwargs: Any) -> dict[str, Any]:
    """A case from ``(day, skin, liver, upper_gi, lower_gi)`` rows of directly entered stages."""
    start = kwargs.get("start", START)
    return case_doc([staged(*row, start=start) for row in stage_rows], **kwargs)


def valid_doc() -> dict[str, Any]:
    """The interfaces.md §1 example document (measurements on day 0, stages on day 7)."""
    return case_doc(
        [
            measured(
                0,
                skin_rash_bsa_percent=30,
                skin_bullae_desquamation_bsa_percent=0,
                bilirubin=bilirubin(2.5),
                upper_gi_persistent_symptoms=True,
                stool_ml_per_day=800,
                stool_episodes_per_day=None,
                severe_abdominal_pain_or_ileus=False,
                grossly_bloody_stool=False,
            ),
            staged(7, skin=1, liver=0, upper_gi=0, lower_gi=1),
        ],
        hemoglobin={"value": 85, "unit": "g/L"},
    )


GRADES = {"0", "I", "II", "III", "IV"}
RESPONSES = {"CR", "VGPR", "PR", "mixed", "progression", "no response", "not assessable"}
ORGAN_KEYS = ("skin", "liver", "upper_gi", "lower_gi")
STUDY_STATUSES = {"steroid-refractory", "steroid-responsive", "not refractory so far"}
STUDY_RULES = {"R1", "R2", "R3"}
EBMT_RULES = {"E1", "E2", "E3", "D1", "D2"}
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def check_contract(result: dict[str, Any], rule_set: str = "study") -> None:
    """Assert every key and type interfaces.md §2 names (added fields are allowed)."""
    assert isinstance(result["assessments"], list) and result["assessments"]
    for i, row in enumerate(result["assessments"]):
        assert _ISO.match(row["date"])
        assert _is_int(row["day"]) and row["day"] >= 0
        assert set(row["stages"]) == set(ORGAN_KEYS)
        assert all(v is None or (_is_int(v) and 0 <= v <= 4) for v in row["stages"].values())
        assert (row["stages"]["upper_gi"] or 0) <= 1
        unknown = [o for o in ORGAN_KEYS if row["stages"][o] is None]
        assert row.get("not_measured", []) == unknown
        assert row.get("grade_incomplete", False) is bool(unknown)
        assert row["grade"] in GRADES
        if row["grade"] == "0":
            assert row["minnesota_risk"] is None
        else:
            assert row["minnesota_risk"] in {"standard", "high"}
        if i == 0:
            assert row["response"] is None and row["day"] == 0
        else:
            assert row["response"] in RESPONSES
    assert result["max_grade"] in GRADES
    status = result["status"]
    if rule_set == "study":
        assert status["value"] in STUDY_STATUSES
        assert status["rule"] in STUDY_RULES | {None}
    else:
        assert status["value"] in STUDY_STATUSES | {"steroid-dependent"}
        assert status["rule"] in EBMT_RULES | {None}
    for key in ("day", "next_decision_day"):
        assert status[key] is None or _is_int(status[key])
    for key in ("date", "next_decision_date"):
        assert status[key] is None or _ISO.match(status[key])
    if status["rule"] is not None:
        assert _is_int(status["day"]) and status["date"]
    waiting = status["waiting"]
    if waiting is not None:
        assert set(waiting) == {"rule", "day", "reason"} and waiting["reason"]
        assert status["value"] == "not refractory so far"
        assert status["next_decision_day"] == waiting["day"]
    elif status["value"] == "not refractory so far":
        assert status["next_decision_day"] in (7, 14, 29) and status["next_decision_date"]
    assert isinstance(result["warnings"], list)
    assert all(isinstance(w, str) for w in result["warnings"])


def lower_gi(
    ml=None, episodes=None, *, pain=False, bloody=False, child=False, weight=70.0
) -> tuple[int, tuple[str, ...]]:
    """``stage_lower_gi`` with short keyword names: (stage, notes)."""
    return stage_lower_gi(
        stool_ml_per_day=ml,
        stool_episodes_per_day=episodes,
        severe_pain_or_ileus=pain,
        grossly_bloody_stool=bloody,
        child=child,
        weight_kg=weight,
    )


def long_course(rows: int, start: str = START) -> dict[str, Any]:
    """A ``srgvhd-case/2`` course with ``rows`` assessments (measured findings, one a day from
    day 0), ``rows`` dose changes (from day 1) and ``rows`` dated labs: a case at the row
    limits when ``rows`` is the maximum."""
    assessments = [
        {
            "date": day_date(day, start),
            "measurements": {
                "skin_rash_bsa_percent": 30 - day % 7,
                "skin_bullae_desquamation_bsa_percent": 0,
                "bilirubin": bilirubin(1.2 + (day % 5) / 10),
                "upper_gi_persistent_symptoms": False,
                "stool_ml_per_day": 600 + 10 * (day % 9),
                "stool_episodes_per_day": None,
                "severe_abdominal_pain_or_ileus": False,
                "grossly_bloody_stool": False,
            },
        }
        for day in range(rows)
    ]
    document = case_doc(
        assessments,
        start=start,
        dose_changes=[
            {"date": day_date(day + 1, start), "methylprednisolone_mg_per_kg_day": 2.0 - day / 100}
            for day in range(rows)
        ],
    )
    document["format"] = "srgvhd-case/2"
    document["labs"] = [
        {"date": day_date(day, start), "ldh_u_l": 300 + day, "platelets_10e9_l": 90}
        for day in range(rows)
    ]
    return document
