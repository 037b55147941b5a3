"""The settings of a browser elsewhere: a Playwright browser server (`BRIDGE_BROWSER_WS`), a
Chromium over CDP (`BRIDGE_CDP`), and the address the engine offers it (`BRIDGE_RTC_HOST`)."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from .errors import SettingsError

# A host name, or `*.` and a domain; lower case (URLs' hosts are compared lower-cased).
HOST_PATTERN = re.compile(r"(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")


def check_remote(*, browser_ws: str | None, cdp_url: str | None, rtc_host: str | None) -> None:
    """SettingsError naming the variable (and its flag) for a value the bridge cannot use."""
    for var, flag, url, schemes, example in (
            ("BRIDGE_BROWSER_WS", "--browser-ws", browser_ws, ("ws", "wss"),
             "ws://127.0.0.1:3000/"),
            ("BRIDGE_CDP", "--cdp", cdp_url, ("http", "https", "ws", "wss"),
             "http://127.0.0.1:9222")):
        if url is not None and not _usable_url(url, schemes):
            raise SettingsError(f"{var} ({flag}) takes a {'/'.join(schemes)} URL with a host, "
                                f"such as {example}, not {url!r}")
    if browser_ws is not None and cdp_url is not None:
        raise SettingsError("BRIDGE_BROWSER_WS and BRIDGE_CDP (--browser-ws, --cdp) are both "
                            "set: the bridge drives one browser, through a browser server or "
                            "over CDP")
    if rtc_host is not None and not (_is_ip(rtc_host) or (
            "*" not in rtc_host and HOST_PATTERN.fullmatch(rtc_host.lower()))):
        raise SettingsError(f"BRIDGE_RTC_HOST (--rtc-host) takes an IP address or a host name "
                            f"(no scheme or port), not {rtc_host!r}")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _usable_url(url: str, schemes: tuple[str, ...]) -> bool:
    if any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
        _ = parts.port  # ValueError for a port that is not a number
    except ValueError:
        return False
    return parts.scheme.lower() in schemes and bool(parts.hostname)
