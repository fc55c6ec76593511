"""case_versions: whether the highest grade is a lower bound.

Revision ID: 0003
Revises: 0002

Adds ``max_grade_incomplete`` (nullable): true when an assessment of the course left an organ
unmeasured, so its grade, and the course's highest grade with it, is a lower bound
(docs/clinical-rules.md §7.5); the Ward list marks such a grade as the Assess page does. The
latest version of each course is filled in from its case file by the assess engine; a course
the engine can no longer read keeps a null (shown unmarked).
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMN = sa.Column("max_grade_incomplete", sa.Boolean)


def upgrade() -> None:
    """Add the column, then fill it in for each course's latest version."""
    op.add_column("case_versions", COLUMN)
    from srgvhd.casestore.summary import list_fields
    from srgvhd.errors import InputError

    table = sa.table(
        "case_versions",
        sa.column("code", sa.String),
        sa.column("version", sa.Integer),
        sa.column("case_json", sa.Text),
        sa.column("max_grade_incomplete", sa.Boolean),
    )
    latest = (
        sa.select(table.c.code, sa.func.max(table.c.version).label("version"))
        .group_by(table.c.code)
        .subquery()
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(table.c.code, table.c.version, table.c.case_json).join(
            latest, (table.c.code == latest.c.code) & (table.c.version == latest.c.version)
        )
    ).all()
    for row in rows:
        try:
            incomplete = list_fields(json.loads(row.case_json))["max_grade_incomplete"]
        except (InputError, KeyError, TypeError, ValueError):
            continue
        bind.execute(
            sa.update(table)
            .where((table.c.code == row.code) & (table.c.version == row.version))
            .values(max_grade_incomplete=incomplete)
        )


def downgrade() -> None:
    """Drop the column (only for development; the store is append-only)."""
    op.drop_column("case_versions", COLUMN.name)
