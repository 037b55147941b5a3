"""HTTP: the Quart app, its routes, reading offers and SDP, and serving with Hypercorn.

Owns the wire: requests in, responses and error bodies out (`errors` maps the bridge's errors
to statuses). Must not import `drive`, `demo` or `measure`; reaches the running bridge only
through the `Bridge` object it is given. The inspector's routes are the inspector's own
(`inspect.routes`); the app only mounts them.
"""
