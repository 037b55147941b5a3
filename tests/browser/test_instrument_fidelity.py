"""What pages rely on stays as it was with the instrument in: every replaced function reads
as native (text, name, length, property flags), `instanceof` and `.constructor` hold, events
reach `onmessage` and listeners in the page's order, and errors are the browser's own. Each
probe runs in an instrumented page and in a plain one, and the answers must be equal."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Browser

from bridge.browser.instrument.page import DEFAULT_API, InstrumentConfig, init_script
from tests.browser.inpage import (
    JOIN_PEERS,
    ORIGIN,
    ChromiumLoop,
    evaluate_in_user_page,
    open_user_page,
)

BLANK = "<!doctype html><html><body><p>page</p></body></html>"

REPLACED = """() => {
  const fns = {
    RTCPeerConnection, webkitRTCPeerConnection,
    setConfiguration: RTCPeerConnection.prototype.setConfiguration,
    createDataChannel: RTCPeerConnection.prototype.createDataChannel,
    send: RTCDataChannel.prototype.send,
    getUserMedia: MediaDevices.prototype.getUserMedia,
    navigatorGetUserMedia: Navigator.prototype.getUserMedia,
    webkitGetUserMedia: Navigator.prototype.webkitGetUserMedia,
    stop: MediaStreamTrack.prototype.stop, clone: MediaStreamTrack.prototype.clone,
    getSettings: MediaStreamTrack.prototype.getSettings,
    getCapabilities: MediaStreamTrack.prototype.getCapabilities,
    getConstraints: MediaStreamTrack.prototype.getConstraints,
    applyConstraints: MediaStreamTrack.prototype.applyConstraints,
    label: Object.getOwnPropertyDescriptor(MediaStreamTrack.prototype, "label").get,
    streamClone: MediaStream.prototype.clone,
    toString: Function.prototype.toString,
  };
  const owners = [[window, "RTCPeerConnection"], [RTCDataChannel.prototype, "send"],
    [MediaDevices.prototype, "getUserMedia"], [MediaStreamTrack.prototype, "stop"],
    [MediaStreamTrack.prototype, "label"], [Function.prototype, "toString"],
    [RTCPeerConnection.prototype, "constructor"]];
  const pc = new RTCPeerConnection();
  class Mine extends RTCPeerConnection {}
  const mine = new Mine();
  const out = {
    fns: Object.fromEntries(Object.entries(fns).map(([k, f]) => [k, [String(f), f.name, f.length,
      Function.prototype.toString.call(f), typeof f, Object.getPrototypeOf(f) === Function.prototype]])),
    flags: owners.map(([o, k]) => { const d = Object.getOwnPropertyDescriptor(o, k);
      return [k, d.writable, d.enumerable, d.configurable, "value" in d]; }),
    identity: [pc instanceof RTCPeerConnection, pc.constructor === RTCPeerConnection,
      Object.getPrototypeOf(pc) === RTCPeerConnection.prototype,
      RTCPeerConnection.prototype.constructor === RTCPeerConnection,
      webkitRTCPeerConnection === RTCPeerConnection, mine instanceof Mine,
      mine instanceof RTCPeerConnection, Object.getPrototypeOf(mine) === Mine.prototype,
      pc.createDataChannel("x") instanceof RTCDataChannel,
      typeof RTCPeerConnection.generateCertificate, String(pc), Object.keys(window).length,
      JSON.stringify(Object.keys(RTCPeerConnection.prototype))],
  };
  pc.close(); mine.close();
  return out;
}"""

ERRORS = """async () => {
  const describe = (e) => [Object.prototype.toString.call(e), e?.name, e?.message,
    e?.constructor?.name, e instanceof DOMException, e instanceof TypeError,
    String(e?.stack ?? "").includes("rtc-bridge-instrument")];
  const attempt = async (fn) => { try { await fn(); return "no error"; } catch (e) { return describe(e); } };
  const pc = new RTCPeerConnection();
  const channel = pc.createDataChannel("x");
  const closedPc = new RTCPeerConnection();
  const closed = closedPc.createDataChannel("y");
  closedPc.close();
  const out = {
    noNew: await attempt(() => RTCPeerConnection()),
    badIceUrl: await attempt(() => new RTCPeerConnection({ iceServers: [{ urls: "nonsense" }] })),
    turnNoCredential: await attempt(() => new RTCPeerConnection(
      { iceServers: [{ urls: "turn:turn.example.com" }] })),
    badSetConfiguration: await attempt(() => pc.setConfiguration({ iceServers: [{ urls: "stun:" }] })),
    sendConnecting: await attempt(() => channel.send("hi")),
    sendClosed: await attempt(() => closed.send("hi")),
    sendNothing: await attempt(() => channel.send()),
    sendWrongThis: await attempt(() => RTCDataChannel.prototype.send.call({}, "x")),
    channelNoArgs: await attempt(() => pc.createDataChannel()),
    gumNothing: await attempt(() => navigator.mediaDevices.getUserMedia()),
    gumEmpty: await attempt(() => navigator.mediaDevices.getUserMedia({})),
    gumNoDevice: await attempt(() => navigator.mediaDevices.getUserMedia(
      { audio: { deviceId: { exact: "none" } } })),
    gumWrongThis: await attempt(() => MediaDevices.prototype.getUserMedia.call({}, { audio: true })),
    gumReturnsPromise: navigator.mediaDevices.getUserMedia({}).catch(() => {}) instanceof Promise,
    legacyNoCallbacks: await attempt(() => navigator.webkitGetUserMedia({ audio: true })),
    stopWrongThis: await attempt(() => MediaStreamTrack.prototype.stop.call({})),
    labelWrongThis: await attempt(
      () => Object.getOwnPropertyDescriptor(MediaStreamTrack.prototype, "label").get.call({})),
  };
  pc.close();
  return out;
}"""

# Two peers in the page joined by their own offer and answer; the page listens with onmessage
# and listeners, set in an order of its own, and stops nothing.
ORDER = """async () => {""" + JOIN_PEERS + """
  const a = new RTCPeerConnection(), b = new RTCPeerConnection();
  const seen = [];
  const arrived = new Promise((resolve) => {
    b.ondatachannel = ({ channel }) => {
      channel.addEventListener("message", (e) => seen.push("first listener " + e.data));
      channel.onmessage = (e) => seen.push("onmessage " + e.data);
      channel.addEventListener("message", (e) => { seen.push("last listener " + e.data); resolve(); });
    };
  });
  const channel = a.createDataChannel("order");
  await joinPeers(a, b);
  await new Promise((resolve) => channel.addEventListener("open", resolve));
  channel.send("one");
  await arrived;
  a.close(); b.close();
  return seen;
}"""


async def _in_both(browser: Browser, script: str) -> tuple[Any, Any]:
    plain_context = await browser.new_context(permissions=["microphone"])
    await plain_context.route(f"{ORIGIN}/**", lambda r: r.fulfill(body=BLANK, content_type="text/html"))
    plain = await plain_context.new_page()
    await plain.goto(f"{ORIGIN}/")
    page = await open_user_page(browser, html=BLANK)
    try:
        return await page.evaluate(script), await plain.evaluate(script)
    finally:
        await page.context.close()
        await plain_context.close()


def test_every_replaced_function_reads_as_the_native_one(chromium: ChromiumLoop) -> None:
    instrumented, plain = chromium.call(lambda: _in_both(chromium.browser, REPLACED))
    assert instrumented == plain
    assert instrumented["fns"]["send"][0] == "function send() { [native code] }"
    assert all(instrumented["identity"][:10])


def test_errors_are_the_browsers_own(chromium: ChromiumLoop) -> None:
    instrumented, plain = chromium.call(lambda: _in_both(chromium.browser, ERRORS))
    assert instrumented == plain
    assert instrumented["sendClosed"][1] == "InvalidStateError"
    assert instrumented["gumNoDevice"][1] == "OverconstrainedError"
    assert instrumented["noNew"][1] == "TypeError"


def test_listeners_and_onmessage_fire_in_the_pages_order(chromium: ChromiumLoop) -> None:
    instrumented, plain = chromium.call(lambda: _in_both(chromium.browser, ORDER))
    assert instrumented == plain == ["first listener one", "onmessage one", "last listener one"]


def test_the_api_is_hidden_frozen_and_installing_again_changes_nothing(
    chromium: ChromiumLoop,
) -> None:
    async def run() -> Any:
        page = await open_user_page(chromium.browser, html=BLANK)
        try:
            # A second install with the same name, and a third under another name: one instrument.
            await page.evaluate(init_script())
            await page.evaluate(init_script(InstrumentConfig(api="otherName")))
            return await page.evaluate(f"""async () => {{
              const api = window.{DEFAULT_API};
              const d = Object.getOwnPropertyDescriptor(window, "{DEFAULT_API}");
              const a = new RTCPeerConnection(), b = new RTCPeerConnection();
              const channel = a.createDataChannel("x");
              let clean = false;
              try {{ RTCDataChannel.prototype.send.call({{}}, 1); }}
              catch (e) {{ clean = !/rtc-bridge-instrument|Object[.]apply/.test(e.stack); }}
              a.close(); b.close();
              return [Object.keys(window).includes("{DEFAULT_API}"), d.enumerable, d.writable,
                d.configurable, Object.isFrozen(api), window.otherName === api,
                String(Function.prototype.toString), String(RTCDataChannel.prototype.send),
                RTCPeerConnection.prototype.constructor === RTCPeerConnection, clean,
                JSON.stringify(api.channels().peers.map((p) => p.peer))];
            }}""")
        finally:
            await page.context.close()

    answer = chromium.call(run)
    assert answer[:10] == [False, False, False, False, True, True,
                           "function toString() { [native code] }",
                           "function send() { [native code] }", True, True]
    assert answer[10] == "[1,2]"  # each peer seen once


def test_ice_servers_beyond_loopback_are_left_out(chromium: ChromiumLoop) -> None:
    script = """() => {
      const servers = [{ urls: "stun:stun.l.google.com:19302" },
        { urls: ["stun:127.0.0.1:3478", "stun:stun.example.org"] },
        { urls: "turn:turn.example.org:3478?transport=tcp", username: "u", credential: "p" },
        { urls: "turn:localhost:3478", username: "u", credential: "p" }];
      const pc = new RTCPeerConnection({ iceServers: servers, bundlePolicy: "max-bundle" });
      const first = pc.getConfiguration();
      pc.setConfiguration({ iceServers: [{ urls: "stun:[::1]:3478" }, { urls: "stuns:stun.example.org" }],
        bundlePolicy: "max-bundle" });
      const second = pc.getConfiguration();
      const state = window.__rtcBridge.channels();
      pc.close();
      return [first.iceServers.map((s) => s.urls), first.bundlePolicy,
        second.iceServers.map((s) => s.urls), state.droppedIceServers];
    }"""

    def run(config: InstrumentConfig) -> Any:
        return chromium.call(lambda: evaluate_in_user_page(chromium.browser, script, html=BLANK,
                                                           config=config))

    dropped = run(InstrumentConfig())
    assert dropped == [[["stun:127.0.0.1:3478"], ["turn:localhost:3478"]], "max-bundle",
                       [["stun:[::1]:3478"]],
                       ["stun:stun.l.google.com:19302", "stun:stun.example.org",
                        "turn:turn.example.org:3478?transport=tcp", "stuns:stun.example.org"]]
    kept = run(InstrumentConfig(drop_ice_servers=False))
    assert len(kept[0]) == 4 and kept[3] == []
