"""The ward's case store: every steroid course kept as append-only versions (interfaces.md §5).

SQLite by default (a file in the data directory), PostgreSQL by URL; SQLAlchemy Core with the
schema migrated by Alembic on start-up (``srgvhd.casestore.migrate``). ``CaseStore`` is the one
entry point for the CLI (``srgvhd cases``) and the app (Ward page, the Assess page's store
panel). No column holds a name: a course is known only by its pseudonymous case code, and is
bound to its patient by the EHR's reference or by steroid start date and whole years of age
(``binding``, interfaces.md §8); ``summary`` gives each course's phase and next action.
"""
