"""Settings: one frozen object, read from the environment and command-line flags in one place."""

from __future__ import annotations

import dataclasses
import ipaddress
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .environment import ENV_FIELDS, has_display, truthy
from .errors import SettingsError
from .remote_settings import HOST_PATTERN as _HOST_PATTERN
from .remote_settings import check_remote

UpstreamKind = Literal["local", "openai"]
# What the bridge's voice page does with a message typed while the agent answers: interrupt the
# answer (as OpenAI's own clients do) or send it once the answer has ended.
TypingMode = Literal["interrupt", "queue"]
TYPING_MODES: tuple[TypingMode, ...] = ("interrupt", "queue")
# Whether the controlled page's microphone, when it carries only what the bridge plays, pauses
# between the bridge's clips ("auto": with the embedded engine, which counts a pause as silence).
IdleMicrophone = Literal["auto", "pause", "send"]
IDLE_MICROPHONE_MODES: tuple[IdleMicrophone, ...] = ("auto", "pause", "send")
RECOGNISERS = ("grammar", "open")

DEFAULT_INSTRUCTIONS = (
    "You control a web page through the tools you are given. When the user asks for a change, "
    "call the matching tool, then say briefly what the page now shows."
)


@dataclass(frozen=True)
class Settings:
    """Everything the bridge is configured with. Units live in the names."""

    host: str = "127.0.0.1"
    port: int = 8765
    upstream: UpstreamKind = "local"
    openai_base_url: str = "https://api.openai.com/v1"
    openai_api_key: str | None = field(default=None, repr=False)
    local_api_key: str | None = field(default=None, repr=False)
    model: str = "gpt-realtime"
    voice: str = "marin"
    instructions: str = DEFAULT_INSTRUCTIONS
    headless: bool = True
    mic_file: Path | None = None
    # A headed browser hears the machine's microphone; scripted sessions (demo) turn that off
    # so only what they say or play is heard, as in a headless one.
    room_mic: bool = True
    events_path: Path | None = None
    chromium_path: str | None = None
    open_browser: bool = True
    upstream_connect_timeout_s: float = 5.0
    upstream_read_timeout_s: float = 15.0
    max_offer_bytes: int = 64 * 1024
    max_sessions: int = 32
    max_events_per_s: float = 50.0
    max_session_s: float = 3600.0
    cors_origins: tuple[str, ...] = ()
    # A user's own voice page instead of the bridge's: an http(s) URL, or a local HTML file or
    # folder that the bridge serves under its own origin (see browser.target).
    page: str | None = None
    start_selector: str | None = None
    storage_state: Path | None = None
    checks_path: Path | None = None
    # The embedded engine's recogniser: "grammar" (the session's command grammar) or "open".
    recognition: str = "grammar"
    type_while_speaking: TypingMode = "interrupt"
    idle_microphone: IdleMicrophone = "auto"
    # The controlled browser's network (browser.network): which URLs are answered as signalling,
    # and which hosts outside loopback a page may reach with the embedded engine.
    routes: tuple[str, ...] = ()
    route_offers: bool = True
    allow_hosts: tuple[str, ...] = ()
    chromium_args: tuple[str, ...] = ()
    # The live inspector (`bridge.inspect`, GET /inspect). A token is required whenever one is
    # given, and always when the bridge is exposed (one is made at start if none is given).
    inspect: bool = True
    inspect_token: str | None = field(default=None, repr=False)
    inspect_max_fps: float = 15.0
    # Scenario tests run each scenario this many times, its own `repeat:` unless set (the
    # pytest option --voice-repeat wins over both).
    voice_repeat: int | None = None
    # A browser elsewhere (browser.remote): a Playwright browser server, or a Chromium over CDP;
    # and the address the embedded engine offers in its ICE candidates, for such a browser.
    browser_ws: str | None = None
    cdp_url: str | None = None
    rtc_host: str | None = None

    def __post_init__(self) -> None:
        if self.upstream not in ("local", "openai"):
            raise SettingsError(f"upstream must be 'local' or 'openai', not {self.upstream!r}")
        if self.upstream == "openai" and not self.openai_api_key:
            raise SettingsError("upstream 'openai' needs OPENAI_API_KEY in the environment")
        if not 0 <= self.port <= 65535:
            raise SettingsError(f"port must be 0..65535, not {self.port}")
        if not self.openai_base_url.startswith(("https://", "http://")):
            raise SettingsError("OPENAI_BASE_URL must be an http(s) URL")
        if self.max_offer_bytes < 1024 or self.max_sessions < 1:
            raise SettingsError("max_offer_bytes must be >= 1024 and max_sessions >= 1")
        if not (self.max_events_per_s > 0 and math.isfinite(self.max_events_per_s)):
            raise SettingsError("BRIDGE_MAX_EVENTS_PER_S must be a positive number")
        if not (self.max_session_s > 0 and math.isfinite(self.max_session_s)):
            raise SettingsError("BRIDGE_MAX_SESSION_S must be a positive number of seconds")
        for origin in self.cors_origins:
            if not _ORIGIN.fullmatch(origin):
                raise SettingsError(
                    f"BRIDGE_CORS_ORIGINS takes explicit origins such as http://localhost:3000, "
                    f"not {origin!r}")
        if self.mic_file is not None and not self.mic_file.is_file():
            raise SettingsError(f"--mic-file {self.mic_file} does not exist")
        # Host names compare lower-cased, as a URL's host does.
        object.__setattr__(self, "allow_hosts", tuple(h.lower() for h in self.allow_hosts))
        for host in self.allow_hosts:
            if not _HOST_PATTERN.fullmatch(host):
                raise SettingsError(
                    f"--allow-host / BRIDGE_ALLOW_HOSTS takes host names such as cdn.example.com "
                    f"or *.example.com (no scheme, port or path), not {host!r}")
        for glob in self.routes:
            if not glob or any(c.isspace() for c in glob):
                raise SettingsError(f"--route / BRIDGE_ROUTE takes URL globs, not {glob!r}")
        for value, choices, names in (
                (self.recognition, RECOGNISERS, "--recognition / BRIDGE_RECOGNITION"),
                (self.type_while_speaking, TYPING_MODES,
                 "--type-while-speaking / BRIDGE_TYPE_WHILE_SPEAKING"),
                (self.idle_microphone, IDLE_MICROPHONE_MODES,
                 "--idle-microphone / BRIDGE_IDLE_MICROPHONE")):
            if value not in choices:
                quoted = [repr(choice) for choice in choices]
                raise SettingsError(f"{names} is {', '.join(quoted[:-1])} or {quoted[-1]}, "
                                    f"not {value!r}")
        if self.voice_repeat is not None and not 1 <= self.voice_repeat <= 1000:
            raise SettingsError(f"--voice-repeat / BRIDGE_VOICE_REPEAT must be 1..1000 runs, "
                                f"not {self.voice_repeat}")
        self._check_page()
        self._check_inspector()
        check_remote(browser_ws=self.browser_ws, cdp_url=self.cdp_url, rtc_host=self.rtc_host)
        if self.remote_browser and self.mic_file is not None:
            raise SettingsError("--mic-file / BRIDGE_MIC_FILE is a file on this machine, which a "
                                "remote browser cannot play: speak with say/play instead")

    def _check_inspector(self) -> None:
        token = self.inspect_token
        if token is not None and not _TOKEN.fullmatch(token):
            raise SettingsError("BRIDGE_INSPECT_TOKEN must be 16 to 128 letters, digits or "
                                "- _ . ~ (it travels in a URL)")
        if not 1 <= self.inspect_max_fps <= 60:
            raise SettingsError(f"--inspect-fps / BRIDGE_INSPECT_FPS must be 1..60 frames a "
                                f"second, not {self.inspect_max_fps:g}")

    def _check_page(self) -> None:
        page = self.page
        if page is not None and not _URL.match(page) and not Path(page).exists():
            raise SettingsError(f"--page {page!r} is neither an http(s) URL nor an existing file "
                                "or folder")
        if page is None and self.start_selector is not None:
            raise SettingsError("--start needs --page: the bridge's own page connects by itself")
        for flag, path in (("--storage-state", self.storage_state), ("--checks", self.checks_path)):
            if path is not None and not path.is_file():
                raise SettingsError(f"{flag} {path} does not exist")

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **flags: Any) -> Settings:
        """Build settings from `env` (default: os.environ); non-None `flags` win over it."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        key = env.get("OPENAI_API_KEY") or None
        values["openai_api_key"] = key
        values["local_api_key"] = env.get("BRIDGE_LOCAL_API_KEY") or None
        if "OPENAI_BASE_URL" in env:
            values["openai_base_url"] = env["OPENAI_BASE_URL"].rstrip("/")
        values["upstream"] = env.get("BRIDGE_UPSTREAM") or ("openai" if key else "local")
        for name, var, convert in ENV_FIELDS:
            if env.get(var):
                try:
                    values[name] = convert(env[var])
                except ValueError as err:
                    raise SettingsError(f"{var}={env[var]!r} is not usable: {err}") from err
        values["headless"] = not has_display(env)
        if env.get("BRIDGE_HEADLESS"):
            values["headless"] = truthy(env["BRIDGE_HEADLESS"])
        # Repeatable flags come as lists; settings hold tuples.
        values.update({name: tuple(value) if isinstance(value, list) else value
                       for name, value in flags.items() if value is not None})
        return cls(**values)

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)

    @property
    def exposed(self) -> bool:
        """True when the bridge binds an address other machines can reach."""
        return not is_loopback(self.host)

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        if host in ("0.0.0.0", "[::]"):
            host = "127.0.0.1"
        return f"http://{host}:{self.port}"

    @property
    def remote_browser(self) -> bool:
        """True when the controlled browser is reached, not launched: a browser server or CDP."""
        return self.browser_ws is not None or self.cdp_url is not None

    @property
    def page_base_url(self) -> str:
        """Where the controlled browser opens the bridge's pages: `base_url`, or for a remote
        browser http://127.0.0.1:PORT (a secure origin wherever the browser is), answered from
        `base_url` through Playwright routing (`browser.network.relay`)."""
        return f"http://127.0.0.1:{self.port}" if self.remote_browser else self.base_url

    def session_config(self) -> dict[str, Any]:
        """The GA session the upstream starts each call with."""
        return {
            "type": "realtime",
            "model": self.model,
            "instructions": self.instructions,
            "audio": {"output": {"voice": self.voice}},
        }


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (127.0.0.0/8, ::1)."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


_URL = re.compile(r"https?://", re.I)
_TOKEN = re.compile(r"[A-Za-z0-9._~-]{16,128}")
# scheme://host[:port], nothing else: no wildcard, no path, no "null".
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:\d{1,5})?|https?://\[[0-9A-Fa-f:.]+\](:\d{1,5})?")
