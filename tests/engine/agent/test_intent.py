"""Intent matching: tool calls read from words, for the seed's tools and for tool sets it has
never seen. Every expected call is exact, and every returned call must satisfy its schema."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bridge.css.colors import color_names
from bridge.engine.agent.arguments import color_words
from bridge.engine.agent.intent import IntentMatcher, ToolCall

ROOT = Path(__file__).resolve().parents[3]


def _seed_tools() -> list[dict[str, Any]]:
    tools = json.loads((ROOT / "pages" / "tools.json").read_text())["tools"]
    return [{k: v for k, v in tool.items() if not k.startswith("x-")} for tool in tools]


def _tool(
    name: str,
    description: str,
    properties: Mapping[str, Any] | None = None,
    required: Sequence[str] = (),
) -> dict[str, Any]:
    return {
        "type": "function",
        "name": name,
        "description": description,
        "parameters": {
            "type": "object",
            "properties": dict(properties or {}),
            "required": list(required),
            "additionalProperties": False,
        },
    }


SEED = _seed_tools()
OTHERS = [
    _tool("setVolume", "Set the playback volume.",
          {"level": {"type": "integer", "minimum": 0, "maximum": 100,
                     "description": "Volume level from 0 to 100."}}, ["level"]),
    _tool("toggleDarkMode", "Switch the dark theme on or off.",
          {"enabled": {"type": "boolean", "description": "True to turn dark mode on."}},
          ["enabled"]),
    _tool("setTitle", "Set the document title shown in the browser tab.",
          {"title": {"type": "string", "description": "The new title."}}, ["title"]),
    _tool("scrollTo", "Scroll to a section of the page.",
          {"section": {"type": "string", "enum": ["top", "pricing", "contact"]}}, ["section"]),
    _tool("setBorderColor", "Set the colour of the card border.",
          {"color": {"type": "string", "pattern": "^#[0-9a-f]{6}$",
                     "description": "Border colour in hexadecimal notation, e.g. #ff0000."}},
          ["color"]),
    _tool("add_to_cart", "Add a product to the shopping cart.",
          {"product_name": {"type": "string", "description": "Name of the product."},
           "quantity": {"type": "integer", "minimum": 1, "description": "How many to add."}},
          ["product_name"]),
    _tool("set_font_size", "Set the base font size of the article.",
          {"size_px": {"type": "integer", "description": "Font size in pixels."}}, ["size_px"]),
]


def _match(tools: Sequence[Mapping[str, Any]], text: str, choice: Any = "auto") -> ToolCall | None:
    return _checked(IntentMatcher(tools, choice), tools, text)


def _checked(
    matcher: IntentMatcher, tools: Sequence[Mapping[str, Any]], text: str
) -> ToolCall | None:
    call = matcher.match(text)
    if call is not None:
        schema = next(t["parameters"] for t in tools if t.get("name") == call.name)
        jsonschema.validate(call.arguments, schema)
    return call


SEED_PHRASINGS: list[tuple[str, str, dict[str, Any]]] = [
    # changeBackgroundColor
    ("change the background color to blue", "changeBackgroundColor", {"color": "blue"}),
    ("make the background dark green", "changeBackgroundColor", {"color": "darkgreen"}),
    ("turn the page background light blue", "changeBackgroundColor", {"color": "lightblue"}),
    ("Make the background Light Blue.", "changeBackgroundColor", {"color": "lightblue"}),
    ("set the backdrop to #00f", "changeBackgroundColor", {"color": "#00f"}),
    ("background colour yellow please", "changeBackgroundColor", {"color": "yellow"}),
    ("Change the background to rgb(0, 128, 0)", "changeBackgroundColor",
     {"color": "rgb(0, 128, 0)"}),
    ("make the background transparent", "changeBackgroundColor", {"color": "transparent"}),
    ("make the background hex zero zero f", "changeBackgroundColor", {"color": "#00f"}),
    ("change the background colour to hex code a b c d e f", "changeBackgroundColor",
     {"color": "#abcdef"}),
    # changeTextColor
    ("make the text white", "changeTextColor", {"color": "white"}),
    ("set the font colour to red", "changeTextColor", {"color": "red"}),
    ("change the text color to dark slate grey", "changeTextColor", {"color": "darkslategrey"}),
    ("make the writing black", "changeTextColor", {"color": "black"}),
    ("change the words to navy", "changeTextColor", {"color": "navy"}),
    # changeButtonStyle
    ("make the button bigger and red", "changeButtonStyle", {"size": "bigger", "color": "red"}),
    ("make the button 30 pixels", "changeButtonStyle", {"size": "30px"}),
    ("make the button smaller", "changeButtonStyle", {"size": "smaller"}),
    ("make the button thirty pixels", "changeButtonStyle", {"size": "30px"}),
    ("make the button twenty four pixels and green", "changeButtonStyle",
     {"size": "24px", "color": "green"}),
    ("make the button one point five em", "changeButtonStyle", {"size": "1.5em"}),
    ("make the button 2 em", "changeButtonStyle", {"size": "2em"}),
    ("make the button 30", "changeButtonStyle", {"size": "30px"}),
    ("set the button size to 150 percent", "changeButtonStyle", {"size": "150%"}),
    ("set the button size to one hundred and fifty percent", "changeButtonStyle",
     {"size": "150%"}),
    ("make the button larger", "changeButtonStyle", {"size": "bigger"}),
    ("make the button huge", "changeButtonStyle", {"size": "bigger"}),
    ("make the button tiny", "changeButtonStyle", {"size": "smaller"}),
    ("increase the size of the button", "changeButtonStyle", {"size": "bigger"}),
    ("paint the button orange", "changeButtonStyle", {"color": "orange"}),
    ("change button colour to hot pink", "changeButtonStyle", {"color": "hotpink"}),
    ("turn the button gold and make it twenty pixels", "changeButtonStyle",
     {"size": "20px", "color": "gold"}),
    # getPageHTML
    ("what is on the page", "getPageHTML", {}),
    ("What's on the page?", "getPageHTML", {}),
    ("read the page", "getPageHTML", {}),
    ("show me the html", "getPageHTML", {}),
    ("describe the page", "getPageHTML", {}),
    ("what does the page say", "getPageHTML", {}),
]


@pytest.mark.parametrize(("text", "name", "arguments"), SEED_PHRASINGS)
def test_seed_tools(text: str, name: str, arguments: dict[str, Any]) -> None:
    assert _match(SEED, text) == ToolCall(name, arguments)


@pytest.mark.parametrize(
    "text",
    [
        "hello how are you",
        "thank you",
        "",
        "   ",
        "change the colour",  # which colour?
        "change the colour to blue",  # of what: background, text and button tie
        "make it red",
        "make the button",  # neither a size nor a colour
        "what time is it",
        "make the background hash one two",  # two digits are no hex code
        "make it bigger",  # bigger what? "bigger" is a value, not the name of a thing
    ],
)
def test_says_nothing_rather_than_guess(text: str) -> None:
    assert _match(SEED, text) is None


OTHER_PHRASINGS: list[tuple[str, str, dict[str, Any]]] = [
    ("set the volume to 50", "setVolume", {"level": 50}),
    ("volume twenty five", "setVolume", {"level": 25}),
    ("turn the volume up to one hundred", "setVolume", {"level": 100}),
    ("set the volume to max", "setVolume", {"level": 100}),
    ("turn on dark mode", "toggleDarkMode", {"enabled": True}),
    ("turn dark mode off", "toggleDarkMode", {"enabled": False}),
    ("disable the dark theme", "toggleDarkMode", {"enabled": False}),
    ("set the title to hello world", "setTitle", {"title": "hello world"}),
    ("change the title of the page to Welcome Home", "setTitle", {"title": "Welcome Home"}),
    ('set the title to "Red Alert"', "setTitle", {"title": "Red Alert"}),
    ("set title good morning", "setTitle", {"title": "good morning"}),
    ("scroll to pricing", "scrollTo", {"section": "pricing"}),
    ("go to the contact section", "scrollTo", {"section": "contact"}),
    ("scroll back to the top", "scrollTo", {"section": "top"}),
    ("make the border red", "setBorderColor", {"color": "#ff0000"}),
    ("set the border colour to light blue", "setBorderColor", {"color": "#add8e6"}),
    ("set the border to hash f f zero zero zero zero", "setBorderColor", {"color": "#ff0000"}),
    ("add three apples to the cart", "add_to_cart", {"product_name": "apples", "quantity": 3}),
    ("add milk to my cart", "add_to_cart", {"product_name": "milk"}),
    ("set the font size to eighteen pixels", "set_font_size", {"size_px": 18}),
    ("make the font 20px", "set_font_size", {"size_px": 20}),
]


@pytest.mark.parametrize(("text", "name", "arguments"), OTHER_PHRASINGS)
def test_tool_sets_the_seed_does_not_have(text: str, name: str, arguments: dict[str, Any]) -> None:
    assert _match(OTHERS, text) == ToolCall(name, arguments)


@pytest.mark.parametrize(("text", "name", "arguments"), OTHER_PHRASINGS + SEED_PHRASINGS)
def test_seed_and_other_tools_together(text: str, name: str, arguments: dict[str, Any]) -> None:
    assert _match(SEED + OTHERS, text) == ToolCall(name, arguments)


@pytest.mark.parametrize(
    "text",
    [
        "set the volume to 150",  # above the schema's maximum
        "set the volume",  # no level
        "turn the volume to 2.5",  # not an integer
        "hello how are you",
    ],
)
def test_other_tools_say_nothing_without_their_arguments(text: str) -> None:
    assert _match(OTHERS, text) is None


def test_a_switch_named_without_on_or_off_is_turned_on() -> None:
    assert _match(OTHERS, "dark mode") == ToolCall("toggleDarkMode", {"enabled": True})
    assert _match(OTHERS, "dark mode off") == ToolCall("toggleDarkMode", {"enabled": False})


TODO = [
    _tool("addTodo", "Add an item to the todo list.",
          {"text": {"type": "string", "description": "What needs doing."}}, ["text"]),
    _tool("completeTodo", "Mark a todo item as done.",
          {"index": {"type": "integer", "minimum": 1,
                     "description": "Position of the item, starting at 1."}}, ["index"]),
    _tool("clearCompleted", "Remove all completed items."),
    _tool("setFilter", "Show all, active or completed items.",
          {"filter": {"type": "string", "enum": ["all", "active", "completed"]}}, ["filter"]),
    _tool("setZoom", "Zoom the page.",
          {"factor": {"type": "number", "minimum": 0.25, "maximum": 4,
                      "description": "Zoom factor, 1 is normal."}}, ["factor"]),
]


@pytest.mark.parametrize(
    ("text", "name", "arguments"),
    [
        ("add buy milk to the list", "addTodo", {"text": "buy milk"}),
        ("add a todo called walk the dog", "addTodo", {"text": "walk the dog"}),
        ("mark item two as done", "completeTodo", {"index": 2}),
        ("complete the third item", "completeTodo", {"index": 3}),
        ("mark the twenty first item as done", "completeTodo", {"index": 21}),
        ("clear completed items", "clearCompleted", {}),
        ("remove the completed items", "clearCompleted", {}),
        ("show only active items", "setFilter", {"filter": "active"}),
        ("show completed", "setFilter", {"filter": "completed"}),
        ("zoom to one point five", "setZoom", {"factor": 1.5}),
        ("zoom in to 2", "setZoom", {"factor": 2}),
    ],
)
def test_a_todo_app(text: str, name: str, arguments: dict[str, Any]) -> None:
    assert _match(TODO, text) == ToolCall(name, arguments)


def test_nothing_is_keyed_on_the_seed_tool_names() -> None:
    renamed = [
        _tool("paint_page", "Paint the page backdrop.",
              {"colour": {"type": "string", "description": "Any CSS colour."}}, ["colour"]),
        _tool("ink", "Colour of the writing.",
              {"colour": {"type": "string", "description": "Any CSS colour."}}, ["colour"]),
        _tool("dump_markup", "Return the markup of the document."),
    ]
    assert _match(renamed, "make the background dark green") == ToolCall(
        "paint_page", {"colour": "darkgreen"})
    assert _match(renamed, "make the text white") == ToolCall("ink", {"colour": "white"})
    assert _match(renamed, "show me the html") == ToolCall("dump_markup", {})
    agent = ROOT / "bridge" / "engine" / "agent"
    for path in (agent / "intent.py", *(agent / "arguments").glob("*.py")):
        source = path.read_text()
        for tool in SEED:
            assert tool["name"] not in source


COLORS_TOOL = _tool(
    "setColors", "Set the colours of the card.",
    {"text_color": {"type": "string", "description": "Colour of the text."},
     "background_color": {"type": "string", "description": "Colour of the background."}},
)


@pytest.mark.parametrize(
    ("text", "arguments"),
    [
        ("make the text white and the background navy",
         {"text_color": "white", "background_color": "navy"}),
        ("make the background navy and the text white",
         {"text_color": "white", "background_color": "navy"}),
        ("make the card text white", {"text_color": "white"}),
        ("make the card background black", {"background_color": "black"}),
    ],
)
def test_each_value_goes_to_its_own_parameter(text: str, arguments: dict[str, Any]) -> None:
    assert _match([COLORS_TOOL], text) == ToolCall("setColors", arguments)


def test_any_of_required_groups() -> None:
    button = next(t for t in SEED if t["name"] == "changeButtonStyle")
    assert _match([button], "make the button red") == ToolCall(
        "changeButtonStyle", {"color": "red"})
    assert _match([button], "make the button bigger") == ToolCall(
        "changeButtonStyle", {"size": "bigger"})
    assert _match([button], "restyle the button") is None


def test_relative_size_words_come_from_the_schema() -> None:
    enum_size = _tool("resize_logo", "Resize the logo.",
                      {"size": {"type": "string", "enum": ["small", "medium", "large"]}},
                      ["size"])
    assert _match([enum_size], "make the logo large") == ToolCall("resize_logo", {"size": "large"})
    assert _match([enum_size], "make the logo medium") == ToolCall(
        "resize_logo", {"size": "medium"})
    # A length that offers no relative words takes lengths only.
    width = _tool("setWidth", "Set the sidebar width.",
                  {"width": {"type": "string", "description": "A CSS length."}}, ["width"])
    assert _match([width], "make the sidebar bigger") is None
    assert _match([width], "set the sidebar width to 300 pixels") == ToolCall(
        "setWidth", {"width": "300px"})


def test_tool_choice_none_never_calls() -> None:
    assert IntentMatcher(SEED, "none").match("make the text white") is None


def test_tool_choice_required_takes_the_best_even_if_weak() -> None:
    assert _match(SEED, "make it red") is None
    # Background, text and button tie on "red"; the tool declared first wins.
    assert _match(SEED, "make it red", "required") == ToolCall(
        "changeBackgroundColor", {"color": "red"})
    volume_only = OTHERS[:1]
    assert _match(volume_only, "fifty") is None
    assert _match(volume_only, "fifty", "required") == ToolCall("setVolume", {"level": 50})
    # Still nothing when no tool's required arguments are there...
    assert _match(volume_only, "hello how are you", "required") is None
    # ...but a tool without parameters always has its arguments.
    assert _match(SEED, "hello how are you", "required") == ToolCall("getPageHTML", {})


def test_tool_choice_named_function() -> None:
    choice = {"type": "function", "name": "changeTextColor"}
    assert _match(SEED, "make it blue", choice) == ToolCall("changeTextColor", {"color": "blue"})
    assert _match(SEED, "make the button bigger and red", choice) == ToolCall(
        "changeTextColor", {"color": "red"})
    assert _match(SEED, "read the page", choice) is None
    nested = {"type": "function", "function": {"name": "getPageHTML"}}
    assert _match(SEED, "anything at all", nested) == ToolCall("getPageHTML", {})


@pytest.mark.parametrize(
    "choice",
    ["sometimes", {"type": "function", "name": "noSuchTool"}, {"type": "mcp", "name": "x"}],
)
def test_bad_tool_choice_is_refused(choice: Any) -> None:
    with pytest.raises(ValueError):
        IntentMatcher(SEED, choice)


def test_bad_tools_are_refused() -> None:
    with pytest.raises(ValueError, match="name"):
        IntentMatcher([{"type": "function", "description": "no name"}])
    with pytest.raises(ValueError, match="broken"):
        IntentMatcher([{"type": "function", "name": "broken",
                        "parameters": {"type": "object", "properties": 5}}])


def test_non_function_tools_are_ignored() -> None:
    tools = [{"type": "mcp", "server_label": "x"}, *SEED]
    assert _match(tools, "make the text white") == ToolCall("changeTextColor", {"color": "white"})
    assert IntentMatcher([]).match("make the text white") is None


def test_vocabulary_covers_what_the_matcher_understands() -> None:
    vocabulary = IntentMatcher(SEED + OTHERS).vocabulary
    expected = {"background", "html", "button", "page", "read", "show", "make", "change",
                "bigger", "smaller", "pixels", "em", "percent", "twenty", "four", "hundred",
                "point", "light", "goldenrod", "rebecca", "purple", "pricing", "contact",
                "volume", "dark", "mode", "on", "off", "cart", "colour", "color", "the", "to"}
    assert expected <= vocabulary
    assert all(word.isalpha() and word == word.lower() for word in vocabulary)


def test_every_css_colour_can_be_spoken() -> None:
    seed, border = IntentMatcher(SEED), IntentMatcher(OTHERS[4:5])
    for name in color_names():
        spoken = " ".join(color_words(name))
        assert _checked(seed, SEED, f"make the background {spoken}") == ToolCall(
            "changeBackgroundColor", {"color": name})
        if name != "transparent":  # the border's pattern takes opaque #rrggbb only
            call = _checked(border, OTHERS, f"set the border to {spoken}")
            assert call is not None and call.arguments["color"].startswith("#")


ALL = SEED + OTHERS
AUTO, REQUIRED = IntentMatcher(ALL), IntentMatcher(ALL, "required")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(sorted(AUTO.vocabulary) + ["42", "#0f0", "1.5", '"']),
                max_size=10))
def test_any_words_give_none_or_a_valid_call(words: list[str]) -> None:
    for matcher in (AUTO, REQUIRED):
        _checked(matcher, ALL, " ".join(words))  # validates whatever it returns


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_text_gives_none_or_a_valid_call(text: str) -> None:
    _checked(REQUIRED, ALL, text)
