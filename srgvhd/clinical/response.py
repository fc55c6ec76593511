"""Response of an assessment judged against the baseline (day 0) assessment.

clinical-rules.md §4; VGPR after Martin et al., BBMT 2009;15:777–84, expressed in stages.
"""

from __future__ import annotations

from srgvhd.clinical.policy import MIXED_COUNTS_AS_RESPONSE
from srgvhd.clinical.results import Response
from srgvhd.clinical.staging import ORGANS, OrganStages

VGPR_BILIRUBIN_FRACTION = 0.25
ORR_RESPONSES = (Response.CR, Response.VGPR, Response.PR)


def judge_response(
    baseline: OrganStages,
    current: OrganStages,
    *,
    baseline_bilirubin_mg_dl: float | None = None,
    current_bilirubin_mg_dl: float | None = None,
) -> Response:
    """CR, VGPR, PR, mixed, progression or no response, comparing organ stages with baseline.

    CR: every organ stage 0. VGPR: not CR; skin ≤ 1; liver 0, or bilirubin < 25% of baseline
    when both bilirubins are known; upper and lower GI 0; at least one organ improved and none
    worse. PR: at least one organ improved, none worse. Mixed: some improved, some worse.
    Progression: some worse, none improved. No response: no organ changed.
    """
    deltas = [getattr(current, o) - getattr(baseline, o) for o in ORGANS]
    improved = any(d < 0 for d in deltas)
    worse = any(d > 0 for d in deltas)
    if all(getattr(current, o) == 0 for o in ORGANS):
        return Response.CR
    if improved and not worse:
        liver_ok = current.liver == 0 or (
            baseline_bilirubin_mg_dl is not None
            and current_bilirubin_mg_dl is not None
            and current_bilirubin_mg_dl < VGPR_BILIRUBIN_FRACTION * baseline_bilirubin_mg_dl
        )
        if current.skin <= 1 and liver_ok and current.upper_gi == 0 and current.lower_gi == 0:
            return Response.VGPR
        return Response.PR
    if improved and worse:
        return Response.MIXED
    if worse:
        return Response.PROGRESSION
    return Response.NO_RESPONSE


def counts_as_response(response: str | None) -> bool:
    """Whether a response counts towards ORR (CR + VGPR + PR; mixed per the project's rule)."""
    return response in ORR_RESPONSES or (response == Response.MIXED and MIXED_COUNTS_AS_RESPONSE)
