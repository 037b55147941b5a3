"""What the instrument in a page answers, as typed records (see `instrument`).

Times are the page's wall clock in epoch milliseconds (`Date.now()`, sub-millisecond), as the
page measured them; `drive.speaking.log_time_of` puts them on the event log's clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ...errors import BrowserError

__all__ = ["ChannelState", "MutationSummary", "PageChannels", "PeerState", "PlayTiming"]


def _number(data: Mapping[str, Any], key: str, *, optional: bool = False) -> Any:
    value = data.get(key)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BrowserError(f"the page answered {key}={value!r}, not a number: is the page's "
                           "script the bridge's own?")
    return value


@dataclass(frozen=True)
class PlayTiming:
    """When audio played into the page started and ended (epoch ms), and its length (ms)."""

    started_at_ms: float
    ended_at_ms: float
    duration_ms: float

    @classmethod
    def from_json(cls, data: Any) -> PlayTiming:
        if not isinstance(data, Mapping):
            raise BrowserError(f"the page answered {data!r} to play, not its timing")
        return cls(float(_number(data, "startedAtMs")), float(_number(data, "endedAtMs")),
                   float(_number(data, "durationMs")))


@dataclass(frozen=True)
class MutationSummary:
    """What the DOM did between a function call and the moment the bridge took the summary.

    Counts: element nodes `added` / `removed`, `attributes` changed (other than `style`),
    `styles` (changes of the `style` attribute) and `text` (character data, text nodes added
    or removed); `after_output` of them came after the page sent the call's output.
    `samples` describe the first few changes. `complete` is False when the watch was let go
    before it was taken (it ran too long).
    """

    call_id: str
    name: str | None
    added: int
    removed: int
    attributes: int
    styles: int
    text: int
    after_output: int
    samples: tuple[str, ...]
    started_at_ms: float
    output_at_ms: float | None
    last_change_at_ms: float | None
    taken_at_ms: float
    complete: bool = True
    baseline: Mapping[str, int] = field(default_factory=dict)  # counts when the call arrived

    @property
    def changes(self) -> int:
        return self.added + self.removed + self.attributes + self.styles + self.text

    @property
    def changed(self) -> bool:
        return self.changes > 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> MutationSummary:
        samples = data.get("samples")
        name = data.get("name")
        return cls(
            call_id=str(data.get("callId")), name=name if isinstance(name, str) else None,
            **{key: int(_number(data, camel)) for key, camel in (
                ("added", "added"), ("removed", "removed"), ("attributes", "attributes"),
                ("styles", "styles"), ("text", "text"), ("after_output", "afterOutput"))},
            samples=tuple(str(s) for s in samples) if isinstance(samples, list) else (),
            started_at_ms=float(_number(data, "startedAtMs")),
            output_at_ms=_number(data, "outputAtMs", optional=True),
            last_change_at_ms=_number(data, "lastChangeAtMs", optional=True),
            taken_at_ms=float(_number(data, "takenAtMs")),
            complete=data.get("complete") is not False,
            baseline=_counts(data.get("baseline")))

    def to_event(self) -> dict[str, Any]:
        """The summary as the event log keeps it (OpenAI-style snake_case keys)."""
        return {"added": self.added, "removed": self.removed, "attributes": self.attributes,
                "styles": self.styles, "text": self.text, "after_output": self.after_output,
                "samples": list(self.samples), "complete": self.complete}


@dataclass(frozen=True)
class ChannelState:
    label: str
    state: str
    realtime: bool


@dataclass(frozen=True)
class PeerState:
    """One RTCPeerConnection the page made (`peer` numbers them per frame, from 1)."""

    frame_url: str
    peer: int
    state: str
    ufrag: str | None
    channels: tuple[ChannelState, ...]


@dataclass(frozen=True)
class PageChannels:
    """What the page did with WebRTC, over all its frames."""

    peers: tuple[PeerState, ...]
    dropped_ice_servers: tuple[str, ...]
    microphones: int

    @property
    def realtime(self) -> ChannelState | None:
        """The open channel that carries realtime events (the latest one), if any."""
        found = None
        for peer in self.peers:
            for channel in peer.channels:
                if channel.realtime and channel.state == "open":
                    found = channel
        return found

    @classmethod
    def from_frames(cls, frames: Iterable[tuple[str, Mapping[str, Any]]]) -> PageChannels:
        peers: list[PeerState] = []
        dropped: list[str] = []
        microphones = 0
        for url, state in frames:
            for peer in state.get("peers") or ():
                ufrag = peer.get("ufrag")
                channels = tuple(ChannelState(str(c.get("label")), str(c.get("state")),
                                              c.get("realtime") is True)
                                 for c in peer.get("channels") or ())
                peers.append(PeerState(url, int(_number(peer, "peer")), str(peer.get("state")),
                                       ufrag if isinstance(ufrag, str) else None, channels))
            dropped += [str(u) for u in state.get("droppedIceServers") or ()]
            microphones += int(state.get("microphones") or 0)
        return cls(tuple(peers), tuple(dropped), microphones)


def _counts(raw: Any) -> dict[str, int]:
    if not isinstance(raw, Mapping):
        return {}
    return {str(k): v for k, v in raw.items() if isinstance(v, int) and not isinstance(v, bool)}
