"""SIGKILL a Python subprocess at a named step of the model store, as a power cut or an OOM kill
would. The pause is installed in the child by the test itself (tests/support/pause.py); the
production store has no test hook."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from tests.conftest import REPO
from tests.support.pause import CASE_SAVE_STEPS, STEPS


def kill_at_pause(script: str, args: list[str], step: str) -> None:
    """Run ``python -c script *args``; SIGKILL it once it reports that it paused at ``step`` (of
    the model store, or of a case save: tests/support/pause.py)."""
    assert step in STEPS + CASE_SAVE_STEPS, step
    installer = "install" if step in STEPS else "install_case_save"
    prelude = f"from tests.support.pause import {installer}; {installer}({step!r})\n"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", prelude + script, *args],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env=env,
        cwd=REPO,
        text=True,
    )
    try:
        line = proc.stderr.readline()  # blocks until the pause reports (or the process dies)
        assert line.strip() == f"srgvhd paused at {step}", line + proc.stderr.read()
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
