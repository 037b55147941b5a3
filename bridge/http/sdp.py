"""Checks that a body is a WebRTC offer the upstreams can answer, before anything is sent on."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import InvalidOffer, PayloadTooLarge

_LINE = re.compile(r"^[a-z]=.*$")
_MEDIA = re.compile(r"^m=(\S+) (\d{1,5})(?:/\d+)? (\S+)(?: \S+)+$")
# foundation component transport priority address port "typ" type [extensions]
_CANDIDATE = re.compile(r"^a=candidate:\S+ \d{1,3} (?i:udp|tcp) \d{1,10} \S+ (\d{1,5}) typ \S+")
# A browser offers one audio and one data-channel section; a few more is generous.
MAX_MEDIA_SECTIONS = 8


@dataclass(frozen=True)
class Offer:
    sdp: str
    audio_sections: int
    has_data_channel: bool


def parse_offer(body: bytes | str, *, max_bytes: int) -> Offer:
    """Return the offer in `body`, or raise InvalidOffer / PayloadTooLarge saying what is wrong.

    Enough is checked that the upstream gets a real offer (session lines, an audio m-line, an
    SCTP data channel, and in every media section a mid, DTLS fingerprint, ICE credentials and
    `setup:actpass`; well-formed candidates), not a full parse.
    """
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    if len(raw) > max_bytes:
        raise PayloadTooLarge(f"the offer is {len(raw)} bytes; the limit is {max_bytes}")
    if not raw.strip():
        raise InvalidOffer("the body is empty; send the SDP offer", param="sdp")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise InvalidOffer("the offer is not UTF-8 text", param="sdp") from err
    if "\x00" in text:
        raise InvalidOffer("the offer contains NUL bytes", param="sdp")
    lines = [line for line in text.replace("\r\n", "\n").split("\n") if line]
    if not lines or lines[0] != "v=0":
        raise InvalidOffer("not SDP: an offer starts with the line v=0", param="sdp")
    bad = next((line for line in lines if not _LINE.match(line) or "\r" in line), None)
    if bad is not None:
        raise InvalidOffer(f"not SDP: line {bad[:40]!r} is not of the form x=value", param="sdp")
    for prefix in ("o=", "s=", "t="):
        if not any(line.startswith(prefix) for line in lines):
            raise InvalidOffer(f"the offer has no {prefix} line", param="sdp")
    session, sections = _split(lines)
    if len(sections) > MAX_MEDIA_SECTIONS:
        raise InvalidOffer(f"the offer has {len(sections)} media sections; at most "
                           f"{MAX_MEDIA_SECTIONS} are accepted", param="sdp")
    media = [section[0] for section in sections]
    audio = sum(1 for line in media if line.startswith("m=audio "))
    data = any(line.startswith("m=application ") and "DTLS/SCTP" in line for line in media)
    if audio == 0:
        raise InvalidOffer("the offer has no audio m-line (add an audio transceiver)", param="sdp")
    if not data:
        raise InvalidOffer("the offer has no data channel (create one before the offer)", param="sdp")
    mids = [_mid(section) for section in sections]
    primary = _check_bundle(session, mids)
    for mid, section in zip(mids, sections, strict=True):
        # A section bundled behind another may leave its transport lines to that one.
        shared = sections[mids.index(primary[mid])] if mid in primary else []
        _check_section(section, session + shared)
    if not text.endswith("\n"):
        text += "\r\n"
    return Offer(sdp=text, audio_sections=audio, has_data_channel=data)


def _split(lines: list[str]) -> tuple[list[str], list[list[str]]]:
    """The session-level lines, and each media section (its m-line first)."""
    session: list[str] = []
    sections: list[list[str]] = []
    for line in lines:
        if line.startswith("m="):
            sections.append([line])
        elif sections:
            sections[-1].append(line)
        else:
            session.append(line)
    return session, sections


def _mid(section: list[str]) -> str:
    mids = [line[6:].strip() for line in section if line.startswith("a=mid:")]
    if len(mids) != 1 or not mids[0]:
        kind = section[0][2:].split(" ", 1)[0]
        raise InvalidOffer(f"the {kind[:20]} section needs exactly one a=mid line", param="sdp")
    return mids[0]


def _check_section(section: list[str], inherited_lines: list[str]) -> None:
    """Check one media section; `inherited_lines` are the session's and its bundle's."""
    m_line = section[0]
    match = _MEDIA.match(m_line)
    if match is None or int(match.group(2)) > 65535:
        raise InvalidOffer(f"malformed media line {m_line[:60]!r}", param="sdp")
    kind = match.group(1)
    inherited = section + inherited_lines
    if not _has(inherited, "a=fingerprint:"):
        raise InvalidOffer(f"the {kind} section has no DTLS fingerprint", param="sdp")
    if not (_has(inherited, "a=ice-ufrag:") and _has(inherited, "a=ice-pwd:")):
        raise InvalidOffer(f"the {kind} section has no ICE credentials", param="sdp")
    setups = {line.split(":", 1)[1].strip() for line in inherited if line.startswith("a=setup:")}
    if not setups:
        raise InvalidOffer(f"the {kind} section has no a=setup:actpass line", param="sdp")
    if setups != {"actpass"}:
        raise InvalidOffer("this is an answer, not an offer (a=setup is not actpass)", param="sdp")
    for line in section:
        if line.startswith("a=candidate:"):
            candidate = _CANDIDATE.match(line)
            if candidate is None or int(candidate.group(1)) > 65535:
                raise InvalidOffer(f"malformed ICE candidate {line[:60]!r}", param="sdp")


def _check_bundle(session: list[str], mids: list[str]) -> dict[str, str]:
    """Check the a=group lines; return {bundled mid: the mid whose transport it shares}."""
    if len(set(mids)) != len(mids):
        raise InvalidOffer("two media sections have the same a=mid", param="sdp")
    primary: dict[str, str] = {}
    for line in session:
        if line.startswith("a=group:"):
            members = line.split()[1:]
            missing = [mid for mid in members if mid not in mids]
            if missing:
                raise InvalidOffer(f"a=group names mid {missing[0][:20]!r}, which no media "
                                   "section has", param="sdp")
            if line.startswith("a=group:BUNDLE ") and members:
                primary.update({mid: members[0] for mid in members[1:]})
    return primary


def looks_like_answer(text: str) -> bool:
    """True when an upstream's reply is plausibly an SDP answer (used to catch garbage 201s)."""
    return text.startswith("v=0") and "\nm=" in text and "a=fingerprint:" in text


def _has(lines: list[str], prefix: str) -> bool:
    return any(line.startswith(prefix) for line in lines)
