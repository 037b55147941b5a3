"""Users' own voice pages, each served unmodified from its own origin on loopback, driven by the
bridge: the seed's style (its backend's address hard-coded, channel `response`, beta
`session.update`, no `response.create`), a page with its own backend that hands out an
ephemeral key and posts the offer to api.openai.com, and a page on OpenAI's Agents SDK. For
each: the bridge routes its signalling to the embedded engine, sees its channel, and verifies a
typed and a spoken command by declared DOM checks; a tool that changes nothing comes out
`not_verified` with a check, and `unchecked` with an empty change summary without one."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from bridge.config import Settings
from bridge.drive.handle import BridgeHandle
from bridge.drive.thread import BridgeThread
from bridge.events.records import SignallingRouted, all_of
from tests.assets import agents_sdk_bundle
from tests.e2e.user_pages.backend import Site

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Command:
    kind: str  # "type" or "say"
    text: str
    tool: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class UserPage:
    folder: str
    start: str | None
    checks: dict[str, Any]
    typed: Command
    spoken: Command
    noop: Command  # a tool that changes nothing, and a check it cannot pass
    noop_check: dict[str, Any]
    signalling_url: str  # where the page posts its offer
    vendor: tuple[str, ...] = field(default=())


SEED = UserPage(
    folder="seed", start="#toggle",
    checks={"changeBackgroundColor": {"checks": [
        {"selector": "body", "style": {"background-color": "{color}"}}]}},
    typed=Command("type", "make the background blue", "changeBackgroundColor", {"color": "blue"}),
    spoken=Command("say", "change the background color to green", "changeBackgroundColor",
                   {"color": "green"}),
    noop=Command("type", "refresh the status", "refreshStatus", {}),
    noop_check={"selector": "#state", "text": "refreshed"},
    signalling_url="http://127.0.0.1:5059/api/rtc-connect")
TODO = UserPage(
    folder="todo", start=None,
    checks={"addTodo": {"checks": [
        {"selector": "[data-testid=todo-item]", "count_delta": 1},
        {"selector": "[data-testid=todo-item] >> nth=-1", "text": "{text}"}]},
            "setTheme": {"checks": [{"selector": "body", "attribute": {"class": "{theme}"}}]}},
    typed=Command("type", "add buy milk to the list", "addTodo", {"text": "buy milk"}),
    spoken=Command("say", "set the theme to dark", "setTheme", {"theme": "dark"}),
    noop=Command("type", "sync the list", "syncTodos", {}),
    noop_check={"selector": "[data-testid=status]", "text": "synchronised"},
    signalling_url="https://api.openai.com/v1/realtime/calls")
AGENTS = UserPage(
    folder="agents", start="[data-testid=connect]",
    checks={"setVolume": {"checks": [{"selector": "[data-testid=volume]", "text": "{level}"}]},
            "changeBackgroundColor": {"checks": [
                {"selector": "body", "style": {"background-color": "{color}"}}]}},
    typed=Command("type", "set the volume to forty", "setVolume", {"level": 40}),
    spoken=Command("say", "make the background green", "changeBackgroundColor",
                   {"color": "green"}),
    noop=Command("type", "ping the server", "pingServer", {}),
    noop_check={"selector": "[data-testid=status]", "text": "pong"},
    signalling_url="https://api.openai.com/v1/realtime/calls", vendor=("vendor/sdk",))


@dataclass
class Driven:
    case: UserPage
    handle: BridgeHandle
    site: Site


@pytest.fixture(scope="module", params=[SEED, TODO, AGENTS], ids=lambda case: case.folder)
def driven(request: pytest.FixtureRequest) -> Iterator[Driven]:
    case: UserPage = request.param
    site = Site(case.folder, extra={prefix: agents_sdk_bundle() for prefix in case.vendor})
    settings = Settings.from_env(port=0, headless=True, upstream="local", page=site.url,
                                 start_selector=case.start)
    thread = BridgeThread(settings).start()
    try:
        assert thread.server is not None
        site.upstream.point_at(f"{thread.server.url}/v1")  # the backend's OPENAI_BASE_URL
        handle = BridgeHandle(thread).wait_ready(timeout_s=60)
        handle.declare_checks({"tools": case.checks})
        yield Driven(case, handle, site)
    finally:
        thread.stop()
        site.close()


def _run(handle: BridgeHandle, command: Command) -> int:
    if command.kind == "say":
        return handle.say(command.text).mark
    return handle.type(command.text)


def test_the_pages_signalling_is_answered_by_the_engine(driven: Driven) -> None:
    [routed] = all_of(SignallingRouted, driven.handle.events())
    assert routed.url == driven.case.signalling_url and routed.status == 201
    assert routed.upstream == "local" and (routed.call_id or "").startswith("rtc_")
    # The page's own channel is seen both ways, in the call the bridge answered.
    updated = driven.handle.events(type="session.updated")
    assert updated and updated[0].session == routed.call_id
    assert driven.handle.events(type="session.update")[0].dir == "client"


@pytest.mark.parametrize("which", ["typed", "spoken"])
def test_a_command_is_verified_by_its_declared_check(driven: Driven, which: str) -> None:
    command: Command = getattr(driven.case, which)
    mark = _run(driven.handle, command)
    call = driven.handle.wait_for_tool(command.tool, command.arguments, after=mark, timeout_s=20)
    assert call.verdict == "verified" and call.observed, call
    assert call.changes.get("added", 0) + call.changes.get("styles", 0) + call.changes.get(
        "attributes", 0) + call.changes.get("text", 0) > 0


def test_a_tool_that_changes_nothing(driven: Driven) -> None:
    case, handle = driven.case, driven.handle
    handle.declare_checks({"tools": {**case.checks, case.noop.tool: {
        "timeout_s": 1, "checks": [case.noop_check]}}})
    try:
        mark = _run(handle, case.noop)
        checked = handle.wait_for_tool(case.noop.tool, after=mark, verdict="not_verified",
                                       timeout_s=20)
        assert checked.reason and case.noop_check["text"] in checked.reason
        handle.declare_checks({"tools": case.checks})
        mark = _run(handle, case.noop)
        unchecked = handle.wait_for_tool(case.noop.tool, after=mark, verdict="unchecked",
                                         timeout_s=20)
        assert _dom_changes(unchecked.changes) == 0, unchecked.changes
    finally:
        handle.declare_checks({"tools": case.checks})


def _dom_changes(changes: Mapping[str, Any]) -> int:
    return sum(int(changes.get(k, 0)) for k in ("added", "removed", "attributes", "styles", "text"))

