"""The controlled browser's network: what the page may reach and what the bridge answers
(`policy`), the router that answers a page's signalling from the bridge's upstream and lets
through or blocks the rest (`routing`), reading offers out of a page's requests
(`signalling`), and the page's own origin answered from the bridge for a remote browser
(`relay`).
"""

from .policy import NetworkPolicy
from .routing import SeenRequest, SignallingRouter

__all__ = ["NetworkPolicy", "SeenRequest", "SignallingRouter"]
