"""``srgvhd --help`` says what the tool does in whole sentences and lists every command with its
own help line."""

from __future__ import annotations

import re
import subprocess
import sys

from srgvhd.cli.main import DESCRIPTION, build_parser
from tests.conftest import REPO

COMMANDS = ("assess", "train", "models", "score", "cases")


def test_top_level_help_is_whole_sentences() -> None:
    assert DESCRIPTION.endswith(".")
    assert "``" not in DESCRIPTION  # no source-code markup in what a user reads
    # every sentence starts with a capital letter and ends with a full stop
    sentences = re.split(r"(?<=\.) ", DESCRIPTION)
    assert all(s[:1].isupper() and s.endswith(".") for s in sentences), sentences


def test_help_lists_every_command_with_a_help_line() -> None:
    text = build_parser().format_help()
    for command in COMMANDS:
        line = next(line for line in text.splitlines() if line.strip().startswith(command + " "))
        assert len(line.split(None, 1)[1].strip()) > 10, line


def test_console_help_prints_the_description() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "srgvhd.cli.main", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    flat = " ".join(out.stdout.split())
    assert " ".join(DESCRIPTION.split()) in flat
    assert out.stderr == ""
