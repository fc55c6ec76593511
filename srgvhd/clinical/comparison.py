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
  finding below stage 4 (a baseline entered as stages counts as having entered every finding);
- and the findings entered do not already show the organ worse than at baseline (progression
  found in what was measured is definitive, §7.3).

A finding the baseline did not enter either and left blank later is read as absent, with a note:
the organ is compared on the findings the baseline had, as MAGIC allows stool volume or episodes
alone. (A finding entered later and then blanked cannot be told from one never entered; this is
the one place where a blank can still hide a change, as §7.2 accepts for uninvolved organs.)
"""

from __future__ import annotations

from dataclasses import replace

from srgvhd.clinical.case import Assessment, Measurements
from srgvhd.clinical.staging import OrganStages, Staging

NOTE = (
    "{organ} not compared with baseline: {blank} not entered here but entered at baseline, and "
    "could change the stage — taken as not measured"
)
ORGAN_WORDS = {"skin": "skin", "lower_gi": "lower GI"}
# Notes that read a blank as absent; dropped where the organ is taken as not measured instead.
ABSENT_NOTE_PREFIX = {"skin": "skin: ", "lower_gi": "lower GI: "}
BULLAE = ("skin_bullae_desquamation_bsa_percent", "bullae/desquamation")
STOOL_MEASURES = (
    ("stool_ml_per_day", "stool volume"),
    ("stool_episodes_per_day", "stool episodes"),
)
STAGE_4_GI = (
    ("severe_abdominal_pain_or_ileus", "severe abdominal pain/ileus"),
    ("grossly_bloody_stool", "grossly bloody stool"),
)
MAX_STOOL_MEASURE_STAGE = 3
STAGE_4 = 4


def compare_with_baseline(
    baseline: Assessment, base: OrganStages, later: Assessment, staging: Staging
) -> Staging:
    """``staging`` of a later assessment, with organs whose blank findings could hide their
    change from baseline set to not measured (None) and a note naming the blank findings."""
    m = later.measurements
    if m is None:
        return staging
    hidden = {}
    for organ in ORGAN_WORDS:
        then, now = getattr(base, organ), getattr(staging.stages, organ)
        if then is None or then == 0 or now is None or now > then:
            continue
        blank = [
            label
            for field, label in _could_raise(organ, m, now)
            if _baseline_had(baseline.measurements, field)
        ]
        if blank:
            hidden[organ] = " and ".join(blank)
    if not hidden:
        return staging
    kept = tuple(
        n for n in staging.notes if not any(n.startswith(ABSENT_NOTE_PREFIX[o]) for o in hidden)
    )
    added = tuple(
        NOTE.format(organ=ORGAN_WORDS[organ], blank=blank) for organ, blank in hidden.items()
    )
    return Staging(replace(staging.stages, **dict.fromkeys(hidden)), kept + added)


def _baseline_had(then: Measurements | None, field: str) -> bool:
    """Whether the baseline entered ``field``; a baseline entered as stages summarises every
    finding of the organ, so it counts as having entered them all."""
    return then is None or getattr(then, field) is not None


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
