"""Start and stop the app (or any Streamlit script) on 127.0.0.1 for benchmarks and tests.

One place for the ``streamlit run`` command line, the health poll and the shutdown, used by the
browser tests, the app benchmark, the load check and the deployment tests. Loopback only.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
HEALTH_TIMEOUT_S = 60.0


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def streamlit_command(
    script: Path, port: int, *options: str, program: list[str] | None = None
) -> list[str]:
    """``streamlit run script`` as a headless loopback server on ``port``; ``options`` are extra
    ``streamlit run`` options such as ``--logger.level debug``; ``program`` replaces the
    ``streamlit`` executable (e.g. ``[python, perf/frozen_streamlit.py]``)."""
    return [
        *(program or [str(Path(sys.executable).parent / "streamlit")]),
        "run",
        str(script),
        "--server.headless",
        "true",
        "--server.address",
        HOST,
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        *options,
    ]


def start(
    script: Path,
    port: int,
    log: Path,
    *options: str,
    env: dict[str, str] | None = None,
    timeout_s: float = HEALTH_TIMEOUT_S,
    program: list[str] | None = None,
) -> subprocess.Popen:
    """Start ``streamlit run script`` in its own process group and wait until it is healthy.

    stdout and stderr go to ``log`` (a file, so a chatty server never blocks on a full pipe).
    """
    with open(log, "wb") as sink:
        process = subprocess.Popen(
            streamlit_command(script, port, *options, program=program),
            cwd=REPO,
            env={**os.environ, **(env or {})},
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    wait_healthy(f"http://{HOST}:{port}", process, log, timeout_s)
    return process


def wait_healthy(
    url: str, process: subprocess.Popen, log: Path, timeout_s: float = HEALTH_TIMEOUT_S
) -> None:
    """Poll ``url/_stcore/health`` until it answers ``ok``; stop the server and raise with the
    end of its log if the process dies or the timeout passes."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with {process.returncode}: {_tail(log)}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.1)
    stop(process)
    raise RuntimeError(f"streamlit not healthy after {timeout_s:.0f} s: {_tail(log)}")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM the server (its whole process group when it has its own), SIGKILL after 10 s."""
    if process.poll() is not None:
        return
    own_group = os.getpgid(process.pid) == process.pid
    send = (lambda sig: os.killpg(process.pid, sig)) if own_group else process.send_signal
    send(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)
        process.wait(timeout=10)


def _tail(log: Path) -> str:
    """The last 4000 characters the server wrote."""
    return log.read_text(errors="replace")[-4000:] if log.exists() else "(no output)"
