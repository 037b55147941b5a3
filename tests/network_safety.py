"""The tests' safety net: whatever a build does, a Chromium the tests start resolves no host
name but localhost, so a request that nothing routed or blocked fails before it leaves.

Chromium applies `--host-resolver-rules` to IP literals too (`MAP * ~NOTFOUND , EXCLUDE
localhost` alone makes http://127.0.0.1 fail), so each loopback address the tests use is
excluded by name; a pattern such as `127.0.0.*` would also let `127.0.0.example.com` through.
Test pages name public hosts by name, never by IP address.
"""

from __future__ import annotations

import shlex

RESOLVER_RULES = ("MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1 , "
                  "EXCLUDE 127.0.0.2 , EXCLUDE 127.0.0.3 , EXCLUDE ::1")
CHROMIUM_SAFETY_ARGS = (f"--host-resolver-rules={RESOLVER_RULES}",)
# The same, as BRIDGE_CHROMIUM_ARGS takes it (a shell-quoted list).
SAFETY_ENV = {"BRIDGE_CHROMIUM_ARGS": shlex.join(CHROMIUM_SAFETY_ARGS)}


def with_safety_net(chromium_args: str | None) -> str:
    """BRIDGE_CHROMIUM_ARGS with the safety net last (the last of a flag given twice wins)."""
    net = SAFETY_ENV["BRIDGE_CHROMIUM_ARGS"]
    if chromium_args and chromium_args.endswith(net):
        return chromium_args
    return " ".join(filter(None, [chromium_args, net]))
