"""rtc-bridge: run a voice agent against a real browser and prove every action in the DOM.

The public API, for scripts and tests (the pytest plugin gives the same handle as fixtures):

    from bridge import BridgeHandle, BridgeThread, Settings

    thread = BridgeThread(Settings.from_env(port=0, headless=True)).start()
    handle = BridgeHandle(thread).wait_ready()
    mark = handle.type("make the text white")
    call = handle.wait_for_tool("changeTextColor", {"color": "white"}, after=mark)
    assert call.verdict == "verified"
    thread.stop()

Names are imported when first used, so that `import bridge` (and the `rtc-bridge` command's
start) does not load Playwright, aiortc and the engine before it needs them.

Packages: `http` (the app and its routes), `browser` (the controlled Chromium and
verification), `drive` (the handle, speaking into the page, the pytest plugin), `demo`
(`rtc-bridge demo`), `engine` (the embedded realtime peer and its local agent), `events` (the
event log and its typed records), `measure` (accuracy and benchmarks), `css` (colours and
lengths).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Public name -> the module that defines it.
_EXPORTS = {
    "Bridge": "bridge.runtime",
    "BridgeError": "bridge.errors",
    "BridgeHandle": "bridge.drive.handle",
    "BridgeThread": "bridge.drive.thread",
    "EventLog": "bridge.events.log",
    "Record": "bridge.events.log",
    "Settings": "bridge.config",
    "ToolRefused": "bridge.events.records",
    "ToolRegistry": "bridge.browser.tools",
    "ToolVerified": "bridge.events.records",
    "Verdict": "bridge.events.verdicts",
    "VerifiedCall": "bridge.drive.handle",
}

__all__ = [
    "Bridge", "BridgeError", "BridgeHandle", "BridgeThread", "EventLog", "Record", "Settings",
    "ToolRefused", "ToolRegistry", "ToolVerified", "Verdict", "VerifiedCall", "__version__",
]

if TYPE_CHECKING:
    from .browser.tools import ToolRegistry
    from .config import Settings
    from .drive.handle import BridgeHandle, VerifiedCall
    from .drive.thread import BridgeThread
    from .errors import BridgeError
    from .events.log import EventLog, Record
    from .events.records import ToolRefused, ToolVerified
    from .events.verdicts import Verdict
    from .runtime import Bridge


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'bridge' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
