"""MAGIC organ staging of acute GVHD (Harris et al., BBMT 2016;22:4–10; clinical-rules.md §1).

Each function takes one organ's raw findings and returns its stage. Thresholds are written as the
MAGIC tables write them; "inclusive" bounds use ``<=``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from srgvhd.clinical.policy import CHILD_MAX_AGE_YEARS_EXCLUSIVE, CHILD_MAX_WEIGHT_KG_INCLUSIVE
from srgvhd.i18n.message import N_, Msg

ORGANS = ("skin", "liver", "upper_gi", "lower_gi")
MAX_STAGE = {"skin": 4, "liver": 4, "upper_gi": 1, "lower_gi": 4}
ORGAN_LABELS = {
    "skin": N_("skin"),
    "liver": N_("liver"),
    "upper_gi": N_("upper GI"),
    "lower_gi": N_("lower GI"),
}


@dataclass(frozen=True)
class OrganStages:
    """MAGIC stage of each organ: skin, liver and lower GI 0–4, upper GI 0–1.

    None is an organ not measured (docs/clinical-rules.md §7): its stage is unknown.
    """

    skin: int | None = 0
    liver: int | None = 0
    upper_gi: int | None = 0
    lower_gi: int | None = 0

    def as_dict(self) -> dict[str, int | None]:
        """Stages keyed by organ name, in ``ORGANS`` order (None = not measured)."""
        return {organ: getattr(self, organ) for organ in ORGANS}

    def as_tuple(self) -> tuple[int | None, int | None, int | None, int | None]:
        """Stages in ``ORGANS`` order."""
        return (self.skin, self.liver, self.upper_gi, self.lower_gi)

    @property
    def not_measured(self) -> tuple[str, ...]:
        """The organs whose stage is unknown, in ``ORGANS`` order."""
        if None not in (self.skin, self.liver, self.upper_gi, self.lower_gi):
            return ()
        return tuple(organ for organ in ORGANS if getattr(self, organ) is None)

    def known(self) -> OrganStages:
        """The stages with unknown organs left out (stage 0), for grading (clinical-rules.md
        §7.5: grades come from the known stages and are flagged incomplete)."""
        if not self.not_measured:
            return self
        return OrganStages(**{o: getattr(self, o) or 0 for o in ORGANS})


@dataclass(frozen=True)
class Staging:
    """Stages from raw findings, with notes the clinician should see (e.g. which GI rule won)."""

    stages: OrganStages
    notes: tuple[str, ...] = field(default=())


def stage_skin(rash_bsa_percent: float | None, bullae_bsa_percent: float | None = None) -> int:
    """Skin stage from active erythematous rash (% BSA) and bullae/desquamation (% BSA).

    MAGIC: 0 no rash; 1 > 0 and < 25%; 2 25–50% inclusive; 3 > 50%; 4 generalized erythroderma
    (> 50% BSA) plus bullae and desquamation > 5% BSA.
    """
    rash = rash_bsa_percent or 0.0
    bullae = bullae_bsa_percent or 0.0
    if rash > 50:
        return 4 if bullae > 5 else 3
    if rash >= 25:
        return 2
    if rash > 0:
        return 1
    return 0


def stage_liver(bilirubin_mg_dl: float | None) -> int:
    """Liver stage from total bilirubin in mg/dL.

    MAGIC: 0 < 2.0; 1 2.0–3.0; 2 > 3.0–6.0; 3 > 6.0–15.0; 4 > 15.0 (upper bounds inclusive).
    MAGIC does not lower the stage for other causes of hyperbilirubinaemia.
    """
    if bilirubin_mg_dl is None or bilirubin_mg_dl < 2.0:
        return 0
    if bilirubin_mg_dl <= 3.0:
        return 1
    if bilirubin_mg_dl <= 6.0:
        return 2
    if bilirubin_mg_dl <= 15.0:
        return 3
    return 4


def stage_upper_gi(persistent_symptoms: bool | None) -> int:
    """Upper-GI stage: 1 for persistent nausea, vomiting or anorexia; 0 otherwise (MAGIC)."""
    return 1 if persistent_symptoms else 0


def is_child(age_years: float, weight_kg: float | None) -> bool:
    """Whether child stool thresholds apply (Rule of this project: age < 18 and weight ≤ 50 kg)."""
    return (
        age_years < CHILD_MAX_AGE_YEARS_EXCLUSIVE
        and weight_kg is not None
        and weight_kg <= CHILD_MAX_WEIGHT_KG_INCLUSIVE
    )


def _stage_adult_volume(ml_per_day: float) -> int:
    """Adult stool volume: 0 < 500; 1 500–999; 2 1000–1500; 3 > 1500 mL/day (MAGIC)."""
    if ml_per_day > 1500:
        return 3
    if ml_per_day >= 1000:
        return 2
    if ml_per_day >= 500:
        return 1
    return 0


def _stage_adult_episodes(episodes_per_day: float) -> int:
    """Adult stool episodes: 0 < 3; 1 3–4; 2 5–7; 3 > 7 per day (MAGIC)."""
    if episodes_per_day > 7:
        return 3
    if episodes_per_day >= 5:
        return 2
    if episodes_per_day >= 3:
        return 1
    return 0


def _stage_child_volume(ml_per_kg_day: float) -> int:
    """Child stool volume: 0 < 10; 1 10–< 20; 2 20–30; 3 > 30 mL/kg/day (MAGIC)."""
    if ml_per_kg_day > 30:
        return 3
    if ml_per_kg_day >= 20:
        return 2
    if ml_per_kg_day >= 10:
        return 1
    return 0


def _stage_child_episodes(episodes_per_day: float) -> int:
    """Child stool episodes: 0 < 4; 1 4–6; 2 7–10; 3 > 10 per day (MAGIC)."""
    if episodes_per_day > 10:
        return 3
    if episodes_per_day >= 7:
        return 2
    if episodes_per_day >= 4:
        return 1
    return 0


def stage_lower_gi(
    *,
    stool_ml_per_day: float | None,
    stool_episodes_per_day: float | None,
    severe_pain_or_ileus: bool | None,
    grossly_bloody_stool: bool | None,
    child: bool,
    weight_kg: float | None,
) -> tuple[int, tuple[str, ...]]:
    """Lower-GI stage and notes, from stool output, episodes and stage-4 findings.

    MAGIC: stage 4 for severe abdominal pain with or without ileus, or grossly bloody stool,
    regardless of volume. Otherwise the stage from volume (adult mL/day, child mL/kg/day) and
    from episodes/day; Rule of this project: when they differ, the higher stage wins and a note
    says so.
    """
    if severe_pain_or_ileus or grossly_bloody_stool:
        return 4, (N_("lower GI stage 4: severe abdominal pain/ileus or grossly bloody stool"),)
    by_volume = None
    if stool_ml_per_day is not None:
        if child:
            if weight_kg is None or weight_kg <= 0:
                raise ValueError("child stool thresholds need a weight in kg")
            # Rounded like srgvhd.clinical.units: 138 mL at 4.6 kg is exactly 30 mL/kg/day, not
            # 30.000…04.
            by_volume = _stage_child_volume(round(stool_ml_per_day / weight_kg, 6))
        else:
            by_volume = _stage_adult_volume(stool_ml_per_day)
    by_episodes = None
    if stool_episodes_per_day is not None:
        stage_episodes = _stage_child_episodes if child else _stage_adult_episodes
        by_episodes = stage_episodes(stool_episodes_per_day)
    if by_volume is not None and by_episodes is not None and by_volume != by_episodes:
        winner = N_("volume") if by_volume > by_episodes else N_("episodes")
        note = Msg(
            "lower GI: stool volume gives stage {volume_stage}, episodes give stage "
            "{episodes_stage}; the higher ({winner}) is used",
            volume_stage=by_volume,
            episodes_stage=by_episodes,
            winner=winner,
        )
        return max(by_volume, by_episodes), (note,)
    return max(by_volume or 0, by_episodes or 0), ()
