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

import json

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
    from srgvhd.casestore.binding import binding_of, binding_text
    from srgvhd.casestore.summary import list_fields
    from srgvhd.errors import InputError

    table = sa.table(
        "case_versions",
        sa.column("code", sa.String),
        sa.column("version", sa.Integer),
        sa.column("case_json", sa.Text),
        *(sa.column(c.name, c.type) for c in COLUMNS),
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
            document = json.loads(row.case_json)
            values = {"binding": binding_text(binding_of(document))}
            fields = list_fields(document)
        except (InputError, KeyError, TypeError, ValueError):
            continue
        values |= {k: fields[k] for k in ("phase", "next_action", "due_date")}
        bind.execute(
            sa.update(table)
            .where((table.c.code == row.code) & (table.c.version == row.version))
            .values(**values)
        )


def downgrade() -> None:
    """Drop the columns (only for development; the store is append-only)."""
    for column in reversed(COLUMNS):
        op.drop_column("case_versions", column.name)
