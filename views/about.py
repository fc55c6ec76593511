"""About page: what the app is for, the rules it implements with their sources, the project's
own rules (srgvhd.clinical.policy.PROJECT_RULES), the risk model's provenance, and how to report a
problem.
"""

from __future__ import annotations

import streamlit as st

from srgvhd.clinical.policy import PROJECT_RULES
from srgvhd.clinical.refractory import EBMT_RULES, STUDY_RULES
from srgvhd.i18n import N_, _
from srgvhd.literature.published import NIU_2026
from srgvhd.report import text as words

RULES = (
    (
        N_("MAGIC organ staging and overall grade"),
        "Harris et al., Biol Blood Marrow Transplant 2016;22:4–10",
    ),
    (N_("Minnesota aGVHD risk (standard / high)"), "MacMillan et al., BBMT 2015;21:761–7"),
    (
        N_("Response vs the day-0 baseline (CR, VGPR, PR, mixed, progression, no response)"),
        N_("VGPR as Martin et al., BBMT 2009, expressed in organ stages"),
    ),
    (N_("Steroid-refractory, study definition (default rule set)"), NIU_2026.short),
    (
        N_("Steroid-refractory / dependent / intolerant, alternative rule set"),
        "EBMT–NIH–CIBMTR Task Force, Schoemans et al., Bone Marrow Transplant 2018;53:1401–15",
    ),
    (N_("Cox model covariates: age ≥35, grade IV vs III, hemoglobin ≤90 g/L"), NIU_2026.short),
)


def main() -> None:
    """Draw the About page."""
    st.title(_("About srgvhd"))
    st.markdown(
        _(
            "srgvhd supports the bedside assessment of **steroid-refractory acute "
            "graft-versus-host disease** (SR-aGVHD) after allogeneic stem-cell transplantation. "
            "From the patient's assessments during the first-line steroid course it stages each "
            "organ, grades the "
            "disease, judges the response against the day-0 baseline and says whether the course "
            "is steroid-refractory — naming the rule, the day and the date, or the next decision "
            "point. It puts a survival estimate from a Cox model beside the published outcomes of "
            "second-line therapy (UC-MSC and standard therapy, ruxolitinib, BM-MSC)."
        )
    )
    st.warning(
        _(
            "Decision support, not a substitute for clinical judgement. Every figure must "
            "be checked against the patient's record before it informs a decision."
        )
    )

    st.header(_("Rules implemented"))
    st.table([{_("rule"): _(rule), _("source"): _(source)} for rule, source in RULES])
    st.subheader(_("Study definition of steroid-refractory (methylprednisolone 2 mg/kg/day)"))
    st.markdown("\n".join(f"- **{r.id}**: {words.rule_text(r.id)}" for r in STUDY_RULES.values()))
    st.subheader(_("EBMT–NIH–CIBMTR 2018 rule set"))
    st.markdown("\n".join(f"- **{r.id}**: {words.rule_text(r.id)}" for r in EBMT_RULES.values()))
    st.markdown(_("- Steroid intolerance is not defined for aGVHD: it is the clinician's flag."))

    st.header(_("Rules of this project"))
    st.caption(
        _(
            "Where the sources leave a choice open, the project chose as follows "
            "(one place in the code: srgvhd/clinical/policy.py)."
        )
    )
    st.markdown("\n".join(f"- {_(rule.text)}" for rule in PROJECT_RULES))

    st.header(_("The risk model"))
    st.markdown(
        _(
            "The Cox proportional-hazards model uses the three factors of the published "
            "multivariate analysis ({source}). The bundled reference model is fitted on a "
            "**synthetic cohort** built to match the published aggregates — no real patient data — "
            "so its absolute survival figures rest on stated assumptions. Retrain it on your "
            "centre's cohort on the Model page before clinical use; every model version records "
            "the SHA-256 of its training file and of its artifact, and every activation is "
            "logged.",
            source=NIU_2026.short,
        )
    )
    st.caption(NIU_2026.full or NIU_2026.short)

    st.header(_("Reporting a problem"))
    st.markdown(
        _(
            "Open an issue in the project's repository describing what you entered, what you "
            "expected and what the app showed. Attach a saved case file only after removing "
            "anything that identifies the patient (the case file holds no name or record number, "
            "only age, weight, hemoglobin, dates and findings). For a wrong grade or verdict, "
            "quote the rule and the source above that you believe applies."
        )
    )


main()
