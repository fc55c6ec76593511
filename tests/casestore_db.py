"""Databases for the case-store tests: a fresh SQLite file, or a fresh database on a throwaway
PostgreSQL cluster (``tests.support.pg_cluster``), started once per test session on first use and
stopped at its end. No mocks: the store runs on the real servers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.pg_cluster import PostgresCluster

# A PostgreSQL test starts a cluster (seconds): marked ``postgresql`` and ``slow``, so the fast set
# (``-m "not slow and …"``) runs without a local PostgreSQL and ``make test``, which installs
# Debian postgresql, runs them all.
POSTGRESQL_MARKS = (pytest.mark.postgresql, pytest.mark.slow)
BACKENDS = ("sqlite", pytest.param("postgresql", marks=POSTGRESQL_MARKS))
_cluster: PostgresCluster | None = None


def cluster(config: pytest.Config) -> PostgresCluster:
    """The session's cluster, started on first use and stopped when the session ends; a missing
    PostgreSQL installation fails the test (it is never skipped: the marks above leave these
    tests out of the fast set instead)."""
    global _cluster
    if _cluster is None:
        try:
            _cluster = PostgresCluster()
        except RuntimeError as exc:
            pytest.fail(str(exc))

        def stop() -> None:
            global _cluster
            if _cluster is not None:
                _cluster.stop()
                _cluster = None

        config.add_cleanup(stop)
    return _cluster


def database_url(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> str:
    """A fresh, empty store database on ``backend`` for one test."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'cases.sqlite3'}"
    return cluster(request.config).new_database()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh store database URL, once on SQLite and once on PostgreSQL."""
    return database_url(request, request.param, tmp_path)
