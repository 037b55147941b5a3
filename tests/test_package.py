"""The package face: every public name resolves, and importing the package loads nothing heavy."""

from __future__ import annotations

import subprocess
import sys

import bridge


def test_every_public_name_resolves_to_what_its_module_defines() -> None:
    for name in bridge.__all__:
        assert getattr(bridge, name) is not None, name
    assert set(bridge.__all__) == {"__version__", *bridge._EXPORTS}


def test_importing_the_package_loads_neither_playwright_nor_the_engine() -> None:
    probe = ("import sys, bridge; "
             "print(sorted(m for m in ('playwright', 'aiortc', 'bridge.engine', 'quart') "
             "if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            check=True, timeout=30).stdout.strip()
    assert loaded == "[]"
