"""``--as NAME``: the person a command records (case saves, model training, promotion and
rollback); without it the OS user, marked as such (``srgvhd.identity.cli_identity``)."""

from __future__ import annotations

import argparse


def as_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--as NAME`` (stored as ``args.as_name``)."""
    parser.add_argument(
        "--as",
        dest="as_name",
        default=None,
        metavar="NAME",
        help="who is doing this, recorded beside the OS user (default: the OS user)",
    )
