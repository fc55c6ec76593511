"""The store's one table: ``case_versions``, append-only (interfaces.md §5).

Each save inserts a row ``(code, version)``; the primary key on that pair is what decides a race
between two saves from the same base version. Besides who, when and the case file itself, a row
keeps the fields the ward list shows, computed by the assess engine when the version was saved,
so the list never re-runs the engine, and the patient the course is bound to (``binding``). There
is no column for a name.

The migrations in ``srgvhd/casestore/migrations/versions`` create this table; this module is the
query side's description of it and must match the head revision.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

CODE_MAX = 32
metadata = MetaData()

case_versions = Table(
    "case_versions",
    metadata,
    Column("code", String(CODE_MAX), nullable=False),
    Column("version", Integer, nullable=False),
    Column("saved_at", DateTime(timezone=True), nullable=False),
    Column("saved_by", String(200), nullable=False),
    Column("case_json", Text, nullable=False),
    Column("age_years", Float),
    Column("steroid_start", Date),
    Column("day", Integer),
    Column("status", String(40)),
    Column("rule", String(8)),
    Column("max_grade", String(4)),
    Column("max_grade_incomplete", Boolean),  # 0003: the highest grade is a lower bound
    Column("next_decision_date", Date),
    # 0002: patient binding (interfaces.md §8), closing by hand, phase (clinical-rules.md §8)
    Column("binding", Text),
    Column("event", String(16)),
    Column("identity_change", Text),
    Column("closed_reason", Text),
    Column("phase", String(40)),
    Column("next_action", String(300)),
    Column("next_action_msg", Text),  # 0004: the next action's template and values (JSON)
    Column("due_date", Date),
    PrimaryKeyConstraint("code", "version", name="case_versions_code_version"),
)
