"""The controlled browser: choosing and launching Chromium, the voice page, the page's reports
through its binding, the tool registry and the DOM verification of every call; and the
instrument that lets the bridge see into, speak into and record any other voice page
(`instrument`, `page_audio`).

Must not import `http`, `drive`, `demo` or `measure`.
"""
