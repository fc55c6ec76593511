"""case_versions: the append-only table of saved course versions.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the versions table (primary key: code, version) and the ward list's index."""
    op.create_table(
        "case_versions",
        sa.Column("code", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("saved_by", sa.String(200), nullable=False),
        sa.Column("case_json", sa.Text, nullable=False),
        sa.Column("age_years", sa.Float),
        sa.Column("steroid_start", sa.Date),
        sa.Column("day", sa.Integer),
        sa.Column("status", sa.String(40)),
        sa.Column("rule", sa.String(8)),
        sa.Column("max_grade", sa.String(4)),
        sa.Column("next_decision_date", sa.Date),
        sa.PrimaryKeyConstraint("code", "version", name="case_versions_code_version"),
    )


def downgrade() -> None:
    """Drop the table (only for development; the store is append-only)."""
    op.drop_table("case_versions")
