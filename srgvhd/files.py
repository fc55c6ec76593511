"""Writing a file so that a crash, a full disk or a kill leaves either the old file or the new
one, never half of one, and no temporary file behind (used by the case files and the model
store)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def fsync_dir(directory: Path) -> None:
    """Make a rename or link inside ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(
    path: Path, data: bytes, *, exclusive: bool = False, mode: int | None = None
) -> None:
    """Write ``data`` to ``path`` atomically and durably: a temporary file in the same
    directory, fsynced, then renamed over ``path`` (or, when ``exclusive``, hard-linked to it,
    which fails with FileExistsError if ``path`` exists — an existing file is never replaced).

    ``mode``: the file's permission bits (None keeps the temporary file's 0600). Raises OSError;
    no temporary file is left behind either way.
    """
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            if mode is not None:
                os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if exclusive:
            os.link(tmp, path)
        else:
            os.replace(tmp, path)
        fsync_dir(path.parent)
    finally:
        Path(tmp).unlink(missing_ok=True)
