"""Progress reporting of long work (training): a callback ``progress(step, fraction)``.

Kept free of heavy imports so the CLI and the page can pass callbacks without loading the fit.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, float], None]


def no_progress(step: str, fraction: float) -> None:
    """The default callback: report nothing."""
