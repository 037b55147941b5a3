"""`rtc-bridge demo`: scenario files, running their steps, the results, the recording with
sound and the HTML report; and scenario files as pytest tests (`pytest_plugin`).

Must not import `measure`.
"""
