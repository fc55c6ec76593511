"""Labs and bedside scores (docs/interfaces.md §6): EASIX, MAP and the day-28 response.

Expected values are computed by hand from the published definitions: EASIX = LDH (U/L) ×
creatinine (mg/dL) / platelets (10⁹/L), creatinine µmol/L ÷ 88.4 (Luft et al. 2017); MAP high at
≥ 0.290 (Srinagesh et al. 2019); day-28 response from the first assessable assessment on days
28–35 (Rule of this project).
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from srgvhd.clinical.case import case_to_dict, parse_case
from srgvhd.clinical.course import assess_case
from srgvhd.errors import InputError
from tests.cases import day_date
from tests.test_not_measured import doc2, row


def lab(day: int, **values: Any) -> dict[str, Any]:
    return {"date": day_date(day), **values}


def creat(value: float, unit: str = "mg/dL") -> dict[str, Any]:
    return {"value": value, "unit": unit}


def scores(*labs: dict, rows: tuple[dict, ...] = (), base: dict | None = None) -> dict | None:
    doc = doc2(base or row(0, skin=2, lower_gi=2), *rows)
    if labs:
        doc["labs"] = list(labs)
    return assess_case(parse_case(doc)).to_json().get("scores")


def refused(*labs: dict) -> list[str]:
    doc = {**doc2(row(0, skin=2)), "labs": list(labs)}
    with pytest.raises(InputError) as info:
        parse_case(doc)
    return [p.where for p in info.value.problems]


# ---------------------------------------------------------------- EASIX


def test_easix_value_log2_and_source() -> None:
    s = scores(lab(0, ldh_u_l=420, creatinine=creat(1.1), platelets_10e9_l=45))
    easix = s["easix"]
    assert easix["value"] == pytest.approx(420 * 1.1 / 45, rel=1e-12)
    assert easix["log2"] == pytest.approx(math.log2(420 * 1.1 / 45), rel=1e-12)
    assert easix["date"] == day_date(0) and easix["day"] == 0
    assert "10.1016/S2352-3026(17)30108-4" in easix["source"]
    assert "not as a cut-off" in easix["statement"] and "steroid-refractory" in easix["statement"]
    assert any("platelet transfusion" in n and "renal failure" in n for n in easix["notes"])
    assert (s["map"], s["day28"]) == (None, None)


@pytest.mark.parametrize(
    ("value", "unit", "mg_dl"),
    [(88.4, "umol/L", 1.0), (176.8, "umol/L", 2.0), (1.0, "mg/dL", 1.0), (44.2, "µmol/L", 0.5)],
)
def test_easix_creatinine_unit_conversion(value, unit, mg_dl) -> None:
    s = scores(lab(1, ldh_u_l=300, creatinine=creat(value, unit), platelets_10e9_l=100))
    assert s["easix"]["inputs"]["creatinine_mg_dl"] == mg_dl
    assert s["easix"]["value"] == pytest.approx(300 * mg_dl / 100, rel=1e-12)


def test_easix_uses_the_latest_lab_date_with_all_three_inputs() -> None:
    s = scores(
        lab(0, ldh_u_l=400, creatinine=creat(1.0), platelets_10e9_l=50),
        lab(3, ldh_u_l=800, creatinine=creat(2.0), platelets_10e9_l=None),  # incomplete
    )
    assert s["easix"]["date"] == day_date(0) and s["easix"]["value"] == 8.0


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"creatinine": creat(0.0)}, "labs[0].creatinine.value"),
        ({"creatinine": creat(30.01)}, "labs[0].creatinine.value"),
        ({"creatinine": creat(2652.1, "umol/L")}, "labs[0].creatinine.value"),
        ({"creatinine": creat(1.0, "mmol/L")}, "labs[0].creatinine.unit"),
        ({"creatinine": creat(0.0099)}, "labs[0].creatinine.value"),
        ({"creatinine": creat(0.00001, "umol/L")}, "labs[0].creatinine.value"),  # rounds to 0
        ({"creatinine": creat(0.99, "umol/L")}, "labs[0].creatinine.value"),
        ({"ldh_u_l": 0}, "labs[0].ldh_u_l"),
        ({"ldh_u_l": 1e-200}, "labs[0].ldh_u_l"),  # the product would underflow to 0
        ({"platelets_10e9_l": 0}, "labs[0].platelets_10e9_l"),
        ({"platelets_10e9_l": 0.99}, "labs[0].platelets_10e9_l"),
        ({"platelets_10e9_l": 1e-320}, "labs[0].platelets_10e9_l"),  # EASIX would be infinite
        ({"map_probability": 1.01}, "labs[0].map_probability"),
        ({"map_probability": -0.01}, "labs[0].map_probability"),
        ({"ldh": 400}, "labs[0].ldh"),
        ({"date": "2026-13-01"}, "labs[0].date"),
    ],
)
def test_lab_values_out_of_range_are_refused_by_field(values, field) -> None:
    assert refused(lab(0, **values)) == [field]


def test_range_ends_that_are_allowed() -> None:
    s = scores(
        lab(0, creatinine=creat(30.0), ldh_u_l=20000, platelets_10e9_l=5000, map_probability=0),
        lab(1, creatinine=creat(2652.0, "umol/L"), map_probability=1),
    )
    assert s["easix"]["value"] == pytest.approx(20000 * 30.0 / 5000)
    assert s["map"]["value"] == 1


@pytest.mark.parametrize(
    ("ldh", "creatinine", "platelets"),
    [(1, creat(0.01), 5000), (1, creat(1.0, "umol/L"), 5000), (20000, creat(30.0), 1)],
)
def test_easix_at_the_range_ends_is_finite_json(ldh, creatinine, platelets) -> None:
    """The smallest and largest EASIX the ranges allow: a finite value and log2, valid JSON."""
    s = scores(lab(0, ldh_u_l=ldh, creatinine=creatinine, platelets_10e9_l=platelets))
    assert math.isfinite(s["easix"]["value"]) and s["easix"]["value"] > 0
    assert math.isfinite(s["easix"]["log2"])
    json.dumps(s, allow_nan=False)


def test_two_labs_on_one_date_are_refused() -> None:
    assert refused(lab(0, ldh_u_l=300), lab(0, ldh_u_l=400)) == ["labs[1].date"]


# ---------------------------------------------------------------- MAP


@pytest.mark.parametrize(("value", "group"), [(0.290, "high"), (0.2899, "low"), (0.9, "high")])
def test_map_group_at_the_threshold(value, group) -> None:
    s = scores(lab(-1, map_probability=value), lab(2, ldh_u_l=300))
    assert s["map"] == {
        "date": day_date(-1),
        "value": value,
        "group": group,
        "threshold": 0.29,
        "source": s["map"]["source"],
        "day": -1,  # drawn the day before steroids started
        "statement": s["map"]["statement"],
    }
    assert "Srinagesh" in s["map"]["source"] and "Major-Monfried" in s["map"]["source"]
    assert "not computed here" in s["map"]["statement"]
    assert s["easix"] is None


def test_map_from_the_latest_lab_that_reports_it() -> None:
    s = scores(lab(0, map_probability=0.1), lab(7, map_probability=0.5), lab(9, ldh_u_l=300))
    assert (s["map"]["day"], s["map"]["group"]) == (7, "high")


# ---------------------------------------------------------------- day 28


@pytest.mark.parametrize(
    ("stages", "response", "group", "words"),
    [
        ({"skin": 0}, "CR", "CR/VGPR", "Inamoto"),
        ({"skin": 1}, "VGPR", "CR/VGPR", "CR and VGPR at day 28 were followed by similar"),
        ({"skin": 2, "lower_gi": 1}, "PR", "PR/no response", "after PR than after CR or VGPR"),
        ({"skin": 2, "lower_gi": 2}, "no response", "PR/no response", "2.78, 95% CI 2.17–3.56"),
        ({"skin": 3, "lower_gi": 2}, "progression", "PR/no response", "MacMillan"),
    ],
)
def test_day28_response_and_its_meaning(stages, response, group, words) -> None:
    s = scores(rows=(row(28, **stages),))
    assert (s["easix"], s["map"]) == (None, None)
    day28 = s["day28"]
    assert (day28["day"], day28["response"], day28["group"]) == (28, response, group)
    assert words in day28["meaning"]


@pytest.mark.parametrize(("days", "chosen"), [((27,), None), ((36,), None), ((35, 40), 35)])
def test_day28_window_edges(days, chosen) -> None:
    s = scores(rows=tuple(row(d, skin=1) for d in days))
    if chosen is None:
        assert s is None  # no labs and no day-28 assessment: no scores at all
    else:
        assert s["day28"]["day"] == chosen


def test_day28_prefers_an_assessable_assessment_in_the_window() -> None:
    base = row(0, skin=2, liver=2)  # liver involved: a blank liver on day 28 is not assessable
    gap = row(28, skin=0, liver=None)
    alone = scores(rows=(gap,), base=base)["day28"]
    assert (alone["response"], alone["group"]) == ("not assessable", None)
    assert "could not be judged" in alone["meaning"]
    s = scores(rows=(gap, row(31, skin=0, liver=0)), base=base)
    assert (s["day28"]["day"], s["day28"]["response"]) == (31, "CR")


def test_no_labs_and_no_day_28_gives_no_scores_key() -> None:
    assert "scores" not in assess_case(parse_case(doc2(row(0, skin=2)))).to_json()


def test_labs_with_nothing_usable_give_null_scores() -> None:
    assert scores(lab(0)) == {"easix": None, "map": None, "day28": None}


# ---------------------------------------------------------------- case file and CLI


def test_labs_round_trip_through_the_case_file() -> None:
    labs = [lab(2, ldh_u_l=420, creatinine=creat(97, "umol/L"), platelets_10e9_l=45,
                map_probability=None), lab(0, ldh_u_l=None, creatinine=None,
                platelets_10e9_l=None, map_probability=0.3)]  # fmt: skip
    doc = {**doc2(row(0, skin=2)), "labs": labs}
    again = case_to_dict(parse_case(doc))
    assert again["labs"] == [labs[1], labs[0]]  # date order, values in the units entered
    assert case_to_dict(parse_case(again)) == again


def test_scores_through_the_cli(tmp_path, capsys) -> None:
    from srgvhd.cli.main import main

    doc = {**doc2(row(0, skin=2)), "labs": [lab(0, ldh_u_l=420, creatinine=creat(1.1),
                                                    platelets_10e9_l=45)]}  # fmt: skip
    path = tmp_path / "case.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["assess", str(path), "--json", "--no-risk"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and json.loads(out)["scores"]["easix"]["value"] == pytest.approx(10.2666667)
    doc["labs"][0]["creatinine"]["value"] = -1
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["assess", str(path), "--json", "--no-risk"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1
    assert err.startswith("labs[0].creatinine.value:")


def test_scores_in_the_cli_table(tmp_path, capsys) -> None:
    from srgvhd.cli.main import main

    doc = {**doc2(row(0, skin=2), row(28, skin=0)), "labs": [lab(7, map_probability=0.29)]}
    path = tmp_path / "case.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["assess", str(path), "--no-risk"]) == 0
    out = capsys.readouterr().out
    assert "MAP 0.29: high (threshold 0.290), drawn on day 7 (2026-11-08)" in out
    assert "Day-28 response: CR (CR/VGPR), assessed day 28 (2026-11-29)" in out
    assert "EASIX" not in out
