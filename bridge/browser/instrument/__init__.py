"""The instrument: an init script (`core.js` with its parts `peers.js`, `tools.js`, `audio.js`)
that lets the bridge see into, speak into and record any voice page without changing it, and
its Python side (`page`: installing it, `PageInstrument` calling it; `records`: what it reports).
"""

from .page import DEFAULT_API, InstrumentConfig, PageInstrument, init_script, install
from .records import ChannelState, MutationSummary, PageChannels, PeerState, PlayTiming

__all__ = ["DEFAULT_API", "ChannelState", "InstrumentConfig", "MutationSummary", "PageChannels",
           "PageInstrument", "PeerState", "PlayTiming", "init_script", "install"]
