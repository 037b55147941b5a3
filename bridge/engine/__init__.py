"""The embedded engine: a local OpenAI-Realtime-compatible WebRTC peer."""
