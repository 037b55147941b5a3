"""The OpenAI upstream end to end, against a local server that plays OpenAI's part."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from bridge.config import Settings
from bridge.drive.client import RealtimeClient
from bridge.drive.handle import BridgeHandle
from tests.conftest import run_async
from tests.fakes.openai_server import FakeOpenAI
from tests.network_safety import SAFETY_ENV

pytestmark = pytest.mark.e2e
KEY = "fake-test-key-0123456789abcdef"


@pytest.fixture(scope="module")
def fake_openai() -> Iterator[FakeOpenAI]:
    server = FakeOpenAI(key=KEY).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def bridge_settings(fake_openai: FakeOpenAI) -> Settings:
    env = {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": fake_openai.base_url, **SAFETY_ENV}
    return Settings.from_env(env, port=0, headless=True, upstream_read_timeout_s=1.5)


def test_page_connects_through_openai_upstream_and_tools_verify(
    rtc_bridge: BridgeHandle, fake_openai: FakeOpenAI
) -> None:
    seen = fake_openai.seen[0]
    assert seen.authorization == f"Bearer {KEY}"
    assert seen.content_type == "multipart/form-data" and seen.query == ""
    assert seen.sdp and seen.sdp.startswith("v=0")
    assert seen.session == {"type": "realtime", "model": "gpt-realtime",
                            "instructions": rtc_bridge.server.settings.instructions,
                            "audio": {"output": {"voice": "marin"}}}
    mark = rtc_bridge.type("change the background color to purple")
    call = rtc_bridge.wait_for_tool("changeBackgroundColor", {"color": "purple"}, after=mark)
    assert call.observed["backgroundColor"] == "rgb(128, 0, 128)"
    health = httpx.get(rtc_bridge.url + "/api/health").json()
    assert health["upstream"] == "openai" and health["page"]["connected"] is True


@pytest.mark.parametrize("mode, status, says", [
    ("401", 502, "answered 401"),
    ("500", 502, "answered 500"),
    ("garbage", 502, "not SDP"),
    ("slow", 504, "timed out"),
])
def test_upstream_failures_map_to_openai_shaped_errors(
    rtc_bridge: BridgeHandle, fake_openai: FakeOpenAI, mode: str, status: int, says: str
) -> None:
    async def post() -> httpx.Response:
        client = RealtimeClient()
        try:
            offer = await client.offer()
            async with httpx.AsyncClient(timeout=10, trust_env=False) as http:
                return await http.post(rtc_bridge.url + "/api/rtc-connect", content=offer,
                                       headers={"Content-Type": "application/sdp"})
        finally:
            await client.close()

    fake_openai.mode = mode
    try:
        response = run_async(post())
    finally:
        fake_openai.mode = "answer"
    assert response.status_code == status
    error = response.json()["error"]
    assert says in error["message"] and set(error) == {"type", "code", "message", "param"}
    assert KEY not in response.text and "sk-" not in response.text
