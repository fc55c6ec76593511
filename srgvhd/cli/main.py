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

from srgvhd.clinical.refractory import RULE_SETS
from srgvhd.errors import InputError

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
    course = assess_case(case, args.rules)
    if args.no_risk:
        result = course.to_json()
    else:
        from srgvhd.cli.models import load_active_model
        from srgvhd.risk.patient import add_risk

        model, load_warnings = load_active_model(args.models_dir)
        result = add_risk(course, case, model, load_warnings=load_warnings).to_json()
    if args.json:
        sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(format_table(result))
    return 0


NOT_MEASURED = "n/m"
DAYS_PER_MONTH = 30.44  # mean Gregorian month, to label the survival horizons in months


def format_table(result: dict) -> str:
    """A readable summary of an assess result (its JSON object) for the terminal."""
    from srgvhd.risk.predict import HORIZONS_DAYS

    header = f"{'date':<10}  {'day':>3}  skin liver uGI lGI  grade  Minnesota  response"
    lines = [header, "-" * len(header)]
    for row in result["assessments"]:
        s = {organ: NOT_MEASURED if v is None else v for organ, v in row["stages"].items()}
        grade = row["grade"] + ("*" if row.get("grade_incomplete") else "")
        lines.append(
            f"{row['date']:<10}  {row['day']:>3}  {s['skin']:>4} {s['liver']:>5} "
            f"{s['upper_gi']:>3} {s['lower_gi']:>3}  {grade:>5}  "
            f"{row['minnesota_risk'] or '—':<9}  {row['response'] or 'baseline'}"
        )
        lines += [f"{'':<10}  {'':>3}  note: {note}" for note in row["notes"]]
    if any(row.get("grade_incomplete") for row in result["assessments"]):
        lines.append(f"{NOT_MEASURED} = not measured; * grade leaves out organs not measured")
    lines += ["", f"Highest MAGIC grade: {result['max_grade']}", result["status"]["sentence"]]
    lines += _score_lines(result.get("scores") or {})
    risk = result.get("risk")
    if risk:
        lo, hi = risk["hazard_ratio_ci"]
        lines.append(
            f"Hazard ratio vs reference patient: {risk['hazard_ratio']:.2f} "
            f"(95% CI {lo:.2f}–{hi:.2f}); model {risk['model_version']}"
        )
        for days in HORIZONS_DAYS:
            s = risk["survival"][str(days)]
            label = f"Survival at {round(days / DAYS_PER_MONTH)} months"
            if s["estimate"] is None:  # beyond the training cohort's last follow-up (issue 8)
                lines.append(f"{label}: not estimable (beyond the model's follow-up)")
            else:
                lines.append(
                    f"{label}: {s['estimate']:.0%} (95% CI {s['lower']:.0%}–{s['upper']:.0%})"
                )
    lines += [f"warning: {w}" for w in result["warnings"]]
    return "\n".join(lines) + "\n"


def _score_lines(scores: dict) -> list[str]:
    """EASIX, MAP and the day-28 response (docs/interfaces.md §6), when the result has them."""
    lines = []
    easix, map_, day28 = scores.get("easix"), scores.get("map"), scores.get("day28")
    if easix:
        lines.append(
            f"EASIX {easix['value']:.3g} (log2 {easix['log2']:.2f}) on day {easix['day']} "
            f"({easix['date']}): a continuous measure, no cut-off; {easix['source']}"
        )
    if map_:
        lines.append(
            f"MAP {map_['value']:g}: {map_['group']} (threshold {map_['threshold']:.3f}), drawn "
            f"on day {map_['day']} ({map_['date']}); {map_['source']}"
        )
    if day28:
        lines.append(f"Day-28 response (day {day28['day']}): {day28['meaning']}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``srgvhd`` console script."""
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
