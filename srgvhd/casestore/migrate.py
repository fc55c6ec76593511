"""Bring the store's schema to the head revision on start-up (Alembic, run from code).

The migration scripts ship inside the package (``srgvhd/casestore/migrations``), so an installed
package can upgrade its database. A database whose revision this code does not know was
written by a newer srgvhd: it is refused, never downgraded or written to. On PostgreSQL an
advisory lock, on SQLite the write lock, keep two processes from migrating at once.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from srgvhd.casestore.database import WRITE
from srgvhd.errors import InputError, Problem

SCRIPTS = Path(__file__).with_name("migrations")
PG_LOCK_KEY = 0x53524756  # "SRGV": advisory lock held while migrating


class NewerDatabaseError(InputError):
    """The database was migrated by a newer version of srgvhd."""


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest schema revision this code knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(connection: Connection) -> str | None:
    """The database's schema revision (None for an empty database)."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine) -> None:
    """Upgrade the database to the head revision; refuse one from a newer srgvhd."""
    scripts = ScriptDirectory.from_config(_config())
    with engine.connect().execution_options(**WRITE) as connection, connection.begin():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})
        current = current_revision(connection)
        if current == scripts.get_current_head():
            return
        known = {script.revision for script in scripts.walk_revisions()}
        if current is not None and current not in known:
            raise NewerDatabaseError(
                Problem(
                    "database",
                    f"schema revision {current} is newer than this srgvhd knows (head "
                    f"{scripts.get_current_head()}); upgrade srgvhd before using this database",
                )
            )
        command.upgrade(_config(connection), "head")
