"""Benchmarks with real sessions: real Chromium, real WebRTC, the embedded engine.

`python scripts/bench.py` (or `make bench`) runs every measurement, prints a table and writes
bench.json; each module here measures one thing and can be used on its own:

| module | measures |
|---|---|
| `coldstart` | `rtc-bridge run` to its `ready:` line |
| `connect` | `/api/rtc-connect` and `/v1/realtime/calls` answer latency; navigation → data channel open |
| `probe` | tool round trips and a raw data-channel echo, timed where the engine sends and receives |
| `voice` | end of a spoken command → verified DOM change, and the floor (silence window + decode) |
| `user_page` | a user's page against the bridge's own: navigation and tool round trip |
| `inspector` | the inspector's frames and CPU, watched and not, against a floor; beside a recording |
| `scale` | the same with 1..N concurrent sessions, with CPU and memory of the bridge and Chromium |
"""
