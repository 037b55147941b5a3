"""Closing a peer connection twice, with the second closer cancelled, leaves the first to finish."""

from __future__ import annotations

import asyncio
from typing import Any

from aiortc import RTCPeerConnection

from bridge.engine.peer import close_shielded
from tests.conftest import run_async


async def _close_twice_cancelling_the_second() -> list[Any]:
    loop_errors: list[Any] = []
    asyncio.get_running_loop().set_exception_handler(lambda _, context: loop_errors.append(context))
    pc = RTCPeerConnection()
    pc.addTransceiver("audio")
    pc.createDataChannel("oai-events")
    await pc.setLocalDescription(await pc.createOffer())
    first = asyncio.create_task(close_shielded(pc))
    await asyncio.sleep(0)  # the first close is under way, waiting on its transports
    second = asyncio.create_task(close_shielded(pc))
    await asyncio.sleep(0)
    second.cancel()
    await first  # a plain `await pc.close()` in both fails here with InvalidStateError
    assert pc.connectionState == "closed"
    return loop_errors


def test_a_cancelled_second_close_does_not_break_the_first() -> None:
    assert run_async(_close_twice_cancelling_the_second()) == []
