"""Databases for the case-store tests: a fresh SQLite file, or a fresh database on a throwaway
PostgreSQL cluster (Debian ``postgresql``: ``initdb`` + ``pg_ctl`` in a temporary directory, on a
free loopback port, socket in the data directory), started once per test session and stopped at
its end. No mocks: the store runs on the real servers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

PG_BIN = Path("/usr/lib/postgresql/15/bin")
BACKENDS = ("sqlite", "postgresql")


class PostgresCluster:
    """A throwaway PostgreSQL 15 cluster owned by ``postgres`` (when run as root)."""

    def __init__(self) -> None:
        from perf.local_server import free_port

        if not (PG_BIN / "initdb").exists():
            pytest.fail(f"{PG_BIN}/initdb is missing: run make test (it installs Debian "
                        "postgresql)")
        self.root = Path(tempfile.mkdtemp(prefix="srgvhd-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self.log = self.root / "server.log"
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres", "postgres")
        self.root.chmod(0o755)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "--encoding=UTF8", "--locale=C.UTF-8")
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=on"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w",
                  "-t", "60", "start")

    def _run(self, tool: str, *args: str) -> None:
        command = [str(PG_BIN / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def url(self, database: str = "postgres") -> str:
        """A ``postgresql://`` URL (the plain scheme, as a user would write it)."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """Create an empty database and return its URL."""
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete the cluster."""
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


_cluster: PostgresCluster | None = None


def cluster(config: pytest.Config) -> PostgresCluster:
    """The session's cluster, started on first use and stopped when the session ends."""
    global _cluster
    if _cluster is None:
        _cluster = PostgresCluster()

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
