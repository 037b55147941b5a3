"""Driving a running bridge from synchronous code: the bridge thread, the handle tests and
scripts use, speaking into the page's microphone, synthesised test speech, a small realtime
client, and the pytest plugin.

Must not import `demo` or `measure`.
"""
