"""Bedside measures shown beside the verdict: EASIX, MAP and the day-28 response.

``course_scores`` gives the ``scores`` object of ``srgvhd assess --json`` (docs/interfaces.md
§6): EASIX and MAP from the case's ``labs`` (each from the latest lab date that has its inputs),
and the response at day 28 with its published meaning. Only figures verified in the sources are
quoted.

References
----------
Luft T, et al. EASIX in patients with acute graft-versus-host disease: a retrospective cohort
analysis. Lancet Haematol 2017;4(9):e414–e423. doi:10.1016/S2352-3026(17)30108-4
Srinagesh HK, et al. The MAGIC algorithm probability is a validated response biomarker of
treatment of acute graft-versus-host disease. Blood Adv 2019;3(23):4034–4042.
Major-Monfried H, et al. MAGIC biomarkers predict long-term outcomes for steroid-resistant acute
GVHD. Blood 2018;131(25):2846.
MacMillan ML, et al. Blood 2010;115(26):5412 (day-28 response and transplant-related mortality).
Inamoto Y, et al. Haematologica 2014;99(2):385 (CR, VGPR and PR at day 28).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

from srgvhd.clinical.labs import Lab
from srgvhd.clinical.policy import DAY28_WINDOW_DAYS
from srgvhd.clinical.results import AssessmentResult, Response
from srgvhd.i18n.message import N_, Msg

EASIX_SOURCE = (
    "Luft et al., Lancet Haematol 2017;4(9):e414–e423 (doi:10.1016/S2352-3026(17)30108-4)"
)
EASIX_STATEMENT = N_(
    "EASIX = LDH (U/L) × creatinine (mg/dL) / platelets (10⁹/L). Validated at the onset of acute "
    "GVHD as a continuous measure (log2 EASIX; higher went with worse survival), not as a "
    "cut-off, and not in steroid-refractory aGVHD specifically."
)
EASIX_NOTE = N_(
    "A recent platelet transfusion lowers EASIX and acute kidney injury or renal failure raises "
    "it, without any change in endothelial injury: read it with care then."
)
MAP_THRESHOLD = 0.290
MAP_SOURCE = (
    "Srinagesh et al., Blood Adv 2019;3(23):4034–4042; Major-Monfried et al., "
    "Blood 2018;131(25):2846"
)
MAP_STATEMENT = N_(
    "MAGIC algorithm probability (serum ST2 and REG3α) as reported by the lab, not computed "
    "here; high at ≥ 0.290. Srinagesh 2019 (n = 615, MAP at treatment start and 4 weeks later): "
    "6-month non-relapse mortality with high vs low MAP at day 28 was 40% vs 12% in clinical "
    "responders and 65% vs 25% in non-responders. Major-Monfried 2018 (n = 507, MAP after 1 week "
    "of steroids): AUC for 1-year non-relapse mortality 0.82."
)
CR_VGPR, PR_OR_LESS = "CR/VGPR", "PR/no response"
INAMOTO = "Inamoto et al., Haematologica 2014;99(2):385"
MACMILLAN = "MacMillan et al., Blood 2010;115(26):5412"
DAY28_MEANING = {
    CR_VGPR: Msg(
        "CR or VGPR at day 28. {source} (n = 303): CR and VGPR at day 28 were followed by "
        "similar rates of later treatment failure, lower than after other PR or no response.",
        source=INAMOTO,
    ),
    Response.PR: Msg(
        "PR without VGPR at day 28. {source} (n = 303): later treatment failure was more "
        "frequent after PR than after CR or VGPR.",
        source=INAMOTO,
    ),
    PR_OR_LESS: Msg(
        "Not responding at day 28. {source} (n = 864): no response at day 28 went with a "
        "higher 2-year transplant-related mortality (relative risk 2.78, 95% CI 2.17–3.56).",
        source=MACMILLAN,
    ),
    Response.NOT_ASSESSABLE: N_(
        "The day-28 response could not be judged (an organ was not measured), so its published "
        "meaning does not apply."
    ),
}


@dataclass(frozen=True)
class Easix:
    """EASIX from one lab date (Luft et al. 2017)."""

    date: date
    day: int
    ldh_u_l: float
    creatinine_mg_dl: float
    platelets_10e9_l: float

    @property
    def value(self) -> float:
        """LDH (U/L) × creatinine (mg/dL) / platelets (10⁹/L)."""
        return self.ldh_u_l * self.creatinine_mg_dl / self.platelets_10e9_l

    def to_json(self) -> dict[str, Any]:
        """``scores.easix``: date, value, log2, source (+ day, inputs, statement, notes)."""
        return {
            "date": self.date.isoformat(),
            "value": self.value,
            "log2": math.log2(self.value),
            "source": EASIX_SOURCE,
            "day": self.day,
            "inputs": {
                "ldh_u_l": self.ldh_u_l,
                "creatinine_mg_dl": self.creatinine_mg_dl,
                "platelets_10e9_l": self.platelets_10e9_l,
            },
            "statement": EASIX_STATEMENT,
            "notes": [EASIX_NOTE],
        }


@dataclass(frozen=True)
class MapScore:
    """The MAGIC algorithm probability as reported, with the day of steroids it was drawn on."""

    date: date
    day: int
    value: float

    @property
    def group(self) -> str:
        """ "high" at or above 0.290, else "low" (Srinagesh et al. 2019)."""
        return "high" if self.value >= MAP_THRESHOLD else "low"

    def to_json(self) -> dict[str, Any]:
        """``scores.map``: date, value, group, threshold, source (+ day, statement)."""
        return {
            "date": self.date.isoformat(),
            "value": self.value,
            "group": self.group,
            "threshold": MAP_THRESHOLD,
            "source": MAP_SOURCE,
            "day": self.day,
            "statement": MAP_STATEMENT,
        }


@dataclass(frozen=True)
class Day28:
    """The response of the course's day-28 assessment and what it meant in published cohorts."""

    date: date
    day: int
    response: Response

    @property
    def group(self) -> str | None:
        """ "CR/VGPR" or "PR/no response" (any other judged response); None if not assessable."""
        if self.response == Response.NOT_ASSESSABLE:
            return None
        return CR_VGPR if self.response in (Response.CR, Response.VGPR) else PR_OR_LESS

    @property
    def meaning(self) -> str:
        """The published meaning of this response at day 28."""
        if self.response in (Response.PR, Response.NOT_ASSESSABLE):
            return DAY28_MEANING[self.response]
        assert self.group is not None
        return DAY28_MEANING[self.group]

    def to_json(self) -> dict[str, Any]:
        """``scores.day28``."""
        return {
            "date": self.date.isoformat(),
            "day": self.day,
            "response": self.response.value,
            "group": self.group,
            "meaning": self.meaning,
            "source": f"{MACMILLAN}; {INAMOTO}",
        }


@dataclass(frozen=True)
class Scores:
    """EASIX, MAP and day-28 response; each None when its inputs are missing."""

    easix: Easix | None = None
    map: MapScore | None = None
    day28: Day28 | None = None

    def to_json(self) -> dict[str, Any]:
        """The ``scores`` object of ``srgvhd assess --json``."""
        return {
            name: None if item is None else item.to_json()
            for name, item in (("easix", self.easix), ("map", self.map), ("day28", self.day28))
        }


def easix(labs: tuple[Lab, ...], start: date) -> Easix | None:
    """EASIX from the latest lab date with LDH, creatinine and platelets, or None."""
    for lab in reversed(labs):
        creatinine = lab.creatinine_mg_dl
        platelets = lab.platelets_10e9_l
        if lab.ldh_u_l is not None and creatinine is not None and platelets is not None:
            day = (lab.date - start).days
            return Easix(lab.date, day, lab.ldh_u_l, creatinine, platelets)
    return None


def map_score(labs: tuple[Lab, ...], start: date) -> MapScore | None:
    """The latest reported MAP, or None."""
    for lab in reversed(labs):
        if lab.map_probability is not None:
            return MapScore(lab.date, (lab.date - start).days, lab.map_probability)
    return None


def day28_response(assessments: tuple[AssessmentResult, ...]) -> Day28 | None:
    """The day-28 response: the first assessable assessment on days 28–35 (Rule of this project,
    srgvhd.clinical.policy.DAY28_WINDOW_DAYS), else the first in that window; None if none."""
    first, last = DAY28_WINDOW_DAYS
    window = [a for a in assessments if first <= a.day <= last and a.response is not None]
    if not window:
        return None
    chosen = next((a for a in window if a.response != Response.NOT_ASSESSABLE), window[0])
    assert chosen.response is not None
    return Day28(chosen.date, chosen.day, chosen.response)


def course_scores(
    labs: tuple[Lab, ...], start: date, assessments: tuple[AssessmentResult, ...]
) -> Scores | None:
    """The ``scores`` of a course: present when the case has labs or reached day 28."""
    day28 = day28_response(assessments)
    if not labs and day28 is None:
        return None
    return Scores(easix(labs, start), map_score(labs, start), day28)
