"""The tool watch: what the DOM did between a function call the server sent and the moment the
bridge takes the summary (the page's output marked, what the page rendered after it counted
apart), a call that changes nothing, and a page flooded with calls keeping a bounded number of
observers; and the bridge sending an event on the page's realtime channel."""

from __future__ import annotations

import json
from typing import Any

from bridge.browser.instrument.page import InstrumentConfig, MutationSummary, PageInstrument
from tests.browser.inpage import USER_PAGE_SCRIPT, ChromiumLoop, RemotePeer, open_user_page, remote_peer

# The page runs its tools itself, as users' pages do: on `arguments.done` it changes the DOM,
# sends the output, then (as a framework would, a moment later) renders once more.
TOOLS_PAGE = f"""<!doctype html><html><body>
<p id="status" data-testid="status">idle</p><ul id="todos"></ul><button class="plain">go</button>
<script>{USER_PAGE_SCRIPT}
const tools = {{
  addTodo: ({{ text }}) => {{
    const li = document.createElement("li");
    li.dataset.testid = "todo-item";
    li.textContent = text;
    document.getElementById("todos").append(li);
    document.body.style.backgroundColor = "lavender";
    document.getElementById("status").textContent = "added " + text;
    return {{ ok: true }};
  }},
  doNothing: () => ({{ ok: true }}),
}};
window.runCalls = (connection) => connection.channel.addEventListener("message", (e) => {{
  const event = JSON.parse(e.data);
  if (event.type !== "response.function_call_arguments.done") return;
  const output = tools[event.name](JSON.parse(event.arguments));
  connection.channel.send(JSON.stringify({{ type: "conversation.item.create",
    item: {{ type: "function_call_output", call_id: event.call_id, output: JSON.stringify(output) }} }}));
  setTimeout(() => document.querySelector("button").classList.add("done"), 30);
}});
</script></body></html>"""


def _call_events(call_id: str, name: str, arguments: dict[str, Any]) -> list[dict[str, Any]]:
    item = {"type": "function_call", "call_id": call_id, "name": name, "arguments": ""}
    text = json.dumps(arguments)
    return [{"type": "response.output_item.added", "item": item},
            {"type": "response.function_call_arguments.delta", "call_id": call_id, "delta": text},
            {"type": "response.function_call_arguments.done", "call_id": call_id, "name": name,
             "arguments": text},
            {"type": "response.output_item.done", "item": {**item, "arguments": text}}]


async def _connected(
    chromium: ChromiumLoop, config: InstrumentConfig | None = None
) -> tuple[Any, RemotePeer]:
    remote = await remote_peer(chromium.browser)
    page = await open_user_page(chromium.browser, remote=remote, html=TOOLS_PAGE, config=config)
    await page.evaluate("async () => window.runCalls(window.connections[await window.connect()])")
    await remote.send({"type": "session.created", "session": {}})
    return page, remote


async def _run_call(page: Any, remote: RemotePeer, call_id: str, name: str,
                    arguments: dict[str, Any]) -> None:
    for event in _call_events(call_id, name, arguments):
        await remote.send(event)
    await remote.page.wait_for_function(
        "id => window.calls[0].received.some((t) => t.includes(id) && t.includes('function_call_output'))",
        arg=call_id)
    await page.wait_for_timeout(100)  # the page's render after its output


def test_a_calls_changes_are_summarised_until_taken(chromium: ChromiumLoop) -> None:
    async def run() -> tuple[MutationSummary | None, ...]:
        page, remote = await _connected(chromium)
        try:
            instrument = PageInstrument(page)
            await _run_call(page, remote, "call_add", "addTodo", {"text": "milk"})
            added = await instrument.take_mutations("call_add")
            again = await instrument.take_mutations("call_add")
            await _run_call(page, remote, "call_none", "doNothing", {})
            await page.evaluate("() => document.querySelector('button').classList.remove('done')")
            nothing = await instrument.take_mutations("call_none")
            return added, again, nothing, await instrument.take_mutations("never_called")
        finally:
            await page.context.close()
            await remote.page.context.close()

    added, again, nothing, unknown = chromium.call(run)
    assert added is not None and again is None and unknown is None
    assert (added.call_id, added.name, added.added, added.styles) == ("call_add", "addTodo", 1, 1)
    # The status line's text; the new item's text and data-testid were set before it was added.
    assert added.text == 1
    assert added.attributes == added.after_output == 1  # the class the page rendered later
    assert added.complete
    assert added.output_at_ms is not None
    assert added.started_at_ms <= added.output_at_ms <= added.taken_at_ms
    assert added.last_change_at_ms is not None and added.last_change_at_ms > added.output_at_ms
    samples = "\n".join(added.samples)
    assert "added li[data-testid=todo-item] to ul#todos" in samples
    assert 'style of body: "background-color: lavender;"' in samples
    assert 'text of p#status[data-testid=status]: "added milk"' in samples
    assert added.to_event()["styles"] == 1
    # A tool that changes nothing: only the class the test itself removed after the output.
    assert nothing is not None and nothing.name == "doNothing"
    assert nothing.changes == nothing.after_output == 2  # the page's render, and the test's undo


def test_a_flood_of_calls_keeps_a_bounded_number_of_watches(chromium: ChromiumLoop) -> None:
    async def run(config: InstrumentConfig) -> list[bool]:
        page, remote = await _connected(chromium, config)
        try:
            await remote.page.evaluate("""() => { for (let i = 0; i < 50; i += 1)
              window.calls[0].channel.send(JSON.stringify({ type: "response.output_item.added",
                item: { type: "function_call", call_id: "flood_" + i, name: "doNothing" } })); }""")
            await page.wait_for_function("() => window.connections[0].received.length >= 51")
            instrument = PageInstrument(page)
            return [await instrument.take_mutations(f"flood_{i}") is not None for i in range(50)]
        finally:
            await page.context.close()
            await remote.page.context.close()

    watched = chromium.call(lambda: run(InstrumentConfig(max_watches=4)))
    assert watched == [False] * 46 + [True] * 4  # the newest four
    assert chromium.call(lambda: run(InstrumentConfig(watch_tools=False))) == [False] * 50


def test_the_bridge_sends_on_the_pages_realtime_channel(chromium: ChromiumLoop) -> None:
    async def run() -> tuple[bool, bool, list[str]]:
        remote = await remote_peer(chromium.browser)
        page = await open_user_page(chromium.browser, remote=remote)
        try:
            instrument = PageInstrument(page)
            before = await instrument.send_event({"type": "response.create"})
            await page.evaluate("() => window.connect({ label: 'response' })")
            await remote.send({"type": "session.created", "session": {}})
            await page.wait_for_function("() => window.connections[0].received.length === 1")
            sent = await instrument.send_event({"type": "response.create"})
            await remote.page.wait_for_function("() => window.calls[0].received.length === 1")
            return before, sent, await remote.received()
        finally:
            await page.context.close()
            await remote.page.context.close()

    before, sent, received = chromium.call(run)
    assert before is False and sent is True
    assert received == ['{"type":"response.create"}']
