"""Pause a store subprocess at a named step, so a test can SIGKILL it there (tests/kill.py).

A test-side patch (nothing in ``srgvhd/`` knows about it): :func:`install` wraps the model
store's functions in the child process, :func:`install_case_save` hooks the case store's
database engine (below), so that, at the chosen step, the child prints
``srgvhd paused at <step>`` on stderr and sleeps until killed. The model store's steps, in the
order a promoting training reaches them:

- ``fitted``: the model is fitted, nothing written (entry of ``ModelStore.save``);
- ``artifact_written``: the ``.npz`` artifact is written, its card not yet;
- ``card_written``: the version's card is written (the save is done, nothing activated);
- ``before_pointer``: the audit intent line is written, the active pointer not yet;
- ``after_pointer``: the pointer is replaced, the audit outcome line not yet written.
"""

from __future__ import annotations

import functools
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from srgvhd.casestore.store import CaseStore
from srgvhd.risk import store as store_module
from srgvhd.risk.model import ARTIFACT_SUFFIX

STEPS = ("fitted", "artifact_written", "card_written", "before_pointer", "after_pointer")


def pause(step: str) -> None:
    """Report the step on stderr and wait to be killed."""
    print(f"srgvhd paused at {step}", file=sys.stderr, flush=True)
    time.sleep(3600)


def _before(function: Callable, step: str) -> Callable:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        pause(step)
        return function(*args, **kwargs)

    return wrapper


def _after(function: Callable, step: str, when: Callable[..., bool] = lambda *a: True) -> Callable:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        if when(*args):
            pause(step)
        return result

    return wrapper


def install(step: str) -> None:
    """Make this process pause at ``step`` (one of :data:`STEPS`)."""
    store = store_module.ModelStore
    if step == "fitted":
        store.save = _before(store.save, step)
    elif step in ("artifact_written", "card_written"):
        pointer = store_module.POINTER

        def wrote(path: Path, *_: Any) -> bool:
            if step == "artifact_written":
                return path.name.endswith(ARTIFACT_SUFFIX)
            return path.suffix == ".json" and path.name != pointer

        store_module.atomic_write = _after(store_module.atomic_write, step, wrote)
    elif step == "before_pointer":
        store._write_pointer = _before(store._write_pointer, step)
    elif step == "after_pointer":
        store._write_pointer = _after(store._write_pointer, step)
    else:
        raise ValueError(f"unknown step {step!r}; one of {STEPS}")


# The case store (srgvhd.casestore.store), in the order one ``srgvhd cases save`` reaches them.
CASE_SAVE_STEPS = ("before_insert", "inserted", "committed")


def install_case_save(step: str) -> None:
    """Make this process pause at ``step`` of a case save (one of :data:`CASE_SAVE_STEPS`):
    before the version's INSERT is sent, after it ran but before the transaction commits, or
    after the commit but before the command reports the version. SQLAlchemy engine events
    (every engine of the process), so the store's own code runs unchanged."""

    def is_insert(statement: str) -> bool:
        return statement.lstrip().upper().startswith("INSERT INTO CASE_VERSIONS")

    if step == "before_insert":

        @event.listens_for(Engine, "before_cursor_execute")
        def before(conn, cursor, statement, *args: Any) -> None:
            if is_insert(statement):
                pause(step)

    elif step == "inserted":

        @event.listens_for(Engine, "after_cursor_execute")
        def after(conn, cursor, statement, *args: Any) -> None:
            if is_insert(statement):
                pause(step)

    elif step == "committed":
        CaseStore.save = _after(CaseStore.save, step)
    else:
        raise ValueError(f"unknown step {step!r}; one of {CASE_SAVE_STEPS}")
