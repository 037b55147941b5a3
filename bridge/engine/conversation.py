"""A session's conversation: its items in order, and the function calls among them.

Items are OpenAI's wire objects (``{"id", "type", "role", "content", ...}``), kept as sent: a
client's item is echoed back with every field it had.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..errors import ProtocolError
from .protocol import new_id

__all__ = ["Conversation", "Item", "Send", "latest_user_text"]

Item = dict[str, Any]
Send = Callable[[dict[str, Any]], None]


class Conversation:
    """The items of one session, oldest first, announced as they are added.

    ``calls`` are the function calls by call id, made by a response or created by the client:
    a ``function_call_output`` must answer one of them. Items the next response answers (user
    messages, outputs) wait in `take_unanswered`.
    """

    def __init__(self, send: Send, calls: dict[str, Item]) -> None:
        self._send = send
        self.calls = calls
        self._items: dict[str, Item] = {}  # oldest first
        # Each item's predecessor, so that a long conversation costs nothing more per event.
        self._previous: dict[str, str | None] = {}
        self._unanswered: list[Item] = []

    @property
    def items(self) -> list[Item]:
        """The conversation, oldest first."""
        return list(self._items.values())

    @property
    def last_id(self) -> str | None:
        """The id of the newest item, or None."""
        return next(reversed(self._items), None)

    def previous_of(self, item_id: str) -> str | None:
        """The id of the item before ``item_id`` (None for the first, or one not found)."""
        return self._previous.get(item_id)

    def add(self, item: Item, *, done: bool = True) -> None:
        """Append ``item``: `conversation.item.added`, and `.done` unless it is still to be
        completed (then `finish` it)."""
        previous = self.last_id
        self._items[item["id"]] = item
        self._previous[item["id"]] = previous
        self._send({"type": "conversation.item.added", "previous_item_id": previous,
                    "item": item})
        if done:
            self._send({"type": "conversation.item.done", "previous_item_id": previous,
                        "item": item})

    def finish(self, item: Item) -> None:
        """Announce that ``item``, added earlier, is complete."""
        self._send({"type": "conversation.item.done",
                    "previous_item_id": self.previous_of(item["id"]), "item": item})

    def awaits_answer(self, item: Item) -> None:
        """Let the next response answer ``item``."""
        self._unanswered.append(item)

    @property
    def has_unanswered(self) -> bool:
        """Whether some item waits for a response to answer it."""
        return bool(self._unanswered)

    def take_unanswered(self) -> list[Item]:
        """The items no response has answered yet, oldest first; they are answered now."""
        items, self._unanswered = self._unanswered, []
        return items

    def create(self, item: Any) -> None:
        """Add an item a client created (`conversation.item.create`); ProtocolError if unusable."""
        if not isinstance(item, dict):
            raise ProtocolError("item must be an object", code="missing_required_parameter",
                                param="item")
        item = dict(item)
        kind = item.get("type")
        if kind == "message":
            _check_message(item)
        elif kind == "function_call_output":
            call_id = item.get("call_id")
            if call_id not in self.calls:
                raise ProtocolError(f"no function call with call_id {call_id!r} in this "
                                    "conversation", code="invalid_call_id", param="item.call_id")
            if not isinstance(item.get("output"), str):
                raise ProtocolError("function_call_output.output must be a string",
                                    code="invalid_type", param="item.output")
        elif kind == "function_call":
            if not isinstance(item.get("name"), str) or not isinstance(item.get("call_id"), str):
                raise ProtocolError("function_call needs name and call_id",
                                    code="missing_required_parameter", param="item")
            self.calls[item["call_id"]] = item
        else:
            raise ProtocolError(f"Invalid value: {kind!r}. Supported item types: message, "
                                "function_call, function_call_output", param="item.type")
        item.setdefault("id", new_id("item"))
        item["object"] = "realtime.item"
        item["status"] = "completed"
        self.add(item)
        if not (kind == "message" and item.get("role") == "assistant"):
            self.awaits_answer(item)

    def get(self, item_id: Any) -> Item:
        """The item with ``item_id``; ProtocolError ``item_not_found`` if there is none."""
        return self._items[self._known(item_id)]

    def delete(self, item_id: Any) -> None:
        """Remove an item (`conversation.item.delete`)."""
        item_id = self._known(item_id)
        del self._items[item_id]
        previous = self._previous.pop(item_id)
        # Deleting is rare: the item that followed is looked for rather than kept.
        following = next((i for i, before in self._previous.items() if before == item_id), None)
        if following is not None:
            self._previous[following] = previous
        self._send({"type": "conversation.item.deleted", "item_id": item_id})

    def truncate(self, item_id: Any, *, content_index: Any, audio_end_ms: Any) -> None:
        """Answer `conversation.item.truncate` for a known item."""
        self._send({"type": "conversation.item.truncated", "item_id": self._known(item_id),
                    "content_index": content_index, "audio_end_ms": audio_end_ms})

    def _known(self, item_id: Any) -> str:
        if not isinstance(item_id, str) or item_id not in self._items:
            raise ProtocolError(f"no item with id {item_id!r}", code="item_not_found",
                                param="item_id")
        return item_id


def _check_message(item: Item) -> None:
    if item.get("role") not in ("user", "assistant", "system"):
        raise ProtocolError("message.role must be user, assistant or system",
                            param="item.role")
    content = item.get("content")
    if not isinstance(content, list) or not all(isinstance(c, dict) for c in content):
        raise ProtocolError("message.content must be a list of parts", param="item.content")
    for part in content:
        if part.get("type") in ("input_text", "text", "output_text") and not isinstance(
            part.get("text"), str
        ):
            raise ProtocolError("a text part needs a string 'text'",
                                param="item.content.text")


def latest_user_text(items: Iterable[Item]) -> str | None:
    """What the user said or typed last among ``items``: the text of its newest user message
    that has any, its parts joined."""
    for item in reversed(list(items)):
        if item.get("type") != "message" or item.get("role") != "user":
            continue
        texts = [p.get("text") or p.get("transcript") for p in item.get("content", [])]
        text = " ".join(t for t in texts if isinstance(t, str) and t.strip())
        if text:
            return text
    return None
