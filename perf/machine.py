"""The machine a benchmark ran on, in one line, printed beside its figures.

CPU model and cores (``/proc/cpuinfo``), memory (``/proc/meminfo``), the 1-minute load average
and the operating system, so a reader can judge a figure by the machine that produced it.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gb() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return None


def describe_machine() -> str:
    """E.g. "Intel Xeon … , 2 cores, 7.8 GB, load 1.6 (1 min), Linux 6.1 x86_64"."""
    memory = _memory_gb()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    parts = [
        _cpu_model(),
        f"{os.cpu_count()} cores",
        f"{memory:.1f} GB" if memory is not None else "memory unknown",
        f"load {load:.1f} (1 min)" if load is not None else "load unknown",
        f"{platform.system()} {platform.release()} {platform.machine()}",
    ]
    return ", ".join(parts)


if __name__ == "__main__":
    print(describe_machine())
