"""The voice page: HTML, ES modules, styles and `tools.json`, no build step.

A package only so that it installs as `bridge.pages` (the package data the bridge serves and
reads with importlib.resources); the page itself is plain files.
"""
