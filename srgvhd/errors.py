"""One error type for every kind of bad input, so each refusal names where and what."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input.

    ``where`` is a field path such as ``assessments[1].date`` (case files, forms) or
    ``row 5, column os_days`` (cohort CSV files); ``what`` says what is wrong in plain words.
    """

    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


class InputError(ValueError):
    """Raised when an input is refused; carries every problem found, in input order."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems: list[Problem] = (
            [problems] if isinstance(problems, Problem) else list(problems)
        )
        if not self.problems:
            raise ValueError("InputError needs at least one problem")
        super().__init__(str(self))

    def __str__(self) -> str:
        return "; ".join(str(p) for p in self.problems)
