"""Filling a new column in for each course's latest version, from its case file — the step a
migration takes so that an upgraded store lists and guards its old courses at once
(``migrations/versions``). A case file the code can no longer read keeps nulls."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa

from srgvhd.errors import InputError


def fill_latest_versions(
    bind: sa.Connection,
    columns: Sequence[sa.Column],
    values_of: Callable[[dict[str, Any]], dict[str, Any]],
) -> None:
    """Set ``columns`` on the latest version of every course to ``values_of(its case file)``;
    a version whose file ``values_of`` cannot read (bad JSON, an invalid case) is left as is."""
    table = sa.table(
        "case_versions",
        sa.column("code", sa.String),
        sa.column("version", sa.Integer),
        sa.column("case_json", sa.Text),
        *(sa.column(c.name, c.type) for c in columns),
    )
    latest = (
        sa.select(table.c.code, sa.func.max(table.c.version).label("version"))
        .group_by(table.c.code)
        .subquery()
    )
    rows = bind.execute(
        sa.select(table.c.code, table.c.version, table.c.case_json).join(
            latest, (table.c.code == latest.c.code) & (table.c.version == latest.c.version)
        )
    ).all()
    for row in rows:
        try:
            values = values_of(json.loads(row.case_json))
        except (InputError, KeyError, TypeError, ValueError):
            continue
        bind.execute(
            sa.update(table)
            .where((table.c.code == row.code) & (table.c.version == row.version))
            .values(**values)
        )
