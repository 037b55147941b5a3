"""Seeded mutations of valid SDP offers, for the fuzz tests and `make soak`.

Each mutation applies one to three operators (drop, duplicate or swap lines, cut the text,
flip or insert bytes, replace a token with an awkward value, repeat a media section, …) to
one of two real offers: Chromium's shape and aiortc's. The same seed gives the same bodies.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

# A Chromium offer (audio transceiver + "oai-events" data channel), host candidates on loopback.
CHROMIUM_OFFER = "\r\n".join([
    "v=0", "o=- 555742396383654343 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
    "a=group:BUNDLE 0 1", "a=extmap-allow-mixed", "a=msid-semantic: WMS",
    "m=audio 52005 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126", "c=IN IP4 127.0.0.1",
    "a=rtcp:9 IN IP4 0.0.0.0",
    "a=candidate:3292665602 1 udp 2113937151 127.0.0.1 52005 typ host generation 0 network-cost 999",
    "a=ice-ufrag:eJoM", "a=ice-pwd:hIwIiW6xP9GEzsMpOdmfXHgq", "a=ice-options:trickle",
    "a=fingerprint:sha-256 0D:CA:85:82:B3:C0:23:B9:A8:37:30:3C:76:57:A3:F4:06:0F:AD:36:9D:47:06:"
    "36:3D:06:F8:3E:CE:AE:F3:28",
    "a=setup:actpass", "a=mid:0",
    "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
    "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
    "a=sendrecv", "a=msid:- c10164db-75f7-463d-bf2a-839524f1deec", "a=rtcp-mux", "a=rtcp-rsize",
    "a=rtpmap:111 opus/48000/2", "a=rtcp-fb:111 transport-cc",
    "a=fmtp:111 minptime=10;useinbandfec=1", "a=rtpmap:63 red/48000/2", "a=fmtp:63 111/111",
    "a=rtpmap:9 G722/8000", "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000",
    "a=rtpmap:13 CN/8000", "a=rtpmap:110 telephone-event/48000",
    "a=rtpmap:126 telephone-event/8000", "a=ssrc:2633449102 cname:M3er4RURx5zMrws8",
    "m=application 40426 UDP/DTLS/SCTP webrtc-datachannel", "c=IN IP4 127.0.0.1",
    "a=candidate:3292665602 1 udp 2113937151 127.0.0.1 40426 typ host generation 0 network-cost 999",
    "a=ice-ufrag:eJoM", "a=ice-pwd:hIwIiW6xP9GEzsMpOdmfXHgq", "a=ice-options:trickle",
    "a=fingerprint:sha-256 0D:CA:85:82:B3:C0:23:B9:A8:37:30:3C:76:57:A3:F4:06:0F:AD:36:9D:47:06:"
    "36:3D:06:F8:3E:CE:AE:F3:28",
    "a=setup:actpass", "a=mid:1", "a=sctp-port:5000", "a=max-message-size:262144", "",
])

# aiortc's own offer shape (three fingerprints, candidates before the credentials).
AIORTC_OFFER = "\r\n".join([
    "v=0", "o=- 4004534213 4004534213 IN IP4 0.0.0.0", "s=-", "t=0 0", "a=group:BUNDLE 0 1",
    "a=msid-semantic:WMS *", "m=audio 57872 UDP/TLS/RTP/SAVPF 96 9 0 8", "c=IN IP4 127.0.0.1",
    "a=sendrecv", "a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid", "a=mid:0",
    "a=msid:cb680ad9-f54f-42a9-8868-3bc4cdf5ebeb f7cbf644-3bb2-47db-a9ff-b0b3a20fdd2e",
    "a=rtcp:9 IN IP4 0.0.0.0", "a=rtcp-mux", "a=ssrc:298657545 cname:7ca5471c-3740-4435",
    "a=rtpmap:96 opus/48000/2", "a=rtpmap:9 G722/8000", "a=rtpmap:0 PCMU/8000",
    "a=rtpmap:8 PCMA/8000",
    "a=candidate:f957a2332b1715da3b0ef8ba684454eb 1 udp 2130706431 127.0.0.1 57872 typ host",
    "a=end-of-candidates", "a=ice-ufrag:Ec0p", "a=ice-pwd:VyUB859fzejE4ZFIifnqx9",
    "a=fingerprint:sha-256 66:C1:DD:CE:0A:DE:53:4F:8D:90:38:39:27:77:A7:AA:E3:8B:CC:A2:40:5F:"
    "B7:8E:F9:DC:EB:C1:0B:09:F8:5B",
    "a=setup:actpass", "m=application 33600 UDP/DTLS/SCTP webrtc-datachannel",
    "c=IN IP4 127.0.0.1", "a=mid:1", "a=sctp-port:5000", "a=max-message-size:262144",
    "a=candidate:f957a2332b1715da3b0ef8ba684454eb 1 udp 2130706431 127.0.0.1 33600 typ host",
    "a=end-of-candidates", "a=ice-ufrag:Ec0p", "a=ice-pwd:VyUB859fzejE4ZFIifnqx9",
    "a=fingerprint:sha-256 66:C1:DD:CE:0A:DE:53:4F:8D:90:38:39:27:77:A7:AA:E3:8B:CC:A2:40:5F:"
    "B7:8E:F9:DC:EB:C1:0B:09:F8:5B",
    "a=setup:actpass", "",
])

BASE_OFFERS = (CHROMIUM_OFFER, AIORTC_OFFER)

AWKWARD = (
    "", "0", "-1", "65536", "4294967296", "99999999999999999999999", "1e309", "NaN", "abc",
    "%s%n", "::", "/", "\\", "'", '"', "<script>", "\u202e", "\U0001f4a5", "\x7f", "\t",
    "A" * 300, "9" * 40, "actpass", "active", "passive", "holdconn", "sha-1", "sha-256 zz:zz",
    "webrtc-datachannel", "UDP/DTLS/SCTP", "RTP/AVP", "opus/48000/2", "opus/0/0", "IN IP6 ::1",
    "candidate:1 1 udp 1 999.999.1.1 70000 typ host", "127.0.0.1", "0.0.0.0",
)
KINDS = ("audio", "video", "application", "text", "message", "", "AUDIO")


def _lines(text: str) -> list[str]:
    return text.split("\r\n")


def _join(lines: list[str]) -> str:
    return "\r\n".join(lines)


def _drop_line(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    del lines[rng.randrange(len(lines))]
    return _join(lines)


def _duplicate_line(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    index = rng.randrange(len(lines))
    lines[index:index] = [lines[index]] * rng.choice((1, 2, 50))
    return _join(lines)


def _swap_lines(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    a, b = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[a], lines[b] = lines[b], lines[a]
    return _join(lines)


def _cut(rng: random.Random, text: str) -> str:
    return text[: rng.randrange(len(text) + 1)]


def _replace_token(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    index = rng.randrange(len(lines))
    tokens = lines[index].replace(":", " : ").split(" ")
    tokens[rng.randrange(len(tokens))] = rng.choice(AWKWARD)
    lines[index] = " ".join(tokens).replace(" : ", ":")
    return _join(lines)


def _change_kind(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    media = [i for i, line in enumerate(lines) if line.startswith("m=")]
    index = rng.choice(media) if media else 0
    parts = lines[index].split(" ", 1)
    lines[index] = "m=" + rng.choice(KINDS) + (" " + parts[1] if len(parts) > 1 else "")
    return _join(lines)


def _repeat_section(rng: random.Random, text: str) -> str:
    start = text.find("m=")
    if start < 0:
        return text
    return text + text[start:] * rng.choice((1, 3, 30))


def _line_endings(rng: random.Random, text: str) -> str:
    return text.replace("\r\n", rng.choice(("\n", "\r", "\r\r\n", "\n\n", " \r\n", "\r\n\r\n")))


def _huge_attribute(rng: random.Random, text: str) -> str:
    size = rng.choice((1_000, 30_000, 70_000, 200_000))
    return text + "a=x-fuzz:" + rng.choice("y\x00é") * size + "\r\n"


def _setup_role(rng: random.Random, text: str) -> str:
    return text.replace("a=setup:actpass", "a=setup:" + rng.choice(AWKWARD[22:26] + ("",)))


MUTATORS: tuple[Callable[[random.Random, str], str], ...] = (
    _drop_line, _duplicate_line, _swap_lines, _cut, _replace_token, _replace_token,
    _change_kind, _repeat_section, _line_endings, _huge_attribute, _setup_role,
)


def _bytes_level(rng: random.Random, body: bytes) -> bytes:
    """Byte-level damage: a flipped byte, inserted raw bytes, or a non-UTF-8 encoding."""
    choice = rng.randrange(3)
    if choice == 0 and body:
        index = rng.randrange(len(body))
        return body[:index] + bytes([body[index] ^ (1 << rng.randrange(8))]) + body[index + 1:]
    if choice == 1:
        index = rng.randrange(len(body) + 1)
        junk = bytes(rng.randrange(256) for _ in range(rng.choice((1, 4, 64))))
        return body[:index] + junk + body[index:]
    return body.decode("utf-8", "replace").encode("utf-16")


def mutate(rng: random.Random, offer: str) -> bytes:
    """One mutated body: one to three text operators, sometimes byte-level damage too."""
    text = offer
    for _ in range(rng.choice((1, 1, 2, 3))):
        text = rng.choice(MUTATORS)(rng, text)
    body = text.encode("utf-8", "surrogatepass")
    if rng.random() < 0.15:
        body = _bytes_level(rng, body)
    return body


def mutations(count: int, *, seed: int = 5) -> Iterator[bytes]:
    """`count` mutated offers, reproducible for a seed."""
    rng = random.Random(seed)
    for _ in range(count):
        yield mutate(rng, rng.choice(BASE_OFFERS))
