"""case_versions: whether the highest grade is a lower bound.

Revision ID: 0003
Revises: 0002

Adds ``max_grade_incomplete`` (nullable): true when an assessment of the course left an organ
unmeasured, so its grade, and the course's highest grade with it, is a lower bound
(docs/clinical-rules.md §7.5); the Ward list marks such a grade as the Assess page does. The
latest version of each course is filled in from its case file by the assess engine; a course
the engine can no longer read keeps a null (shown unmarked).
"""

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
    from srgvhd.casestore.backfill import fill_latest_versions
    from srgvhd.casestore.summary import list_fields

    fill_latest_versions(
        op.get_bind(),
        [COLUMN],
        lambda document: {"max_grade_incomplete": list_fields(document)["max_grade_incomplete"]},
    )


def downgrade() -> None:
    """Drop the column (only for development; the store is append-only)."""
    op.drop_column("case_versions", COLUMN.name)
