"""Speech recognition with pocketsphinx, in worker processes.

pocketsphinx holds the GIL for the whole of a decode, so decoding in a thread would stall the
event loop that paces every session's 20 ms audio frames. Decoding incrementally on the loop
in small chunks would spread the same CPU over the loop instead. A command is short and is
only decoded once the turn detector says it ended, so it goes whole to a process pool: each
worker loads the acoustic model once and keeps one search per language model it has seen.

    async with Recognizer() as recognizer:
        model = build_language_model(tools)
        transcript = await recognizer.transcribe(pcm16k, model)
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import multiprocessing
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import numpy as np
import numpy.typing as npt

from ...errors import RecognitionError
from .decoder import DecoderHost, DecoderSettings, Transcript
from .grammar import LanguageModel

__all__ = ["MAX_DEFAULT_WORKERS", "RecognitionError", "Recognizer", "default_workers"]

# Each worker holds the acoustic model and its searches: about 60-70 MiB before its first grammar.
MAX_DEFAULT_WORKERS = 16


def default_workers(warps: int) -> int:
    """One worker per usable core, so that utterances from several sessions decode at once; never
    fewer than the warps, so that one utterance's decodes run side by side."""
    return max(warps, min(len(os.sched_getaffinity(0)), MAX_DEFAULT_WORKERS))


# Worker-process state: each pool process's initializer sets it once; the parent never does.
_host: DecoderHost | None = None


def _init_worker(settings: DecoderSettings) -> None:
    global _host
    # Ctrl-C reaches the whole process group; the bridge stops its workers itself. (Started
    # with SIGINT blocked, see _sigint_blocked; ignored from here on.)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _host = DecoderHost(settings)


@contextlib.contextmanager
def _sigint_blocked() -> Iterator[None]:
    """SIGINT blocked in this thread: a worker process started meanwhile inherits the mask, so a
    Ctrl-C cannot interrupt it while it is still starting (as multiprocessing's resource
    tracker does for itself)."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _decode_in_worker(pcm: bytes, model: LanguageModel, warps: tuple[float, ...]) -> Transcript:
    if _host is None:  # pragma: no cover - the initializer always runs first
        raise RecognitionError("decoder worker was not initialised")
    return _host.decode(np.frombuffer(pcm, dtype=np.int16), model, warps)


def _ready() -> bool:
    return _host is not None


class Recognizer:
    """Turns 16 kHz utterances into text; one per engine, shared by all its sessions.

    Decodes run in ``workers`` separate processes (started with ``spawn``: forking a process
    that runs an event loop, aiortc and Playwright threads is not safe); by default one per
    usable core and at least one per warp (`default_workers`), so an utterance's decodes run at
    the same time and other sessions' utterances beside them. Each worker builds its decoder once
    and caches a search per language model, so a session's grammar is compiled on its first
    utterance and reused after.
    """

    def __init__(self, *, workers: int | None = None, settings: DecoderSettings | None = None) -> None:
        self.settings = settings or DecoderSettings()
        workers = default_workers(len(self.settings.warps)) if workers is None else workers
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        self._workers = workers
        self._pool = self._new_pool()
        self._closed = False

    def _new_pool(self) -> concurrent.futures.ProcessPoolExecutor:
        return concurrent.futures.ProcessPoolExecutor(
            max_workers=self._workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(self.settings,),
        )

    async def warm_up(self) -> None:
        """Start the workers and load the acoustic model now rather than on the first utterance."""
        await asyncio.gather(*(self._run(_ready) for _ in range(self._workers)))

    async def transcribe(self, pcm16k: npt.NDArray[np.int16], language_model: LanguageModel) -> Transcript:
        """Recognise one utterance (16 kHz mono int16) against the session's language model."""
        started = time.perf_counter()
        pcm = np.ascontiguousarray(pcm16k, dtype=np.int16).reshape(-1).tobytes()
        # The warps are shared out among the workers, so one utterance's decodes run side by
        # side instead of one after another.
        warps = self.settings.warps
        shares = [warps[start :: self._workers] for start in range(min(self._workers, len(warps)))]
        heard = await asyncio.gather(*(self._run(_decode_in_worker, pcm, language_model, share)
                                       for share in shares))  # fmt: skip
        return replace(Transcript.best_of(heard), decode_ms=(time.perf_counter() - started) * 1000)

    async def aclose(self) -> None:
        """Stop the workers; harmless to call twice."""
        if self._closed:
            return
        self._closed = True
        await asyncio.get_running_loop().run_in_executor(
            None, functools.partial(self._pool.shutdown, wait=True, cancel_futures=True)
        )

    async def __aenter__(self) -> Recognizer:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def _run(self, function: Any, *args: Any) -> Any:
        if self._closed:
            raise RecognitionError("the recognizer is closed")
        loop = asyncio.get_running_loop()
        pool = self._pool
        try:
            with _sigint_blocked():  # submitting may start a worker
                future = loop.run_in_executor(pool, function, *args)
            return await future
        except concurrent.futures.process.BrokenProcessPool as err:
            # A broken pool stays broken: start a fresh one so the next utterance is heard
            # (once, however many of the utterance's decodes it broke).
            if pool is self._pool:
                pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
            raise RecognitionError(
                "a speech recognition worker died; check memory and the pocketsphinx install"
            ) from err
