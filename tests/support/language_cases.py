"""Case files that reach every verdict, note and warning the table and the PDF can print, for
the scan that no English is left in zh/de/fr (tests/test_no_english_left.py).

The repository's own case files (``examples/*.json``) are added by the test; the cases here
cover what those do not: every rule of both rule sets (clinical-rules.md §5a/§5b), the waiting
and overdue states and the blank-measurement notes (§7), the intolerant flag, a low steroid dose,
labs (§6 of interfaces.md), an old ``srgvhd-case/1`` file and every second-line state (§8: week 4
due / assessed / missed / not assessable, no second-line baseline, progression, doses outside the
study's range, each therapy). Each is a whole ``srgvhd-case/2`` document; the verdicts they
reach are checked by the engine's own tests, here they only need to be printed.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

from tests.cases import bilirubin, case_doc, course, day_date, long_course, measured

# Raw findings: skin stage 2 (30 % BSA), liver stage 1 (2.5 mg/dL), lower GI stage 2
# (1100 mL/day) — grade III at baseline.
BASE = {
    "skin_rash_bsa_percent": 30,
    "skin_bullae_desquamation_bsa_percent": 0,
    "bilirubin": bilirubin(2.5),
    "upper_gi_persistent_symptoms": False,
    "stool_ml_per_day": 1100,
    "stool_episodes_per_day": 5,
    "severe_abdominal_pain_or_ileus": False,
    "grossly_bloody_stool": False,
}


def _v2(doc: dict[str, Any], **extra: Any) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc["format"] = "srgvhd-case/2"
    doc.update(extra)
    return doc


def _without(findings: dict[str, Any], *names: str, **changed: Any) -> dict[str, Any]:
    out = {k: v for k, v in findings.items() if k not in names}
    out.update(changed)
    return out


def _second_line(
    therapy: str,
    start_day: int,
    later: list[dict[str, Any]],
    *,
    doses: tuple[float, ...] = (1.5,),
    other_name: str | None = None,
    steroid_days: tuple[int, ...] = (0, 7),
) -> dict[str, Any]:
    """R2 on day 7 (nothing changes), then ``therapy`` from steroid day ``start_day``."""
    doc = case_doc([measured(d, **BASE) for d in steroid_days] + later, hemoglobin=None)
    doc = _v2(doc)
    doc["patient"]["hemoglobin"] = {"value": 85, "unit": "g/L"}
    start = day_date(start_day)
    line: dict[str, Any] = {"therapy": therapy, "start_date": start}
    if therapy in ("uc-msc", "bm-msc"):
        line["infusions"] = [
            {"date": day_date(start_day + 7 * i), "dose_10e6_cells_per_kg": dose}
            for i, dose in enumerate(doses)
        ]
    if other_name is not None:
        line["therapy_name"] = other_name
        line["note"] = "given with the standard second-line therapy"
    doc["second_line"] = line
    return doc


def _steroid_cases() -> dict[str, dict[str, Any]]:
    worse = {**BASE, "skin_rash_bsa_percent": 60}
    better = {**BASE, "skin_rash_bsa_percent": 10, "stool_ml_per_day": 400}
    cr = {
        **BASE,
        "skin_rash_bsa_percent": 0,
        "bilirubin": bilirubin(0.8),
        "stool_ml_per_day": 0,
        "stool_episodes_per_day": 0,
    }
    cases: dict[str, dict[str, Any]] = {
        "r1-progression": course((0, 2, 0, 0, 1), (4, 3, 0, 0, 1)),
        "r1-mixed": course((0, 2, 0, 0, 2), (4, 3, 0, 0, 1)),
        "r2-no-response": course((0, 0, 0, 0, 2), (3, 0, 0, 0, 2), (7, 0, 0, 0, 2)),
        "r3-pr-only": course((0, 0, 0, 0, 2), (7, 0, 0, 0, 1), (14, 0, 0, 0, 1)),
        "responsive": course((0, 2, 0, 0, 1), (7, 1, 0, 0, 0), (14, 0, 0, 0, 0)),
        "so-far-day7": course((0, 1, 0, 0, 1), (3, 1, 0, 0, 1)),
        "so-far-day14": course((0, 0, 0, 0, 2), (7, 0, 0, 0, 1)),
        "baseline-only": course((0, 2, 1, 1, 3)),
        "grade-iv-override": _v2(course((0, 3, 2, 1, 3), (7, 3, 2, 1, 3)), grade_override="IV"),
        "low-dose": course((0, 0, 0, 0, 2), (7, 0, 0, 0, 2), dose=1.0),
        "child-stool": _v2(
            case_doc(
                [
                    measured(0, **{**BASE, "stool_ml_per_day": 900}),
                    measured(7, **{**BASE, "stool_ml_per_day": 300}),
                ],
                age=9,
                weight=25,
            )
        ),
        "legacy-v1": case_doc([measured(0, skin_rash_bsa_percent=30), measured(7)]),
        # §7: the liver (involved at baseline) not measured on day 7 → R2 waits; on day 9 too
        # (overdue), and a blank secondary finding read as absent with a note
        "waiting-liver-day7": _v2(
            case_doc([measured(0, **BASE), measured(7, **_without(better, "bilirubin"))])
        ),
        "overdue-liver": _v2(
            case_doc(
                [
                    measured(0, **BASE),
                    measured(7, **_without(better, "bilirubin")),
                    measured(9, **_without(better, "bilirubin")),
                ]
            )
        ),
        "waiting-day14": _v2(
            case_doc(
                [
                    measured(0, **BASE),
                    measured(7, **better),
                    measured(14, **_without(cr, "bilirubin")),
                ]
            )
        ),
        "not-measured-at-baseline": _v2(
            case_doc(
                [
                    measured(0, **_without(BASE, "bilirubin")),
                    measured(7, **better),
                    measured(14, **cr),
                ]
            )
        ),
        "uninvolved-not-remeasured": _v2(
            case_doc(
                [
                    measured(0, **{**BASE, "upper_gi_persistent_symptoms": False}),
                    measured(7, **_without(better, "upper_gi_persistent_symptoms")),
                ]
            )
        ),
        "blank-secondary-finding": _v2(
            case_doc(
                [
                    measured(
                        0,
                        **{
                            **BASE,
                            "skin_rash_bsa_percent": 60,
                            "skin_bullae_desquamation_bsa_percent": 10,
                        },
                    ),
                    measured(
                        7,
                        **_without(
                            {**BASE, "skin_rash_bsa_percent": 60},
                            "skin_bullae_desquamation_bsa_percent",
                        ),
                    ),
                ]
            )
        ),
        "blank-stool-episodes": _v2(
            case_doc([measured(0, **BASE), measured(7, **_without(BASE, "stool_ml_per_day"))])
        ),
        "progression-with-unmeasured": _v2(
            case_doc([measured(0, **BASE), measured(4, **_without(worse, "bilirubin"))])
        ),
        "labs": _v2(
            course((0, 2, 1, 0, 2), (7, 2, 1, 0, 2)),
            labs=[
                {
                    "date": day_date(0),
                    "ldh_u_l": 420,
                    "creatinine": {"value": 1.1, "unit": "mg/dL"},
                    "platelets_10e9_l": 45,
                    "map_probability": 0.31,
                },
                {
                    "date": day_date(7),
                    "ldh_u_l": 380,
                    "creatinine": {"value": 98, "unit": "umol/L"},
                    "platelets_10e9_l": None,
                    "map_probability": None,
                },
            ],
        ),
    }
    # the headline reads today's date (srgvhd.report.text.report_today): a course started 3
    # days ago waits for day 7, one started 7 days ago is due today
    for ago in (3, 7):
        start = (date.today() - timedelta(days=ago)).isoformat()
        cases[f"today-minus-{ago}"] = course((0, 0, 0, 0, 2), (3, 0, 0, 0, 2), start=start)
    cases.update(
        {
            # the row limits: 100 assessments, dose changes and labs (rows left out of the PDF)
            "longest-course": long_course(100),
            "grade-override-differs": _v2(
                course((0, 2, 1, 0, 1), (7, 2, 1, 0, 1), hemoglobin={"value": 85, "unit": "g/L"}),
                grade_override="IV",
            ),
            "no-organ-measured": _v2(
                case_doc(
                    [
                        measured(0, **BASE),
                        {
                            "date": day_date(3),
                            "stages": dict.fromkeys(("skin", "liver", "upper_gi", "lower_gi")),
                        },
                        measured(7, **BASE),
                    ]
                )
            ),
            # blank secondary findings at baseline, read as absent with a note (§7.8)
            "baseline-blank-secondary": _v2(
                case_doc(
                    [
                        measured(
                            0,
                            **_without(
                                {**BASE, "skin_rash_bsa_percent": 60},
                                "skin_bullae_desquamation_bsa_percent",
                                "severe_abdominal_pain_or_ileus",
                                "grossly_bloody_stool",
                            ),
                        ),
                        measured(7, **{**BASE, "skin_rash_bsa_percent": 60}),
                    ]
                )
            ),
            # day 7 not assessable, then R3 fires on day 14: the course may have become
            # refractory earlier
            "unjudged-then-r3": _v2(
                case_doc(
                    [
                        measured(0, **BASE),
                        measured(7, **_without(better, "bilirubin")),
                        measured(14, **better),
                    ]
                )
            ),
            "day28-labs-no-response": _v2(
                course((0, 0, 0, 0, 2), (7, 0, 0, 0, 2), (28, 0, 0, 0, 2)),
                labs=[
                    {
                        "date": day_date(28),
                        "ldh_u_l": 400,
                        "creatinine": None,
                        "platelets_10e9_l": 60,
                        "map_probability": 0.4,
                    }
                ],
            ),
            "day28-labs-not-assessable": _v2(
                case_doc(
                    [
                        measured(0, **BASE),
                        measured(7, **better),
                        measured(28, **_without(cr, "bilirubin")),
                    ]
                ),
                labs=[
                    {
                        "date": day_date(28),
                        "ldh_u_l": 400,
                        "creatinine": None,
                        "platelets_10e9_l": 60,
                        "map_probability": 0.1,
                    }
                ],
            ),
        }
    )
    # EBMT 2018 (§5b): E1, E2, E3, D1, D2, the flare warning, responsive at day 29, intolerant
    ebmt = {
        "ebmt-e1": course((0, 2, 0, 0, 1), (4, 3, 0, 0, 1)),
        "ebmt-e2": course((0, 0, 0, 0, 2), (7, 0, 0, 0, 2)),
        "ebmt-e3": course((0, 0, 0, 0, 2), (7, 0, 0, 0, 1), (29, 0, 0, 0, 1)),
        "ebmt-d1": course(
            (0, 2, 0, 0, 1),
            (7, 1, 0, 0, 0),
            (14, 0, 0, 0, 0),
            dose_changes=[
                {"date": day_date(10), "methylprednisolone_mg_per_kg_day": 1.0},
                {"date": day_date(16), "methylprednisolone_mg_per_kg_day": 2.0},
            ],
        ),
        "ebmt-d2": course(
            (0, 2, 0, 0, 1),
            (7, 1, 0, 0, 0),
            (14, 0, 0, 0, 0),
            (18, 2, 0, 0, 0),
            dose_changes=[{"date": day_date(10), "methylprednisolone_mg_per_kg_day": 1.0}],
        ),
        "ebmt-flare-warning": course((0, 2, 0, 0, 1), (7, 1, 0, 0, 0), (12, 3, 0, 0, 1)),
        "ebmt-responsive": course((0, 2, 0, 0, 1), (7, 1, 0, 0, 0), (29, 0, 0, 0, 0)),
        "ebmt-intolerant": course((0, 0, 0, 0, 2), (7, 0, 0, 0, 1), intolerant=True),
        "ebmt-waiting": _v2(
            case_doc([measured(0, **BASE), measured(7, **_without(better, "bilirubin"))])
        ),
    }
    for name, doc in ebmt.items():
        cases[name] = _v2(doc, rule_set="ebmt2018")
    return cases


def _second_line_cases() -> dict[str, dict[str, Any]]:
    cr = {
        **BASE,
        "skin_rash_bsa_percent": 0,
        "bilirubin": bilirubin(0.8),
        "stool_ml_per_day": 0,
        "stool_episodes_per_day": 0,
    }
    pr = {**BASE, "skin_rash_bsa_percent": 10, "stool_ml_per_day": 400}
    worse = {**BASE, "skin_rash_bsa_percent": 60}
    s = 8  # second line from steroid day 8
    return {
        "2l-week4-due": _second_line("uc-msc", s, [measured(s, **BASE), measured(s + 10, **pr)]),
        "2l-week4-cr": _second_line(
            "uc-msc",
            s,
            [measured(s, **BASE), measured(s + 14, **pr), measured(s + 28, **cr)],
            doses=(1.5, 2.0, 1.0),
        ),
        "2l-week4-pr-ruxolitinib": _second_line(
            "ruxolitinib", s, [measured(s, **BASE), measured(s + 28, **pr)]
        ),
        "2l-week4-missed": _second_line(
            "standard", s, [measured(s, **BASE), measured(s + 40, **pr)]
        ),
        "2l-week4-not-assessable": _second_line(
            "bm-msc", s, [measured(s, **BASE), measured(s + 29, **_without(cr, "bilirubin"))]
        ),
        "2l-no-baseline": _second_line(
            "uc-msc", 20, [measured(30, **pr)], doses=(0.5, 4.0, 0.8, 5.0)
        ),
        "2l-progression": _second_line(
            "other",
            s,
            [measured(s, **BASE), measured(s + 5, **worse)],
            other_name="vedolizumab",
        ),
        "2l-mixed": _second_line(
            "uc-msc",
            s,
            [measured(s, **BASE), measured(s + 7, **{**worse, "stool_ml_per_day": 0})],
        ),
        "2l-before-verdict": _second_line("uc-msc", 5, [measured(5, **BASE)], steroid_days=(0,)),
        "2l-week4-no-response": _second_line(
            "uc-msc", s, [measured(s, **BASE), measured(s + 28, **BASE)], doses=(1.5,) * 8
        ),
        "2l-week4-mixed-many-warnings": _second_line(
            "uc-msc",
            s,
            [measured(s, **BASE), measured(s + 28, **{**worse, "stool_ml_per_day": 0})],
            doses=(0.5, 4.0, 0.8, 5.0, 0.6, 3.5, 0.9, 6.0),
        ),
    }


def constructed_cases() -> dict[str, dict[str, Any]]:
    """Name → case document, for every state the scan covers."""
    return {**_steroid_cases(), **_second_line_cases()}
