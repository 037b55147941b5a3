"""The controlled browser: choosing and launching Chromium, the voice page, the page's reports
through its binding, the tool registry and the DOM verification of every call.

Must not import `http`, `drive`, `demo` or `measure`.
"""
