"""Every "Rule of this project" from clinical-rules.md, in one place a site can change.

The published criteria leave some choices open; each choice is a constant here with the text the
app shows beside the result (tooltip, report footnote). Change a value here and the engine, the
app and the printed summary all follow.
"""

from __future__ import annotations

from dataclasses import dataclass

from srgvhd.i18n.message import N_

# clinical-rules.md §1: child stool thresholds apply when age < 18 years AND weight <= 50 kg.
CHILD_MAX_AGE_YEARS_EXCLUSIVE = 18.0
CHILD_MAX_WEIGHT_KG_INCLUSIVE = 50.0

# clinical-rules.md §4: mixed response counts as not responding (not part of ORR).
MIXED_COUNTS_AS_RESPONSE = False

# clinical-rules.md §5a: the study's methylprednisolone dose; a lower dose warns, never refuses.
STUDY_METHYLPREDNISOLONE_MG_PER_KG_DAY = 2.0

# clinical-rules.md §6: the grades the Cox model covers (the cohort's aGVHD grade), its hemoglobin
# threshold and age groups.
RISK_MODEL_GRADES = ("II", "III", "IV")
HEMOGLOBIN_THRESHOLD_G_L = 90.0
AGE_GROUP_ADULT_FROM_YEARS = 18.0
AGE_GROUP_OLDER_FROM_YEARS = 35.0

# EBMT–NIH–CIBMTR 2018 (clinical-rules.md §5b): the project reads "failure to improve within
# 5–7 days" as one decision on the first assessable assessment from day 7, and "incomplete
# response after > 28 days" as any assessment from day 29.
EBMT_NO_IMPROVEMENT_DAY = 7
EBMT_INCOMPLETE_RESPONSE_DAY = 29

# Day-28 response (MacMillan et al. Blood 2010; Inamoto et al. Haematologica 2014): the first
# assessable assessment on days 28–35 (a week's window for the day-28 visit).
DAY28_WINDOW_DAYS = (28, 35)

# clinical-rules.md §8 (second line, Niu et al. 2026): the second-line baseline is the latest
# assessment on or before the start and at most this many days before it; the week-4 response
# is read in the day-28 window above (days of second line).
SECOND_LINE_BASELINE_MAX_DAYS_BEFORE = 7
# UC-MSC dose per infusion, × 10^6 cells/kg: the study's range (outside it a warning) and the
# plausible range (outside it the value is refused as a slip).
STUDY_MSC_DOSE_RANGE = (1.0, 3.0)
MSC_DOSE_LIMITS = (0.1, 10.0)


@dataclass(frozen=True)
class ProjectRule:
    """A choice the sources leave open, with the words shown to the user."""

    key: str
    text: str


PROJECT_RULES: tuple[ProjectRule, ...] = (
    ProjectRule(
        "child_thresholds",
        N_(
            "Child stool thresholds (mL/kg/day, episodes/day) apply when age < 18 years and "
            "weight ≤ 50 kg; otherwise adult thresholds."
        ),
    ),
    ProjectRule(
        "stool_volume_vs_episodes",
        N_(
            "When stool volume and episode count give different lower-GI stages, the higher stage "
            "is used. Severe abdominal pain/ileus or grossly bloody stool gives stage 4 regardless."
        ),
    ),
    ProjectRule(
        "mixed_response", N_("A mixed response counts as not responding (not part of ORR).")
    ),
    ProjectRule(
        "risk_grade",
        N_(
            "The risk model uses the highest MAGIC grade recorded during the steroid course, "
            "unless the clinician overrides it."
        ),
    ),
    ProjectRule(
        "ebmt_windows",
        N_(
            "EBMT 2018 rule set: 'failure to improve within 5–7 days' is judged once, on the first "
            "assessable assessment from day 7; 'incomplete response after > 28 days' from day 29; "
            "dependence = dose raised again, or an organ worse, after a taper that followed a "
            "response; on one date dependence wins over an incomplete response."
        ),
    ),
    ProjectRule(
        "not_measured",
        N_(
            "A blank finding is 'not measured', not 'not involved'. An organ involved at baseline "
            "and not measured later makes that response 'not assessable' (unless another organ "
            "progressed); such an assessment fires no rule and cannot make the course "
            "steroid-responsive. An organ not involved at baseline and not measured later is taken "
            "as not involved. Grades leave unmeasured organs out and are flagged incomplete. A "
            "blank secondary finding (bullae, the other stool measure, pain/ileus, bloody stool) "
            "is read as absent, except at a later assessment of an organ involved at baseline "
            "when the baseline had that finding and it could change the stage: then the organ is "
            "taken as not measured."
        ),
    ),
    ProjectRule(
        "day28_window",
        N_("The day-28 response is read from the first assessable assessment on days 28–35."),
    ),
)
