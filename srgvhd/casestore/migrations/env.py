"""Alembic environment for the case store: runs on the connection ``migrate.upgrade`` passes in
``config.attributes["connection"]`` (inside its transaction), never from a URL of its own."""

from alembic import context

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=None, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
