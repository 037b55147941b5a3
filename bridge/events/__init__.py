"""The session event log (`log`), the typed records the bridge writes to it and reads back
(`records`), the verdicts a tool call's verification ends in (`verdicts`), and one readable line
per record (`describe`).

Imports nothing else of the bridge: every other package may import it.
"""
