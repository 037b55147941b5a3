"""Who may use the inspector: the rules checked on every request, kept apart from the routes.

- With no token in force (the default on a loopback bind): loopback clients only, and only for
  a loopback Host, so that a page of another site whose name was pointed at 127.0.0.1 (DNS
  rebinding), which sends its own name as Host, is refused.
- With a token in force (always on a bind outside loopback, or when BRIDGE_INSPECT_TOKEN is
  given): every request carries it, as the cookie the inspector's page got when it was opened
  with `?token=`, or as `Authorization: Bearer TOKEN`.
- Every action carries an Origin that is the bridge's own, as the request addressed it, so that
  a page of another site cannot act through a visitor's browser; the event stream is held to
  the same rule when its browser sends an Origin.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..config import is_loopback
from ..errors import Forbidden, Unauthorized

__all__ = ["Caller", "Guard", "host_name"]


@dataclass(frozen=True)
class Caller:
    """What the guard looks at in a request."""

    client: str  # the peer's address as the server saw it ("<local>" when unknown)
    host: str  # the Host header: name[:port]
    scheme: str
    origin: str | None
    token: str | None  # from `?token=`, the cookie or `Authorization: Bearer` (None: none)


class Guard:
    """The rules for one bridge: `token` None means loopback clients only."""

    def __init__(self, *, token: str | None, port: int) -> None:
        self.token = token
        # One cookie per port: cookies are shared by every port of a host.
        self.cookie_name = f"rtc_bridge_inspect_{port}"

    def check(self, caller: Caller, *, action: bool) -> None:
        """Return if `caller` may go on; Forbidden or Unauthorized saying why not."""
        if self.token is None:
            self._check_loopback(caller)
        else:
            self._check_token(caller.token)
        if action or caller.origin is not None:
            self._check_origin(caller, action=action)

    def _check_loopback(self, caller: Caller) -> None:
        if not is_loopback(caller.client):
            raise Forbidden(
                f"the inspector takes loopback clients only, not {caller.client}: run the "
                "bridge with --host set to an address others can reach, which makes the "
                "inspector ask for the token it prints")
        if not is_loopback(host_name(caller.host)):
            raise Forbidden(
                f"the inspector answers for 127.0.0.1 or localhost only, not {caller.host!r}: "
                "a request for another name may come from a page that pointed its own name at "
                "this machine")

    def _check_token(self, given: str | None) -> None:
        assert self.token is not None
        if given is None:
            raise Unauthorized(
                "the inspector needs its token: open the URL rtc-bridge printed "
                "(/inspect?token=…), or send Authorization: Bearer TOKEN", param="token")
        if not secrets.compare_digest(given.encode(), self.token.encode()):
            raise Unauthorized("wrong inspector token: use the one rtc-bridge printed at start, "
                               "or BRIDGE_INSPECT_TOKEN if you set it", param="token")

    @staticmethod
    def _check_origin(caller: Caller, *, action: bool) -> None:
        own = f"{caller.scheme}://{caller.host}".lower()
        if caller.origin is None:
            raise Forbidden(f"an inspector action needs an Origin header, as browsers send: the "
                            f"inspector's page sends one; another client sends Origin: {own}",
                            param="Origin")
        if caller.origin.rstrip("/").lower() != own:
            what = "act through" if action else "read"
            raise Forbidden(f"Origin {caller.origin!r} is not the inspector's own ({own}): a page "
                            f"of another site cannot {what} the inspector", param="Origin")


def host_name(host: str) -> str:
    """The name in a Host header, without its port (`[::1]:8765` → `::1`)."""
    try:
        name = urlsplit(f"//{host}").hostname
    except ValueError:
        return ""
    return name or ""
