"""Argument types shared by the CLI's subcommands (argparse ``type=`` callables)."""

from __future__ import annotations

import argparse
from datetime import date


def iso_date(text: str) -> date:
    """A calendar date written YYYY-MM-DD (a refused value is quoted cut to 20 characters)."""
    try:
        if len(text) != 10:
            raise ValueError
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text[:20]!r}") from None
