"""The embedded engine: a local OpenAI-Realtime-GA-compatible WebRTC peer.

It answers the same `/v1/realtime/calls` contract as OpenAI and speaks the same events, so
the page and the upstream code run offline exactly as they run against OpenAI:

    engine = Engine(speech=EngineVoice())
    call = await engine.create_call(offer_sdp, session={"type": "realtime", "tools": tools})
    ...  # call.answer_sdp goes back to the caller; events flow on its data channel
    await engine.aclose()

The engine owns the calls (`Engine`; `Call`: a peer and its `RealtimeSession`), the GA
protocol (`protocol`: events on the wire; `session_config`: the session object), a session's
parts (`conversation`, `responses`, `input_audio` with `turns` for turn detection), audio on
the peer (`audio`), per-session `limits`, and the agent behind the sessions (`agent`).

It must not import `bridge.http`, `bridge.browser`, `bridge.drive`, `bridge.demo` or
`bridge.measure`; it may import `bridge.errors`, `bridge.tasks` and `bridge.css`.
"""

from .agent import Agent, EngineVoice, LocalAgent, Speech, ToolCall
from .call import Call
from .engine import Engine
from .limits import EventRate, SessionLimits
from .peer import ChannelTap, close_shielded
from .protocol import CHANNEL_MAX_MESSAGE_BYTES
from .session import RealtimeSession, SessionStats

__all__ = [
    "CHANNEL_MAX_MESSAGE_BYTES",
    "Agent",
    "Call",
    "ChannelTap",
    "Engine",
    "EngineVoice",
    "EventRate",
    "LocalAgent",
    "RealtimeSession",
    "SessionLimits",
    "SessionStats",
    "Speech",
    "ToolCall",
    "close_shielded",
]
