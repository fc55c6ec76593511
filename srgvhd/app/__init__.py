"""Streamlit helpers: the only package that imports Streamlit."""
