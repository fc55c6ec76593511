"""The repository speaks for itself: no tracker numbers, no pointers outside the project and no
remarks about a build machine in any tracked file (docs/architecture.md, "Citing sources").
Sources are cited as docs/ sections, papers and modules; a benchmark prints the machine it ran
on (perf/machine.py) instead of describing it in prose."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.conftest import REPO

# Written so that this file does not match itself.
FORBIDDEN = {
    "tracker number": re.compile(r"[Ii]ssues? #?[0-9]+"),
    "path to the shared folder": re.compile(r"\.\./share[d]"),
    "absolute shared path": re.compile(r"/work/share[d]"),
    "build-machine remark": re.compile(r"shared core[s]"),
}


def tracked_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True, timeout=60
    )
    return [name for name in out.stdout.decode().split("\0") if name]


def hits(text: str) -> list[str]:
    return [
        f"{what}: {match.group(0)!r}"
        for what, pattern in FORBIDDEN.items()
        for match in pattern.finditer(text)
    ]


def test_no_tracked_file_cites_the_tracker_or_the_build_machine() -> None:
    files = tracked_files()
    assert "pyproject.toml" in files and len(files) > 100  # the listing itself worked
    found = []
    for name in files:
        path = REPO / name
        if not path.is_file():  # deleted in the work tree, or a submodule
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # images, model artifacts, PDFs
        for line_number, line in enumerate(text.splitlines(), start=1):
            found += [f"{name}:{line_number}: {hit}" for hit in hits(line)]
    assert found == [], "\n".join(found)


# Joined at run time, so that this file does not contain what it forbids.
CAUGHT = [
    "see " + "issue" + " 12 for the goal",
    "Issue" + " 13 item 6",
    "issues" + " #5 and 7",
    "docs live in .." + "/shared/reference",
    "read /work" + "/shared/spec/interfaces.md",
    "measured on 2 shared" + " cores",
]


@pytest.mark.parametrize("line", CAUGHT)
def test_the_patterns_catch_what_they_are_for(line: str) -> None:
    assert hits(line)


@pytest.mark.parametrize(
    "line",
    ["docs/security.md §4", "Niu et al. 2026", "issued in 2026", "the shared store", "4 cores"],
)
def test_the_patterns_leave_ordinary_words_alone(line: str) -> None:
    assert hits(line) == []
