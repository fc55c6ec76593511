"""The ``srgvhd`` command line: ``assess`` a case file; ``train``, ``models`` and ``score`` for the
risk model (registered by ``srgvhd.cli.models``).

Bad input exits with status 2, prints nothing on stdout and one line on stderr naming the field
and what is wrong (interfaces.md §2).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from srgvhd.clinical.refractory import RULE_SETS
from srgvhd.errors import InputError

if TYPE_CHECKING:
    from srgvhd.clinical.results import CourseResult
    from srgvhd.risk.patient import PatientResult

EXIT_BAD_INPUT = 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors on one stderr line with exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"usage: {message}\n")
        raise SystemExit(EXIT_BAD_INPUT)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = _Parser(prog="srgvhd", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    assess = sub.add_parser("assess", help="stage, grade and judge one steroid course")
    assess.add_argument("case", type=Path, help="srgvhd-case/2 (or /1) JSON file")
    assess.add_argument("--json", action="store_true", help="print the JSON contract")
    assess.add_argument(
        "--rules",
        choices=RULE_SETS,
        default=None,
        help="rule set (default: the case's rule_set, else study); overrides the case's",
    )
    assess.add_argument("--models-dir", type=Path, default=None, help="model store directory")
    assess.add_argument("--no-risk", action="store_true", help="skip the risk model")
    assess.set_defaults(func=_assess)
    from srgvhd.cli.models import add_subcommands

    add_subcommands(sub)
    from srgvhd.cli import cases

    cases.add_subcommands(sub)
    return parser


def _assess(args: argparse.Namespace) -> int:
    from srgvhd.clinical.case import load_case
    from srgvhd.clinical.course import assess_case

    try:
        case = load_case(args.case)
    except InputError as exc:
        sys.stderr.write(f"{exc}\n")
        return EXIT_BAD_INPUT
    result: CourseResult | PatientResult = assess_case(case, args.rules)
    if not args.no_risk:
        from srgvhd.cli.models import load_active_model
        from srgvhd.risk.patient import add_risk

        model, load_warnings = load_active_model(args.models_dir)
        result = add_risk(result, case, model, load_warnings=load_warnings)
    if args.json:
        sys.stdout.write(json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(format_table(result))
    return 0


def format_table(result: CourseResult | PatientResult) -> str:
    """A readable summary of an assess result for the terminal, in the words and number formats
    of the page and the PDF (srgvhd.report.text): the course table with "n/m" and the
    incomplete-grade mark, the verdict, the bedside scores, and the risk estimate — as this
    patient's own only when the course is steroid-refractory."""
    from srgvhd.report import text as words

    course = getattr(result, "course", result)
    header = f"{'date':<10}  {'day':>3}  skin liver uGI lGI  grade  Minnesota  response"
    lines, cells = [header, "-" * len(header)], []
    for row in course.assessments:
        s = [words.stage_text(stage) for stage in row.stages.as_dict().values()]
        grade = words.grade_text(row.grade, row.grade_incomplete)
        cells += [*s, grade]
        lines.append(
            f"{row.date.isoformat():<10}  {row.day:>3}  {s[0]:>4} {s[1]:>5} {s[2]:>3} {s[3]:>3}  "
            f"{grade:>5}  {row.minnesota_risk or '—':<9}  {row.response or 'baseline'}"
        )
        lines += [f"{'':<10}  {'':>3}  note: {note}" for note in row.notes]
    incomplete = any(row.grade_incomplete for row in course.assessments)
    lines += words.marks_legend(cells, incomplete)
    lines += ["", *words.completeness_lines(course)]
    lines += [
        "",
        f"Highest MAGIC grade: {words.max_grade_text(course)}",
        words.headline(course.status, words.report_today()).text,
    ]
    for headline, detail in words.score_items(course.scores):
        lines += [headline, f"  {detail}"]
    risk = result.to_json().get("risk") if result is not course else None
    if risk:
        if not words.risk_is_own(course.status.value):
            lines += [f"{words.CONDITIONAL_RISK_HEADING}:", f"  {words.CONDITIONAL_RISK_NOTE}"]
        lines += [*words.risk_sentences(risk), f"Model {risk['model_version']}."]
    risk_warnings = result.warnings if result is not course else ()
    lines += [f"warning: {w}" for w in (*course.warnings, *risk_warnings)]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``srgvhd`` console script."""
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
