"""case_versions: patient binding, identity-change reason, closing by hand, phase and next action.

Revision ID: 0002
Revises: 0001

Adds (all nullable, so every existing row stays as it was saved):

- ``binding``: the patient the course is bound to (docs/interfaces.md §8), canonical JSON;
- ``event``: what the version was — ``save``, ``close`` or ``reopen`` (null: a save from 0001);
- ``identity_change``: the clinician's reason when the save changed the patient binding;
- ``closed_reason``: set while the course is closed by hand (death, transfer, …);
- ``phase``, ``next_action``, ``due_date``: the ward list's phase and next action
  (docs/clinical-rules.md §8).

The latest version of each course is filled in from its case file (the binding directly, the
phase by the assess engine), so an upgraded store lists and guards its old courses at once. A
course the engine can no longer read keeps nulls; the list then falls back on its status.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

COLUMNS = (
    sa.Column("binding", sa.Text),
    sa.Column("event", sa.String(16)),
    sa.Column("identity_change", sa.Text),
    sa.Column("closed_reason", sa.Text),
    sa.Column("phase", sa.String(40)),
    sa.Column("next_action", sa.String(300)),
    sa.Column("due_date", sa.Date),
)


def upgrade() -> None:
    """Add the columns, then fill them in for each course's latest version."""
    for column in COLUMNS:
        op.add_column("case_versions", column)
    _fill_latest()


def _fill_latest() -> None:
    from srgvhd.casestore.backfill import fill_latest_versions
    from srgvhd.casestore.binding import binding_of, binding_text
    from srgvhd.casestore.summary import list_fields

    def values_of(document: dict) -> dict:
        binding = {"binding": binding_text(binding_of(document))}
        fields = list_fields(document)
        return binding | {k: fields[k] for k in ("phase", "next_action", "due_date")}

    fill_latest_versions(op.get_bind(), COLUMNS, values_of)


def downgrade() -> None:
    """Drop the columns (only for development; the store is append-only)."""
    for column in reversed(COLUMNS):
        op.drop_column("case_versions", column.name)
