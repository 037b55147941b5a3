"""The session event log and the typed records the bridge writes to it and reads back.

Imports nothing else of the bridge: every other package may import it.
"""
