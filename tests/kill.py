"""SIGKILL a Python subprocess at a named step of the model store (the store's test pause hook,
``SRGVHD_TEST_PAUSE_AT``), as a power cut or an OOM kill would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from tests.conftest import REPO


def kill_at_pause(script: str, args: list[str], step: str) -> None:
    """Run ``python -c script *args``; SIGKILL it once it reports that it paused at ``step``."""
    env = {**os.environ, "SRGVHD_TEST_PAUSE_AT": step, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env=env,
        cwd=REPO,
        text=True,
    )
    try:
        line = proc.stderr.readline()  # blocks until the hook reports (or the process dies)
        assert line.strip() == f"srgvhd paused at {step}", line + proc.stderr.read()
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
