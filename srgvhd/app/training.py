"""Training off the page's script thread: a job object the page polls.

``start`` runs ``train_from_csv`` in a daemon thread and returns at once; the thread records its
progress, then the new card or the refusal, on the job (a lock guards them). One training runs at
a time per server process (a registry-sized fit takes most of a core and its memory); a second
request while one runs is refused with a message instead of queueing.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Any

from srgvhd.errors import InputError, Problem
from srgvhd.i18n import N_

LOG = logging.getLogger(__name__)
_SERVER_SLOT = threading.BoundedSemaphore(1)
BUSY = Problem(
    "file", N_("another cohort is being fitted on this server; try again when it is done")
)
INTERNAL = N_("could not be fitted because of an internal error; the server log has the details")
# Progress steps are English message ids (srgvhd.risk.train, srgvhd.risk.fit); the page says
# them in its language.
WAITING = N_("waiting to start")
DONE = N_("done")


@dataclass
class TrainingJob:
    """State shared between the training thread and the page (read with ``snapshot``)."""

    step: str = WAITING
    fraction: float = 0.0
    card: dict | None = None
    problems: list[Problem] = field(default_factory=list)
    done: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def report(self, step: str, fraction: float) -> None:
        """The progress callback given to ``train_from_csv``."""
        with self._lock:
            self.step, self.fraction = step, fraction

    def finish(self, card: dict | None, problems: list[Problem]) -> None:
        with self._lock:
            self.card, self.problems, self.done = card, problems, True
            self.step, self.fraction = DONE, 1.0

    def snapshot(self) -> dict[str, Any]:
        """A consistent copy of the state for drawing."""
        with self._lock:
            return {
                "step": self.step,
                "fraction": self.fraction,
                "card": self.card,
                "problems": list(self.problems),
                "done": self.done,
            }


def _run(job: TrainingJob, data: bytes, options: dict[str, Any]) -> None:
    from srgvhd.risk.train import train_from_csv

    try:
        card = train_from_csv(data, progress=job.report, **options)
    except InputError as exc:
        job.finish(None, exc.problems)
    except Exception as exc:  # noqa: BLE001 - the page must learn that the job ended
        # The type only: a message or traceback could quote cells of the file.
        LOG.error("training failed: %s", type(exc).__name__)
        job.finish(
            None,
            [Problem("file", INTERNAL)],
        )
    else:
        job.finish(card, [])
    finally:
        _SERVER_SLOT.release()


def start(data: bytes, **options: Any) -> TrainingJob:
    """Start training ``data`` with ``train_from_csv`` options; a finished job when busy."""
    job = TrainingJob()
    if not _SERVER_SLOT.acquire(blocking=False):
        job.finish(None, [BUSY])
        return job
    try:
        threading.Thread(
            target=_run, args=(job, data, options), name="srgvhd-training", daemon=True
        ).start()
    except RuntimeError:
        _SERVER_SLOT.release()
        raise
    return job
