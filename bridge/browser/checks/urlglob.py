"""URL globs as Playwright reads them (`page.wait_for_url`, `page.route`).

`*` is any run of characters but `/`, `**` any run at all (`**/` also none), `{a,b}` either
alternative, `\\` escapes the next character; everything else, `?` included, is literal and the
glob must match the whole URL. A glob starting with `/` (not `//`) is taken relative to the
page's origin, as Playwright resolves a glob against a base URL.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

__all__ = ["escape_glob", "glob_regex", "url_matches"]

_REGEX_SPECIAL = frozenset("$^+.*()|\\?{}[]")
_GLOB_SPECIAL = re.compile(r"([\\*{},?])")


def glob_regex(glob: str) -> re.Pattern[str]:
    """The regular expression of `glob` (after Playwright's `glob_to_regex_pattern`); ValueError
    for a glob it refuses (an unmatched or nested brace)."""
    tokens = ["^"]
    in_group = False
    i = 0
    while i < len(glob):
        c = glob[i]
        if c == "\\" and i + 1 < len(glob):
            i += 1
            tokens.append("\\" + glob[i] if glob[i] in _REGEX_SPECIAL else glob[i])
        elif c == "*":
            i = _star(glob, i, tokens)
        elif c == "{":
            if in_group:
                raise ValueError(f"glob {glob!r}: nested `{{` is not supported")
            in_group = True
            tokens.append("(")
        elif c == "}":
            if not in_group:
                raise ValueError(f"glob {glob!r}: unmatched `}}`")
            in_group = False
            tokens.append(")")
        elif c == ",":
            tokens.append("|" if in_group else "\\,")
        else:
            tokens.append("\\" + c if c in _REGEX_SPECIAL else c)
        i += 1
    if in_group:
        raise ValueError(f"glob {glob!r}: unmatched `{{`")
    tokens.append("$")
    return re.compile("".join(tokens))


def _star(glob: str, i: int, tokens: list[str]) -> int:
    """Append the regex of the stars at `i`; the index of the last character consumed."""
    before = glob[i - 1] if i > 0 else None
    stars = 1
    while i + 1 < len(glob) and glob[i + 1] == "*":
        stars += 1
        i += 1
    if stars == 1:
        tokens.append("([^/]*)")
        return i
    if i + 1 < len(glob) and glob[i + 1] == "/":
        tokens.append("((.+/)|)" if before == "/" else "(.*/)")
        return i + 1
    tokens.append("(.*)")
    return i


def escape_glob(text: str) -> str:
    """`text` with the glob's special characters escaped, so that it matches literally."""
    return _GLOB_SPECIAL.sub(r"\\\1", text)


def url_matches(glob: str, url: str, *, base_url: str | None = None) -> bool:
    """Whether `url` matches `glob`; a glob starting with `/` is resolved against the origin of
    `base_url` (else of `url`). ValueError for a bad glob."""
    if glob.startswith("/") and not glob.startswith("//"):
        parts = urlsplit(base_url or url)
        if parts.scheme and parts.netloc:
            glob = f"{parts.scheme}://{parts.netloc}{glob}"
    return glob_regex(glob).search(url) is not None
