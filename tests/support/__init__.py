"""Support for the tests (and the benchmarks that reuse it): throwaway servers on loopback.

``local_server`` starts and stops the app under ``streamlit run``; ``pg_cluster`` a throwaway
PostgreSQL cluster. Nothing in ``srgvhd/`` imports this package.
"""
