"""End to end in real headless Chromium: page ↔ console relay ↔ emulator.

The microphone is Chromium's fake capture device playing a WAV of speech; the page's output is
measured inside the page with an AnalyserNode (``window.geminiConsole``). Screenshots go to
``tmp/artifacts/web/`` (or ``$GEMINI_LIVE_ARTIFACTS/web``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from gemini_live import AutomaticActivityDetection, RealtimeInputConfig
from gemini_live.testing import Fault, Pause, Scenario
from gemini_live.web import console_toolbox, default_config
from tests.lazy import Lazy, require

from .browser import ARTIFACTS, SILENCE_MS, fake_microphone_wav, require_chromium
from .conftest import MODEL, Console, start_console

require("playwright.async_api", reason="pip install -e '.[dev]' (playwright drives the browser)")
playwright_api = Lazy("playwright.async_api")  # imported by the first test, not at collection

pytestmark = pytest.mark.asyncio(loop_scope="module")

WAIT_MS = 15_000
POLL_MS = 20
# The emulator's audio pacing (wall seconds per 40 ms chunk; 0.04 is real time): none, each
# answer is sent at once. A test that needs the answer still coming when it barges in asks for
# some.
PACE = 0.0
# The console's default session, with the sessions' VAD ending an utterance after SILENCE_MS
# of quiet instead of 800 ms: each spoken turn waits that long in real time.
CONFIG = replace(
    default_config(console_toolbox(MODEL), model=MODEL),
    realtime_input_config=RealtimeInputConfig(
        automatic_activity_detection=AutomaticActivityDetection(silence_duration_ms=SILENCE_MS)
    ),
)
CONTEXT_OPTIONS: dict[str, Any] = {
    "viewport": {"width": 1280, "height": 820},
    "permissions": ["microphone"],
    # The page honours prefers-reduced-motion: no glowing talk button or blinking cursor to
    # repaint every frame (about a fifth of the browser's CPU while a page talks or plays).
    "reduced_motion": "reduce",
}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Any]:
    executable = require_chromium()
    wav, seconds = fake_microphone_wav(tmp_path_factory.mktemp("mic"))
    async with playwright_api.async_playwright() as pw:
        chromium = await pw.chromium.launch(
            executable_path=executable,
            args=[
                "--use-fake-device-for-media-stream",
                "--use-fake-ui-for-media-stream",
                f"--use-file-for-fake-audio-capture={wav}",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        chromium.spoken_seconds = seconds  # what the emulator should hear from the fake mic
        try:
            yield chromium
        finally:
            await chromium.close()


class Consoles:
    """The consoles (an emulator with a console server in front) one test starts; stopped after
    the test's tabs have left them (see :class:`Tabs`)."""

    def __init__(self) -> None:
        self._started: list[Console] = []

    async def start(
        self,
        *,
        audio_pace: float = PACE,
        scenario: Scenario | None = None,
        api_key: str = "test-key",
    ) -> Console:
        emulator, server = await start_console(
            audio_pace=audio_pace, scenario=scenario, api_key=api_key, config=CONFIG
        )
        self._started.append(Console(emulator, server))
        return self._started[-1]

    async def stop(self) -> None:
        for console in reversed(self._started):
            await console.server.stop()
            await console.emulator.stop()


class Tabs:
    """The tabs one test opens, each a page of the module's browser context.

    A free page left by an earlier test is reused: Chromium starts a renderer process for every
    new page (about half a second of CPU here, more than most tests spend on the page itself),
    while navigating to another console (another port, the same site) keeps the process. The
    document, its audio graph, microphone and sockets are new with each navigation. At the end
    of the test every tab still open goes to ``about:blank`` (closing its relay) and becomes
    free again.
    """

    def __init__(self, context: Any, free: list[Any]) -> None:
        self._context = context
        self._free = free
        self._opened: list[tuple[Any, dict[str, Callable[..., Any]]]] = []

    async def open(
        self, console: Console, *, on: dict[str, Callable[..., Any]] | None = None
    ) -> Any:
        """A tab showing ``console``, ready; ``on``: page event listeners for this test only."""
        page = self._free.pop() if self._free else await self._context.new_page()
        errors: list[str] = []
        listeners = {"pageerror": lambda exc: errors.append(str(exc)), **(on or {})}
        for event, listener in listeners.items():
            page.on(event, listener)
        self._opened.append((page, listeners))
        page.errors = errors
        await page.goto(console.server.url)
        await wait_for(page, "() => window.geminiConsole && geminiConsole.ready")
        return page

    async def leave(self, page: Any) -> None:
        """Done with this tab: it goes to ``about:blank`` (closing its relay) and is free."""
        for opened in [entry for entry in self._opened if entry[0] is page]:
            self._opened.remove(opened)
            if page.is_closed():
                continue
            for event, listener in opened[1].items():
                page.remove_listener(event, listener)
            try:
                await page.goto("about:blank")
            except Exception:  # a page a failed test left unusable: not reused
                await page.close()
            else:
                self._free.append(page)

    async def close(self) -> None:
        while self._opened:
            await self.leave(self._opened[-1][0])


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def shared_context(browser: Any) -> AsyncIterator[tuple[Any, list[Any]]]:
    context = await browser.new_context(**CONTEXT_OPTIONS)
    try:
        yield context, []
    finally:
        await context.close()


@pytest_asyncio.fixture(loop_scope="module")
async def consoles() -> AsyncIterator[Consoles]:
    started = Consoles()
    try:
        yield started
    finally:
        await started.stop()


@pytest_asyncio.fixture(loop_scope="module")
async def console(consoles: Consoles) -> Console:
    return await consoles.start()


@pytest_asyncio.fixture(loop_scope="module")
async def tabs(shared_context: tuple[Any, list[Any]], consoles: Consoles) -> AsyncIterator[Tabs]:
    opened = Tabs(*shared_context)
    try:
        yield opened
    finally:
        await opened.close()


async def wait_for(page: Any, predicate: str, arg: Any = None) -> None:
    """Wait until ``predicate`` (a JS arrow function) is truthy. Function predicates are called
    by the DevTools protocol, so the page's strict CSP (no eval) does not get in the way.
    Polled every POLL_MS: Playwright's default polls on every animation frame, which makes the
    browser render 60 frames a second for as long as a test waits."""
    await page.wait_for_function(predicate, arg=arg, timeout=WAIT_MS, polling=POLL_MS)


async def type_message(page: Any, text: str) -> None:
    await page.fill("#text-input", text)
    await page.press("#text-input", "Enter")


async def wait_model_text(page: Any, fragment: str) -> None:
    await wait_for(
        page,
        """(fragment) => [...document.querySelectorAll('.message.model .text')]
             .some((el) => el.textContent.includes(fragment))""",
        fragment,
    )


async def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path))
    return path


async def hook(page: Any, expression: str) -> Any:
    return await page.evaluate(f"geminiConsole.{expression}")


async def test_spoken_question_gets_a_spoken_answer_with_transcripts_tools_and_latency(
    browser: Any, tabs: Tabs, console: Console
) -> None:
    page = await tabs.open(console)
    await page.click("#talk")
    assert await page.get_attribute("#talk", "aria-pressed") == "true"
    # The fake microphone speaks; the emulator's VAD hears it and answers it.
    await wait_for(
        page,
        "() => document.querySelector('.message.user .text')?.textContent.includes('<speech ')",
    )
    await wait_model_text(page, "Echo: <speech ")
    await page.click("#talk")
    assert await page.get_attribute("#talk", "aria-pressed") == "false"
    # The page resampled the microphone to 16 kHz correctly: the emulator heard as many seconds
    # of speech as the WAV holds (a wrong rate would stretch or squeeze it by 2-3x).
    heard = await page.text_content(".message.user .text")
    seconds = float(heard.removeprefix("<speech ").removesuffix("s>"))
    assert abs(seconds - browser.spoken_seconds) < 0.15, (heard, browser.spoken_seconds)
    await wait_for(page, "() => geminiConsole.outputPeak > 0.01")
    assert await hook(page, "sentFrames") > 50  # 20 ms frames of 16 kHz PCM16 went out
    latencies = await hook(page, "latencies")
    # End of speech → first audio includes the emulator's SILENCE_MS of end-of-speech silence.
    assert len(latencies) == 1 and SILENCE_MS / 2 <= latencies[0] < 5000, latencies
    assert (await page.text_content("#latency-last")).endswith(" ms")

    await type_message(page, 'call get_weather {"city": "Paris"}')
    await page.wait_for_selector(".tool.done .tool-result", timeout=WAIT_MS)
    assert '"temp_c": 18' in await page.text_content(".tool .tool-result")
    await wait_model_text(page, 'Result of get_weather: {"city":"Paris"')
    await wait_for(page, "() => geminiConsole.latencies.length === 2")
    # The relay measures too (the conversation layer): every turn has a record with latency.
    await wait_for(page, "() => geminiConsole.turnRecords.length === 2")
    records = await hook(page, "turnRecords")
    assert all(r["firstAudioMs"] is not None for r in records), records
    assert records[1]["inputEnd"] in ("text", "tool_response"), records
    assert "to first audio" in await page.text_content("#relay-latency")
    await wait_for(page, "() => !document.querySelector('.message.live')")
    assert await page.get_attribute("#status", "data-state") == "connected"
    await screenshot(page, "conversation")
    assert page.errors == []


async def test_barge_in_flushes_playback_at_once(tabs: Tabs, consoles: Consoles) -> None:
    # 52 s of answer, generated over 6.6 s (8x real time): still generating at the barge-in.
    console = await consoles.start(audio_pace=0.005)
    page = await tabs.open(console)
    await type_message(page, "say " + "the quick brown fox jumps over the lazy dog " * 24)
    # Playing, audible, and well ahead: the emulator sends faster than real time, like the service.
    await wait_for(
        page,
        """() => geminiConsole.playback.playing && geminiConsole.outputRms > 0.01
                 && geminiConsole.playback.bufferedMs > 1500""",
    )
    assert await hook(page, "flushes.length") == 0
    await page.click("#talk")  # the user starts speaking over the model
    await wait_for(page, "() => geminiConsole.flushes.length > 0")
    flush = (await hook(page, "flushes"))[0]
    assert flush["droppedMs"] > 1000  # seconds of the answer were queued, and all went at once
    await wait_for(page, "() => geminiConsole.flushes[0].rmsAfter !== null")
    assert (await hook(page, "flushes"))[0]["rmsAfter"] < 0.001  # silent 200 ms later
    assert await page.locator(".message.model.interrupted").count() == 1
    await screenshot(page, "barge-in")
    # The conversation goes on: the interrupting speech is answered.
    await wait_model_text(page, "Echo: <speech ")
    await page.click("#talk")
    assert console.emulator.stats.interruptions >= 1
    assert page.errors == []


# A microphone the service's VAD hears and the page's barge-in detection does not: a steady
# 440 Hz tone at an RMS of 0.014, above the emulator's start-of-speech level (0.01, like the
# service's default) and below the page's barge-in level (BARGE_IN_RMS, 0.02, in app.js).
# Replaces the fake capture device (its speech is loud) for this page only.
QUIET_MICROPHONE = """
(rms) => {
  navigator.mediaDevices.getUserMedia = async () => {
    const ctx = new AudioContext();
    const tone = new OscillatorNode(ctx, { frequency: 440 });
    const level = new GainNode(ctx, { gain: rms * Math.SQRT2 });
    const out = ctx.createMediaStreamDestination();
    tone.connect(level).connect(out);
    tone.start();
    return out.stream;
  };
}
"""


async def test_the_services_interruption_alone_flushes_playback_at_once(
    tabs: Tabs, consoles: Consoles
) -> None:
    # The service interrupts and the page does not notice the barge-in itself: its "interrupted"
    # message must stop the queued answer. 52 s of answer over 6.6 s: still generating then.
    console = await consoles.start(audio_pace=0.005)
    page = await tabs.open(console)
    await page.evaluate(QUIET_MICROPHONE, 0.014)
    await type_message(page, "say " + "the quick brown fox jumps over the lazy dog " * 24)
    await wait_for(
        page,
        """() => geminiConsole.playback.playing && geminiConsole.outputRms > 0.01
                 && geminiConsole.playback.bufferedMs > 1500""",
    )
    await page.click("#talk")  # the tone starts: the emulator's VAD hears speech and interrupts
    await wait_for(page, "() => geminiConsole.flushes.length > 0")
    flush = (await hook(page, "flushes"))[0]
    heard = await hook(page, "serverInterrupts")
    assert len(heard) == 1 and flush["droppedMs"] > 1000, (heard, flush)
    # At once: acknowledged by the playback worklet right after the message (seconds of audio
    # were still queued, so playing them out would have taken that long).
    assert 0 <= flush["at"] - heard[0] < 500, (heard, flush)
    await wait_for(page, "() => geminiConsole.flushes[0].rmsAfter !== null")
    assert (await hook(page, "flushes"))[0]["rmsAfter"] < 0.001  # silent 200 ms later
    assert await hook(page, "playback.bufferedMs") == 0
    assert await page.locator(".message.model.interrupted").count() == 1
    # The server's message did it: the page never detected a barge-in of its own, though it
    # sent the tone (the emulator's VAD is still hearing it: no answer comes meanwhile).
    assert await hook(page, "localBargeIns") == 0
    assert await hook(page, "sentFrames") > 0
    assert console.emulator.stats.interruptions == 1
    assert await hook(page, "flushes.length") == 1
    assert page.errors == []


async def test_barge_in_after_the_whole_answer_arrived_is_caught_by_the_page(
    tabs: Tabs, console: Console
) -> None:
    # The answer is fully received (turn complete, no generation left to interrupt on the
    # server) but most of it is still queued for playback: the page itself must stop it.
    # 13 s of answer, sent at once (unpaced): all of it is queued when the turn completes.
    await _barge_in_after_the_answer(await tabs.open(console), console)


# Every MessagePort message (the audio worklets' included) reaches the page 100 ms late, in
# order: a busy main thread. Status messages the playback worklet posted before it processed a
# flush then arrive after the page's own barge-in; they must not revive "playing" and make the
# next loud microphone frame count a second barge-in.
SLOW_PORTS = """
(() => {
  const slot = Object.getOwnPropertyDescriptor(MessagePort.prototype, "onmessage");
  Object.defineProperty(MessagePort.prototype, "onmessage", {
    configurable: true,
    get() { return slot.get.call(this); },
    set(handler) {
      slot.set.call(this, handler && ((event) => setTimeout(() => handler(event), 100)));
    },
  });
})();
"""
# Counts how often the page's playback state turns "playing" between one of its own barge-ins
# and the worklet's acknowledgement of that flush: a stale status reviving the playback, which
# the next loud microphone frame then counts as a second barge-in. Whether such a frame comes
# in that window is down to timing; the revival itself happens on every run with lagging ports.
COUNT_REVIVALS = """
(() => {
  let playback = geminiConsole.playback;
  geminiConsole.revivals = 0;
  Object.defineProperty(geminiConsole, "playback", {
    get() { return playback; },
    set(value) {
      if (value.playing && geminiConsole.localBargeIns > geminiConsole.flushes.length) {
        geminiConsole.revivals += 1;
      }
      playback = value;
    },
  });
})();
"""


async def test_barge_in_is_counted_once_when_the_page_lags_behind_the_worklets(
    tabs: Tabs, console: Console
) -> None:
    page = await tabs.open(console)
    # Before the page makes its audio worklets (at the first audio): on their ports from the start.
    await page.evaluate(SLOW_PORTS)
    await _barge_in_after_the_answer(page, console)


async def _barge_in_after_the_answer(page: Any, console: Console) -> None:
    await page.evaluate(COUNT_REVIVALS)
    await type_message(page, "say " + "the quick brown fox jumps over the lazy dog " * 6)
    await wait_for(
        page,
        """() => geminiConsole.turnsComplete === 1 && geminiConsole.playback.playing
                 && geminiConsole.playback.bufferedMs > 2000""",
    )
    await page.click("#talk")
    await wait_for(page, "() => geminiConsole.flushes.length > 0")
    assert await hook(page, "localBargeIns") == 1
    assert (await hook(page, "flushes"))[0]["droppedMs"] > 1500
    await wait_for(page, "() => geminiConsole.flushes[0].rmsAfter !== null")
    assert (await hook(page, "flushes"))[0]["rmsAfter"] < 0.001  # silent 200 ms later
    assert await page.locator(".message.model.interrupted").count() == 1
    # The next answer is not muted: it is heard (the peak since now, however slow this test is).
    await page.evaluate("geminiConsole.resetOutputPeak()")
    await wait_model_text(page, "Echo: <speech ")
    await page.click("#talk")
    await wait_for(page, "() => geminiConsole.outputPeak > 0.01")
    assert await hook(page, "mutedChunks") == 0
    assert await hook(page, "localBargeIns") == 1
    assert await hook(page, "revivals") == 0
    assert console.emulator.stats.interruptions == 0
    assert page.errors == []


async def test_killed_live_connection_shows_reconnecting_then_resumed(
    tabs: Tabs, console: Console
) -> None:
    # The first Live connection is dropped (TCP abort, no close frame) as soon as the second
    # message arrives: the session must resume from the first turn's handle and replay it.
    console.emulator.inject(Fault.abort(after_client_messages=2))
    page = await tabs.open(console)
    await type_message(page, "say first words")
    await wait_model_text(page, "first words")
    await wait_for(page, "() => !document.querySelector('.message.live')")
    await type_message(page, "say second words")
    await wait_for(page, "() => geminiConsole.states.includes('resumed')")
    states = await hook(page, "states")
    assert states.index("reconnecting") < states.index("resumed"), states
    assert await page.get_attribute("#status", "data-state") == "resumed"
    await wait_model_text(page, "second words")  # the message in flight was not lost
    await wait_for(page, "() => !document.querySelector('.message.live')")
    await type_message(page, "recap")
    await wait_model_text(page, "Recap: say first words | say second words")
    session = console.emulator.last_session
    assert len(console.emulator.sessions) == 1 and session.connections == 2
    assert session.resumed_from  # resumed with a handle, not started afresh
    assert "Resumed" in await page.text_content("#connection-log")
    assert await page.locator(".message.user").count() == 3  # no duplicate after the replay
    assert await page.locator(".message.interrupted").count() == 0
    await screenshot(page, "resumed")
    assert page.errors == []


# Records every text the second user bubble's interim transcript shows: the observer runs after
# each task that changed the transcript (each message from the relay is one task), so no state
# goes unseen however briefly it lasts.
RECORD_INTERIM = """
(() => {
  const seen = (geminiConsole.interimSeen = []);
  new MutationObserver(() => {
    const user = document.querySelectorAll(".message.user")[1];
    const text = user?.querySelector(".interim")?.textContent;
    if (text !== undefined && seen[seen.length - 1] !== text) seen.push(text);
  }).observe(document.getElementById("transcript"), {
    childList: true, subtree: true, characterData: true,
  });
})();
"""


async def test_interim_transcripts_replace_each_other_until_the_final_one(
    tabs: Tabs, consoles: Consoles
) -> None:
    # The service's interim transcripts are provisional (each replaces the last); a scripted
    # emulator reply sends some, then the final transcript and the answer.
    def content(**fields: Any) -> dict[str, Any]:
        return {"serverContent": fields}

    scenario = Scenario().on_text(
        "transcribe me",
        reply=[
            content(interimInputTranscription={"text": "what"}),
            Pause(0.05),
            content(interimInputTranscription={"text": "what time"}),
            Pause(0.05),
            content(inputTranscription={"text": "What time is it?"}),
            content(outputTranscription={"text": "It is noon."}),
            content(turnComplete=True),
        ],
    )
    page = await tabs.open(await consoles.start(scenario=scenario))
    await page.evaluate(RECORD_INTERIM)
    await type_message(page, "transcribe me")
    await wait_model_text(page, "It is noon.")
    # Shown in turn, each replacing the last (not appended), then cleared by the final one.
    assert await hook(page, "interimSeen") == ["what", "what time", ""]
    spoken = page.locator(".message.user").nth(1)
    assert await spoken.locator(".text").text_content() == "What time is it?"
    assert await spoken.locator(".interim").text_content() == ""
    assert await page.locator(".message.user").count() == 2  # typed, then transcribed


async def test_garbage_from_the_page_shows_an_error_and_closes_the_relay(
    tabs: Tabs, console: Console
) -> None:
    page = await tabs.open(console)
    await page.evaluate("geminiConsole.socket().send('this is not json')")
    await page.wait_for_selector("#error:not([hidden])", timeout=WAIT_MS)
    assert "unreadable message" in await page.text_content("#error-text")
    assert await page.get_attribute("#status", "data-state") == "closed"
    assert await page.is_disabled("#talk") and await page.is_disabled("#text-input")
    await screenshot(page, "bad-input")
    await tabs.leave(page)
    # Wrong sample format from another tab: an odd number of bytes is not PCM16.
    other = await tabs.open(console)
    await other.evaluate("geminiConsole.socket().send(new Uint8Array(3))")
    await other.wait_for_selector("#error:not([hidden])", timeout=WAIT_MS)
    assert "wrong audio format" in await other.text_content("#error-text")
    await tabs.leave(other)
    # The server is fine: a new tab gets a working session.
    fresh = await tabs.open(console)
    await type_message(fresh, "say fine")
    await wait_model_text(fresh, "fine")


async def test_the_api_key_never_reaches_the_browser(tabs: Tabs, consoles: Consoles) -> None:
    secret = "AIzaSy-test-secret-key-0123456789"
    console = await consoles.start(api_key=secret)
    seen: list[str] = []
    frames: list[str] = []

    def on_socket(ws: Any) -> None:
        ws.on("framereceived", lambda payload: frames.append(str(payload)))

    page = await tabs.open(
        console, on={"response": lambda r: seen.append(r.url), "websocket": on_socket}
    )
    await type_message(page, 'call get_weather {"city": "London"}')
    await wait_model_text(page, "Result of get_weather")
    bodies = [await page.content()]
    for url in sorted(set(seen)):  # a copy: each fetch below is a response too
        bodies.append(await page.evaluate("(u) => fetch(u).then((r) => r.text())", url))
    assert frames and len(bodies) >= 5
    assert all(secret not in text for text in frames + bodies)


# These two close tabs, which later tests could not reuse: they come last, the one that needs
# two tabs first.


async def test_tabs_are_independent_sessions(tabs: Tabs, console: Console) -> None:
    first = await tabs.open(console)
    second = await tabs.open(console)
    await type_message(first, "say apples")
    await type_message(second, "say pears")
    await wait_model_text(first, "apples")
    await wait_model_text(second, "pears")
    assert "pears" not in await first.text_content("#transcript")
    assert "apples" not in await second.text_content("#transcript")
    assert console.server.active == 2 and len(console.emulator.sessions) == 2
    await first.close()
    await console.server.wait_active(1, timeout=5)
    await type_message(second, "say still here")
    await wait_model_text(second, "still here")


async def test_closing_the_tab_ends_the_session_on_the_server(tabs: Tabs, console: Console) -> None:
    page = await tabs.open(console)
    assert console.server.active == 1
    session = console.emulator.last_session
    assert session.open_socket is not None
    await page.close()
    async with asyncio.timeout(5):
        await session.wait_disconnected()
    await console.server.wait_active(0, timeout=5)
    assert console.server.reports[-1].ended == "browser closed"
