"""Overall grade and risk of acute GVHD from organ stages.

- MAGIC overall grade (Harris et al., BBMT 2016; clinical-rules.md §2) — the primary grade.
- Minnesota standard/high risk (MacMillan et al., BBMT 2015;21:761–7; clinical-rules.md §3).
- Secondary, labelled outputs: Keystone consensus grade (modified Glucksberg; Przepiorka et al.,
  BMT 1995;15:825–8) and IBMTR severity index (Rowlings et al., Br J Haematol 1997;97:855–64),
  both applied to MAGIC organ stages.
"""

from __future__ import annotations

from enum import StrEnum

from srgvhd.clinical.staging import OrganStages


class Grade(StrEnum):
    """Overall aGVHD grade (MAGIC, Harris et al. BBMT 2016; also used for Keystone grades)."""

    ZERO = "0"
    I = "I"  # noqa: E741 (the grade is written "I")
    II = "II"
    III = "III"
    IV = "IV"

    @property
    def rank(self) -> int:
        """Position in 0 < I < II < III < IV."""
        return _GRADE_RANK[self]


_GRADE_RANK = {grade: i for i, grade in enumerate(Grade)}


GRADES = tuple(g.value for g in Grade)


def grade_rank(grade: str) -> int:
    """Position of a MAGIC/Keystone grade ("0".."IV" or a ``Grade``) in 0 < I < II < III < IV."""
    return Grade(grade).rank


def magic_grade(s: OrganStages) -> Grade:
    """MAGIC overall grade, checked from the top; the first matching row wins.

    IV: skin 4, liver 4 or lower GI 4. III: liver 2–3 or lower GI 2–3. II: skin 3, liver 1,
    upper GI 1 or lower GI 1. I: skin 1–2 alone. 0: no organ involved.
    """
    if s.skin == 4 or s.liver == 4 or s.lower_gi == 4:
        return Grade.IV
    if s.liver in (2, 3) or s.lower_gi in (2, 3):
        return Grade.III
    if s.skin == 3 or s.liver == 1 or s.upper_gi == 1 or s.lower_gi == 1:
        return Grade.II
    if s.skin in (1, 2):
        return Grade.I
    return Grade.ZERO


def gi_stage(s: OrganStages) -> int:
    """GI stage for the Minnesota and IBMTR scores: lower-GI stage, at least 1 with upper GI."""
    return max(s.lower_gi, s.upper_gi)


def minnesota_risk(s: OrganStages) -> str | None:
    """Minnesota aGVHD risk: "standard", "high", or None at MAGIC grade 0.

    Standard risk is exactly one of: skin 1–3 alone; GI 1–2 alone; skin 1–3 plus GI 1 (liver 0);
    skin 1–3 plus liver 1–4 (GI 0). Any other involvement is high risk.
    """
    if not (s.skin or s.liver or s.upper_gi or s.lower_gi):  # MAGIC grade 0
        return None
    skin, liver, gi = s.skin, s.liver, gi_stage(s)
    skin_1_3 = 1 <= skin <= 3
    standard = (
        (skin_1_3 and liver == 0 and gi == 0)
        or (skin == 0 and liver == 0 and 1 <= gi <= 2)
        or (skin_1_3 and liver == 0 and gi == 1)
        or (skin_1_3 and liver >= 1 and gi == 0)
    )
    return "standard" if standard else "high"


def keystone_grade(s: OrganStages) -> Grade:
    """Keystone consensus (modified Glucksberg) grade, top-down; upper GI counts as gut stage 1.

    IV: skin 4 or liver 4. III: liver 2–3 or gut 2–4. II: skin 3, liver 1 or gut 1.
    I: skin 1–2 with no liver or gut involvement. 0: none.
    """
    gut = gi_stage(s)
    if s.skin == 4 or s.liver == 4:
        return Grade.IV
    if s.liver in (2, 3) or gut >= 2:
        return Grade.III
    if s.skin == 3 or s.liver == 1 or gut == 1:
        return Grade.II
    if s.skin in (1, 2):
        return Grade.I
    return Grade.ZERO


def ibmtr_index(s: OrganStages) -> str:
    """IBMTR severity index from the worst organ; upper GI counts as gut stage 1.

    D: any organ stage 4. C: skin 3, liver 3 or gut 3. B: skin 2, liver 1–2 or gut 1–2.
    A: skin 1 alone. "0": none.
    """
    gut = gi_stage(s)
    worst = max(s.skin, s.liver, gut)
    if worst == 4:
        return "D"
    if worst == 3:
        return "C"
    if s.skin == 2 or s.liver in (1, 2) or gut in (1, 2):
        return "B"
    if s.skin == 1:
        return "A"
    return "0"
