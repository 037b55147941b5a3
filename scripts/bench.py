"""Measures the bridge with real sessions (real Chromium, WebRTC, the embedded engine).

Prints a table and writes bench.json (one key per figure, unit in the name); `--quick` takes a
few samples of each, `--only tools,voice` runs some steps. Usage: .venv/bin/python scripts/bench.py
"""

from __future__ import annotations

import sys

from bridge.measure.bench.run import main

if __name__ == "__main__":
    sys.exit(main())
