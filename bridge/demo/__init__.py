"""`rtc-bridge demo`: scenario files, running their steps, the results, the recording with
sound and the HTML report.

Must not import `measure`.
"""
