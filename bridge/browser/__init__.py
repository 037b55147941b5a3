"""The controlled browser: choosing and launching Chromium (or reaching one elsewhere:
`remote`), the voice page, the page's reports
through its binding, the tool registry and the DOM verification of every call; its network
(`network`: the policy; `routing`: the page's signalling answered by the upstream, the rest
let through or blocked; `signalling`: offers read from a page's requests); and the instrument
that lets the bridge see into, speak into and record any other voice page (`instrument`,
`page_audio`).

Must not import `drive`, `demo` or `measure`, nor `http`'s app and routes: `routing` answers
requests as the HTTP routes do, with the same wire modules (`http.sdp`, `http.offers`,
`http.errors`, `http.client_secrets`), which import nothing of the running bridge.
"""
