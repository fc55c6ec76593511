"""One-line Streamlit page: the start-up baseline for perf/bench_app.py."""

import streamlit as st

st.write("hello")
