"""srgvhd: the bedside app. Run with ``streamlit run app.py``.

Navigation over the five pages (the Ward list first) and the sign-in state in the sidebar; the
model banner is drawn into a slot at the top after the page itself, so the page's form paints
before the risk model (lifelines) is loaded.
"""

import streamlit as st

from srgvhd.app import ehr_panel, guards, logs, signin, ui
from srgvhd.app.language import choose_language
from srgvhd.i18n import _

guards.install()  # before any widget state is read: docs/security.md §3

st.set_page_config(layout="wide", page_title="srgvhd")
logs.install()  # no widget values in the logs
ui.inject_css()
choose_language()  # the words of every page below: srgvhd.i18n, docs/glossary.md
page = st.navigation(
    [
        st.Page("views/ward.py", title=_("Ward"), icon=":material/list_alt:", default=True),
        st.Page("views/assess.py", title=_("Assess"), icon=":material/stethoscope:"),
        st.Page("views/published.py", title=_("Benchmarks"), icon=":material/bar_chart:"),
        st.Page("views/model.py", title=_("Model"), icon=":material/functions:"),
        st.Page("views/about.py", title=_("About"), icon=":material/info:"),
    ]
)
signin.draw()  # who is signed in, Sign in / out, an expired session (srgvhd.app.signin)
if ehr_panel.arrived_from_launch():  # opened from the EHR (docs/ehr.md): the form first
    st.switch_page("views/assess.py")
banner = st.container()
page.run()
with banner:
    ui.draw_banner()
