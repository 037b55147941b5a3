"""Intent read from a schema the engine never saw: the seed project's own descriptions, a
to-do list and a media player (typed; the spoken path is measured by `make accuracy`)."""

from __future__ import annotations

from typing import Any

import pytest

from bridge.engine.agent.intent import IntentMatcher, ToolCall


def _tool(name: str, description: str, properties: dict[str, Any] | None = None,
          required: tuple[str, ...] = ()) -> dict[str, Any]:
    parameters = {"type": "object", "properties": properties or {}, "required": list(required)}
    return {"type": "function", "name": name, "description": description, "parameters": parameters}


HEX = {"type": "string", "description": "Hexadecimal value of the color"}
SEED = [
    _tool("changeBackgroundColor", "Change the background color of the webpage", {"color": HEX}),
    _tool("changeTextColor", "Change the text color of the webpage", {"color": HEX}),
    _tool("changeButtonStyle", "Change the size and color of the button", {
        "size": {"type": "string", "description": 'Font size of the button (e.g., "16px" or "1em")'},
        "color": {"type": "string", "description": "Background color of the button"}}),
    {"type": "function", "name": "getPageHTML", "description": "Get the HTML content of the current page"},
]
PLAYER = [
    _tool("playSong", "Play a song", {"title": {"type": "string", "description": "The song or artist"}},
          ("title",)),
    _tool("setShuffle", "Turn shuffle on or off", {"enabled": {"type": "boolean"}}, ("enabled",)),
    _tool("setRepeat", "Choose what repeats", {"mode": {
        "type": "string", "enum": ["off", "one", "all"],
        "description": "Repeat nothing, the current song or the whole queue"}}, ("mode",)),
    _tool("openLink", "Open a web address", {"url": {"type": "string", "format": "uri"}}, ("url",)),
]
TODO = [
    _tool("addTodo", "Add an item to the to-do list",
          {"text": {"type": "string", "description": "What to do"}}, ("text",)),
    _tool("setFilter", "Show all, active or completed items",
          {"filter": {"type": "string", "enum": ["all", "active", "completed"]}}, ("filter",)),
]


@pytest.mark.parametrize(("tools", "text", "call"), [
    (SEED, "make the button bigger", ToolCall("changeButtonStyle", {"size": "20px"})),
    (SEED, "make the button smaller", ToolCall("changeButtonStyle", {"size": "13px"})),
    (SEED, "turn the font white", ToolCall("changeTextColor", {"color": "#ffffff"})),
    (SEED, "read the page to me", ToolCall("getPageHTML", {})),
    (SEED, "what is on this page", ToolCall("getPageHTML", {})),
    (SEED, "tell me about the site", ToolCall("getPageHTML", {})),
    (TODO, "please put call the dentist on the to do list",
     ToolCall("addTodo", {"text": "call the dentist"})),
    (TODO, "remind me to send the invoice", ToolCall("addTodo", {"text": "send the invoice"})),
    (TODO, "show me everything", ToolCall("setFilter", {"filter": "all"})),
    (TODO, "show what is done", ToolCall("setFilter", {"filter": "completed"})),
    (PLAYER, "shuffle the songs", ToolCall("setShuffle", {"enabled": True})),
    (PLAYER, "stop shuffling", ToolCall("setShuffle", {"enabled": False})),
    (PLAYER, "repeat the whole queue", ToolCall("setRepeat", {"mode": "all"})),
    (PLAYER, "repeat the current song", ToolCall("setRepeat", {"mode": "one"})),
    (PLAYER, "play hey jude", ToolCall("playSong", {"title": "hey jude"})),
    (PLAYER, "go to example.com", ToolCall("openLink", {"url": "https://example.com"})),
    (PLAYER, "open python dot org slash downloads", ToolCall("openLink", {"url": "https://python.org/downloads"})),
])  # fmt: skip
def test_calls_are_read_from_the_schema(tools: list[dict[str, Any]], text: str, call: ToolCall) -> None:
    assert IntentMatcher(tools).match(text) == call


@pytest.mark.parametrize("text", [
    "I like blue", "the button on my shirt fell off", "my text messages are slow",
    "red is my favourite colour", "that tune was on repeat all summer", "see you tomorrow",
])  # fmt: skip
def test_statements_and_near_misses_call_nothing(text: str) -> None:
    assert IntentMatcher(SEED + PLAYER).match(text) is None


def test_a_command_after_a_statement_is_still_a_command() -> None:
    temperature = {"temperature": {"type": "integer"}}
    tools = [_tool("setThermostat", "Set the heating", temperature, ("temperature",))]
    assert IntentMatcher(tools).match("it's cold, set the heating to twenty") == ToolCall(
        "setThermostat", {"temperature": 20})
