"""case_versions: the next action as a message that can be said in another language.

Revision ID: 0004
Revises: 0003

Adds ``next_action_msg`` (nullable text): the ward's next action as its message template and
values in JSON (``srgvhd.casestore.message_json``), beside the English ``next_action`` that
``cases list --json`` keeps. The Ward page says the action in the clinician's language from it;
the English text alone cannot be translated, as it embeds the engine's waiting reason.

The latest version of each course is filled in: a course closed by hand from its stored reason,
any other from its case file by the assess engine. The message is written only when it says
exactly the stored English text (an engine whose words changed since the save leaves a null);
a null, like a course the engine can no longer read, is shown as its stored English text.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

COLUMN = sa.Column("next_action_msg", sa.Text)
READS = (
    sa.Column("next_action", sa.String(300)),
    sa.Column("closed_reason", sa.Text),
)


def upgrade() -> None:
    """Add the column, then fill it in for each course's latest version."""
    op.add_column("case_versions", COLUMN)
    from srgvhd.casestore.backfill import fill_latest_rows
    from srgvhd.casestore.message_json import message_json
    from srgvhd.casestore.summary import closed_by_hand, list_fields

    def values_of(document: dict, row: sa.Row) -> dict:
        if row.closed_reason is not None:
            action = closed_by_hand(row.closed_reason)
            english, encoded = str(action), message_json(action)
        else:
            fields = list_fields(document)
            english, encoded = fields["next_action"], fields["next_action_msg"]
        return {"next_action_msg": encoded} if english == row.next_action else {}

    fill_latest_rows(op.get_bind(), [COLUMN], READS, values_of)


def downgrade() -> None:
    """Drop the column (only for development; the store is append-only)."""
    op.drop_column("case_versions", COLUMN.name)
