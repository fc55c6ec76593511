"""Response of an assessment judged against the baseline (day 0) assessment.

docs/clinical-rules.md §4, with the "not measured" rules of §7 (Rule of this project); VGPR after
Martin et al., BBMT 2009;15:777–84, expressed in stages.
"""

from __future__ import annotations

from srgvhd.clinical.policy import MIXED_COUNTS_AS_RESPONSE
from srgvhd.clinical.results import Response
from srgvhd.clinical.staging import ORGANS, OrganStages

VGPR_BILIRUBIN_FRACTION = 0.25
ORR_RESPONSES = (Response.CR, Response.VGPR, Response.PR)


def taken_as_not_involved(baseline: OrganStages, current: OrganStages) -> tuple[str, ...]:
    """Organs not measured now but measured not involved at baseline: read as stage 0
    (docs/clinical-rules.md §7.2 — clinicians do not re-measure uninvolved organs)."""
    return tuple(o for o in ORGANS if getattr(current, o) is None and getattr(baseline, o) == 0)


def judge_response(
    baseline: OrganStages,
    current: OrganStages,
    *,
    baseline_bilirubin_mg_dl: float | None = None,
    current_bilirubin_mg_dl: float | None = None,
) -> Response:
    """CR, VGPR, PR, mixed, progression, no response or not assessable, against the baseline.

    All organs known (§4): CR every organ stage 0. VGPR: not CR; skin ≤ 1; liver 0, or
    bilirubin < 25% of baseline when both bilirubins are known; upper and lower GI 0; at least
    one organ improved and none worse. PR: at least one organ improved, none worse. Mixed: some
    improved, some worse. Progression: some worse, none improved. No response: no change.

    Not measured (§7): an organ not involved at baseline and not measured now is taken as not
    involved (§7.2). A measured organ worse than baseline gives progression (mixed if a measured
    organ improved), whatever is missing (§7.3). Otherwise the response is "not assessable" when
    it depends on an unknown stage: an organ involved (or not measured) at baseline and not
    measured now (§7.3, §7.4), or an organ not measured at baseline that is involved now (it
    cannot be counted as worse, §7.4). An organ not measured at baseline and at stage 0 now
    cannot be worse but cannot be credited as improved either: with no other change the
    response is not assessable (it could be PR or no response).
    """
    then = baseline.as_tuple()
    now = current.as_tuple()
    if None in now:  # §7.2: not involved at baseline, not measured now
        now = tuple(0 if n is None and t == 0 else n for n, t in zip(now, then, strict=True))
    pairs = zip(now, then, strict=True)
    deltas = [n - t for n, t in pairs if n is not None and t is not None]
    improved = any(d < 0 for d in deltas)
    if any(d > 0 for d in deltas):
        return Response.MIXED if improved else Response.PROGRESSION
    unjudged = None in then
    if None in now or (
        unjudged and any(t is None and n > 0 for n, t in zip(now, then, strict=True))
    ):
        return Response.NOT_ASSESSABLE
    skin, liver, upper_gi, lower_gi = now
    if skin == liver == upper_gi == lower_gi == 0:
        return Response.CR
    if not improved:
        return Response.NOT_ASSESSABLE if unjudged else Response.NO_RESPONSE
    liver_ok = liver == 0 or (
        baseline_bilirubin_mg_dl is not None
        and current_bilirubin_mg_dl is not None
        and current_bilirubin_mg_dl < VGPR_BILIRUBIN_FRACTION * baseline_bilirubin_mg_dl
    )
    if skin <= 1 and liver_ok and upper_gi == 0 and lower_gi == 0:
        return Response.VGPR
    return Response.PR


def counts_as_response(response: str | None) -> bool:
    """Whether a response counts towards ORR (CR + VGPR + PR; mixed per the project's rule)."""
    return response in ORR_RESPONSES or (response == Response.MIXED and MIXED_COUNTS_AS_RESPONSE)
