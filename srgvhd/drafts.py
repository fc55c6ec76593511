"""Unsaved entries kept across a new sign-in (no Streamlit).

Signing in again reloads the page, which starts a new Streamlit session and so an empty
session state. While a signed-in session has expired, its form is parked here under the
subject (``sub``) of the person who was signed in; the first session of the same subject signed
in *after* the draft was parked takes it back, once. Nobody else can: the subject comes from
Streamlit's signed identity cookie.

Drafts live in this process's memory only (never on disk, never in a log), for at most
``KEEP_SECONDS``, at most ``MAX_DRAFTS`` at once (the oldest goes first).
"""

from __future__ import annotations

import copy
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

KEEP_SECONDS = 4 * 3600
MAX_DRAFTS = 500


@dataclass(frozen=True)
class Draft:
    """What was on screen: the state entries named by the app, and when it was parked."""

    values: dict[str, Any]
    parked_at: float


class DraftShelf:
    """Drafts by subject, thread-safe (every session of the server shares one shelf)."""

    def __init__(self, keep_seconds: float = KEEP_SECONDS, max_drafts: int = MAX_DRAFTS):
        self._keep = keep_seconds
        self._max = max_drafts
        self._drafts: OrderedDict[str, Draft] = OrderedDict()
        self._lock = threading.Lock()

    def park(self, subject: str, values: dict[str, Any], now: float | None = None) -> None:
        """Keep a copy of ``values`` for ``subject`` (replacing an older draft of theirs)."""
        now = time.time() if now is None else now
        with self._lock:
            self._drop_old(now)
            self._drafts.pop(subject, None)
            self._drafts[subject] = Draft(copy.deepcopy(values), now)
            while len(self._drafts) > self._max:
                self._drafts.popitem(last=False)

    def take(self, subject: str, signed_in_at: float, now: float | None = None) -> Draft | None:
        """The subject's draft, removed from the shelf, if it was parked before this sign-in."""
        now = time.time() if now is None else now
        with self._lock:
            self._drop_old(now)
            draft = self._drafts.get(subject)
            if draft is None or draft.parked_at > signed_in_at:
                return None
            return self._drafts.pop(subject)

    def discard(self, subject: str) -> None:
        """Forget the subject's draft (signed out on purpose)."""
        with self._lock:
            self._drafts.pop(subject, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._drafts)

    def _drop_old(self, now: float) -> None:
        for subject in [s for s, d in self._drafts.items() if now - d.parked_at > self._keep]:
            del self._drafts[subject]
