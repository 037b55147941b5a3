"""A conversation's order: each item names the one before it, also after items are deleted."""

from __future__ import annotations

from typing import Any

from bridge.engine.conversation import Conversation


def _conversation(ids: list[str]) -> tuple[Conversation, list[dict[str, Any]]]:
    sent: list[dict[str, Any]] = []
    conversation = Conversation(sent.append, {})
    for item_id in ids:
        conversation.add({"id": item_id, "type": "message", "role": "user", "content": []})
    return conversation, sent


def test_each_item_names_the_one_before_it() -> None:
    conversation, sent = _conversation(["a", "b", "c"])
    assert [e["previous_item_id"] for e in sent if e["type"] == "conversation.item.added"] == [
        None, "a", "b"]
    assert [conversation.previous_of(i) for i in ("a", "b", "c", "unknown")] == [
        None, "a", "b", None]
    assert conversation.last_id == "c"


def test_deleting_an_item_joins_its_neighbours() -> None:
    conversation, _ = _conversation(["a", "b", "c", "d"])
    conversation.delete("b")
    assert conversation.previous_of("c") == "a"
    conversation.delete("d")  # the newest: the next item follows "c"
    assert conversation.last_id == "c"
    conversation.add({"id": "e", "type": "message", "role": "user", "content": []})
    assert conversation.previous_of("e") == "c"
    conversation.delete("a")  # the oldest: "c" comes first now
    assert conversation.previous_of("c") is None
    assert [item["id"] for item in conversation.items] == ["c", "e"]
