"""rtc-bridge: run a voice agent against a real browser and prove every action in the DOM."""

__version__ = "0.1.0"
