"""The live inspector: the controlled page seen and driven from another browser, at `/inspect`.

What it owns: the picture (`screencast`: a CDP screencast of its own, running only while
somebody watches, following the page when it is reopened), the event log as people read it
(`feed`), the stream that carries both to each watcher (`stream`, Server-Sent Events), what a
watcher may do (`actions`: type or say a message, reload, reconnect — the paths the handle's
`type` and `say` take), who may do it (`guard`), the `Inspector` that holds it together
(`inspector`), its routes (`routes`) and its page (`inspect.html`, `inspect.js`, `inspect.css`).

Must not import `demo` or `measure`, nor `http`'s app and routes (it serves files with the wire
module `http.files`; its errors are `bridge.errors`, which `http.errors` renders). It speaks into
the page through `drive.speaking`, as the handle does; `runtime` imports only `inspector`, which
does not.
"""
