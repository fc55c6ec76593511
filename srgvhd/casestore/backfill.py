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
    a version whose file ``values_of`` cannot read (bad JSON, an invalid case), or for which it
    gives nothing, is left as is."""
    fill_latest_rows(bind, columns, (), lambda document, _row: values_of(document))


def fill_latest_rows(
    bind: sa.Connection,
    columns: Sequence[sa.Column],
    reads: Sequence[sa.Column],
    values_of: Callable[[dict[str, Any], Any], dict[str, Any]],
) -> None:
    """As ``fill_latest_versions``, with ``values_of(case file, row)`` also given the row's
    existing ``reads`` columns (e.g. what a closing by hand wrote)."""
    table = sa.table(
        "case_versions",
        sa.column("code", sa.String),
        sa.column("version", sa.Integer),
        sa.column("case_json", sa.Text),
        *(sa.column(c.name, c.type) for c in columns),
        *(sa.column(c.name, c.type) for c in reads if c.name not in {c.name for c in columns}),
    )
    latest = (
        sa.select(table.c.code, sa.func.max(table.c.version).label("version"))
        .group_by(table.c.code)
        .subquery()
    )
    rows = bind.execute(
        sa.select(
            table.c.code,
            table.c.version,
            table.c.case_json,
            *(table.c[c.name] for c in reads),
        ).join(latest, (table.c.code == latest.c.code) & (table.c.version == latest.c.version))
    ).all()
    for row in rows:
        try:
            values = values_of(json.loads(row.case_json), row)
        except (InputError, KeyError, TypeError, ValueError):
            continue
        if not values:  # nothing to fill in for this version
            continue
        bind.execute(
            sa.update(table)
            .where((table.c.code == row.code) & (table.c.version == row.version))
            .values(**values)
        )
