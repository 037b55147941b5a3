"""Cold start: `rtc-bridge run` started as a new process, until it prints its `ready:` line
(the controlled page connected to the engine)."""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def command() -> list[str]:
    script = Path(sys.executable).with_name("rtc-bridge")
    entry = [str(script)] if script.exists() else [sys.executable, "-m", "bridge"]
    return [*entry, "run", "--port", "0", "--headless", "--upstream", "local", "--quiet"]


def cold_start_ms(*, timeout_s: float = 60.0) -> float:
    """Milliseconds from starting the process to its `ready:` line; the process is then
    stopped with SIGTERM, as Ctrl-C would."""
    lines: queue.Queue[str | None] = queue.Queue()
    with tempfile.TemporaryFile("w+") as errors:
        started = time.perf_counter()
        process = subprocess.Popen(command(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=errors, text=True)
        assert process.stdout is not None
        stdout = process.stdout

        def read() -> None:
            for line in stdout:
                lines.put(line)
            lines.put(None)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        try:
            while True:
                remaining = timeout_s - (time.perf_counter() - started)
                try:
                    line = lines.get(timeout=max(0.01, remaining))
                except queue.Empty:
                    raise TimeoutError(f"rtc-bridge run printed no ready line in {timeout_s} s") \
                        from None
                if line is None:
                    errors.seek(0)
                    raise RuntimeError(f"rtc-bridge run exited ({process.wait()}) before it was "
                                       f"ready: {errors.read()[-500:]}")
                if line.startswith("ready:"):
                    return (time.perf_counter() - started) * 1000
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            reader.join(timeout=5)
