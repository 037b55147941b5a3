"""Strings with the call's arguments in them: `"{color}"`, `"[data-id='{id}']"`, `"**/items/{id}"`.

`{name}` stands for the argument `name`; `{{` and `}}` are literal braces. A template that is
exactly one placeholder (`"{n}"`) renders as the argument itself, keeping its type (so a count
compares with a number); anywhere else an argument is written as text: strings as they are,
numbers and booleans as JSON writes them (`3`, `1.5`, `true`), `null`, objects as JSON.

In a URL glob (`glob=True`), a brace group with a comma (`{cart,checkout}`) is the glob's own
alternation, and arguments are escaped so that they match literally.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Placeholder", "Template", "as_text"]

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


@dataclass(frozen=True)
class Placeholder:
    """`{name}` in a template."""

    name: str


@dataclass(frozen=True)
class Template:
    """A parsed template: literal text and placeholders, in order."""

    source: str
    parts: tuple[str | Placeholder, ...]

    @classmethod
    def literal(cls, text: str) -> Template:
        """A template with no placeholders (a value written as a number, say)."""
        return cls(text, (text,) if text else ())

    @classmethod
    def parse(cls, text: str, *, glob: bool = False) -> Template:
        """Parse `text`; ValueError saying what is wrong (an unmatched brace, a name that is
        not an argument name)."""
        parts: list[str | Placeholder] = []
        literal: list[str] = []
        position = 0
        for match in _TOKEN.finditer(text):
            literal.append(text[position:match.start()])
            position = match.end()
            token, name = match.group(0), match.group(1)
            if token in ("{{", "}}"):
                literal.append(token[0])
            elif name is None:
                raise ValueError(f"unmatched `{token}` in {text!r} (write `{token * 2}` for a "
                                 "literal brace)")
            elif _NAME.fullmatch(name):
                parts.extend(("".join(literal),) if any(literal) else ())
                literal = []
                parts.append(Placeholder(name))
            elif glob and "," in name:
                literal.append(token)
            else:
                raise ValueError(f"`{token}` in {text!r} is not an argument name such as "
                                 "`{color}` (write `{{` and `}}` for literal braces)")
        literal.append(text[position:])
        if any(literal):
            parts.append("".join(literal))
        return cls(text, tuple(parts))

    @property
    def names(self) -> tuple[str, ...]:
        """The arguments the template needs, in order of first use."""
        return tuple(dict.fromkeys(p.name for p in self.parts if isinstance(p, Placeholder)))

    @property
    def whole(self) -> str | None:
        """The argument's name if the template is exactly one placeholder, else None."""
        only = self.parts[0] if len(self.parts) == 1 else None
        return only.name if isinstance(only, Placeholder) else None

    def missing(self, arguments: Mapping[str, Any]) -> tuple[str, ...]:
        """The arguments the template needs that `arguments` lacks."""
        return tuple(name for name in self.names if name not in arguments)

    def value(self, arguments: Mapping[str, Any]) -> Any:
        """The rendered value: the argument itself for a whole placeholder, else text.
        Every name must be in `arguments` (see `missing`)."""
        whole = self.whole
        return arguments[whole] if whole is not None else self.text(arguments)

    def text(self, arguments: Mapping[str, Any], *,
             escape: Callable[[str], str] | None = None) -> str:
        """The rendered text, each argument written by `as_text` and then `escape`d."""
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, Placeholder):
                written = as_text(arguments[part.name])
                out.append(escape(written) if escape else written)
            else:
                out.append(part)
        return "".join(out)


def as_text(value: Any) -> str:
    """An argument as text: strings as they are, others as JSON writes them (`3`, `true`)."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
