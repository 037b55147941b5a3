"""What the local agent says about a tool result: one honest sentence, quick to hear."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bridge.engine.agent.replies import describe_call, reply_for_output, summarise_page


def _output(**result: Any) -> str:
    return json.dumps(result)


@pytest.mark.parametrize("name, arguments, said", [
    ("changeBackgroundColor", {"color": "blue"}, "changed the background color to blue"),
    ("setVolume", {"level": 3}, "set the volume to 3"),
    ("makeCoffee", {}, "made the coffee"),
    ("changeButtonStyle", {"size": "24px", "color": "red"},
     "changed the button style: size 24px, color red"),
    ("refresh", {}, "refreshed"),
])
def test_a_call_is_described_in_the_past_tense_of_its_name(
    name: str, arguments: dict[str, Any], said: str
) -> None:
    assert describe_call(name, arguments) == said


def test_verified_results_are_confirmed() -> None:
    reply = reply_for_output("changeTextColor", {"color": "white"}, _output(ok=True, verified=True))
    assert reply == "Done. I changed the text color to white, and the page confirms it."


def test_an_unconfirmed_change_is_said_with_colour_names_not_rgb_triplets() -> None:
    reason = "background-color is rgb(255, 255, 255), expected rgb(0, 0, 255) (blue)"
    reply = reply_for_output("changeBackgroundColor", {"color": "blue"},
                             _output(ok=True, verified=False, reason=reason))
    assert reply == ("I changed the background color to blue, but the page does not show it: "
                     "background-color is white, expected blue.")


def test_colours_without_a_name_are_kept_as_they_are() -> None:
    reason = "color is rgba(1, 2, 3, 0.5), expected rgb(18, 52, 86) (#123456)"
    reply = reply_for_output("changeTextColor", {"color": "#123456"},
                             _output(ok=True, verified=False, reason=reason))
    assert reply.endswith(f": {reason}.")


def test_errors_are_said_honestly() -> None:
    error = reply_for_output("changeTextColor", {"color": "x"},
                             _output(ok=False, error="color: 'x' is not a CSS colour"))
    assert error == "That did not work: color: 'x' is not a CSS colour."


ACTION = "I changed the background color to blue"


@pytest.mark.parametrize("output, said", [
    ("Background changed", f"{ACTION}. It says: Background changed."),
    ("", f"{ACTION}."),
    ("true", f"{ACTION}. It says: true."),
    ('{"ok": true, "backgroundColor": "rgb(0, 0, 255)"}', f"Done. {ACTION}."),
    ("set to rgb(0, 0, 255)\n  at once", f"{ACTION}. It says: set to blue at once."),
], ids=["text", "empty", "json-scalar", "object-without-verified", "multi-line"])
def test_other_clients_outputs_are_said_as_they_come(output: str, said: str) -> None:
    assert reply_for_output("changeBackgroundColor", {"color": "blue"}, output) == said


def test_a_long_plain_output_is_cut_at_a_word() -> None:
    reply = reply_for_output("getTime", {}, "word " * 100)
    assert reply.startswith("I got the time. It says: word word")
    assert reply.endswith(" ….") and len(reply) < 220


def test_page_html_is_summarised_by_title_headings_and_buttons() -> None:
    html = ("<html><head><title>Shop</title></head><body><h1>Basket</h1><h2>Total</h2>"
            "<button>Pay</button><button> Back </button><p>long text</p></body></html>")
    assert reply_for_output("getPageHTML", {}, _output(ok=True, html=html)) == \
        "The page is titled Shop. It shows Basket; Total. Buttons: Pay, Back."
    assert summarise_page("<p>nothing</p>") == "The page has no headings or title."
