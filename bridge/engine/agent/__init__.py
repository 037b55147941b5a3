"""The agent behind the engine's sessions, and the local one the engine ships.

`Agent` is all a realtime session asks of an agent: hear a turn, choose a function call for
what was said (or none), say something about a result or about words it could not act on,
and speak. `LocalAgent` is a command-level agent, not a language model: `intent` matches words
to the session's tools, `arguments` reads their values, `replies` words the answers; with an
`EngineVoice` it hears through `recognition` (pocketsphinx against a `grammar` built from the
same tools) and speaks through `tts` (espeak-ng). `words` splits names and says numbers for
all of them.

This package imports nothing of the engine around it, nor `bridge.http`, `bridge.browser`,
`bridge.drive`, `bridge.demo` or `bridge.measure`; it may import `bridge.errors` and
`bridge.css`.
"""

from .base import Agent, Speech, ToolCall, ToolChoice, Tools
from .intent import IntentMatcher
from .local import LocalAgent
from .voice import EngineVoice

__all__ = ["Agent", "EngineVoice", "IntentMatcher", "LocalAgent", "Speech", "ToolCall",
           "ToolChoice", "Tools"]
