"""The address the engine offers in its ICE candidates (`--rtc-host`), for a browser on another
machine that cannot reach the addresses aiortc gathered (a container's, behind a NAT).

aiortc has no per-candidate address override, so the answer's SDP is rewritten: every host
candidate keeps the port aiortc bound and takes `host` for its address, and so does the media
sections' `c=` line when `host` is an IP address. The browser tries each; the one whose socket
is bound on the interface that `host` reaches (or that a NAT forwards to) connects.
"""

from __future__ import annotations

import ipaddress
import re

__all__ = ["offer_host"]

_CANDIDATE = re.compile(r"^(a=candidate:\S+ \d+ \S+ \d+ )(\S+)( \d+ typ host\b.*)$", re.M)
_CONNECTION = re.compile(r"^c=IN IP[46] \S+$", re.M)


def offer_host(sdp: str, host: str) -> str:
    """`sdp` with `host` as the address of each host candidate (see the module)."""
    sdp = _CANDIDATE.sub(lambda m: f"{m.group(1)}{host}{m.group(3)}", sdp)
    try:
        family = ipaddress.ip_address(host).version
    except ValueError:  # a host name: the browser resolves it in the candidates only
        return sdp
    return _CONNECTION.sub(f"c=IN IP{family} {host}", sdp)
