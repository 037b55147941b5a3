"""The GA session object of a call: its defaults, a `session.update` merged into it (beta
fields mapped to their GA places), and the checks on what a client may set in a session or a
`response.create`."""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from ..errors import ProtocolError

__all__ = [
    "BETA_KEYS",
    "LOCAL_AGENT_NOTE",
    "SESSION_KEYS",
    "check_response",
    "check_tool_choice",
    "check_tools",
    "check_turn_detection",
    "deep_merge",
    "default_turn_detection",
    "initial_session",
    "merge_session",
]

SESSION_KEYS = frozenset(
    {
        "type", "model", "instructions", "output_modalities", "audio", "tools", "tool_choice",
        "max_output_tokens", "tracing", "truncation", "prompt", "include",
    }
)
# Beta-interface fields. OpenAI rejects these in a GA session.update; the local engine maps
# them to their GA places so that older pages (the seed's among them) still work offline.
BETA_KEYS = frozenset(
    {
        "modalities", "voice", "input_audio_format", "output_audio_format",
        "input_audio_transcription", "turn_detection", "temperature",
        "input_audio_noise_reduction", "speed", "max_response_output_tokens",
    }
)
LOCAL_AGENT_NOTE = (
    "This is rtc-bridge's embedded engine: a local command-level agent, not a language model. "
    "It recognises spoken or typed commands that match the session's tools and answers briefly."
)


def default_turn_detection() -> dict[str, Any]:
    return {
        "type": "server_vad",
        "threshold": 0.5,
        "prefix_padding_ms": 300,
        "silence_duration_ms": 500,
        "idle_timeout_ms": None,
        "create_response": True,
        "interrupt_response": True,
    }


def initial_session(session_id: str, overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """The effective GA session of a new call: defaults, then what the caller configured."""
    pcm = {"type": "audio/pcm", "rate": 24000}
    session: dict[str, Any] = {
        "type": "realtime",
        "object": "realtime.session",
        "id": session_id,
        "model": "gpt-realtime",
        "output_modalities": ["audio"],
        "instructions": "",
        "tools": [],
        "tool_choice": "auto",
        "max_output_tokens": "inf",
        "tracing": None,
        "truncation": "auto",
        "prompt": None,
        "expires_at": int(time.time()) + 3600,
        "audio": {
            "input": {
                "format": dict(pcm),
                "transcription": None,
                "noise_reduction": None,
                "turn_detection": default_turn_detection(),
            },
            "output": {"format": dict(pcm), "voice": "marin", "speed": 1.0},
        },
        "include": None,
        "metadata": {"engine": "rtc-bridge-local", "note": LOCAL_AGENT_NOTE},
    }
    if overrides:
        session = merge_session(session, overrides, tolerate_beta=True)
    return session


def merge_session(
    current: Mapping[str, Any], update: Any, *, tolerate_beta: bool = True
) -> dict[str, Any]:
    """Apply a `session.update` payload to the effective session; ProtocolError if invalid."""
    if not isinstance(update, Mapping):
        raise ProtocolError("session must be an object", param="session")
    update = _ga_shape(update) if tolerate_beta else dict(update)
    unknown = sorted(set(update) - SESSION_KEYS)
    if unknown:
        raise ProtocolError(
            f"Unknown parameter: 'session.{unknown[0]}'.",
            code="unknown_parameter",
            param=f"session.{unknown[0]}",
        )
    kind = update.get("type", "realtime")
    if kind != "realtime":
        raise ProtocolError(
            f"session.type {kind!r} is not supported here; use 'realtime'", param="session.type"
        )
    _check_session(update)
    merged = deep_merge(current, update)
    return merged


def _ga_shape(update: Mapping[str, Any]) -> dict[str, Any]:
    ga: dict[str, Any] = {k: v for k, v in update.items() if k not in BETA_KEYS}
    audio_in: dict[str, Any] = {}
    audio_out: dict[str, Any] = {}
    if "modalities" in update:
        modalities = update["modalities"]
        if not isinstance(modalities, list):
            raise ProtocolError("session.modalities must be a list", param="session.modalities")
        ga.setdefault("output_modalities", ["audio"] if "audio" in modalities else ["text"])
    if "voice" in update:
        audio_out["voice"] = update["voice"]
    if "speed" in update:
        audio_out["speed"] = update["speed"]
    if "input_audio_transcription" in update:
        audio_in["transcription"] = update["input_audio_transcription"]
    if "turn_detection" in update:
        audio_in["turn_detection"] = update["turn_detection"]
    if "max_response_output_tokens" in update:
        ga.setdefault("max_output_tokens", update["max_response_output_tokens"])
    if audio_in or audio_out:
        audio = copy.deepcopy(ga.get("audio") or {})
        if not isinstance(audio, dict):
            raise ProtocolError("session.audio must be an object", param="session.audio")
        for part, values in (("input", audio_in), ("output", audio_out)):
            if values:
                audio[part] = {**values, **(audio.get(part) or {})}
        ga["audio"] = audio
    return ga


def _check_session(update: Mapping[str, Any]) -> None:
    if "instructions" in update and not isinstance(update["instructions"], str):
        raise ProtocolError("session.instructions must be a string", param="session.instructions")
    if "output_modalities" in update:
        modalities = update["output_modalities"]
        if modalities not in (["audio"], ["text"]):
            raise ProtocolError(
                "session.output_modalities must be ['audio'] or ['text']",
                param="session.output_modalities",
            )
    if "tools" in update:
        check_tools(update["tools"])
    if "tool_choice" in update:
        check_tool_choice(update["tool_choice"], update.get("tools"))
    if "model" in update and not isinstance(update["model"], str):
        raise ProtocolError("session.model must be a string", param="session.model")
    audio = update.get("audio")
    if audio is not None:
        _check_audio(audio)


def _check_audio(audio: Any) -> None:
    if not isinstance(audio, Mapping):
        raise ProtocolError("session.audio must be an object", param="session.audio")
    for part in ("input", "output"):
        if not isinstance(audio.get(part, {}), Mapping):
            raise ProtocolError(f"session.audio.{part} must be an object",
                                param=f"session.audio.{part}")
    audio_in: Mapping[str, Any] = audio.get("input", {})
    audio_out: Mapping[str, Any] = audio.get("output", {})
    for key in ("transcription", "noise_reduction", "format"):
        if audio_in.get(key) is not None and not isinstance(audio_in[key], Mapping):
            raise ProtocolError(f"session.audio.input.{key} must be an object or null",
                                param=f"session.audio.input.{key}")
    turn = audio_in.get("turn_detection", {})
    if turn is not None:
        check_turn_detection(turn)
    if "voice" in audio_out and not isinstance(audio_out["voice"], str):
        raise ProtocolError("session.audio.output.voice must be a string",
                            param="session.audio.output.voice")
    speed = audio_out.get("speed", 1.0)
    if not isinstance(speed, int | float) or isinstance(speed, bool) or not 0.25 <= speed <= 4:
        raise ProtocolError("session.audio.output.speed must be a number in [0.25, 4]",
                            param="session.audio.output.speed")
    if audio_out.get("format") is not None and not isinstance(audio_out["format"], Mapping):
        raise ProtocolError("session.audio.output.format must be an object",
                            param="session.audio.output.format")


def check_response(params: Mapping[str, Any]) -> None:
    """Check the `response` object of a `response.create`; ProtocolError if it is unusable."""
    if "output_modalities" in params and params["output_modalities"] not in (["audio"], ["text"]):
        raise ProtocolError("response.output_modalities must be ['audio'] or ['text']",
                            param="response.output_modalities")
    if "instructions" in params and not isinstance(params["instructions"], str):
        raise ProtocolError("response.instructions must be a string",
                            param="response.instructions")
    if "tools" in params:
        check_tools(params["tools"])
    if "tool_choice" in params:
        check_tool_choice(params["tool_choice"], params.get("tools"))
    if params.get("metadata") is not None and not isinstance(params["metadata"], Mapping):
        raise ProtocolError("response.metadata must be an object", param="response.metadata")
    if params.get("conversation", "auto") not in ("auto", "none"):
        raise ProtocolError("response.conversation must be 'auto' or 'none'",
                            param="response.conversation")


def check_tools(tools: Any) -> None:
    if not isinstance(tools, list):
        raise ProtocolError("session.tools must be a list", param="session.tools")
    names: set[str] = set()
    for index, tool in enumerate(tools):
        where = f"session.tools[{index}]"
        if not isinstance(tool, Mapping) or tool.get("type") != "function":
            raise ProtocolError(f"{where} must be a function tool", param=where)
        name = tool.get("name")
        if not isinstance(name, str) or not name or len(name) > 64:
            raise ProtocolError(f"{where}.name must be a non-empty string", param=f"{where}.name")
        if name in names:
            raise ProtocolError(f"duplicate tool name {name!r}", param=f"{where}.name")
        names.add(name)
        parameters = tool.get("parameters", {"type": "object"})
        if not isinstance(parameters, Mapping):
            raise ProtocolError(f"{where}.parameters must be an object", param=f"{where}.parameters")
        try:
            Draft202012Validator.check_schema(parameters)
        except SchemaError as err:
            raise ProtocolError(f"{where}.parameters is not a valid JSON schema: {err.message}",
                                param=f"{where}.parameters") from err


def check_tool_choice(choice: Any, tools: Any) -> None:
    if choice in ("auto", "none", "required"):
        return
    if (isinstance(choice, Mapping) and choice.get("type") == "function"
            and isinstance(choice.get("name"), str)):
        return
    raise ProtocolError(
        "tool_choice must be 'auto', 'none', 'required' or {'type':'function','name':…}",
        param="session.tool_choice",
    )


def check_turn_detection(turn: Any) -> None:
    if not isinstance(turn, Mapping):
        raise ProtocolError("turn_detection must be an object or null", param="turn_detection")
    kind = turn.get("type", "server_vad")
    if kind not in ("server_vad", "semantic_vad"):
        raise ProtocolError(f"turn_detection.type {kind!r} is not supported", param="type")
    for key, low, high in (
        ("threshold", 0.0, 1.0),
        ("prefix_padding_ms", 0, 5000),
        ("silence_duration_ms", 0, 10000),
    ):
        value = turn.get(key)
        if value is not None and (
            not isinstance(value, int | float) or isinstance(value, bool) or not low <= value <= high
        ):
            raise ProtocolError(
                f"turn_detection.{key} must be a number in [{low}, {high}]",
                param=f"session.audio.input.turn_detection.{key}",
            )


def deep_merge(base: Mapping[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with `update` laid over it, objects merged key by key, anything else replaced."""
    merged = copy.deepcopy(dict(base))
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
