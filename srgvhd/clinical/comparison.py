"""Whether a later assessment's partly entered findings can be compared with the baseline.

docs/clinical-rules.md §7 (Rule of this project), applied to the findings inside one organ. A
blank secondary finding (bullae/desquamation, one of stool volume and episode count, a stage-4
GI finding) is normally taken as absent (``srgvhd.clinical.course.stage_assessment``). At a later
assessment that can make a patient look better: a day-14 stool volume of 400 mL with the episode
count left blank reads as lower GI 0 although the baseline's stage 3 came from 8 episodes a day
(§7.7). So an organ involved at baseline is compared on the findings the baseline entered: it
becomes "not measured" at a later assessment (§7.3: the response is not assessable) when

- a finding that the baseline entered is blank now and could raise the stage now computed —
  bullae/desquamation under a rash > 50% BSA, a stool measure below stage 3, a stage-4 GI
  finding below stage 4; after a baseline entered as stages, a blank stage-4 finding (bullae,
  pain/ileus, bloody stool) when that stage was 4, the only way to reach it;
- and the findings entered do not already show the organ worse than at baseline (progression
  found in what was measured is definitive, §7.3).

A finding the baseline did not enter either and left blank later is read as absent, with a note:
the organ is compared on the findings the baseline had, as MAGIC allows stool volume or episodes
alone. (A finding entered later and then blanked cannot be told from one never entered; this is
the one place where a blank can still hide a change, as §7.2 accepts for uninvolved organs.)
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from srgvhd.clinical.case import Assessment, Measurements
from srgvhd.clinical.staging import ORGAN_LABELS, OrganStages, Staging
from srgvhd.i18n.message import N_, Listed, Msg

COMPARED_ORGANS = ("skin", "lower_gi")  # the organs with secondary findings
# Notes that read a blank as absent; dropped where the organ is taken as not measured instead.
ABSENT_NOTE_PREFIX = {"skin": "skin: ", "lower_gi": "lower GI: "}
BULLAE = ("skin_bullae_desquamation_bsa_percent", N_("bullae/desquamation"))
STOOL_MEASURES = (
    ("stool_ml_per_day", N_("stool volume")),
    ("stool_episodes_per_day", N_("stool episodes")),
)
STAGE_4_GI = (
    ("severe_abdominal_pain_or_ileus", N_("severe abdominal pain/ileus")),
    ("grossly_bloody_stool", N_("grossly bloody stool")),
)
STAGE_4_FIELDS = frozenset({BULLAE[0], *(f for f, _ in STAGE_4_GI)})
MAX_STOOL_MEASURE_STAGE = 3
STAGE_4 = 4


@dataclass(frozen=True)
class Comparison:
    """A later assessment's staging as compared with baseline: ``staging`` has the organs that
    cannot be compared set to not measured; ``floor`` keeps their stage with the blanks read as
    absent (a lower bound, for the grade); ``reasons`` says, per such organ, what is blank."""

    staging: Staging
    floor: OrganStages
    reasons: dict[str, str] = field(default_factory=dict)


def compare_with_baseline(
    baseline: Assessment, base: OrganStages, later: Assessment, staging: Staging
) -> Comparison:
    """Set to not measured the organs whose blank findings could hide their change from baseline,
    with a note naming the blank findings."""
    m = later.measurements
    reasons: dict[str, str] = {}
    for organ in COMPARED_ORGANS if m is not None else ():
        then, now = getattr(base, organ), getattr(staging.stages, organ)
        if then is None or then == 0 or now is None or now > then:
            continue
        blank = [
            label
            for name, label in _could_raise(organ, m, now)
            if _baseline_had(baseline.measurements, name, then)
        ]
        if blank:
            had = N_("the baseline had it") if len(blank) == 1 else N_("the baseline had them")
            if baseline.measurements is None:
                had = (
                    N_("the baseline's stage 4 needs it")
                    if len(blank) == 1
                    else N_("the baseline's stage 4 needs one of them")
                )
            reasons[organ] = Msg(
                "{findings} not entered; {had}", findings=Listed(blank, style="and"), had=had
            )
    if not reasons:
        return Comparison(staging, staging.stages)
    kept = tuple(
        n for n in staging.notes if not any(n.startswith(ABSENT_NOTE_PREFIX[o]) for o in reasons)
    )
    added = tuple(
        Msg(
            "{organ} not compared with baseline ({reason}): taken as not measured",
            organ=ORGAN_LABELS[organ],
            reason=reason,
        )
        for organ, reason in reasons.items()
    )
    hidden = Staging(replace(staging.stages, **dict.fromkeys(reasons)), kept + added)
    return Comparison(hidden, staging.stages, reasons)


def _baseline_had(then: Measurements | None, name: str, stage: int) -> bool:
    """Whether the baseline entered finding ``name``; a baseline entered as stages counts as
    having a stage-4 finding when that stage is 4 (the only way to it)."""
    if then is None:
        return stage == STAGE_4 and name in STAGE_4_FIELDS
    return getattr(then, name) is not None


def _could_raise(organ: str, m: Measurements, now: int) -> list[tuple[str, str]]:
    """The blank findings of ``organ`` that, entered, could give a stage above ``now``."""
    if organ == "skin":
        rash = m.skin_rash_bsa_percent
        could = rash is not None and rash > 50 and now < STAGE_4
        return [BULLAE] if could and m.skin_bullae_desquamation_bsa_percent is None else []
    found = []
    if now < MAX_STOOL_MEASURE_STAGE:
        found += [(f, label) for f, label in STOOL_MEASURES if getattr(m, f) is None]
    if now < STAGE_4:
        found += [(f, label) for f, label in STAGE_4_GI if getattr(m, f) is None]
    return found
