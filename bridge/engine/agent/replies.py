"""What the local agent says: built from the tool call and the page's verified output."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

from ...css.colors import name_of
from .words import split_identifier

_IRREGULAR_PAST = {"set": "set", "make": "made", "get": "got", "read": "read", "show": "showed",
                   "put": "put", "hide": "hid", "find": "found", "send": "sent"}


def describe_call(name: str, arguments: dict[str, Any]) -> str:
    """'changed the background color to blue' — past tense of the tool's own name."""
    words = split_identifier(name) or [name]
    verb, rest = words[0], " ".join(words[1:])
    past = _IRREGULAR_PAST.get(verb) or (verb + "d" if verb.endswith("e") else verb + "ed")
    phrase = f"{past} the {rest}" if rest else past
    values = [f"{k} {_spoken(v)}" for k, v in arguments.items()]
    if len(values) == 1:
        return f"{phrase} to {_spoken(next(iter(arguments.values())))}"
    return f"{phrase}: {', '.join(values)}" if values else phrase


def reply_for_output(name: str, arguments: dict[str, Any], output: str) -> str:
    """One sentence about a tool result, honest about whether the page confirmed it.

    The bridge's outputs are JSON objects with `ok` and `verified`; other clients send what
    their tools return, often plain text ("Background changed") or an object without either.
    """
    # A client may have created the call itself, with arguments that are JSON but no object.
    action = describe_call(name, arguments if isinstance(arguments, dict) else {})
    try:
        result = json.loads(output)
    except (ValueError, TypeError):
        result = output
    if not isinstance(result, dict):
        said = _quoted(_spoken(result))
        return f"I {action}. It says: {_sentence(said)}" if said else f"I {action}."
    if result.get("ok") is False or "error" in result and result.get("ok") is not True:
        reason = str(result.get("error") or "an unknown error")
        return f"That did not work: {_sentence(_speakable(reason))}"
    if isinstance(result.get("html"), str):
        return summarise_page(result["html"])
    verified = result.get("verified")
    if verified is True:
        return f"Done. I {action}, and the page confirms it."
    if verified is False:
        why = result.get("reason") or "the change did not show on the page"
        return f"I {action}, but the page does not show it: {_sentence(_speakable(str(why)))}"
    return f"Done. I {action}."


def summarise_page(html: str) -> str:
    parser = _Headings()
    parser.feed(html)
    parts = []
    if parser.title:
        parts.append(f"The page is titled {parser.title}.")
    if parser.headings:
        parts.append("It shows " + "; ".join(parser.headings[:3]) + ".")
    if parser.buttons:
        parts.append("Buttons: " + ", ".join(parser.buttons[:4]) + ".")
    return " ".join(parts) or "The page has no headings or title."


def _spoken(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


_CSS_COLOR = re.compile(r"\brgba?\([^()]*\)")
_SAID_TWICE = re.compile(r"\b([a-z]+) \(\1\)")


def _speakable(reason: str) -> str:
    """A verifier's reason as it is best heard: computed colours by their names where they have
    one ("rgb(255, 255, 255)" read aloud takes seconds; "white" does not), said once."""
    named = _CSS_COLOR.sub(lambda match: name_of(match.group()) or match.group(), reason)
    return _SAID_TWICE.sub(r"\1", named)


_QUOTE_MAX_CHARS = 160


def _quoted(text: str) -> str:
    """A tool's own words, read out: on one line, colours named, cut at a word near 160 chars."""
    flat = _speakable(" ".join(text.split()))
    if len(flat) <= _QUOTE_MAX_CHARS:
        return flat
    return flat[:_QUOTE_MAX_CHARS].rsplit(" ", 1)[0] + " …"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?")) else text + "."


class _Headings(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.title = ""
        self.headings: list[str] = []
        self.buttons: list[str] = []
        self._open: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("title", "h1", "h2", "button"):
            self._open, self._text = tag, []

    def handle_endtag(self, tag: str) -> None:
        if tag != self._open:
            return
        text = " ".join("".join(self._text).split())
        if text:
            if tag == "title":
                self.title = text
            elif tag == "button":
                self.buttons.append(text)
            else:
                self.headings.append(text)
        self._open = None

    def handle_data(self, data: str) -> None:
        if self._open:
            self._text.append(data)
