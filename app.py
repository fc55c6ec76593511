"""srgvhd: the bedside app. Run with ``streamlit run app.py``.

Navigation over the four pages; the model banner is drawn into a slot at the top after the page
itself, so the page's form paints before the risk model (lifelines) is loaded.
"""

import streamlit as st

from srgvhd import ui

st.set_page_config(layout="wide", page_title="srgvhd")
ui.inject_print_css()
page = st.navigation(
    [
        st.Page("pages/assess.py", title="Assess", icon="🩺", default=True),
        st.Page("pages/benchmarks.py", title="Benchmarks", icon="📊"),
        st.Page("pages/model.py", title="Model", icon="🧮"),
        st.Page("pages/about.py", title="About", icon="ℹ️"),
    ]
)
banner = st.container()
page.run()
with banner:
    ui.draw_banner()
