"""Run one `heard` command in a child process and measure its own wall time and peak RSS."""

from __future__ import annotations

import subprocess
import sys
import time

_CHILD = (
    "import resource, sys\n"
    "from heard.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "print(f'PEAK_RSS_KB={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}', file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def run_heard(*args: str) -> tuple[float, int, str]:
    """(seconds, peak RSS in bytes, stdout) of ``heard ARGS`` run in a fresh process."""
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _CHILD, *args], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise SystemExit(f"heard {' '.join(args)} failed: {proc.stderr.strip().splitlines()[-1:]}")
    peak = next(int(line.split("=")[1]) for line in proc.stderr.splitlines() if line.startswith("PEAK_RSS_KB="))
    return seconds, peak * 1024, proc.stdout
